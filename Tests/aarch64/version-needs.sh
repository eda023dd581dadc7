#!/usr/bin/env bash
# Does this binary start on DGX OS (Ubuntu 24.04)? Reads the shared libraries and the symbol
# versions the binary needs (readelf -V: .gnu.version_r; readelf -d: NEEDED) and fails on any
# library DGX OS might lack and on any version newer than it provides:
#   GLIBC <= 2.39 (glibc 2.39), GLIBCXX <= 3.4.32 and CXXABI <= 1.3.14 (GCC 13.2's libstdc++),
#   GCC <= 13.0.0 (libgcc_s); libraries: glibc's, libstdc++.so.6, libgcc_s.so.1, libreadline.so.8.
# GLIBC_ABI_DT_RELR (packed relative relocations, .ci/build-release's -z pack-relative-relocs)
# is glibc >= 2.36's, so 2.39 has it. Any other version it does not know (GLIBC_PRIVATE
# included) fails: unknown means unproved.
#
#   version-needs.sh BINARY        prints the needs and the verdict; exit 0 fits, 1 does not
#   version-needs.sh --self-test   the comparison on fabricated needs lists (must catch each)
set -euo pipefail

declare -A LIMIT=([GLIBC]=2.39 [GLIBCXX]=3.4.32 [CXXABI]=1.3.14 [GCC]=13.0.0)
KNOWN_MARKERS=" GLIBC_ABI_DT_RELR "
ALLOWED_LIBS=" ld-linux-aarch64.so.1 libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libutil.so.1 libstdc++.so.6 libgcc_s.so.1 libreadline.so.8 "

# version_le A B: A <= B, comparing dotted numbers field by field (2.4 < 2.39).
version_le() { [[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1) == "$1" ]]; }

# check_needs: reads "lib LIBRARY" and "ver FAMILY_X.Y" lines; prints each violation; status 1
# if there was one.
check_needs() {
  local kind value family number bad=0
  while read -r kind value; do
    case $kind in
      lib)
        [[ $ALLOWED_LIBS == *" $value "* ]] || { echo "TOO NEW/UNKNOWN: library $value (not in DGX OS's base set)"; bad=1; } ;;
      ver)
        family=${value%%_*} number=${value#*_}
        if [[ $KNOWN_MARKERS == *" $value "* ]]; then
          continue
        elif [[ -z ${LIMIT[$family]+x} || ! $number =~ ^[0-9]+(\.[0-9]+)*$ ]]; then
          echo "TOO NEW/UNKNOWN: $value (no known Ubuntu 24.04 limit)"; bad=1
        elif ! version_le "$number" "${LIMIT[$family]}"; then
          echo "TOO NEW: $value > ${family}_${LIMIT[$family]} (Ubuntu 24.04)"; bad=1
        fi ;;
      *) echo "unreadable need: $kind $value"; bad=1 ;;
    esac
  done
  return "$bad"
}

# needs_of BINARY: its needs as check_needs reads them.
needs_of() {
  LC_ALL=C readelf -d --wide "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/lib \1/p'
  LC_ALL=C readelf -V --wide "$1" | sed -n 's/.*Name: \([A-Za-z_]*_[^ ]*\) .*Flags.*/ver \1/p' | sort -u
}

self_test() {
  local failed=0 out
  expect() { # expect ok|fail DESCRIPTION NEEDS...
    local want=$1 what=$2 got=ok; shift 2
    out=$(printf '%s\n' "$@" | check_needs) || got=fail
    if [[ $got == "$want" ]]; then echo "PASS $what"; else echo "FAIL $what: wanted $want, got $got ($out)"; failed=1; fi
  }
  expect ok "what the trixie-built binary needs" "lib libc.so.6" "lib libreadline.so.8" "lib libstdc++.so.6" \
    "ver GLIBC_2.17" "ver GLIBC_2.38" "ver GLIBCXX_3.4.30" "ver CXXABI_1.3.11" "ver GCC_3.0"
  expect ok "packed relative relocations (glibc 2.36+)" "ver GLIBC_ABI_DT_RELR"
  expect ok "exactly the limits" "ver GLIBC_2.39" "ver GLIBCXX_3.4.32" "ver CXXABI_1.3.14" "ver GCC_13.0.0"
  expect ok "2.4 is older than 2.39 (numeric, not text, order)" "ver GLIBC_2.4"
  expect fail "sid's libm: GLIBC_2.43" "ver GLIBC_2.17" "ver GLIBC_2.43"
  expect fail "GLIBC_2.40, one past" "ver GLIBC_2.40"
  expect fail "GLIBC_2.39.1 is past 2.39" "ver GLIBC_2.39.1"
  expect fail "GCC 14's libstdc++: GLIBCXX_3.4.33" "ver GLIBCXX_3.4.33"
  expect fail "GCC 14's CXXABI_1.3.15" "ver CXXABI_1.3.15"
  expect fail "libgcc_s of GCC 14" "ver GCC_14.0.0"
  expect fail "GLIBC_PRIVATE is no promise" "ver GLIBC_PRIVATE"
  expect fail "an unknown family" "ver LIBFOO_1.0"
  expect fail "a library DGX OS's base lacks" "lib libreadline.so.9"
  expect fail "one bad need among good ones" "lib libc.so.6" "ver GLIBC_2.17" "ver GLIBCXX_3.4.33" "ver GCC_3.0"
  expect fail "a line it cannot read" "garbage"
  return "$failed"
}

case ${1:-} in
  --self-test) self_test ;;
  "" | -h | --help) sed -n '2,13p' "$0"; exit 64 ;;
  *)
    bin=$1
    [[ -f $bin ]] || { echo "no such file: $bin" >&2; exit 64; }
    machine=$(LC_ALL=C readelf -h "$bin" | sed -n 's/^ *Machine: *//p')
    [[ $machine == AArch64 ]] || { echo "FAIL $bin is not an aarch64 ELF (Machine: ${machine:-?})"; exit 1; }
    needs=$(needs_of "$bin")
    [[ -n $needs ]] || { echo "FAIL no needs read from $bin"; exit 1; }
    echo "needs of $bin:"
    for family in GLIBC GLIBCXX CXXABI GCC; do
      max=$(sed -n "s/^ver ${family}_\([0-9.]*\)$/\1/p" <<<"$needs" | sort -V | tail -n1)
      printf '  %-8s max %-9s (limit %s)\n' "$family" "${max:-none}" "${LIMIT[$family]}"
    done
    printf '  libraries: %s\n' "$(sed -n 's/^lib //p' <<<"$needs" | paste -sd' ')"
    if check_needs <<<"$needs"; then
      echo "PASS every library and symbol version $bin needs is in Ubuntu 24.04 (DGX OS)"
    else
      echo "FAIL $bin needs more than Ubuntu 24.04 (DGX OS) provides"
      exit 1
    fi
    ;;
esac
