#!/usr/bin/env bash
# Where phase0's resident memory goes: runs the release binary with a tiny LD_PRELOAD probe
# that, at exit, lists the binary's pages present in the process (/proc/self/pagemap), then
# attributes each page to its ELF section and, for code, to the Swift module of the symbol
# there. Most of phase0's RSS is file-backed pages of its own 26 MB binary, so this shows
# what a change of code or linking costs. Needs gcc and python3.
# Usage: Tests/bench/rss-breakdown.sh [BINARY] [-- PHASE0 ARGUMENTS]   (default: a practice run)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${1:-"$root/.build/release/phase0"}
shift || true
[[ ${1:-} == -- ]] && shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $# -eq 0 ]]; then set -- --practice -y --state "$work/practice.json"; fi
bin=$(readlink -f "$bin")

cat >"$work/probe.c" <<'C'
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
__attribute__((destructor)) static void dump(void) {
    char exe[1024], line[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) return;
    exe[n] = 0;
    FILE *maps = fopen("/proc/self/maps", "r"), *out = fopen(getenv("PROBE_OUT"), "w");
    int pagemap = open("/proc/self/pagemap", O_RDONLY);
    if (!maps || !out || pagemap < 0) return;
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end, offset;
        if (sscanf(line, "%lx-%lx %*s %lx", &start, &end, &offset) != 3 || !strstr(line, exe)) continue;
        for (unsigned long page = start; page < end; page += 4096) {
            uint64_t entry;
            if (pread(pagemap, &entry, 8, (page / 4096) * 8) == 8 && (entry >> 63))
                fprintf(out, "%lx\n", page - start + offset);
        }
    }
    fclose(out);
}
C
gcc -shared -fPIC -O2 -o "$work/probe.so" "$work/probe.c"
/usr/bin/time -f "%M" -o "$work/rss.txt" env PROBE_OUT="$work/pages.txt" LD_PRELOAD="$work/probe.so" "$bin" "$@" </dev/null >/dev/null 2>&1 || true
readelf -SW "$bin" >"$work/sections.txt"
nm -n --defined-only "$bin" >"$work/symbols.txt"

python3 - "$work" "$(tail -n 1 "$work/rss.txt")" <<'PY'
import bisect, collections, re, sys
work, peak = sys.argv[1], int(sys.argv[2])
sections = []   # (file offset, size, name, address)
for line in open(f"{work}/sections.txt"):
    m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
    if m and m.group(1) != "NULL":
        sections.append((int(m.group(3), 16), int(m.group(4), 16), m.group(1), int(m.group(2), 16)))
symbols = sorted((int(l.split()[0], 16), l.split()[2]) for l in open(f"{work}/symbols.txt") if len(l.split()) == 3)
addresses = [a for a, _ in symbols]

def module(name):
    if name.startswith(("$ss", "$sS")): return "Swift stdlib"
    m = re.match(r"\$s(\d+)", name)
    if m: return name[m.end():m.end() + int(m.group(1))]
    if name.startswith("_Z") or name.startswith("swift_"): return "Swift runtime / C++"
    return "C: " + name.split("_")[0][:16]

usage = collections.Counter()
for line in open(f"{work}/pages.txt"):
    offset = int(line, 16)
    inside = [s for s in sections if s[0] <= offset < s[0] + max(s[1], 1)]
    if not inside:
        usage["(headers / between sections)"] += 4
        continue
    start, _, name, address = inside[0]
    if name == ".text":
        i = bisect.bisect_right(addresses, address + offset - start + 2048) - 1
        usage[".text " + (module(symbols[i][1]) if i >= 0 else "?")] += 4
    else:
        usage[name] += 4
total = sum(usage.values())
print(f"peak RSS {peak} KiB; pages of the binary itself present at exit: {total} KiB")
for what, kib in usage.most_common(25):
    print(f"{kib:8d} KiB  {what}")
PY
