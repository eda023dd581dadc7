# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN is read by lib.sh
# Scenario 8: `phase0 export ansible` (the suite's answers), the playbook run by Debian's
# ansible-core with a local connection in a fresh guest, while the operator has their own tmux
# server open on the default socket (Step 2 looks only at the agent's socket, tmux -L vybn, and
# stops no tmux). The first run stops before Serve: Open WebUI has no account yet (issue 9:
# never exposed before someone owns it), nothing is served, and the assert says how to register
# through an SSH tunnel. The operator registers the first account; the second run goes to the
# end and is checked from outside exactly as the wizard's run is (scenario 1's checks; the same
# end state, compared by run.sh); a third run reports changed=0. Boot 2, after a real reboot:
# scenario 2's checks.
SCEN=s8-ansible
NO_WIZARD_RECORDS=1
PB=/var/lib/phase0-test/playbook
playbook() { # playbook LOG: ansible-playbook as root with a local connection; its status
  local t0 rc=0
  t0=$(now)
  # ansible-core refuses to run without a UTF-8 locale; the scenario unit's environment has none.
  # Pipelining: one process per task instead of a temporary file, chmod and cleanup each (TCG is slow).
  (cd "$PB" && timeout --kill-after=10 1200 env LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=/root ANSIBLE_NOCOLOR=1 ANSIBLE_PIPELINING=True \
    ansible-playbook -i inventory.ini playbook.yml) >"$OUT/$1.log" 2>&1 || rc=$?
  emit "TIME $SCEN/$1 $(elapsed "$t0")"
  return "$rc"
}
recap() { grep -E '^localhost +:' "$OUT/$1.log" | tail -n1 | tr -s ' '; }
if ((BOOT == 1)); then
  rm -rf "$PB"
  as_user phase0 export ansible /tmp/phase0-playbook --answers /scenario/answers.json >"$OUT/export.log" 2>&1; rc=$?
  ((rc == 0)); RS=$?; res export "phase0 export ansible --answers answers.json wrote the playbook" "export exited $rc: $(tail -n3 "$OUT/export.log" | paste -sd' ')"
  cp -r /tmp/phase0-playbook "$PB" && cp -r "$PB" "$OUT/playbook"
  printf '[sparks]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n' >"$PB/inventory.ini"
  info "$(LANG=C.UTF-8 ansible-playbook --version | head -n1)"
  # The operator's own tmux, on the default socket, as README advises running phase0 in it.
  as_user tmux new-session -d -s mine -x 120 -y 40
  own_server=$(as_user tmux display-message -p -t mine '#{pid}' 2>/dev/null)
  playbook ansible-no-account; rc=$?
  r=$(recap ansible-no-account)
  [[ $rc == 2 && $r == *" failed=1 "* ]] && grep -q 'TASK \[Step 4 | never expose Open WebUI before someone owns it' "$OUT/ansible-no-account.log" &&
    grep -A3 'never expose Open WebUI before someone owns it' "$OUT/ansible-no-account.log" | grep -q 'FAILED!'
  RS=$?; res no-account-stops "with no Open WebUI account the playbook stops at the owner check before Serve (exit $rc): $r" "exit $rc, $r"
  ((RS == 0)) || show_tail "$OUT/ansible-no-account.log" 30
  grep -q 'ssh -L 3000:127.0.0.1:3000 vybnz69@.*run the playbook again. Nothing was served' "$OUT/ansible-no-account.log"
  RS=$?; res ssh-tunnel-tip "the assert says how to register (ssh -L 3000:127.0.0.1:3000 vybnz69@...) and to run again" "no ssh -L tip in the failed assert"
  served=$(tailscale serve status --json | tr -d ' \n')
  [[ $served == '{}' ]]; RS=$?; res not-exposed "tailscale serve was never run: nothing served ($served)" "serve config: $served"
  config=$(curl -fsS --max-time 5 http://127.0.0.1:3000/api/config 2>&1)
  [[ $config == *'"onboarding":true'* ]]; RS=$?; res onboarding "Open WebUI had no account (/api/config says onboarding)" "/api/config: $config"
  out=$(register_account 2>&1); RS=$?; res register "the operator registers the first account: $out" "sign-up failed: $out"
  again=$(register_account 2>&1)
  [[ $again != *admin* ]]; RS=$?; res signup-closed-after "a second sign-up is refused (ENABLE_SIGNUP=False): $again" "a second sign-up got: $again"
  playbook ansible-run1; rc=$?
  ((rc == 0)); RS=$?; res playbook-exit "once the account existed the exported playbook ran to its end (exit 0): $(recap ansible-run1)" "ansible-playbook exited $rc: $(recap ansible-run1)"
  ((rc == 0)) || show_tail "$OUT/ansible-run1.log" 40
  check_end_state
  playbook ansible-run2; rc=$?
  r=$(recap ansible-run2)
  [[ $rc == 0 && $r == *" changed=0 "* && $r == *" failed=0 "* ]]; RS=$?
  res second-run-unchanged "a further run changes nothing: $r" "further run: exit $rc, $r; changed: $(grep -E '^changed:' "$OUT/ansible-run2.log" | paste -sd'|' | cut -c1-300)"
  now_server=$(as_user tmux display-message -p -t mine '#{pid}' 2>/dev/null)
  [[ -n $own_server && $now_server == "$own_server" ]] && as_user tmux has-session -t mine
  RS=$?; res own-tmux-kept "the operator's own tmux server (pid $own_server, default socket) and session survived three runs" "the operator's tmux server $own_server -> ${now_server:-gone}"
  reboot_guest
else
  SCEN=s8-ansible-reboot
  check_after_reboot
fi
