# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN and RS are read by lib.sh
# Scenario 0: the guest and its stand-ins work, before any wizard runs.
# (Sourced by entry.sh; fresh overlay; nothing here is kept.)
[[ $(readlink /proc/1/exe) == */systemd ]]; RS=$?; res systemd-pid1 "systemd is PID 1" "PID 1 is $(readlink /proc/1/exe)"
check sudo "$OPERATOR has passwordless sudo" as_user sudo -n true
check swap-img "/swap.img (2 GiB) active from fstab like the Spark's" swap_active /swap.img
grep -Eq '^/swap.img[[:space:]]+none[[:space:]]+swap[[:space:]]+sw[[:space:]]+0[[:space:]]+0' /etc/fstab; RS=$?; res fstab-swap-img "fstab has '/swap.img none swap sw 0 0'" "fstab: $(grep swap /etc/fstab)"
avail=$(df --output=avail -B1G / | tail -n1 | tr -d ' ')
((avail > 140)); RS=$?; res disk-room "root has ${avail}G free (room for a 128G swapfile)" "root has only ${avail}G free"
check venv "the venv python runs" as_user /home/vybnz69/.venv/spark/bin/python -c 'import sys; assert sys.prefix != sys.base_prefix'
[[ $(curl -fsS http://127.0.0.1:11434/) == "Ollama is running" ]]; RS=$?; res ollama-root "GET / -> Ollama is running" "GET / failed"
curl -fsS http://127.0.0.1:11434/api/tags | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["models"][0]["name"]=="vybn:latest" and d["models"][0]["model"]=="vybn:latest"'
RS=$?; res ollama-tags "/api/tags lists vybn:latest" "/api/tags wrong"
as_user ollama list | grep -q '^vybn:latest'; RS=$?; res ollama-list "ollama list shows vybn:latest" "ollama list: $(as_user ollama list 2>&1)"
as_user ollama --version | grep -q 'ollama version is'; RS=$?; res ollama-version "ollama --version answers" "ollama --version: $(as_user ollama --version 2>&1)"
listening | grep -qx '127.0.0.1:11434' && ! listening | grep -Eq '^(0.0.0.0|\*|\[::\]):11434$'; RS=$?; res ollama-loopback "Ollama listens on 127.0.0.1:11434 only" "listeners: $(listening | paste -sd' ')"
check ollama-active "ollama.service active" systemctl is-active ollama.service

# tailscale stand-in
tailscale status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["BackendState"] == "Running" and s["Self"]["DNSName"] == "spark-2b7c.tail1234.ts.net."
assert "https" in s["Self"]["CapMap"] and s["CertDomains"]'
RS=$?; res ts-status "status --json: Running, DNSName, CapMap https, CertDomains" "status --json wrong"
out=$(as_user tailscale serve --bg 3000 2>&1); rc=$?
((rc == 1)) && [[ $out == *"Access denied"* ]]; RS=$?; res ts-operator "serve without root or operator is denied" "rc=$rc out=$out"
as_user sudo tailscale serve --bg 3000 >/dev/null 2>&1
[[ $(tailscale serve status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["Web"]["spark-2b7c.tail1234.ts.net:443"]["Handlers"]["/"]["Proxy"])') == http://127.0.0.1:3000 ]]
RS=$?; res ts-serve "sudo tailscale serve --bg 3000 stores the proxy to http://127.0.0.1:3000" "serve status: $(tailscale serve status --json)"
[[ $(as_user tailscale serve status --json) == *'"Proxy": "http://127.0.0.1:3000"'* ]]; RS=$?; res ts-serve-read "the operator reads the serve config without root" "as $OPERATOR: $(as_user tailscale serve status --json 2>&1 | head -c 200)"
tailscale serve reset
tailscale set --operator="$OPERATOR"
as_user tailscale serve --bg 3000 >/dev/null 2>&1; RS=$?; res ts-operator-set "after 'tailscale set --operator=$OPERATOR' the operator may serve without sudo" "serve as operator failed"
tailscale set --operator=
tailscale serve reset
echo off >/var/lib/tailscale-standin/https
out=$(tailscale serve --bg 3000 2>&1); rc=$?
((rc == 0)) && [[ $out == *"Serve is not enabled"* ]] && [[ $(tailscale serve status --json) == "{}" ]]
RS=$?; res ts-https-off "HTTPS off: serve prints the enable URL, exits 0, serves nothing" "rc=$rc out=$out"
as_user tailscale status --json | python3 -c 'import json,sys; s=json.load(sys.stdin); assert "https" not in s["Self"]["CapMap"] and not s["CertDomains"]'
RS=$?; res ts-status-off "HTTPS off shows in status --json" "CapMap/CertDomains still say https"
echo on >/var/lib/tailscale-standin/https

# Open WebUI stand-in image under docker
docker run -d --name t-bridge -p 127.0.0.1:3999:8080 --memory=2g --memory-swap=4g \
  --add-host=host.docker.internal:host-gateway ghcr.io/open-webui/open-webui:main >/dev/null 2>"$OUT/docker-bridge.err"
wait_for 30 curl -fsS http://127.0.0.1:3999/health; RS=$?; res webui-bridge "-p 127.0.0.1:3999:8080 --memory=2g: /health answers" "$(cat "$OUT/docker-bridge.err"; docker logs t-bridge 2>&1 | tail -3)"
[[ $(inspect '{{.HostConfig.Memory}}' t-bridge) == 2147483648 ]]; RS=$?; res webui-memory "memory limit applied" "$(inspect '{{.HostConfig.Memory}}' t-bridge)"
docker run -d --name t-host --network=host -e HOST=127.0.0.1 -e PORT=3998 ghcr.io/open-webui/open-webui:main >/dev/null 2>&1
wait_for 30 curl -fsS http://127.0.0.1:3998/health && listening | grep -qx '127.0.0.1:3998'; RS=$?; res webui-hostnet "--network=host -e HOST=127.0.0.1 -e PORT=3998 serves on loopback" "listeners: $(listening | paste -sd' ')"
docker exec t-host curl -s http://127.0.0.1:11434/api/tags | grep -q vybn; RS=$?; res webui-hostnet-ollama "host-network container reaches Ollama on 127.0.0.1" "no"
out=$(docker exec t-bridge curl -s http://host.docker.internal:11434/api/tags 2>&1)
[[ $out != *vybn* ]]; RS=$?; res webui-gateway-refused "bridge container cannot reach Ollama on 127.0.0.1 via host-gateway (the guide's pitfall is real here)" "it could: $out"
docker rm -f t-bridge t-host >/dev/null 2>&1

# tmux + the agent, the way the unit runs it
as_user tmux new-session -d -s t0 /home/vybnz69/.venv/spark/bin/python /home/vybnz69/Vybn/spark/tui.py
sleep 2
check tmux-tui "tmux session with tui.py as $OPERATOR" as_user tmux has-session -t t0
touch /tmp/vybn-crash
wait_for 15 bash -c '! setpriv --reuid=vybnz69 --regid=vybnz69 --init-groups env -i HOME=/home/vybnz69 tmux has-session -t t0'
RS=$?; res tui-crash "/tmp/vybn-crash makes tui.py exit and the tmux server go away" "session still there"
rm -f /tmp/vybn-crash

# mosh from the local package source, offline
(apt-get update && apt-get install -y mosh) >"$OUT/apt.log" 2>&1; RS=$?; res mosh-offline "apt-get update && apt-get install -y mosh works offline" "$(tail -n 3 "$OUT/apt.log")"
mosh --version 2>/dev/null | head -n1 | grep -q mosh; RS=$?; res mosh-version "mosh --version: $(mosh --version 2>/dev/null | head -n1)" "mosh not runnable"

# the gate scenario's disk fill
fallocate -l 100G /var/tmp/fill && avail=$(df --output=avail -B1G / | tail -n1 | tr -d ' ') && ((avail < 130)); RS=$?; res disk-fill "fallocate -l 100G leaves ${avail}G free (< 128G + margin)" "avail=$avail"
rm -f /var/tmp/fill

# the wizard binary runs here
check phase0-runs "phase0 --version runs in the guest ($(phase0 --version 2>&1 | head -n1))" as_user phase0 --version
check phase0-libs "phase0's shared libraries resolve" bash -c '! ldd /usr/local/bin/phase0 | grep -q "not found"'
