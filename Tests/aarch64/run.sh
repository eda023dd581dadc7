#!/usr/bin/env bash
# The aarch64 proof (slow tier of .ci/test): the Spark's binary, cross-built here by
# `.ci/build-release --arch aarch64`, checked without a Spark:
#   1. the version-needs check: its self-test, the binary, and a planted too-new binary;
#   2. `--version` under qemu-aarch64 names aarch64, the compiler and this commit;
#   3. a whole non-interactive practice run under qemu-aarch64: exit 0, all six steps done,
#      output and end state equal to the x86_64 binary's after normalising paths and times;
#   4. the end-to-end tests (pseudo-terminal, real readline) with PHASE0_BINARY running the
#      aarch64 binary under qemu-aarch64.
# Prints PASS/FAIL lines and "N passed, M failed"; exit 0 only when nothing failed.
# Environment: PHASE0_BIN=path (the x86_64 binary to compare with; default: build-release's).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
bash .ci/setup-aarch64

passed=0 failed=0
result() { # result PASS|FAIL name reason
  if [[ $1 == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  printf '%s aarch64/%s -- %s\n' "$1" "$2" "$3"
}
finish() { printf '%d passed, %d failed\n' "$passed" "$failed"; ((failed == 0)); }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

t=$SECONDS
if ! bin=$(bash .ci/build-release --arch aarch64 2>"$work/build.log"); then
  tail -n 30 "$work/build.log"
  result FAIL build "bash .ci/build-release --arch aarch64 failed (above)"
  finish
  exit 1
fi
result PASS build "$bin built in $((SECONDS - t)) s ($(stat -c %s "$bin") bytes; $(grep -c 'building the toolchain' "$work/build.log" | sed 's/^0$/toolchain cached/;s/^1$/toolchain built/'))"
x86=${PHASE0_BIN:-$(bash .ci/build-release 2>"$work/build-x86.log")}
# shellcheck source=../../.ci/lib-aarch64.sh
. .ci/lib-aarch64.sh
run_arm() { "$A64_QEMU" -L "$A64_USERLAND" "$bin" "$@"; }

# 1. Version needs.
if out=$(bash Tests/aarch64/version-needs.sh --self-test 2>&1); then
  result PASS needs/self-test "the comparison catches each of $(grep -c '^PASS' <<<"$out") fabricated cases"
else
  result FAIL needs/self-test "$(grep '^FAIL' <<<"$out" | paste -sd';')"
fi
if out=$(bash Tests/aarch64/version-needs.sh "$bin" 2>&1); then
  result PASS needs/binary "$(sed -n 's/^  \(GLIBC\|GLIBCXX\|CXXABI\) *max \([^ ]*\).*/\1 \2/p' <<<"$out" | paste -sd,) $(grep -o 'libraries: .*' <<<"$out")"
else
  result FAIL needs/binary "$(grep -E 'TOO NEW|FAIL' <<<"$out" | paste -sd';')"
fi
# A binary planted to need a symbol newer than Ubuntu 24.04's glibc: linked here against the
# arm64 root's glibc (2.41) by the root's clang. The check must refuse it.
a64_lock
newest=$(LC_ALL=C readelf --dyn-syms --wide "$A64_USERLAND/usr/lib/aarch64-linux-gnu/libc.so.6" |
  awk '$4 == "FUNC" && $8 ~ /@@GLIBC_2\.(4[0-9])$/ { print $8 }' | sort -V | tail -n1)
if [[ -z $newest ]]; then
  result FAIL needs/planted "the arm64 root's libc has no function newer than GLIBC_2.39 to plant"
else
  mkdir -p "$A64_DIR/scratch/planted"
  printf 'extern void %s(void);\nint main(void) { %s(); return 0; }\n' "${newest%%@*}" "${newest%%@*}" \
    >"$A64_DIR/scratch/planted/too-new.c"
  if a64_in_root "$repo" "cd /scratch/planted && /usr/libexec/swift/bin/clang --target=$A64_TRIPLE --sysroot=/arm64 \
      -fuse-ld=lld -o too-new too-new.c" >"$work/planted.log" 2>&1; then
    if out=$(bash Tests/aarch64/version-needs.sh "$A64_DIR/scratch/planted/too-new" 2>&1); then
      result FAIL needs/planted "a binary calling $newest passed the check: $out"
    elif grep -q "TOO NEW: GLIBC_${newest##*@@GLIBC_}" <<<"$out"; then
      result PASS needs/planted "a binary calling $newest is refused: $(grep 'TOO NEW' <<<"$out" | head -n1)"
    else
      result FAIL needs/planted "refused, but not for $newest: $out"
    fi
  else
    result FAIL needs/planted "could not link the planted binary: $(tail -n 3 "$work/planted.log" | paste -sd' ')"
  fi
fi

a64_unlock

# 2. --version.
commit=$(git rev-parse --short=12 HEAD)
if version=$(run_arm --version 2>&1) && [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+\ aarch64,\ Swift\ 6\.[0-9.]+\ \(Debian\ trixie\),\ commit\ $commit ]]; then
  result PASS version "qemu-aarch64 phase0 --version: $version"
else
  result FAIL version "wanted 'N.N.N aarch64, Swift 6.x (Debian trixie), commit $commit...', got: $version"
fi
x86_version=$("$x86" --version 2>&1 || true)
if [[ $x86_version =~ ^[0-9.]+\ x86_64,\ Swift\ [0-9.]+,\ commit\ $commit ]]; then
  result PASS version/x86_64 "phase0 --version: $x86_version"
else
  result FAIL version/x86_64 "wanted 'N.N.N x86_64, Swift N, commit $commit...', got: $x86_version"
fi

# 3. A whole non-interactive practice run, each binary in its own directory, the same answers.
answers=Tests/Guest/scenarios/answers.json
# Open WebUI's first account registered: nobody registers one during an unattended run.
owned=Tests/Fixtures/webui-owner-registered.json
practice() { # practice NAME COMMAND... : run, status --json; normalised copies in $work/NAME
  local d=$work/$1 code=0
  shift
  mkdir -p "$d/home" "$d/state"
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$d/home" XDG_STATE_HOME="$d/state" TERM=dumb \
    LANG=C.UTF-8 INPUTRC=/dev/null "$@" --practice -y --answers "$answers" --scenario "$owned" --state "$d/state.json" \
    </dev/null >"$d/run.out" 2>&1 || code=$?
  echo "$code" >"$d/code"
  env -i PATH=/usr/bin:/bin HOME="$d/home" LANG=C.UTF-8 "$@" status --practice --json --state "$d/state.json" \
    >"$d/status.json" 2>&1 || echo "status exited $?" >>"$d/status.json"
  for f in run.out status.json; do
    sed -E -e 's#\\/#/#g' -e "s#$d#<DIR>#g" -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)?/<TIME>/g' \
      -e 's/\b[0-9]{2}:[0-9]{2}:[0-9]{2}\b/<HH:MM:SS>/g' -e 's/[0-9]+(\.[0-9]+)? ?(ms|s)\b/<DURATION>/g' \
      "$d/$f" >"$d/$f.norm"
  done
}
t=$SECONDS
practice arm64 "$A64_QEMU" -L "$A64_USERLAND" "$bin"
arm_time=$((SECONDS - t))
practice x86 "$x86"
code=$(cat "$work/arm64/code")
done_steps=$(grep -o '"status" *: *"done"' "$work/arm64/status.json" | wc -l)
steps=$(grep -c '"number"' "$work/arm64/status.json" || true)
if [[ $code == 0 && $done_steps -ge 6 && $steps == 6 ]]; then
  result PASS practice "qemu-aarch64: phase0 --practice -y --answers $answers exits 0 in $arm_time s; status --json: all 6 steps done"
else
  result FAIL practice "exit $code, $done_steps of $steps steps done; tail: $(tail -n 5 "$work/arm64/run.out" | paste -sd' ')"
fi
if diff -u "$work/x86/run.out.norm" "$work/arm64/run.out.norm" >"$work/run.diff" &&
  diff -u "$work/x86/status.json.norm" "$work/arm64/status.json.norm" >"$work/status.diff" &&
  [[ $(cat "$work/x86/code") == "$code" ]]; then
  result PASS practice/same-as-x86_64 "output ($(wc -l <"$work/x86/run.out") lines) and status --json equal to x86_64's (paths and times normalised); both exit $code"
else
  cat "$work/run.diff" "$work/status.diff" 2>/dev/null | head -n 40
  result FAIL practice/same-as-x86_64 "x86_64 exit $(cat "$work/x86/code"), aarch64 exit $code; differences above"
fi

# 4. The end-to-end tests against the aarch64 binary (a wrapper: PHASE0_BINARY is one path).
wrapper=$work/phase0-aarch64
# It counts its runs, so a pass proves the tests ran this binary (not the x86_64 one beside them).
printf '#!/bin/sh\necho run >>%q\nexec %q -L %q %q "$@"\n' "$work/e2e-runs" "$A64_QEMU" "$A64_USERLAND" "$bin" >"$wrapper"
chmod +x "$wrapper"
t=$SECONDS
: >"$work/e2e-runs"
if PHASE0_BINARY=$wrapper swift test --filter Phase0EndToEndTests >"$work/e2e.log" 2>&1 &&
  [[ $(wc -l <"$work/e2e-runs") -gt 0 ]]; then
  result PASS e2e "Phase0EndToEndTests under qemu-aarch64: $(grep -oE 'Test run with [0-9]+ tests?( in [0-9]+ suites?)? passed' "$work/e2e.log" | tail -n1) in $((SECONDS - t)) s, $(wc -l <"$work/e2e-runs") runs of the aarch64 binary"
else
  grep -E '✘|error|failed' "$work/e2e.log" | head -n 30
  result FAIL e2e "Phase0EndToEndTests under qemu-aarch64 failed ($((SECONDS - t)) s, $(wc -l <"$work/e2e-runs") runs of the aarch64 binary; above)"
fi
finish
