#!/usr/bin/env bash
# Builds the Debian bookworm guest for the phase0 acceptance suite, or reuses the
# cached one. Everything comes from Debian packages plus the stand-ins in
# standins/ (see README.md). Output: $CACHE/image-KEY/{base.raw,vmlinuz,initrd.img}
# (CACHE: lib.sh, outside the clone), KEY = hash of this script, packages.txt and standins/.
#
#   build-image.sh           build if missing, print the image directory
#   build-image.sh --force   rebuild even if cached
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MIRROR=${PHASE0_GUEST_MIRROR:-http://deb.debian.org/debian}
DISK_SIZE=200G
USER_NAME=vybnz69
S=$GUEST_DIR/standins

# ---------------------------------------------------------------------------
# Runs inside mmdebstrap's customize hook: $1 is the new root (chroot-able,
# with /proc and /dev mounted by mmdebstrap).
customize() {
  local R=$1
  in_root() { chroot "$R" "$@"; }

  echo spark-2b7c >"$R/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tspark-2b7c\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$R/etc/hosts"
  # A vm.swappiness of 60 in /etc/sysctl.conf, as an operator or another tool may have left
  # it: Debian's /etc/sysctl.d/99-sysctl.conf links to it, so a drop-in that sorts before
  # 99-sysctl.conf loses at boot (FACTS B1). phase0's must win.
  printf '\n# planted by the phase0 guest image: a conflicting setting\nvm.swappiness=60\n' >>"$R/etc/sysctl.conf"
  [[ -L $R/etc/sysctl.d/99-sysctl.conf ]] || { echo "no /etc/sysctl.d/99-sysctl.conf link in the image" >&2; return 1; }
  cat >"$R/etc/fstab" <<'FSTAB'
# /etc/fstab: static file system information.
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
/dev/vda        /               ext4    defaults,noinit_itable  0       1
/swap.img	none	swap	sw	0	0
FSTAB

  # Users: the operator (passwordless sudo, docker group as on DGX OS), and Ollama's.
  in_root useradd --system --user-group --home-dir /usr/share/ollama --create-home --shell /bin/false ollama
  in_root useradd --create-home --home-dir "/home/$USER_NAME" --shell /bin/bash \
    --groups sudo,docker "$USER_NAME"
  printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$USER_NAME" >"$R/etc/sudoers.d/$USER_NAME"
  chmod 0440 "$R/etc/sudoers.d/$USER_NAME"
  in_root passwd --lock root >/dev/null

  # Stand-ins: Ollama, tailscale.
  install -m 0755 "$S/ollama" "$R/usr/local/bin/ollama"
  install -m 0644 "$S/ollama.service" "$R/etc/systemd/system/ollama.service"
  install -m 0644 "$S/ollama-standin.env" "$R/etc/default/ollama-standin"
  install -m 0755 "$S/tailscale" "$R/usr/bin/tailscale"
  install -d -m 0755 "$R/var/lib/tailscale-standin"
  echo on >"$R/var/lib/tailscale-standin/https"
  echo '{}' >"$R/var/lib/tailscale-standin/serve.json"
  chmod 0644 "$R/var/lib/tailscale-standin/https"
  chmod 0666 "$R/var/lib/tailscale-standin/serve.json"

  # The agent: ~/Vybn/spark and a real venv at ~/.venv/spark.
  local H=$R/home/$USER_NAME
  install -d "$H/Vybn/spark" "$H/.venv"
  install -m 0644 "$S/vybn/tui.py" "$S/vybn/agent.py" "$S/vybn/config.yaml" "$H/Vybn/spark/"
  in_root python3 -m venv "/home/$USER_NAME/.venv/spark"
  in_root "/home/$USER_NAME/.venv/spark/bin/python" -c 'import sys; assert sys.prefix.endswith("spark")'
  in_root chown -R "$USER_NAME:$USER_NAME" "/home/$USER_NAME"

  # Open WebUI stand-in root file system (imported into docker at first boot).
  local W=$R/usr/local/share/phase0-test/webui-rootfs
  install -d "$W/bin" "$W/usr/bin" "$W/www" "$W/tmp" "$W/etc" "$W/app/backend/data"
  install -m 0755 "$R/bin/busybox" "$W/bin/busybox"
  local applet
  for applet in sh ls cat mkdir date echo sleep ps wget httpd env id grep printf mv; do
    ln -s busybox "$W/bin/$applet"
  done
  install -m 0755 "$S/webui/start.sh" "$W/start.sh"
  install -m 0755 "$S/webui/curl" "$W/usr/bin/curl"
  install -m 0755 "$S/webui/write-config" "$W/bin/write-config"
  install -d "$W/www/api" "$W/www/cgi-bin"
  install -m 0755 "$S/webui/signup" "$W/www/cgi-bin/signup"
  # /api/config is the file the container writes in its volume (see write-config).
  ln -s /app/backend/data/config.json "$W/www/api/config"
  printf '{"status":true}' >"$W/www/health"
  printf '<!doctype html><title>Open WebUI (stand-in)</title><p>Open WebUI stand-in</p>\n' >"$W/www/index.html"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$W/etc/passwd"
  chmod 1777 "$W/tmp"

  # Guest test plumbing: first boot and the scenario runner.
  install -d "$R/usr/local/lib/phase0-test" "$R/var/lib/phase0-test"
  install -m 0755 "$S/phase0-firstboot.sh" "$R/usr/local/lib/phase0-test/firstboot"
  install -m 0755 "$S/phase0-scenario-runner.sh" "$R/usr/local/lib/phase0-test/runner"
  install -m 0644 "$S/phase0-firstboot.service" "$S/phase0-scenario.service" "$R/etc/systemd/system/"
  in_root systemctl enable ollama.service phase0-firstboot.service phase0-scenario.service docker.service
  in_root systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
    man-db.timer dpkg-db-backup.timer >/dev/null 2>&1 || true

  # mosh from a local package source: download it and whatever it needs that
  # the image lacks, index it, and make that the guest's only apt source.
  local repo=/var/local/phase0-repo
  install -d "$R$repo/partial"
  in_root apt-get install --download-only -y -q -o "Dir::Cache::archives=$repo/" mosh >/dev/null
  rm -rf "$R$repo/partial" "$R$repo/lock"
  ls "$R$repo"/mosh_*.deb >/dev/null
  (cd "$R$repo" && dpkg-scanpackages --multiversion . 2>/dev/null >Packages)
  rm -f "$R/etc/apt/sources.list.d/"*
  printf 'deb [trusted=yes] file:%s ./\n' "$repo" >"$R/etc/apt/sources.list"
  rm -rf "$R/var/lib/apt/lists/"*
  in_root apt-get update -q >/dev/null
  in_root apt-cache policy mosh | grep -q "file:$repo" || { echo "mosh not from local repo" >&2; return 1; }
  if in_root dpkg -s mosh >/dev/null 2>&1; then echo "mosh must not be pre-installed" >&2; return 1; fi
  in_root apt-get clean
}

if [[ ${1:-} == --customize ]]; then
  customize "$2"
  exit 0
fi

# ---------------------------------------------------------------------------
force=0
[[ ${1:-} == --force ]] && force=1
need_host_tools
IMAGE_DIR=$(image_dir)
export IMAGE_DIR
if ((!force)) && [[ -f $IMAGE_DIR/ok ]]; then
  printf '%s\n' "$IMAGE_DIR"
  exit 0
fi
[[ $(id -u) -eq 0 ]] || die "building the image needs root (mmdebstrap, chroot)"

mkdir -p "$CACHE"
work=$IMAGE_DIR.tmp
rm -rf "$work" "$IMAGE_DIR"
mkdir -p "$work"
root=$work/root
t0=$(date +%s)

pkgs=$(grep -v '^\s*#' "$GUEST_DIR/packages.txt" | grep -v '^\s*$' | paste -sd, -)
note "mmdebstrap bookworm ($pkgs)"
mmdebstrap --variant=minbase --mode=root --components=main --include="$pkgs" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" \"\$1/etc/initramfs-tools/hooks\" && echo MODULES=list > \"\$1/etc/initramfs-tools/conf.d/phase0\" && install -m 0755 '$S/initramfs-hook' \"\$1/etc/initramfs-tools/hooks/phase0-virtio\"" \
  --customize-hook="'$GUEST_DIR/build-image.sh' --customize \"\$1\"" \
  bookworm "$root" "$MIRROR" >"$work/mmdebstrap.log" 2>&1 ||
  { tail -n 40 "$work/mmdebstrap.log" >&2; die "mmdebstrap failed (log: $work/mmdebstrap.log)"; }
t1=$(date +%s)
note "mmdebstrap + customize: $((t1 - t0)) s"

kver=$(basename "$(ls -d "$root"/lib/modules/*)")
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd.img"
truncate -s "$DISK_SIZE" "$work/base.raw"
mkfs.ext4 -q -F -L spark-root -E lazy_itable_init=1,lazy_journal_init=1,root_owner=0:0 \
  -d "$root" "$work/base.raw" || die "mkfs.ext4 -d failed"
rm -rf "$root"
t2=$(date +%s)
note "mkfs.ext4 -d ($DISK_SIZE sparse): $((t2 - t1)) s, $(du -h "$work/base.raw" | cut -f1) used on the host"

# First boot: /swap.img and the docker import (see standins/phase0-firstboot.sh).
IMAGE_DIR=$work
mkdir -p "$work/firstboot"
qemu_boot "$work/firstboot" 600 -drive "file=$work/base.raw,if=virtio,format=raw,cache=unsafe" || true
if ! grep -q FIRSTBOOT-OK "$work/firstboot/results.log"; then
  note "first boot failed; console tail:"
  tail -n 60 "$work/firstboot/console.log" | tr -d '\r' >&2
  cat "$work/firstboot/results.log" >&2
  die "first boot of the new image failed"
fi
tr -d '\r' <"$work/firstboot/results.log" | grep '^firstboot:' >&2 || true
t3=$(date +%s)
note "first boot (swap.img, docker import): $((t3 - t2)) s"
printf 'mmdebstrap=%s mkfs=%s firstboot=%s total=%s\n' $((t1 - t0)) $((t2 - t1)) $((t3 - t2)) $((t3 - t0)) >"$work/times"
chmod 0444 "$work/base.raw"
touch "$work/ok"
IMAGE_DIR=$(image_dir)
mv "$work" "$IMAGE_DIR"
# Keep only this image.
for old in "$CACHE"/image-*; do
  [[ $old == "$IMAGE_DIR" ]] || rm -rf "$old"
done
note "image ready in $((t3 - t0)) s: $IMAGE_DIR"
printf '%s\n' "$IMAGE_DIR"
