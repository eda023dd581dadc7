# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN and RS are read by lib.sh
# Scenario 6: the guide's troubleshooting cases are already there when the
# wizard runs: a tmux session `vybn` started by hand running tui.py (the guide's
# "session already exists from manual run"), another session of the operator's
# own, an old `open-webui` container (no memory cap, published on all interfaces,
# its first account registered), Ollama listening on 127.0.0.1 only. The answers
# say to replace the container and to stop the second agent. The agent's unit runs
# its own tmux server (tmux -L vybn): the operator's tmux is never stopped.
# Boot 2 (after a reboot): the checks from outside.
if ((BOOT == 2)); then
  SCEN=s6-reboot
  check_after_reboot
  return 0
fi
SCEN=s6-conflicts
as_user tmux new-session -d -s work
as_user tmux new-session -d -s vybn /home/vybnz69/.venv/spark/bin/python /home/vybnz69/Vybn/spark/tui.py
hand_server=$(as_user tmux display-message -p -t work '#{pid}' 2>/dev/null)
hand_tui=$(as_user tmux list-panes -t vybn -F '#{pane_pid}' 2>/dev/null | head -n1)
docker run -d --name open-webui -p 8080:8080 -v open-webui:/app/backend/data \
  ghcr.io/open-webui/open-webui:main >/dev/null 2>&1
old_id=$(inspect '{{.Id}}')
wait_for 30 curl -fsS http://127.0.0.1:8080/health || info "the old container does not answer on 8080"
info "the old Open WebUI's first account: $(register_account 8080 2>&1)"
info "before: operator's tmux server pid ${hand_server:-none}, hand tui.py pid ${hand_tui:-none}, old container ${old_id:0:12}, ollama on $(listening | grep 11434 | paste -sd' ')"
ollama_env0=$(sha256sum </etc/default/ollama-standin)
wizard conflicts 1100 run --answers /scenario/answers.json -y; rc=$?
((rc == 0)); RS=$?; res wizard-exit "the wizard completed over the conflicts (exit 0)" "exit $rc"
((rc == 0)) || show_tail "$OUT/conflicts.log" 40
grep -q 'tui.py runs outside vybn-agent.service' "$OUT/conflicts.log"
RS=$?; res detect-agent "the tui.py started by hand was detected and reported" "no mention of the second agent in the output"
grep -Eqi 'open-webui.*(already|exist)|(already|exist|old).*container' "$OUT/conflicts.log"
RS=$?; res detect-container "the old open-webui container was detected and reported" "no mention of the existing container in the output"
# Stopped means exited: a zombie its parent has not reaped yet holds nothing (phase0 counts it so).
[[ -n $hand_tui ]] && { ! kill -0 "$hand_tui" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$hand_tui/status" 2>/dev/null; }
RS=$?; res hand-agent-stopped "the hand-started tui.py (pid ${hand_tui:-none}) was stopped (one agent instance)" "the hand-started tui.py ${hand_tui:-?} still runs"
# Its parent, the operator's tmux server, has been seen to leave it unreaped: say so when it does.
if [[ -n $hand_tui && -r /proc/$hand_tui/status ]]; then
  info "tui.py $hand_tui: $(grep -E '^(State|PPid)' "/proc/$hand_tui/status" | paste -sd' ')"
  ppid=$(awk '/^PPid/ {print $2}' "/proc/$hand_tui/status")
  info "its parent $ppid: $(tr '\0' ' ' <"/proc/$ppid/cmdline" 2>/dev/null) $(grep -E '^(State|SigBlk|SigIgn|SigCgt|SigPnd|ShdPnd)' "/proc/$ppid/status" 2>/dev/null | paste -sd' '), wchan $(cat "/proc/$ppid/wchan" 2>/dev/null)"
fi
now_server=$(as_user tmux display-message -p -t work '#{pid}' 2>/dev/null)
[[ -n $hand_server && $now_server == "$hand_server" ]]
RS=$?; res operator-tmux-kept "the operator's own tmux server (pid $hand_server) and session work were not stopped" "the operator's tmux server ${hand_server:-?} -> ${now_server:-gone}"
agent_server=$(agent_tmux display-message -p -t vybn '#{pid}' 2>/dev/null)
[[ -n $agent_server && $agent_server != "$hand_server" ]]
RS=$?; res agent-own-server "the agent runs in a tmux server of its own (pid $agent_server, socket vybn)" "agent server ${agent_server:-none}, operator's ${hand_server}"
new_id=$(inspect '{{.Id}}')
[[ -n $new_id && $new_id != "$old_id" ]]; RS=$?; res container-replaced "the old container was replaced (${old_id:0:12} -> ${new_id:0:12})" "container ${old_id:0:12} -> ${new_id:0:12}"
! listening | grep -Eq ':8080$'; RS=$?; res old-port-gone "nothing listens on :8080 any more (the old container's all-interfaces port)" "still listening: $(listening | grep 8080 | paste -sd' ')"
listening | grep -qx '127.0.0.1:11434' && ! listening | grep -Eq '^(0\.0\.0\.0|\*|\[::\]):11434$'
RS=$?; res ollama-still-loopback "Ollama still listens on 127.0.0.1 only" "Ollama listeners: $(listening | grep 11434 | paste -sd' ')"
[[ $(sha256sum </etc/default/ollama-standin) == "$ollama_env0" && ! -e /etc/systemd/system/ollama.service.d ]]
RS=$?; res ollama-config-untouched "Ollama's configuration was not changed" "Ollama's environment or drop-ins changed"
check_end_state
reboot_guest
