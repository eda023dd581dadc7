#!/bin/bash
# Guest-side helpers for the scenarios (sourced by entry.sh inside the guest).
# Results go to the second serial port, one per line:
#   PASS <scenario>/<check> -- reason | FAIL ... | INFO text | TIME label seconds | STATE k=v | END
# shellcheck shell=bash

OPERATOR=vybnz69
OPHOME=/home/$OPERATOR
OUT=/scenario/out
SCEN=${SCEN:-?}
mkdir -p "$OUT"
exec 3>/dev/ttyS1

emit() { printf '%s\n' "$*" >&3; printf '%s\n' "$*" >>"$OUT/results"; }
pass() { local n=$1; shift; emit "PASS $SCEN/$n -- $*"; }
fail() { local n=$1; shift; emit "FAIL $SCEN/$n -- $*"; }
info() { emit "INFO $SCEN: $*"; }
# check NAME REASON CMD...: PASS when CMD succeeds.
# res NAME PASS_REASON FAIL_REASON: PASS/FAIL by the status of the previous command.
# Usage: COND; RS=$?; res NAME ... (RS is taken before the reasons' $(...) run).
res() {
  if ((RS == 0)); then pass "$1" "$2"; else fail "$1" "$3"; fi
}
check() {
  local n=$1 why=$2
  shift 2
  if "$@" >>"$OUT/checks.log" 2>&1; then pass "$n" "$why"; else fail "$n" "$why (check failed: $*)"; fi
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

USER_ENV=(HOME="$OPHOME" USER="$OPERATOR" LOGNAME="$OPERATOR" SHELL=/bin/bash LANG=C.UTF-8
  PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin TERM=xterm-256color)
# as_user CMD...: run as the operator with a login-like environment (exec, no extra process).
as_user() { setpriv --reuid="$OPERATOR" --regid="$OPERATOR" --init-groups env -i "${USER_ENV[@]}" "$@"; }

# wizard LOGNAME TIMEOUT ARGS...: run phase0 as the operator, stdin from /dev/null; returns its status.
wizard() {
  local log=$1 limit=$2
  shift 2
  local t0 rc=0
  t0=$(now)
  timeout --kill-after=5 "$limit" setpriv --reuid="$OPERATOR" --regid="$OPERATOR" --init-groups \
    env -i "${USER_ENV[@]}" phase0 "$@" </dev/null >"$OUT/$log.log" 2>&1 || rc=$?
  emit "TIME $SCEN/wizard:$log $(elapsed "$t0")"
  info "phase0 $* -> exit $rc"
  return "$rc"
}

show_tail() { # show_tail FILE [N]
  local f=$1 n=${2:-25}
  [[ -f $f ]] || return 0
  tail -n "$n" "$f" | sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' | while IFS= read -r l; do emit "INFO $SCEN:   | $l"; done
}

swap_total_kib() { awk 'NR > 1 { t += $3 } END { print t + 0 }' /proc/swaps; }
swap_active() { awk -v f="$1" 'NR > 1 && $1 == f { found = 1 } END { exit !found }' /proc/swaps; }
fstab_active_lines() { awk -v f="$1" '$1 == f' /etc/fstab | wc -l; }
fstab_commented() { grep -Eq "^[[:space:]]*#[[:space:]]*$1([[:space:]]|$)" /etc/fstab; }
unit_prop() { systemctl show -P "$2" "$1"; }
# The agent's tmux server has its own socket (tmux -L vybn): the README's attach command.
agent_tmux() { as_user tmux -L vybn "$@"; }
has_session() { agent_tmux has-session -t "${1:-vybn}" 2>/dev/null; }
# Open WebUI's first account, as the operator registers it through the SSH tunnel (the
# stand-in's sign-up; the real one is POST /api/v1/auths/signup).
register_account() { curl -fsS --max-time 10 -X POST -H 'Content-Type: application/json' \
  -d '{"name":"Zoe","email":"zoe@example.com","password":"correct horse"}' "http://127.0.0.1:${1:-3000}/cgi-bin/signup"; }
health() { curl -fsS --max-time 5 http://127.0.0.1:3000/health; }
inspect() { docker inspect -f "$1" "${2:-open-webui}" 2>/dev/null; }
listening() { ss -ltnH | awk '{ print $4 }'; }
step_status() { # step_status N: status of step N from `phase0 status --json`
  as_user phase0 status --json 2>/dev/null | python3 -c '
import json, sys
n = int(sys.argv[1])
for s in json.load(sys.stdin).get("steps", []):
    if s.get("number") == n:
        print(s.get("status", "?"))
        break
else:
    print("absent")' "$1" 2>/dev/null || echo "unreadable"
}

wait_for() { # wait_for SECONDS CMD...: poll until CMD succeeds
  local limit=$1 t0
  shift
  t0=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    (($(date +%s) - t0 >= limit)) && return 1
    sleep 0.5
  done
}

wait_system() { # let boot-time services settle before a scenario starts
  wait_for 120 docker info || info "dockerd not answering after 120 s"
  wait_for 60 curl -fsS http://127.0.0.1:11434/ || info "ollama stand-in not answering after 60 s"
}

# --- the end state of a completed procedure (scenario 1's checks) ---------------
ORIG_FSTAB_SUM=$(sha256sum /scenario/fstab.orig 2>/dev/null | cut -d' ' -f1)

check_swap_state() { # check_swap_state [after-reboot]
  local total kib64=$((64 * 1024 * 1024 - 4))
  total=$(swap_total_kib)
  if ((total >= kib64)); then pass swap-total "/proc/swaps total $((total / 1024 / 1024)) GiB ($total KiB) >= 64 GB"
  else fail swap-total "/proc/swaps total only $total KiB (< 64 GB): $(tail -n +2 /proc/swaps | tr -s ' ' | paste -sd';')"; fi
  check swapfile-active "/swapfile is listed in /proc/swaps" swap_active /swapfile
  local size
  size=$(awk 'NR > 1 && $1 == "/swapfile" { print $3 }' /proc/swaps)
  if [[ -n $size ]] && ((size >= 128 * 1024 * 1024 - 4)); then pass swapfile-size "/swapfile is $size KiB (128 GiB minus the mkswap header page)"
  else fail swapfile-size "/swapfile size in /proc/swaps is '${size:-absent}' KiB, expected 128 GiB"; fi
  local mode
  mode=$(stat -c '%a %U' /swapfile 2>/dev/null)
  [[ $mode == "600 root" ]]; RS=$?; res swapfile-mode "/swapfile is 0600 root" "/swapfile mode/owner is '${mode:-missing}', expected '600 root'"
  if [[ ${1:-} == after-reboot ]]; then
    if swap_active /swap.img; then fail old-swap "/swap.img is still active after reboot although its fstab line should be commented"
    else pass old-swap "/swap.img retired at reboot (its fstab line is commented)"; fi
  else
    check old-swap-kept "/swap.img still active (the wizard never runs swapoff)" swap_active /swap.img
  fi
  local n
  n=$(fstab_active_lines /swapfile)
  [[ $n == 1 ]]; RS=$?; res fstab-one-swapfile "exactly one active /swapfile line in /etc/fstab" "$n active /swapfile lines in /etc/fstab: $(grep -n swap /etc/fstab | paste -sd'|')"
  n=$(fstab_active_lines /swap.img)
  if [[ $n == 0 ]] && fstab_commented /swap.img; then pass fstab-swapimg-commented "/swap.img line is commented out"
  else fail fstab-swapimg-commented "/swap.img has $n active lines; commented: $(grep -c '^[[:space:]]*#.*swap.img' /etc/fstab)"; fi
  local b found=""
  for b in /etc/fstab?*; do
    [[ -f $b ]] || continue
    [[ $(sha256sum "$b" | cut -d' ' -f1) == "$ORIG_FSTAB_SUM" ]] && found=$b
  done
  [[ -n $found ]]; RS=$?; res fstab-backup "backup of the original fstab at $found" "no /etc/fstab* file holds the original fstab ($(printf '%s ' /etc/fstab?*))"
  check fstab-verify "findmnt --verify accepts /etc/fstab" findmnt --verify
  local sw
  sw=$(cat /proc/sys/vm/swappiness)
  [[ $sw == 10 ]]; RS=$?; res swappiness-now "vm.swappiness is 10 (the image's /etc/sysctl.conf says 60)" "vm.swappiness is $sw"
  grep -qx 'vm.swappiness=60' /etc/sysctl.conf; RS=$?; res sysctl-conf-kept "/etc/sysctl.conf keeps its conflicting vm.swappiness=60 (phase0 does not edit it; its drop-in sorts after it)" "/etc/sysctl.conf changed: $(grep swappiness /etc/sysctl.conf | paste -sd'|')"
  local order
  order=$(systemd-analyze cat-config sysctl.d 2>/dev/null | sed -n 's|^# /|/|p' | paste -sd' ')
  [[ $order == *99-sysctl.conf*99-zz-phase0-swappiness.conf* ]]; RS=$?; res swappiness-boot-order "systemd-sysctl applies phase0's drop-in after 99-sysctl.conf (systemd-analyze cat-config sysctl.d)" "boot order: $order"
  if grep -Eqs '^[[:space:]]*vm\.swappiness[[:space:]]*=[[:space:]]*10[[:space:]]*$' /etc/sysctl.conf /etc/sysctl.d/*.conf; then
    pass swappiness-persisted "vm.swappiness=10 persisted in $(grep -El '^[[:space:]]*vm\.swappiness' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null | paste -sd' ')"
  else fail swappiness-persisted "no vm.swappiness=10 in /etc/sysctl.conf or /etc/sysctl.d/*.conf"; fi
}

check_agent_state() {
  local a e
  a=$(systemctl is-active vybn-agent.service 2>&1)
  e=$(systemctl is-enabled vybn-agent.service 2>&1)
  [[ $a == active ]]; RS=$?; res unit-active "vybn-agent.service is active" "vybn-agent.service is '$a'"
  [[ $e == enabled ]]; RS=$?; res unit-enabled "vybn-agent.service is enabled" "vybn-agent.service is '$e'"
  check tmux-session "tmux has-session -t vybn as $OPERATOR" has_session vybn
  local spid
  spid=$(agent_tmux display-message -p -t vybn '#{pid}' 2>/dev/null)
  if [[ -n $spid ]] && grep -q 'vybn-agent.service' "/proc/$spid/cgroup" 2>/dev/null; then
    pass tmux-in-unit "the tmux server (pid $spid) runs inside vybn-agent.service's cgroup"
  else fail tmux-in-unit "tmux server pid '${spid:-none}' is not in vybn-agent.service's cgroup ($(cat "/proc/$spid/cgroup" 2>/dev/null))"; fi
  local cmd
  cmd=$(agent_tmux list-panes -t vybn -F '#{pane_pid}' 2>/dev/null | head -n1 | xargs -r -I{} sh -c 'cat /proc/{}/cmdline | tr "\0" " "; pgrep -P {} -a' 2>/dev/null | paste -sd' ')
  if [[ $cmd == *tui.py* ]]; then pass tui-running "tui.py runs in the session ($cmd)"; else fail tui-running "the session's pane runs '$cmd', not tui.py"; fi
}

# kill_agent_and_wait HOW: HOW=kill (SIGKILL tui.py) or crash (tui.py exits 1)
check_agent_restart() {
  local how=$1 before after pid t0 ok=0
  before=$(unit_prop vybn-agent.service NRestarts)
  pid=$(pgrep -u "$OPERATOR" -f 'spark/tui.py' | head -n1)
  if [[ -z $pid ]]; then fail "restart-$how" "no tui.py process to $how"; return; fi
  t0=$(now)
  if [[ $how == kill ]]; then
    kill -KILL "$pid"
  else
    touch /tmp/vybn-crash
    wait_for 15 bash -c "! kill -0 $pid" || info "tui.py did not exit on /tmp/vybn-crash"
    rm -f /tmp/vybn-crash
  fi
  local start
  start=$(date +%s)
  while (($(date +%s) - start < 20)); do
    after=$(unit_prop vybn-agent.service NRestarts)
    if ((after > before)) && has_session vybn && pgrep -u "$OPERATOR" -f 'spark/tui.py' >/dev/null; then ok=1; break; fi
    sleep 0.5
  done
  if ((ok)); then pass "restart-$how" "after $how of tui.py, systemd brought the session back in $(elapsed "$t0") s (NRestarts $before -> $after)"
  else fail "restart-$how" "20 s after $how of tui.py: NRestarts $before -> $(unit_prop vybn-agent.service NRestarts), unit $(systemctl is-active vybn-agent.service), session $(has_session vybn && echo present || echo absent)"; fi
}

check_webui_state() {
  local running mem swap net
  running=$(inspect '{{.State.Running}}')
  [[ $running == true ]]; RS=$?; res container-running "container open-webui is running" "container open-webui running='${running:-no such container}'"
  mem=$(inspect '{{.HostConfig.Memory}}')
  [[ $mem == 2147483648 ]]; RS=$?; res container-memory "memory limit 2 GiB" "memory limit is '${mem:-?}' bytes, expected 2147483648"
  swap=$(inspect '{{.HostConfig.MemorySwap}}')
  [[ $swap == 4294967296 ]]; RS=$?; res container-memory-swap "memory+swap limit 4 GiB" "memory-swap is '${swap:-?}', expected 4294967296"
  local rp
  rp=$(inspect '{{.HostConfig.RestartPolicy.Name}}')
  [[ $rp == always || $rp == unless-stopped ]]; RS=$?; res container-restart "restart policy $rp" "restart policy '${rp:-?}'"
  net=$(inspect '{{.HostConfig.NetworkMode}}')
  local l3000 lwide
  l3000=$(listening | grep -E ':3000$' | paste -sd' ')
  lwide=$(listening | grep -E '^(0\.0\.0\.0|\*|\[::\]|::):3000$' | paste -sd' ')
  if [[ $l3000 == *127.0.0.1:3000* && -z $lwide ]]; then pass port-loopback "port 3000 bound to 127.0.0.1 only (listeners: $l3000; network $net)"
  else fail port-loopback "listeners on :3000 are '$l3000' (network $net)"; fi
  local h
  h=$(health 2>&1)
  [[ $h == *'"status":true'* ]]; RS=$?; res health "GET http://127.0.0.1:3000/health -> $h" "health endpoint answered '$h'"
  local vol
  vol=$(inspect '{{range .Mounts}}{{.Name}}:{{.Destination}} {{end}}')
  [[ $vol == *open-webui:/app/backend/data* ]]; RS=$?; res container-volume "named volume open-webui at /app/backend/data" "mounts: '$vol'"
  local envs config
  envs=$(inspect '{{range .Config.Env}}{{println .}}{{end}}')
  grep -qx 'ENABLE_SIGNUP=False' <<<"$envs" && grep -qx 'ENABLE_PERSISTENT_CONFIG=False' <<<"$envs"
  RS=$?; res signup-closed "the container's environment keeps sign-up closed at every start (ENABLE_SIGNUP=False, ENABLE_PERSISTENT_CONFIG=False)" "env: $(grep -E 'SIGNUP|PERSISTENT' <<<"$envs" | paste -sd' ')"
  config=$(curl -fsS --max-time 5 http://127.0.0.1:3000/api/config 2>&1)
  [[ $config == *'"status":true'* && $config != *onboarding* ]]; RS=$?; res webui-owner "Open WebUI has its first account (/api/config has no onboarding)" "/api/config: $config"
  local base reach
  base=$(sed -n 's/^OLLAMA_BASE_URL=//p' <<<"$envs")
  reach=$(timeout 20 docker exec open-webui curl -s "${base:-http://127.0.0.1:11434}/api/tags" 2>&1)
  [[ $reach == *vybn:latest* ]]; RS=$?; res webui-reaches-ollama "from inside the container, OLLAMA_BASE_URL=$base lists vybn:latest" "from inside the container, OLLAMA_BASE_URL=${base:-unset}: $reach"
}

check_serve_state() {
  local proxy
  proxy=$(tailscale serve status --json | python3 -c '
import json, sys
sc = json.load(sys.stdin) or {}
h = (sc.get("Web") or {}).get("spark-2b7c.tail1234.ts.net:443", {}).get("Handlers", {}).get("/", {})
print(h.get("Proxy", ""), "https" if (sc.get("TCP") or {}).get("443", {}).get("HTTPS") else "no-https")' 2>&1)
  [[ $proxy == "http://127.0.0.1:3000 https" || $proxy == "http://localhost:3000 https" ]]; RS=$?; res serve "tailscale serve: https://spark-2b7c.tail1234.ts.net/ -> ${proxy% *}" "tailscale serve status --json gives '$proxy'"
}

check_steps_done() {
  local n st bad=""
  for n in 0 1 2 3 4 5; do
    st=$(step_status "$n")
    case $n:$st in
      1:skipped | *:done) ;;
      *) bad="$bad step$n=$st" ;;
    esac
  done
  [[ -z $bad ]]; RS=$?; res steps-done "phase0 status --json: steps 0-5 done" "phase0 status --json:$bad"
}

check_unplug_4_5() { # the guide's automated Unplug checks, made from outside
  local pid1 pid2
  pid1=$(agent_tmux display-message -p -t vybn '#{pid}' 2>/dev/null)
  if ! docker inspect open-webui >/dev/null 2>&1 || ! has_session vybn; then
    fail unplug-4 "no open-webui container or no vybn session to test with"
    fail unplug-5 "no open-webui container or no vybn session to test with"
    return
  fi
  docker stop open-webui >/dev/null 2>&1
  has_session vybn && pid2=$(agent_tmux display-message -p -t vybn '#{pid}' 2>/dev/null)
  docker start open-webui >/dev/null 2>&1
  if [[ -n $pid1 && $pid1 == "${pid2:-}" ]] && wait_for 60 health; then pass unplug-4 "docker stop open-webui: tmux survives; docker start: health back"
  else fail unplug-4 "tmux server $pid1 -> ${pid2:-gone}; health $(health 2>&1)"; fi
  if has_session vybn && [[ $(agent_tmux list-clients -t vybn 2>/dev/null | wc -l) == 0 ]] && [[ $(inspect '{{.State.Running}}') == true ]]; then
    pass unplug-5 "tmux detached (no clients) and the container keeps running"
  else fail unplug-5 "session/clients/container: $(has_session vybn && echo yes || echo no)/$(agent_tmux list-clients -t vybn 2>/dev/null | wc -l)/$(inspect '{{.State.Running}}')"; fi
}

# STATE lines let run.sh compare end states across scenarios.
emit_state() {
  local u
  u=$(sha256sum /etc/systemd/system/vybn-agent.service 2>/dev/null | cut -c1-16)
  emit "STATE $SCEN unit=$u"
  emit "STATE $SCEN fstab=$(grep -v '^[[:space:]]*$' /etc/fstab | sha256sum | cut -c1-16)"
  emit "STATE $SCEN swaps=$(tail -n +2 /proc/swaps | awk '{ print $1, $2, $3 }' | sort | paste -sd';')"
  emit "STATE $SCEN sysctl=$(grep -h swappiness /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null | sort | paste -sd';')"
  emit "STATE $SCEN webui=$(inspect '{{range .Config.Env}}{{println .}}{{end}}' | grep -E 'SIGNUP|PERSISTENT' | sort | paste -sd,)"
  emit "STATE $SCEN container=$(inspect '{{.Config.Image}} {{.HostConfig.NetworkMode}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PortBindings}} {{.HostConfig.RestartPolicy.Name}} {{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}' | sha256sum | cut -c1-16)"
  emit "STATE $SCEN containers=$(docker ps -a --format '{{.Names}}' | sort | paste -sd,)"
  emit "STATE $SCEN serve=$(tailscale serve status --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))')"
  emit "STATE $SCEN mosh=$(dpkg-query -W -f '${Status}' mosh 2>/dev/null | tr ' ' _)"
}

check_end_state() { # everything scenario 1 checks after a completed run
  check_swap_state now
  check_agent_state
  check_agent_restart kill
  check_webui_state
  check_serve_state
  [[ $SCEN == sref-by-hand || ${NO_WIZARD_RECORDS:-0} == 1 ]] || check_steps_done
  check_unplug_4_5
  local m
  m=$(dpkg-query -W -f '${Status} ${Version}' mosh 2>/dev/null)
  [[ $m == "install ok installed"* ]]; RS=$?; res mosh "mosh installed from the local package source ($m)" "mosh: '${m:-not installed}'"
  emit_state
}

check_after_reboot() { # scenario 2: everything came back after a reboot, without the wizard
  emit "TIME $SCEN/boot-to-checks $(awk '{ print $1 }' /proc/uptime)"
  if [[ -e /etc/systemd/system/vybn-agent.service ]]; then
    wait_for 60 has_session vybn || info "no vybn session 60 s after the system settled"
  fi
  if docker inspect open-webui >/dev/null 2>&1; then
    wait_for 60 health || info "no health answer 60 s after the system settled"
  fi
  check_swap_state after-reboot
  check_swap_from_fstab
  check_agent_state
  check_attach
  check_webui_state
  check_serve_state
  check_agent_restart crash
  emit_state
}

# After a reboot every active swap area came from /etc/fstab: the gate's "after a reboot".
check_swap_from_fstab() {
  local area missing=""
  for area in $(tail -n +2 /proc/swaps | awk '{ print $1 }'); do
    awk -v f="$area" '$1 == f && $3 == "swap" { found = 1 } END { exit !found }' /etc/fstab || missing="$missing $area"
  done
  [[ -z $missing ]]; RS=$?; res swap-from-fstab "every active swap area comes from /etc/fstab ($(tail -n +2 /proc/swaps | awk '{ print $1 }' | paste -sd' '))" "active but not in fstab:$missing"
}

# The README's attach command works for the operator, on a real terminal, and detaching
# leaves the session running.
check_attach() {
  local out
  out=$(python3 /scenario/attach-check.py -- setpriv --reuid="$OPERATOR" --regid="$OPERATOR" --init-groups \
    env -i "${USER_ENV[@]}" tmux -L vybn attach -t vybn -- setpriv --reuid="$OPERATOR" --regid="$OPERATOR" \
    --init-groups env -i "${USER_ENV[@]}" tmux -L vybn list-clients -t vybn 2>&1)
  [[ $out == *"clients=1 exit=0 detached=yes"* ]] && has_session vybn
  RS=$?; res attach "tmux -L vybn attach -t vybn as $OPERATOR on a terminal: attached, Ctrl-B d detached, the session runs on ($out)" "attach: $out; session $(has_session vybn && echo present || echo gone)"
}
