#!/usr/bin/env bash
# The five figures of issue 14, each as median [min-max] over repeated runs, on this machine:
#   1. a whole non-interactive practice run (all six steps, fresh state): CPU user+sys
#   2. the same run: peak RSS
#   3. `phase0 --version`: CPU, as a ratio to `bash -c true` measured pair by pair (alternating)
#   4. the read-only subcommands `status --json` and `render unit` on that run: CPU
#   5. fresh clone -> first prompt of README's practice command (`bash .ci/practice`): wall time
# CPU is the child's own user+sys from wait4 (what the kernel charged it), not wall time: other
# builds on a shared machine stretch wall times, much less CPU times. Exits 1 if a figure is
# over its budget (60 ms, 10 MiB, 2.5x, 8 ms, 150 s).
#
# Usage: Tests/bench/bench.sh [--no-build] [--no-clone]
#   PHASE0_BIN=FILE   measure this binary (default: build the shipped one, .ci/build-release)
#   RUNS=N            practice runs (default 15); PAIRS=N --version pairs (200); READS=N (50)
#   CLONE_RUNS=N      fresh clones timed (default 3); CLONE_REF=REV clones that commit (HEAD)
# Where the RSS goes, by module and section: Tests/bench/rss-breakdown.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
build=1 clone=1
for argument in "$@"; do
    case $argument in
        --no-build) build=0 ;;
        --no-clone) clone=0 ;;
        *) echo "usage: $0 [--no-build] [--no-clone]" >&2; exit 64 ;;
    esac
done
runs=${RUNS:-15} pairs=${PAIRS:-200} reads=${READS:-50} clone_runs=${CLONE_RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# runstat OUT CMD...: runs CMD (stdin /dev/null, output to OUT) and prints "CPU_US MAXRSS_KIB STATUS".
cat >"$work/runstat.c" <<'C'
#include <spawn.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
extern char **environ;
int main(int argc, char **argv) {
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    posix_spawn_file_actions_addopen(&io, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&io, 1, argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&io, 1, 2);
    pid_t pid;
    if (argc < 3 || posix_spawnp(&pid, argv[2], &io, NULL, argv + 2, environ) != 0) return 127;
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) return 127;
    long us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    printf("%ld %ld %d\n", us, ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}
C
cc=
for candidate in cc gcc "$(dirname "$(readlink -f "$(command -v swift)")")/clang"; do
    if command -v "$candidate" >/dev/null 2>&1; then cc=$candidate; break; fi
done
[[ -n $cc ]] || { echo "no C compiler (cc, gcc or the Swift toolchain's clang)" >&2; exit 1; }
"$cc" -O2 -o "$work/runstat" "$work/runstat.c"
runstat() { "$work/runstat" "$@"; }

# median [min-max] of numbers on stdin, scaled by $1 and printed with $2 decimals
stats() {
    sort -g | awk -v scale="$1" -v places="$2" '{ v[NR] = $1 * scale } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.*f [%.*f-%.*f]", places, m, places, v[1], places, v[NR] }'
}
median() { sort -g | awk -v scale="$1" '{ v[NR] = $1 * scale } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
verdict=0
judge() {   # judge LABEL VALUE LIMIT UNIT TEXT
    if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then echo "$1: $5  (budget $3 $4)  OK"
    else echo "$1: $5  (budget $3 $4)  OVER"; verdict=1; fi
}

if [[ -n ${PHASE0_BIN:-} ]]; then
    bin=$PHASE0_BIN
elif ((build)); then
    bin=$(bash .ci/build-release)
else
    bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/phase0"
fi
[[ -x $bin ]] || { echo "no binary at $bin (build it, or set PHASE0_BIN)" >&2; exit 1; }
answers=$root/Tests/Guest/scenarios/answers.json

. /etc/os-release
echo "== phase0 bench, $(date -u +%Y-%m-%d), $(nproc)-core $(uname -m) ${PRETTY_NAME:-Linux}, $(swift --version 2>&1 | grep -o 'Swift version [0-9.]*' | head -n 1)"
echo "binary: $bin ($(stat -c %s "$bin") bytes); dynamic libraries: $(ldd "$bin" | awk '$1 !~ /vdso|ld-linux/ { printf "%s ", $1 }')"
if ldd "$bin" | grep -Eq 'libswift|libFoundation|libicu'; then echo "the Swift runtime, Foundation or ICU is linked dynamically"; verdict=1; fi
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# Open WebUI's first account registered: nobody registers one during an unattended run.
owned=$root/Tests/Fixtures/webui-owner-registered.json
# 1-2. Whole practice runs, each on a fresh state in this file system's temporary directory.
for i in $(seq "$runs"); do
    state="$work/run-$i/practice.json"
    mkdir -p "$work/run-$i"
    read -r us kib status < <(runstat "$work/run.txt" "$bin" --practice -y --answers "$answers" --scenario "$owned" --state "$state")
    steps=$(grep -c '^== Step [0-9] of 5' "$work/run.txt" || true)
    if [[ $status != 0 || $steps != 6 ]] || ! grep -q 'Phase 0 complete' "$work/run.txt"; then
        echo "practice run $i did not complete all six steps (exit $status, $steps steps):"; tail -n 5 "$work/run.txt"; exit 1
    fi
    echo "$us" >>"$work/run-cpu"
    echo "$kib" >>"$work/run-rss"
    [[ $i == "$runs" ]] || rm -rf "$work/run-$i"
done
finished="$work/run-$runs/practice.json"
judge "1. practice run, CPU user+sys" "$(median 0.001 <"$work/run-cpu")" 60 ms "$(stats 0.001 1 <"$work/run-cpu") ms over $runs runs"
judge "2. practice run, peak RSS" "$(median 0.0009765625 <"$work/run-rss")" 10 MiB "$(stats 0.0009765625 2 <"$work/run-rss") MiB"

# 3. --version against `bash -c true`, pair by pair, the order alternating.
for i in $(seq 10); do runstat /dev/null "$bin" --version >/dev/null; runstat /dev/null bash -c true >/dev/null; done
for i in $(seq "$pairs"); do
    if ((i % 2)); then
        read -r phase0 _ _ < <(runstat /dev/null "$bin" --version); read -r shell _ _ < <(runstat /dev/null bash -c true)
    else
        read -r shell _ _ < <(runstat /dev/null bash -c true); read -r phase0 _ _ < <(runstat /dev/null "$bin" --version)
    fi
    echo "$phase0" >>"$work/version"
    echo "$shell" >>"$work/shell"
    awk -v p="$phase0" -v s="$shell" 'BEGIN { print (s > 0 ? p / s : 99) }' >>"$work/ratio"
done
judge "3. --version / bash -c true, CPU" "$(median 1 <"$work/ratio")" 2.5 x \
    "$(stats 1 2 <"$work/ratio")x over $pairs pairs (phase0 $(stats 0.001 2 <"$work/version") ms, bash $(stats 0.001 2 <"$work/shell") ms)"

# 4. Read-only subcommands on the finished run.
for command in "status --json" "render unit"; do
    file=$work/read-${command// /-}
    for i in $(seq "$reads"); do
        # shellcheck disable=SC2086  # the subcommand's words
        read -r us _ status < <(runstat "$work/read.txt" "$bin" $command --practice --state "$finished")
        [[ $status == 0 ]] || { echo "$command exited $status:"; cat "$work/read.txt"; exit 1; }
        echo "$us" >>"$file"
    done
    judge "4. $command, CPU user+sys" "$(median 0.001 <"$file")" 8 ms "$(stats 0.001 2 <"$file") ms over $reads runs"
done

# 5. Fresh clone -> the wizard's first prompt, as README says: `bash .ci/practice` (with
# stdin not a terminal, the prompt is printed, end of input follows: exit 130 right after it).
if ((clone && clone_runs > 0)); then
    ref=${CLONE_REF:-HEAD}
    [[ $ref != HEAD || -z $(git status --porcelain --untracked-files=no) ]] || echo "(uncommitted changes are not in the clone)"
    for i in $(seq "$clone_runs"); do
        dir="$work/clone-$i"
        git clone --quiet --no-local "$root" "$dir"
        git -C "$dir" checkout --quiet "$(git rev-parse "$ref")"
        start=$(date +%s%N)
        # Its own state directory: the command as README gives it, without touching (or resuming)
        # this account's own practice run in ~/.local/state/phase0.
        (cd "$dir" && XDG_STATE_HOME="$work/state-$i" bash .ci/practice </dev/null >"$work/clone.txt" 2>&1) || true
        end=$(date +%s%N)
        grep -q 'Enter to go on, or a number or key to change' "$work/clone.txt" || { echo "clone $i: no first prompt"; tail -n 20 "$work/clone.txt"; exit 1; }
        echo $(((end - start) / 1000000)) >>"$work/clone"
        rm -rf "$dir"
    done
    judge "5. fresh clone -> first prompt (wall)" "$(median 0.001 <"$work/clone")" 150 s "$(stats 0.001 1 <"$work/clone") s over $clone_runs clones of $ref"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$verdict"
