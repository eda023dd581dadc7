#!/usr/bin/env bash
# Footprint benchmark (DESIGN.md §4): builds the one static release binary, then measures
#   - peak RSS of a whole practice run (every implemented step, -y, to its end, whatever exit)
#   - warm start time (`phase0 --version`, many runs after a warm-up)
#   - binary size and dynamic libraries (no libswiftCore.so: the stdlib must be static)
# against the budget: <= 12 MiB peak RSS, <= 4 ms warm start. Exits 1 when over budget.
#
# Usage: Tests/bench/footprint.sh [--no-build]
#   RUNS=N          start-time runs (default 200)
#   LINK=plain      measure a plain `--static-swift-stdlib` build instead of .ci/build-release's
# Where the RSS goes, by module and section: Tests/bench/rss-breakdown.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
runs=${RUNS:-200}
rss_budget_kib=$((12 * 1024))
start_budget_us=4000
# The shipped build (.ci/build-release): -Osize, lld, packed relative relocations.
flags=(-c release --static-swift-stdlib -Xswiftc -Osize -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs
       -Xlinker --icf=all -Xlinker --no-export-dynamic)
if [[ ${LINK:-} == plain ]]; then
    flags=(-c release --static-swift-stdlib --scratch-path .build-plain)
fi

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# GNU time (Debian package `time`) reports the peak RSS; hyperfine is optional.
if [[ ! -x /usr/bin/time ]]; then
    echo "Installing GNU time (Debian package 'time') for /usr/bin/time -v ..."
    as_root apt-get install -y time >/dev/null
fi
if ! command -v hyperfine >/dev/null 2>&1; then
    as_root apt-get install -y hyperfine >/dev/null 2>&1 || echo "(hyperfine not available; timing with a shell loop instead)"
fi

if [[ ${1:-} != --no-build ]]; then
    swift build "${flags[@]}" --product phase0
fi
bin="$(swift build "${flags[@]}" --show-bin-path)/phase0"
[[ -x $bin ]] || { echo "no binary at $bin (run without --no-build)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
verdict=0

echo "== phase0 footprint: swift build ${flags[*]} =="
echo "binary: $bin"
size=$(stat -c %s "$bin")
echo "size: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }') MiB)"
echo "dynamic libraries (ldd):"
ldd "$bin" | sed 's/^/    /'
if ldd "$bin" | grep -Eq 'libswift|libFoundation|libicu'; then
    echo "OVER: the Swift runtime, Foundation or ICU is linked dynamically"
    verdict=1
fi
# FoundationInternationalization brings ICU's data (~30 MB) into a static binary.
if grep -aq 'FoundationInternationalization' "$bin"; then
    echo "WARNING: FoundationInternationalization (ICU) is linked in; something imports full Foundation"
fi

# Peak RSS of a whole practice run, all six steps to "Phase 0 complete", in a private state
# directory. The Unplug observations are the operator's (-y never answers them): given here.
printf '{"unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"}\n' >"$work/answers.json"
set +e
/usr/bin/time -v -o "$work/time.txt" "$bin" --practice -y --answers "$work/answers.json" --state "$work/practice.json" </dev/null >"$work/run.txt" 2>&1
run_status=$?
/usr/bin/time -v -o "$work/time-status.txt" "$bin" status --practice --json --state "$work/practice.json" >/dev/null 2>&1
set -e
rss_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
status_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time-status.txt")
last_step=$(grep -Eo '== Step [0-9]+ of [0-9]+' "$work/run.txt" | tail -n 1 || true)
echo
echo "whole practice run: exit $run_status, reached '${last_step:-no step}'; last line: $(tail -n 1 "$work/run.txt")"
rss_line=$(awk -v k="$rss_kib" -v b="$rss_budget_kib" 'BEGIN { printf "peak RSS: %d KiB = %.1f MiB (budget %.0f MiB)", k, k / 1024, b / 1024 }')
if (( rss_kib <= rss_budget_kib )); then echo "$rss_line  OK"; else echo "$rss_line  OVER"; verdict=1; fi
echo "peak RSS of 'phase0 status --json' on the finished run: $status_kib KiB"

# Warm start: the binary is in the page cache after the runs above and a warm-up.
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other builds make start times noisy)"
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/start.json" "$bin --version" >/dev/null 2>&1
    hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/true.json" "/bin/true" >/dev/null 2>&1
    field() { awk -F': ' -v key="\"$2\"" '$1 ~ key { gsub(/[ ,]/, "", $2); printf "%d", $2 * 1000000; exit }' "$1"; }
    median_us=$(field "$work/start.json" median)
    mean_us=$(field "$work/start.json" mean)
    min_us=$(field "$work/start.json" min)
    base_us=$(field "$work/true.json" median)
    how="hyperfine -N, $runs runs after 20 warm-ups"
else
    for _ in $(seq 20); do "$bin" --version >/dev/null; done
    times=()
    for _ in $(seq "$runs"); do
        t0=$(date +%s%N); "$bin" --version >/dev/null; t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000 )))
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    median_us=$(sed -n "$(( runs / 2 + 1 ))p" <<<"$sorted")
    min_us=$(head -n 1 <<<"$sorted")
    mean_us=$(awk '{ s += $1 } END { printf "%d", s / NR }' <<<"$sorted")
    t0=$(date +%s%N); for _ in $(seq "$runs"); do /bin/true; done; t1=$(date +%s%N)
    base_us=$(( (t1 - t0) / runs / 1000 ))
    how="date +%s%N around each of $runs runs (includes the shell's fork+exec)"
fi
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
start_line="warm start (phase0 --version): median $(ms "$median_us"), mean $(ms "$mean_us"), min $(ms "$min_us") (budget $(ms "$start_budget_us"); /bin/true median $(ms "$base_us"))"
# The median: a build on the other core can stall single runs for 100 ms.
if (( median_us <= start_budget_us )); then echo "$start_line  OK"; else echo "$start_line  OVER"; verdict=1; fi
echo "($how)"
exit "$verdict"
