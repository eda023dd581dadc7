# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN is read by lib.sh
# Scenario 8: `phase0 export ansible` (the suite's answers), the playbook run by Debian's
# ansible-core with a local connection in a fresh guest, then checked from outside exactly as
# the wizard's run is (scenario 1's checks; the same end state, compared by run.sh); a second
# run reports changed=0. Boot 2, after a real reboot: scenario 2's checks.
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
  playbook ansible-run1; rc=$?
  ((rc == 0)); RS=$?; res playbook-exit "the exported playbook ran to its end (exit 0): $(recap ansible-run1)" "ansible-playbook exited $rc: $(recap ansible-run1)"
  ((rc == 0)) || show_tail "$OUT/ansible-run1.log" 40
  check_end_state
  playbook ansible-run2; rc=$?
  r=$(recap ansible-run2)
  [[ $rc == 0 && $r == *" changed=0 "* && $r == *" failed=0 "* ]]; RS=$?
  res second-run-unchanged "a second run changes nothing: $r" "second run: exit $rc, $r; changed: $(grep -E '^changed:' "$OUT/ansible-run2.log" | paste -sd'|' | cut -c1-300)"
  reboot_guest
else
  SCEN=s8-ansible-reboot
  check_after_reboot
fi
