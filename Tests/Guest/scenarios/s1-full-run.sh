# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN is read by lib.sh
# Boot 1: scenario 1 through a pseudo-terminal (real readline, every value at
# its prompt; at "Register the first account" the operator signs up first, as
# through the SSH tunnel the wizard shows), its checks, then scenario 4
# (idempotence) on the same guest. Boot 2 (after a real reboot): scenario 2.
if ((BOOT == 1)); then
  SCEN=s1-full-run
  t=$(now)
  summary=$(python3 /scenario/pty-drive.py "$OUT/s1-pty.log" 1200 \
    --hook "Register the first account" "curl -fsS -X POST -d '{}' http://127.0.0.1:3000/cgi-bin/signup" -- \
    setpriv --reuid="$OPERATOR" --regid="$OPERATOR" --init-groups env -i "${USER_ENV[@]}" phase0 run 2>&1)
  emit "TIME $SCEN/wizard:pty $(elapsed "$t")"
  info "$summary"
  rc=$(sed -n 's/.*exit=\(-\?[0-9]*\).*/\1/p' <<<"$summary")
  [[ $rc == 0 ]]; RS=$?; res wizard-exit "phase0 run on a pseudo-terminal completed (exit 0)" "phase0 exited ${rc:-?}"
  [[ $rc == 0 ]] || show_tail "$OUT/s1-pty.log" 40
  [[ $summary == *editing=ok* ]]; RS=$?; res readline-editing "readline line editing at a prompt (\"es\", Ctrl-A, \"y\" read as \"yes\")" "line editing not honoured: $summary"
  [[ $summary =~ confirms=([0-9]+) ]] && ((BASH_REMATCH[1] >= 5)); RS=$?; res pty-confirmations "confirmations answered at the terminal: ${BASH_REMATCH[1]:-0}" "only ${BASH_REMATCH[1]:-0} confirmations were asked on the terminal"
  check_end_state

  SCEN=s4-idempotence
  snapshot() {
    sha256sum /etc/fstab /etc/fstab?* /etc/systemd/system/vybn-agent.service /etc/sysctl.conf \
      /etc/sysctl.d/* /var/lib/tailscale-standin/serve.json 2>/dev/null
    stat -c 'swapfile %i %Y %Z %s' /swapfile
    tail -n +2 /proc/swaps | awk '{ print "swap", $1, $3 }'
    echo "agent $(unit_prop vybn-agent.service InvocationID) $(unit_prop vybn-agent.service NRestarts) $(unit_prop vybn-agent.service ExecMainStartTimestampMonotonic)"
    echo "ollama $(unit_prop ollama.service InvocationID)"
    echo "tmux $(agent_tmux display-message -p -t vybn '#{pid} #{session_created}' 2>/dev/null)"
    echo "container $(inspect '{{.Id}} {{.State.StartedAt}} {{.RestartCount}}')"
    echo "containers $(docker ps -aq | sort | paste -sd,)"
    echo "swappiness $(cat /proc/sys/vm/swappiness)"
    echo "mosh $(dpkg-query -W -f '${Version}' mosh 2>/dev/null)"
  }
  snapshot >"$OUT/s4-before"
  since=$(date '+%Y-%m-%d %H:%M:%S')
  sleep 1
  wizard s4 600 run --answers /scenario/answers.json -y; rc=$?
  ((rc == 0)); RS=$?; res wizard-exit "the second run of the completed wizard exits 0" "exit $rc"
  ((rc == 0)) || show_tail "$OUT/s4.log" 30
  snapshot >"$OUT/s4-after"
  if diff "$OUT/s4-before" "$OUT/s4-after" >"$OUT/s4-diff"; then
    pass unchanged "files byte-identical, no service/container/tmux restarted, swap unchanged"
  else
    fail unchanged "the second run changed: $(grep '^[<>]' "$OUT/s4-diff" | cut -c1-120 | paste -sd'|')"
  fi
  journalctl --since "$since" _COMM=sudo --no-pager -o cat 2>/dev/null | sed -n 's/.*COMMAND=//p' >"$OUT/s4-sudo"
  effect=$(grep -E '(fallocate|mkswap|swapon|chmod|tee|sed |cp |install |mv |daemon-reload|systemctl (start|restart|enable|stop)|docker (run|rm|stop|start|create)|serve --bg|apt-get install|apt install|ufw allow|sysctl -w|sysctl vm)' "$OUT/s4-sudo" | paste -sd'|')
  [[ -z $effect ]]; RS=$?; res no-effect-commands "no command with an effect ran through sudo ($(wc -l <"$OUT/s4-sudo") read-only sudo commands)" "commands with effects ran: $effect"
  check_steps_done
  reboot_guest
else
  SCEN=s2-reboot
  check_after_reboot
fi
