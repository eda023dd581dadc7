#!/usr/bin/env bash
# The phase0 real-Linux-guest acceptance suite: one command.
#
#   Tests/Guest/run.sh [--only s0,s1,...] [--list]
#
# Builds what is missing (the Debian guest image, cached outside the clone: lib.sh;
# the static release binary of phase0), boots one throwaway copy-on-write
# overlay of the image per scenario under QEMU, runs the scenario inside the
# guest, prints every check as PASS/FAIL with its reason and ends with
# "N passed, M failed". Exit status: 0 only when nothing failed.
# Environment: PHASE0_BIN=path (use this binary, skip the build),
# PHASE0_GUEST_JOBS=n (guests at a time, default 2), PHASE0_GUEST_BUDGET=seconds (all scenarios together; default 2700), PHASE0_GUEST_ACCEL=tcg|kvm, PHASE0_GUEST_CACHE=dir, PHASE0_GUEST_ANSWERS=file
# (another answers file, for debugging; the suite's is scenarios/answers.json).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REPO=$(cd "$GUEST_DIR/../.." && pwd)

# name:timeout_s:script, longest first (they start in this order; reports print
# sorted by name). s1 also runs scenario 4 and, after a reboot, scenario 2. Every
# scenario that changes the machine ends with a reboot and the checks from outside.
SCENARIOS=(
  "s8:2400:s8-ansible.sh"
  "s1:1500:s1-full-run.sh"
  "s9:1500:s9-undo.sh"
  "s7:1500:s7-in-tmux.sh"
  "s3:1500:s3-interrupt.sh"
  "s1b:1300:s1b-answers.sh"
  "s6:1300:s6-conflicts.sh"
  "s0:420:s0-standins.sh"
  "s5:420:s5-gate.sh"
)
# Harness self-check, only with --only sref: the guide's procedure by hand.
EXTRA=("sref:900:sref-by-hand.sh")
only=""
while (($#)); do
  case $1 in
    --only) only=,$2,; shift 2 ;;
    --list) printf '%s\n' "${SCENARIOS[@]%%:*}" "sref (harness self-check, only with --only)"; exit 0 ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--only s0,s1,...] [--list]" >&2; exit 64 ;;
  esac
done

passed=0 failed=0
declare -A TIMES=()
result() { # result PASS|FAIL name reason
  if [[ $1 == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  printf '%s %s -- %s\n' "$1" "$2" "$3"
}
secs() { echo $(($(date +%s) - $1)); }

SUITE_T0=$(date +%s)
need_host_tools
RUN=$CACHE/run
# One suite at a time per cache: a second run would wipe the first one's guests and logs.
mkdir -p "$CACHE"
exec 9>"$CACHE/run.lock"
if ! flock -n 9; then
  note "another guest suite is using $CACHE; waiting for it (or set PHASE0_GUEST_CACHE to another dir)"
  flock 9
fi
rm -rf "$RUN"
mkdir -p "$RUN"

# 1. The image.
t=$(date +%s)
if IMAGE_DIR=$("$GUEST_DIR/build-image.sh" 2>"$RUN/build-image.log"); then
  TIMES[image]=$(secs "$t")
  result PASS image "guest image ready in ${TIMES[image]} s ($IMAGE_DIR$( [[ -f $IMAGE_DIR/times ]] && printf '; built: %s' "$(cat "$IMAGE_DIR/times")"))"
else
  cat "$RUN/build-image.log" >&2
  result FAIL image "building the guest image failed (see above)"
  printf '%d passed, %d failed\n' "$passed" "$failed"
  exit 1
fi
export IMAGE_DIR
note "accelerator: $(pick_accel)"

# 2. The binary.
BIN=${PHASE0_BIN:-}
if [[ -z $BIN ]]; then
  t=$(date +%s)
  scratch=$CACHE/swiftpm
  if (cd "$REPO" && timeout 1800 swift build -c release --static-swift-stdlib --product phase0 \
      --scratch-path "$scratch") >"$RUN/swift-build.log" 2>&1; then
    BIN=$(cd "$REPO" && swift build -c release --scratch-path "$scratch" --show-bin-path)/phase0
    TIMES[binary]=$(secs "$t")
    result PASS binary "phase0 release binary (static Swift stdlib) built in ${TIMES[binary]} s"
  else
    BIN=""
    result FAIL binary "swift build -c release --static-swift-stdlib --product phase0 failed: $(grep -m3 -E 'error:' "$RUN/swift-build.log" | paste -sd' ' | cut -c1-400)"
  fi
elif [[ ! -x $BIN ]]; then
  result FAIL binary "PHASE0_BIN=$BIN is not an executable"
  BIN=""
fi

# The answers file follows the wizard's contract (every key of it). If this
# binary refuses keys of the contract, that is a FAIL; the scenarios then run
# with those keys left out, so the rest of the procedure is still tested.
ANSWERS=${PHASE0_GUEST_ANSWERS:-$GUEST_DIR/scenarios/answers.json}
if [[ -n $BIN ]]; then
  cp "$ANSWERS" "$RUN/answers.json"
  ANSWERS=$RUN/answers.json
  dropped=()
  for _ in 1 2 3 4 5 6 7 8; do
    msg=$("$BIN" render unit --answers "$ANSWERS" 2>&1 >/dev/null) && break
    key=$(sed -n 's/.*unknown key "\([A-Za-z0-9]*\)".*/\1/p' <<<"$msg" | head -n1)
    [[ -n $key ]] || break
    dropped+=("$key")
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop(sys.argv[2]); json.dump(d, open(sys.argv[1], "w"), indent=2)' "$ANSWERS" "$key"
  done
  if ((${#dropped[@]})); then
    result FAIL answers/contract-keys "phase0 refuses answers-file keys of the contract: ${dropped[*]} (the scenarios run without them)"
  else
    result PASS answers/contract-keys "phase0 accepts every key of the contract's answers file"
  fi
fi

FSTAB_ORIG=$RUN/fstab.orig
debugfs -R 'cat /etc/fstab' "$IMAGE_DIR/base.raw" >"$FSTAB_ORIG" 2>/dev/null

declare -A STATE=()
# run_scenario NAME LIMIT SCRIPT: boots one guest; writes its report to $RUN/NAME/report
# (lines "PASS|FAIL name -- reason", "STATE key value", "SECS n", other lines printed as
# they are). Runs in the background, so it only writes files.
run_scenario() {
  local name=$1 limit=$2 script=$3 dir=$RUN/$1
  mkdir -p "$dir/disk"
  qemu-img create -q -f qcow2 -b "$IMAGE_DIR/base.raw" -F raw "$dir/overlay.qcow2"
  cp "$GUEST_DIR/scenarios/entry.sh" "$GUEST_DIR/scenarios/lib.sh" "$GUEST_DIR/scenarios/pty-drive.py" \
    "$GUEST_DIR/scenarios/tmux-drive.py" "$GUEST_DIR/scenarios/attach-check.py" "$FSTAB_ORIG" "$dir/disk/"
  cp "$ANSWERS" "$dir/disk/answers.json"
  cp "$GUEST_DIR/scenarios/$script" "$dir/disk/scenario.sh"
  echo "$name" >"$dir/disk/name"
  [[ -n $BIN ]] && cp "$BIN" "$dir/disk/phase0"
  mkdir -p "$dir/disk/out"
  local mb=$(($(du -sm "$dir/disk" | cut -f1) + 96))
  truncate -s "${mb}M" "$dir/scenario.img"
  mkfs.ext4 -q -F -d "$dir/disk" "$dir/scenario.img"
  local t0 rc=0 took
  t0=$(date +%s)
  note "$name: booting ($script, limit $limit s)"
  qemu_boot "$dir" "$limit" \
    -drive "file=$dir/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe,discard=unmap" \
    -drive "file=$dir/scenario.img,if=virtio,format=raw,cache=unsafe" || rc=$?
  took=$(secs "$t0")
  debugfs -R "rdump /out $dir" "$dir/scenario.img" >/dev/null 2>&1 || true
  tr -d '\r' <"$dir/results.log" >"$dir/results.txt"
  {
    echo "SECS $took"
    local line kind rest
    while IFS= read -r line; do
      kind=${line%% *} rest=${line#* }
      case $kind in
        PASS | FAIL) printf '%s %s\n' "$kind" "$rest" ;;
        INFO) printf '     %s\n' "$rest" ;;
        TIME) printf '     time %s s\n' "$rest" ;;
        STATE) printf 'STATE %s\n' "$rest" ;;
      esac
    done <"$dir/results.txt"
    if ! grep -qx END "$dir/results.txt"; then
      local why="guest did not finish the scenario"
      ((rc == 124)) && why="guest timed out after $limit s"
      grep -q . "$dir/results.txt" || why="$why; the scenario never started (boot failure?)"
      echo "FAIL $name/guest -- $why (qemu status $rc); console tail:"
      tr -d '\r' <"$dir/console.log" | tail -n 40 | sed 's/^/     | /'
      [[ -s $dir/qemu.log ]] && sed 's/^/     qemu| /' "$dir/qemu.log"
    else
      echo "PASS $name/guest -- booted, ran and powered off in $took s"
    fi
  } >"$dir/report.tmp"
  mv "$dir/report.tmp" "$dir/report"
  note "$name: done in $took s"
  rm -f "$dir/overlay.qcow2"
}

# Guests run side by side (PHASE0_GUEST_JOBS, default 2): a TCG guest keeps about
# one host core busy on average, and much of a scenario is waiting (RestartSec,
# health polls, docker stop), so two at once nearly halve the wall time.
JOBS=${PHASE0_GUEST_JOBS:-2}
SUITE_START=$(date +%s)
ran=()
for spec in "${SCENARIOS[@]}" "${EXTRA[@]}"; do
  IFS=: read -r name limit script <<<"$spec"
  if [[ -z $only ]]; then
    [[ " ${EXTRA[*]} " != *" $spec "* ]] || continue
  else
    [[ $only == *",$name,"* ]] || continue
  fi
  mkdir -p "$RUN/$name"
  ran+=("$name")
  left=$((SUITE_START + ${PHASE0_GUEST_BUDGET:-2700} - $(date +%s)))
  if ((left < 120)); then
    echo "FAIL $name -- not run: the suite's time budget (${PHASE0_GUEST_BUDGET:-2700} s) is spent" >"$RUN/$name/report"
    continue
  fi
  ((limit < left)) || limit=$left
  if [[ -z $BIN && $name != s0 ]]; then
    echo "FAIL $name -- not run: there is no phase0 binary" >"$RUN/$name/report"
    continue
  fi
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
  run_scenario "$name" "$limit" "$script" &
done
wait || true

mapfile -t ran < <(printf '%s\n' "${ran[@]}" | sort)
for name in "${ran[@]}"; do
  [[ -n $name ]] || continue
  [[ -f $RUN/$name/report ]] || echo "FAIL $name -- the harness produced no report" >"$RUN/$name/report"
  while IFS= read -r line; do
    case $line in
      PASS\ * | FAIL\ *)
        rest=${line#* }
        result "${line%% *}" "${rest%% -- *}" "${rest#* -- }"
        ;;
      SECS\ *) TIMES[$name]=${line#SECS } ;;
      STATE\ *)
        rest=${line#STATE }
        k=${rest#* }
        STATE[${rest%% *}:${k%%=*}]=${k#*=}
        ;;
      *) printf '%s\n' "$line" ;;
    esac
  done <"$RUN/$name/report"
done

# 3. End states compared across scenarios (scenario 3's must equal scenario 1's).
compare_states() { # compare_states REF OTHER
  local ref=$1 other=$2 k diffs=""
  [[ -n ${STATE[$ref:unit]:-} && -n ${STATE[$other:unit]:-} ]] || return 0
  for k in unit fstab swaps sysctl webui container containers serve mosh; do
    [[ ${STATE[$ref:$k]:-} == "${STATE[$other:$k]:-}" ]] || diffs="$diffs $k(${STATE[$ref:$k]:-} vs ${STATE[$other:$k]:-})"
  done
  if [[ -z $diffs ]]; then result PASS "$other/same-end-state" "end state equals $ref's (unit, fstab, swaps, sysctl, webui, container, serve, mosh)"
  else result FAIL "$other/same-end-state" "differs from $ref:$diffs"; fi
}
compare_states s1-full-run s1b-answers
compare_states s1-full-run s3-interrupt
compare_states s1-full-run s8-ansible
compare_states s1-full-run s9-undo-redo
compare_states s9-undo-first s9-undo-redo
compare_states s9-undo-first s8-ansible
compare_states s1-full-run s7-in-tmux

echo
printf 'times (s):'
for k in image binary "${ran[@]}"; do [[ -z ${TIMES[$k]:-} ]] || printf ' %s=%s' "$k" "${TIMES[$k]}"; done
printf ' total=%s (%s guests at a time)' "$(secs "$SUITE_T0")" "$JOBS"
printf '\nlogs: %s\n' "$RUN"
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
