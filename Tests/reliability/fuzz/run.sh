#!/usr/bin/env bash
# libFuzzer on the machine-file parsers, for a bounded time (default 60 s):
#   Tests/reliability/fuzz/run.sh [SECONDS]
# Builds with -sanitize=fuzzer,address into .build-fuzz/, starts from the repo's fixtures and
# a few fstab seeds, and exits non-zero on any finding (the crashing input is kept there).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
out="$root/.build-fuzz"
seconds="${1:-${PHASE0_FUZZ_SECONDS:-60}}"
mkdir -p "$out/corpus"
# The fuzzer links the Phase0Parsers target's sources as they are (the target has no dependencies).
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Phase0Parsers -package-name phase0 \
    "$root"/Sources/Phase0Parsers/*.swift \
    "$root/Tests/reliability/fuzz/FuzzParsers.swift" -o "$out/fuzz-parsers" 2> "$out/build.log" \
    || { cat "$out/build.log"; exit 1; }
# Seeds: the first byte picks the parser (0 swaps, 1 meminfo, 2 fstab, 3 JSON duplicate keys,
# 4 sysctl.d; the high bit is the fstab edit's other swapfile name).
fixtures="$root/Tests/Phase0ParsersTests/Fixtures"
{ printf '\x00'; cat "$fixtures/proc-swaps-spark.txt"; } > "$out/corpus/swaps"
{ printf '\x01'; cat "$fixtures/proc-meminfo-spark.txt"; } > "$out/corpus/meminfo"
printf '\x02UUID=5c8f\t/\text4\tdefaults\t0\t1\n/swap.img\tnone\tswap\tsw\t0\t0\n' > "$out/corpus/fstab"
printf '\x02#/swap.img none swap sw 0 0\r\n/swapfile none swap sw 0 0\r\n/swapfile none swap sw 0 0' > "$out/corpus/fstab-crlf"
printf '\x03{"swapSize": "128G", "a": {"k": [1, {"k": null}], "k": "\\u0041"}}' > "$out/corpus/json-keys"
printf '\x04; c\n  # c\nvm.swappiness = 5\nvm/swappiness=7\n-vm.dirty_ratio\nvm.dirty_*ratio = 44\nvm.swappines[s] = 45\n' > "$out/corpus/sysctl"
cd "$out"
./fuzz-parsers -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 corpus 2>&1 | tail -n 12
