#!/usr/bin/env bash
# Shared helpers for build-image.sh and run.sh (sourced, not run).
# shellcheck shell=bash

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The image, the accelerator probe's result and the last run's logs live outside the clone, in
# the cache every clone on this machine shares (beside the aarch64 toolchain, .ci/lib-aarch64.sh),
# so a fresh clone reuses a built image: $PHASE0_GUEST_CACHE, else $PHASE0_CACHE/guest.
CACHE=${PHASE0_GUEST_CACHE:-${PHASE0_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phase0}/guest}
GUEST_MEM=${PHASE0_GUEST_MEM:-3072}
GUEST_CPUS=${PHASE0_GUEST_CPUS:-2}

note() { printf '[guest %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { note "ERROR: $*"; exit 2; }

# Install (idempotently) the host tools this suite needs.
need_host_tools() {
  local missing=() pair cmd pkg
  for pair in mmdebstrap:mmdebstrap qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils \
      mkfs.ext4:e2fsprogs debugfs:e2fsprogs dpkg-scanpackages:dpkg-dev timeout:coreutils \
      python3:python3; do
    cmd=${pair%%:*} pkg=${pair#*:}
    if ! command -v "$cmd" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$cmd && ! -x /sbin/$cmd ]]; then
      missing+=("$pkg")
    fi
  done
  if [[ ! -e /usr/share/keyrings/debian-archive-keyring.gpg ]]; then missing+=(debian-archive-keyring); fi
  if ((${#missing[@]})); then
    note "installing host packages: ${missing[*]}"
    [[ $(id -u) -eq 0 ]] || die "need root to install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  fi
  export PATH=$PATH:/usr/sbin:/sbin
}

# The cache key of the base image: what goes into it.
image_key() {
  (
    cd "$GUEST_DIR" || exit 1
    find build-image.sh packages.txt standins -type f | LC_ALL=C sort | while read -r f; do
      printf '%s\n' "$f"; cat "$f"
    done
  ) | sha256sum | cut -c1-16
}

image_dir() { printf '%s/image-%s' "$CACHE" "$(image_key)"; }

# qemu_boot OUTDIR TIMEOUT_S DRIVE_ARGS... : boots the cached kernel with the given
# drives; console on ttyS0 -> OUTDIR/console.log, ttyS1 -> OUTDIR/results.log.
# Returns qemu's status (124 on timeout).
qemu_boot() {
  local outdir=$1 limit=$2 img
  shift 2
  img=${IMAGE_DIR:?}
  local accel cpu=max
  accel=$(pick_accel)
  if [[ $accel == kvm ]]; then cpu=host; else accel=tcg,thread=multi; fi
  : >"$outdir/console.log"
  : >"$outdir/results.log"
  local rc=0
  timeout --kill-after=10 "$limit" qemu-system-x86_64 \
    -nodefaults -no-user-config -display none -machine pc -accel "$accel" \
    -cpu "$cpu" -smp "$GUEST_CPUS" -m "$GUEST_MEM" \
    -kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
    -append "root=/dev/vda rw rootfstype=ext4 console=ttyS0,115200 quiet loglevel=4 systemd.show_status=auto panic=-1 ${PHASE0_GUEST_APPEND:-}" \
    "$@" \
    -device virtio-rng-pci -nic none \
    -serial "file:$outdir/console.log" -serial "file:$outdir/results.log" \
    >"$outdir/qemu.log" 2>&1 || rc=$?
  return "$rc"
}

# KVM is used only when a probe shows it working and faster than TCG (on some
# hosts /dev/kvm exists but nested KVM aborts or crawls). The probe boots the
# kernel without a root disk to its "unable to mount root" panic. The result is
# cached in $CACHE/accel; PHASE0_GUEST_ACCEL=tcg|kvm overrides it.
pick_accel() {
  if [[ -n ${PHASE0_GUEST_ACCEL:-} ]]; then
    printf '%s' "$PHASE0_GUEST_ACCEL"
    return
  fi
  local f=$CACHE/accel
  if [[ -s $f ]]; then
    cat "$f"
    return
  fi
  local choice=tcg tcg_t kvm_t=unavailable
  tcg_t=$(probe_accel tcg,thread=multi max 90)
  if [[ -r /dev/kvm && -w /dev/kvm ]]; then
    local limit=30
    [[ $tcg_t == fail ]] || limit=$((tcg_t / 1000 + 3))
    kvm_t=$(probe_accel kvm host "$limit")
    if [[ $kvm_t != fail ]] && { [[ $tcg_t == fail ]] || ((kvm_t < tcg_t)); }; then choice=kvm; fi
  fi
  note "accelerator probe: tcg ${tcg_t} ms, kvm ${kvm_t} ms -> ${choice}"
  mkdir -p "$CACHE"
  printf '%s' "$choice" >"$f"
  printf '%s' "$choice"
}

# probe_accel ACCEL CPU LIMIT_S: milliseconds to the kernel's root-mount panic, or "fail".
probe_accel() {
  local log start end
  log=$(mktemp)
  start=$(date +%s%N)
  timeout --kill-after=2 "$3" qemu-system-x86_64 -nodefaults -no-user-config -display none \
    -machine pc -accel "$1" -cpu "$2" -smp 1 -m 512 -kernel "${IMAGE_DIR:?}/vmlinuz" \
    -append "console=ttyS0 panic=-1 root=/dev/nonexistent loglevel=4" \
    -no-reboot -serial "file:$log" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  if grep -q 'Kernel panic' "$log"; then
    echo $(((end - start) / 1000000))
  else
    echo fail
  fi
  rm -f "$log"
}
