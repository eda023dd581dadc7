# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN and RS are read by lib.sh
# Scenario 6: the guide's troubleshooting cases are already there when the
# wizard runs: a tmux session `vybn` started by hand, an old `open-webui`
# container (no memory cap, published on all interfaces), Ollama listening on
# 127.0.0.1 only. The answers say to replace the session and the container.
SCEN=s6-conflicts
as_user tmux new-session -d -s vybn /home/vybnz69/.venv/spark/bin/python /home/vybnz69/Vybn/spark/tui.py
hand_pid=$(as_user tmux display-message -p -t vybn '#{pid}' 2>/dev/null)
docker run -d --name open-webui -p 8080:8080 -v open-webui:/app/backend/data \
  ghcr.io/open-webui/open-webui:main >/dev/null 2>&1
old_id=$(inspect '{{.Id}}')
info "before: hand tmux server pid ${hand_pid:-none}, old container ${old_id:0:12}, ollama on $(listening | grep 11434 | paste -sd' ')"
ollama_env0=$(sha256sum </etc/default/ollama-standin)
wizard conflicts 1100 run --answers /scenario/answers.json -y; rc=$?
((rc == 0)); RS=$?; res wizard-exit "the wizard completed over the conflicts (exit 0)" "exit $rc"
((rc == 0)) || show_tail "$OUT/conflicts.log" 40
grep -Eqi 'tmux.*(already|exist|running|by hand)|(already|exist).*tmux' "$OUT/conflicts.log"
RS=$?; res detect-tmux "the hand-started tmux session was detected and reported" "no mention of the existing tmux session in the output"
grep -Eqi 'open-webui.*(already|exist)|(already|exist|old).*container' "$OUT/conflicts.log"
RS=$?; res detect-container "the old open-webui container was detected and reported" "no mention of the existing container in the output"
new_pid=$(as_user tmux display-message -p -t vybn '#{pid}' 2>/dev/null)
[[ -n $new_pid && $new_pid != "$hand_pid" ]]; RS=$?; res tmux-replaced "the hand-started tmux server ($hand_pid) was replaced by the unit's ($new_pid)" "tmux server pid ${hand_pid} -> ${new_pid:-none}"
new_id=$(inspect '{{.Id}}')
[[ -n $new_id && $new_id != "$old_id" ]]; RS=$?; res container-replaced "the old container was replaced (${old_id:0:12} -> ${new_id:0:12})" "container ${old_id:0:12} -> ${new_id:0:12}"
! listening | grep -Eq ':8080$'; RS=$?; res old-port-gone "nothing listens on :8080 any more (the old container's all-interfaces port)" "still listening: $(listening | grep 8080 | paste -sd' ')"
listening | grep -qx '127.0.0.1:11434' && ! listening | grep -Eq '^(0\.0\.0\.0|\*|\[::\]):11434$'
RS=$?; res ollama-still-loopback "Ollama still listens on 127.0.0.1 only" "Ollama listeners: $(listening | grep 11434 | paste -sd' ')"
[[ $(sha256sum </etc/default/ollama-standin) == "$ollama_env0" && ! -e /etc/systemd/system/ollama.service.d ]]
RS=$?; res ollama-config-untouched "Ollama's configuration was not changed" "Ollama's environment or drop-ins changed"
check_end_state
