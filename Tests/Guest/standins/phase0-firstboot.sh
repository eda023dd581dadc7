#!/bin/bash
# Runs once, at image build time (booted by build-image.sh), for what cannot be
# done in a chroot: the Spark-like /swap.img (mkfs.ext4 -d would copy it sparse,
# and swapon refuses files with holes) and the Open WebUI stand-in image
# (docker import needs a running dockerd).
set -u
say() { echo "firstboot: $*"; echo "firstboot: $*" >/dev/ttyS1; }
fail() { say "FAILED: $*"; echo "FIRSTBOOT-FAILED" >/dev/ttyS1; systemctl poweroff; exit 1; }

if [ ! -e /swap.img ]; then
  fallocate -l 2G /swap.img || fail "fallocate /swap.img"
  chmod 600 /swap.img
  mkswap /swap.img >/dev/null || fail "mkswap /swap.img"
fi
swapon -a || fail "swapon -a"
grep -q '^/swap.img ' /proc/swaps || fail "/swap.img not active"
say "swap: $(tail -n +2 /proc/swaps | tr -s ' ' | tr '\n' ';')"

for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 1; done
docker info >/dev/null 2>&1 || fail "dockerd did not answer"
tar -C /usr/local/share/phase0-test/webui-rootfs -c . |
  docker import --change 'CMD ["/start.sh"]' --change 'EXPOSE 8080' \
    --change 'WORKDIR /app/backend' - ghcr.io/open-webui/open-webui:main >/dev/null ||
  fail "docker import"
docker image inspect ghcr.io/open-webui/open-webui:main >/dev/null || fail "image missing after import"
say "image: $(docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | tr '\n' ';')"
say "ollama: $(curl -fsS http://127.0.0.1:11434/ 2>&1)"
mkdir -p /var/lib/phase0-test
touch /var/lib/phase0-test/firstboot-done
systemctl disable phase0-firstboot.service >/dev/null 2>&1
journalctl --rotate >/dev/null 2>&1
sync
echo "FIRSTBOOT-OK" >/dev/ttyS1
systemctl poweroff
