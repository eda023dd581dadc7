# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN and RS are read by lib.sh
# Harness self-check (not in the default run; `run.sh --only sref`): the guide's
# procedure done by hand, with DESIGN.md's fixes, then scenario 1's end-state
# checks. It proves those checks can pass on this guest, so a FAIL in s1-s6
# points at the wizard, not at the guest or the checks.
if ((BOOT == 2)); then
  SCEN=sref-reboot
  check_after_reboot
  return 0
fi
SCEN=sref-by-hand
set -x
{
  fallocate -l 128G /swapfile && chmod 600 /swapfile && mkswap /swapfile && swapon /swapfile
  sysctl -w vm.swappiness=10
  printf 'vm.swappiness = 10\n' >/etc/sysctl.d/99-zz-phase0-swappiness.conf
  cp /etc/fstab /etc/fstab.backup
  sed -i 's|^/swap\.img|#&|' /etc/fstab
  echo '/swapfile none swap sw 0 0' >>/etc/fstab
  apt-get update && apt-get install -y mosh
  cat >/etc/systemd/system/vybn-agent.service <<'UNIT'
[Unit]
Description=Vybn agent: tui.py in tmux session vybn
After=network-online.target ollama.service
Wants=ollama.service

[Service]
Type=forking
User=vybnz69
Group=vybnz69
WorkingDirectory=/home/vybnz69/Vybn/spark
Environment=HOME=/home/vybnz69 LANG=C.UTF-8
ExecStartPre=/bin/sh -c 'for i in $(seq 1 60); do curl -fsS http://127.0.0.1:11434/api/tags >/dev/null && exit 0; sleep 1; done; exit 1'
ExecStart=/usr/bin/tmux -L vybn new-session -d -s vybn /home/vybnz69/.venv/spark/bin/python /home/vybnz69/Vybn/spark/tui.py
ExecStop=/usr/bin/tmux -L vybn kill-session -t vybn
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload && systemctl enable --now vybn-agent.service
  docker run -d --network=host -e HOST=127.0.0.1 -e PORT=3000 -e OLLAMA_BASE_URL=http://127.0.0.1:11434 \
    -e RAG_EMBEDDING_ENGINE=openai -e AUDIO_STT_ENGINE=openai -e IMAGE_GENERATION_ENGINE=openai \
    -e ENABLE_PERSISTENT_CONFIG=False -e ENABLE_SIGNUP=False \
    --memory=2g --memory-swap=4g -v open-webui:/app/backend/data --name open-webui --restart always \
    ghcr.io/open-webui/open-webui:main
  wait_for 60 health
  register_account
  tailscale serve --bg 3000
} >"$OUT/by-hand.log" 2>&1
set +x
sleep 3
check_end_state
reboot_guest
