# shellcheck shell=bash
# The aarch64 cross toolchain, made from Debian's packages and cached outside the clone
# (sourced by .ci/build-release, .ci/qemu-aarch64 and Tests/aarch64/).
#
# Debian trixie's `swiftlang` 6.0.3 is both the compiler (amd64 root, run by chroot) and the
# aarch64 Swift runtime (arm64 root, the sysroot). The compiler and the runtime must be the same
# Debian version: Foundation ships binary modules only, and the host's own Swift has no aarch64
# Linux stdlib. trixie, not sid: a sid-built binary needed GLIBC_2.43 (sid's libm; issue 11),
# which DGX OS (Ubuntu 24.04, glibc 2.39) lacks; the trixie-built one needs at most GLIBC_2.38
# (checked by Tests/aarch64/version-needs.sh in CI, not assumed).
#
# Layout: $A64_DIR/root            amd64 trixie: swiftlang, git, qemu-user (static qemu-aarch64)
#         $A64_DIR/root/arm64      arm64 trixie, unpacked: the sysroot, and qemu's -L userland
#         $A64_DIR/root/sdks       the Swift SDK bundle pointing at /arm64
#         $A64_DIR/scratch         swift build's scratch (mounted at /scratch), reused
# A64_DIR = $PHASE0_CACHE/aarch64-KEY, KEY = hash of what makes the toolchain: the suite, the
# package lists and the code of the functions that build it (so comments do not invalidate it).
# Needs root (mmdebstrap --mode=root, chroot, bind mounts in a private mount namespace).

A64_SUITE=trixie
A64_MIRROR=${PHASE0_DEBIAN_MIRROR:-http://deb.debian.org/debian}
A64_HOST_PACKAGES=swiftlang,libc6-dev,libstdc++-14-dev,git,qemu-user
A64_TARGET_PACKAGES=swiftlang,libc6-dev,libstdc++-14-dev,libgcc-14-dev,libreadline-dev
A64_TRIPLE=aarch64-unknown-linux-gnu

PHASE0_CACHE=${PHASE0_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phase0}

a64_note() { printf '[aarch64 %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
a64_die() { a64_note "ERROR: $*"; exit 2; }

# Takes the cache's lock until the calling script exits, so two clones on one machine never
# build the toolchain or use the shared scratch at the same time. Idempotent.
a64_lock() {
  [[ -n ${A64_LOCK_FD:-} ]] && return 0
  mkdir -p "$PHASE0_CACHE"
  exec {A64_LOCK_FD}>"$PHASE0_CACHE/aarch64.lock"
  if ! flock -n "$A64_LOCK_FD"; then
    a64_note "waiting for another build using $PHASE0_CACHE (aarch64.lock)"
    flock "$A64_LOCK_FD"
  fi
}

a64_unlock() {
  [[ -n ${A64_LOCK_FD:-} ]] || return 0
  exec {A64_LOCK_FD}>&-
  unset A64_LOCK_FD
}

# Marks this toolchain used; removes the others (~5 GB each) that no build used for a week.
# Call it holding the lock.
a64_prune() {
  touch "$A64_DIR/used"
  local d mark
  for d in "$PHASE0_CACHE"/aarch64-*; do
    [[ -d $d && $d != "$A64_DIR" && ${d##*/} =~ ^aarch64-[0-9a-f]{16}$ ]] || continue
    mark=$d/used
    [[ -e $mark ]] || mark=$d/complete
    if [[ ! -e $mark || -n $(find "$mark" -mtime +7) ]]; then
      a64_note "removing $d (unused for a week)"
      rm -rf "$d"
    fi
  done
}

# Builds the two roots and the SDK bundle once (under the lock); later calls return at once.
a64_ensure_toolchain() {
  [[ -f $A64_DIR/complete ]] && return 0
  [[ $(id -u) -eq 0 ]] || a64_die "building the aarch64 toolchain needs root (mmdebstrap, chroot)"
  command -v mmdebstrap >/dev/null 2>&1 || a64_die "mmdebstrap is missing: run bash .ci/setup-aarch64"
  a64_lock
  if [[ ! -f $A64_DIR/complete ]]; then
    local t0=$SECONDS partial=$A64_DIR.partial
    rm -rf "$partial" "$A64_DIR"
    mkdir -p "$partial"
    a64_note "building the toolchain in $A64_DIR (Debian $A64_SUITE, once per cache key)"
    # The two roots download in parallel (the time is mostly the ~850 MB of swiftlang).
    mmdebstrap --mode=root --variant=apt --include="$A64_HOST_PACKAGES" \
      "$A64_SUITE" "$partial/root" "$A64_MIRROR" >"$partial/root.log" 2>&1 &
    local host_pid=$!
    # extract: unpacked, never configured (no arm64 code runs), dependencies included.
    mmdebstrap --mode=root --variant=extract --architectures=arm64 \
      --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr --include="$A64_TARGET_PACKAGES" \
      "$A64_SUITE" "$partial/arm64" "$A64_MIRROR" >"$partial/arm64.log" 2>&1 &
    local target_pid=$!
    wait "$host_pid" || { tail -n 20 "$partial/root.log" >&2; a64_die "mmdebstrap (amd64 root) failed"; }
    wait "$target_pid" || { tail -n 20 "$partial/arm64.log" >&2; a64_die "mmdebstrap (arm64 root) failed"; }
    mv "$partial/arm64" "$partial/root/arm64"
    # The driver looks for the static runtime beside the resource directory (usr/lib/swift).
    ln -sfn ../libexec/swift/lib/swift_static "$partial/root/arm64/usr/lib/swift_static"
    local bundle=$partial/root/sdks/phase0-aarch64.artifactbundle
    mkdir -p "$bundle/aarch64" "$partial/root/src" "$partial/root/scratch" "$partial/root/deps" "$partial/scratch"
    cat >"$bundle/info.json" <<'JSON'
{"schemaVersion": "1.0",
 "artifacts": {"phase0-aarch64": {"type": "swiftSDK", "version": "1", "variants": [{"path": "aarch64"}]}}}
JSON
    cat >"$bundle/aarch64/swift-sdk.json" <<JSON
{"schemaVersion": "4.0",
 "targetTriples": {"$A64_TRIPLE": {"sdkRootPath": "/arm64",
   "swiftResourcesPath": "/arm64/usr/lib/swift", "swiftStaticResourcesPath": "/arm64/usr/lib/swift_static"}}}
JSON
    {
      # shellcheck disable=SC2016 # dpkg's format, not the shell's
      printf 'amd64 root: swiftlang %s\n' "$(chroot "$partial/root" dpkg-query -W -f='${Version}' swiftlang)"
      printf 'arm64 root: swiftlang %s, libc6 %s, libstdc++6 %s, libreadline8t64 %s\n' \
        "$(a64_deb_version "$partial/root/arm64" swiftlang)" "$(a64_deb_version "$partial/root/arm64" libc6)" \
        "$(a64_deb_version "$partial/root/arm64" libstdc++6)" "$(a64_deb_version "$partial/root/arm64" libreadline8t64)"
    } >"$partial/versions"
    mv "$partial" "$A64_DIR"
    printf '%s\n' "$((SECONDS - t0))" >"$A64_DIR/complete"
    a64_note "toolchain ready in $((SECONDS - t0)) s: $(tr '\n' ';' <"$A64_DIR/versions")"
  fi
}

# a64_deb_version ROOT PACKAGE: the version of a package unpacked (not installed) in ROOT.
a64_deb_version() {
  local f
  for f in "$1"/var/cache/apt/archives/"$2"_*.deb; do
    [[ -e $f ]] && { dpkg-deb -f "$f" Version; return; }
  done
  # mmdebstrap cleans the archive cache; the changelog names the version on its first line.
  f=$(find "$1/usr/share/doc/$2/" -maxdepth 1 -name 'changelog.Debian*.gz' 2>/dev/null | head -n1)
  [[ -n $f ]] && zcat "$f" | sed -n '1s/.*(\(.*\)).*/\1/p' || echo unknown
}

# a64_in_root SRC SCRIPT: runs the sh SCRIPT in the amd64 root, in a private mount namespace
# (the mounts vanish with it) with SRC at /src, the scratch at /scratch, $A64_DIR/deps at /deps.
a64_in_root() {
  local src=$1 script=$2
  # shellcheck disable=SC2016 # expanded by the inner bash
  unshare --mount --propagation private bash -euo pipefail -c '
    root=$1 dir=$2 src=$3 script=$4
    mount -t proc proc "$root/proc"
    mount --bind "$src" "$root/src"
    mount --bind "$dir/scratch" "$root/scratch"
    mount --bind "$dir/deps" "$root/deps"
    exec chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 \
      GIT_CONFIG_GLOBAL=/deps/gitconfig /bin/bash -euo pipefail -c "$script"
  ' a64_in_root "$A64_ROOT" "$A64_DIR" "$src" "$script"
}

# a64_mirror_dependencies REPO: the package's dependencies, resolved by the host's own swift
# (however this machine reaches them), copied as plain git repositories into $A64_DIR/deps and
# mapped there for the root's git: the root has no network access of its own to count on.
a64_mirror_dependencies() {
  local repo=$1 resolve=$A64_DIR/resolve line url name
  (cd "$repo" && swift package resolve --scratch-path "$resolve") >&2
  # Unchanged pins: keep the mirrors as they are (new ones would make the root's SwiftPM fetch
  # and check out again, and so rebuild everything).
  local pins
  pins=$(sha256sum <"$repo/Package.resolved")
  [[ -f $A64_DIR/deps/pins && $(cat "$A64_DIR/deps/pins") == "$pins" ]] && return 0
  rm -rf "$A64_DIR/deps"
  mkdir -p "$A64_DIR/deps/git"
  : >"$A64_DIR/deps/gitconfig"
  while IFS= read -r line; do
    url=$(sed -n 's/.*"location" *: *"\([^"]*\)".*/\1/p' <<<"$line")
    [[ -n $url ]] || continue
    name=$(basename "$url" .git)
    [[ -d $resolve/checkouts/$name ]] || a64_die "no checkout of $url in $resolve/checkouts"
    git clone -q --bare "file://$resolve/checkouts/$name" "$A64_DIR/deps/git/$name.git"
    git config --file "$A64_DIR/deps/gitconfig" "url./deps/git/$name.git.insteadOf" "$url"
  done <"$repo/Package.resolved"
  printf '%s\n' "$pins" >"$A64_DIR/deps/pins"
}

A64_KEY=$({
  printf '%s\n' "$A64_SUITE" "$A64_MIRROR" "$A64_HOST_PACKAGES" "$A64_TARGET_PACKAGES" "$A64_TRIPLE"
  declare -f a64_ensure_toolchain a64_deb_version
} | sha256sum | cut -c1-16)
A64_DIR=$PHASE0_CACHE/aarch64-$A64_KEY
A64_ROOT=$A64_DIR/root
export A64_QEMU=$A64_ROOT/usr/bin/qemu-aarch64   # static: runs anywhere
export A64_USERLAND=$A64_ROOT/arm64              # qemu-aarch64 -L: the arm64 libraries
