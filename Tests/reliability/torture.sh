#!/usr/bin/env bash
# The torture test of issue 5, complete: builds the test-only fault-injection binary
# (-DPHASE0_FAULT_INJECTION, in its own scratch path so it never mixes with the shipped build),
# then runs the torture suites: SIGKILL at every exact cut point of the real binary, every cut
# point in-process with the machine surviving the cut, and 100+ SIGKILLs at random instants
# from an outside timer. Each prints its counts on a line starting with "torture".
# PHASE0_TORTURE_SEED=N replays a run; PHASE0_TORTURE_KILLS=N changes the random kill count.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -Xswiftc -DPHASE0_FAULT_INJECTION --scratch-path .build-fault --product phase0
log=$(mktemp /tmp/phase0-torture.XXXXXX.log)
PHASE0_FAULT_BINARY="$PWD/.build-fault/debug/phase0" \
    swift test --filter 'Phase0CoreTests.Reliability(Torture|FaultBuild)Tests' 2>&1 | tee "$log" \
    | grep -E '^(torture|✔|✘)|error:'
if grep -q '✘' "$log"; then
    echo "torture: FAILED (full log: $log)"
    exit 1
fi
rm -f "$log"
exit 0
