# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN and RS are read by lib.sh
# Scenario 7: the operator runs phase0 where README advises: inside their own tmux
# session (`tmux new -s work`, then `phase0 run` at its shell prompt), typing every
# answer there, through Step 5. The wizard survives (its tmux server and session are
# never stopped), the agent runs in a tmux server of its own, and after a reboot the
# unit's session is back and `tmux -L vybn attach -t vybn` works as README documents.
if ((BOOT == 2)); then
  SCEN=s7-reboot
  check_after_reboot
  n=$(as_user tmux ls 2>/dev/null | wc -l)
  info "after the reboot the operator's own tmux has $n session(s) (a reboot ends it); the agent's: $(agent_tmux ls 2>&1 | paste -sd' ')"
  return 0
fi
SCEN=s7-in-tmux
rm -f /tmp/s7-rc
as_user tmux new-session -d -s work -x 200 -y 50
work_server=$(as_user tmux display-message -p -t work '#{pid}' 2>/dev/null)
as_user tmux send-keys -t work 'phase0 run; echo $? >/tmp/s7-rc' Enter
t=$(now)
summary=$(python3 /scenario/tmux-drive.py "$OUT/s7-tmux.log" 1200 /tmp/s7-rc work \
  --hook "Register the first account" "curl -fsS -X POST -d '{}' http://127.0.0.1:3000/cgi-bin/signup" -- \
  setpriv --reuid="$OPERATOR" --regid="$OPERATOR" --init-groups env -i "${USER_ENV[@]}" tmux 2>&1)
emit "TIME $SCEN/wizard:tmux $(elapsed "$t")"
info "$summary"
rc=$(cat /tmp/s7-rc 2>/dev/null)
[[ $rc == 0 ]]; RS=$?; res wizard-exit "phase0 run, typed in the operator's tmux session, completed Steps 0-5 (exit 0)" "phase0 exited ${rc:-?} ($summary)"
[[ $rc == 0 ]] || show_tail "$OUT/s7-tmux.log" 40
[[ $summary =~ confirms=([0-9]+) ]] && ((BASH_REMATCH[1] >= 10)); RS=$?; res confirmations "confirmations typed in the tmux pane: ${BASH_REMATCH[1]:-0}" "only ${BASH_REMATCH[1]:-0} confirmations: $summary"
now_server=$(as_user tmux display-message -p -t work '#{pid}' 2>/dev/null)
[[ -n $work_server && $now_server == "$work_server" ]] && as_user tmux has-session -t work
RS=$?; res wizard-survived "the operator's tmux server (pid $work_server) and session work, where phase0 ran, are still there" "the operator's tmux server $work_server -> ${now_server:-gone}"
agent_server=$(agent_tmux display-message -p -t vybn '#{pid}' 2>/dev/null)
[[ -n $agent_server && $agent_server != "$work_server" ]] && grep -q 'vybn-agent.service' "/proc/$agent_server/cgroup" 2>/dev/null
RS=$?; res agent-own-server "the agent's session lives in the unit's own tmux server (pid $agent_server, socket vybn, in the unit's cgroup)" "agent server ${agent_server:-none} ($(cat "/proc/$agent_server/cgroup" 2>/dev/null))"
grep -q 'tmux -L vybn attach -t vybn' "$OUT/s7-tmux.log"
RS=$?; res attach-shown "the wizard showed the attach command: tmux -L vybn attach -t vybn" "the attach command was not shown"
check_end_state
check_attach
reboot_guest
