# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN is read by lib.sh
# Scenario 1 (answers file + -y): the whole procedure without a terminal.
SCEN=s1b-answers
wizard s1b 1100 run --answers /scenario/answers.json -y; rc=$?
((rc == 0)); RS=$?; res wizard-exit "phase0 run --answers FILE -y completed (exit 0)" "phase0 exited $rc"
((rc == 0)) || show_tail "$OUT/s1b.log" 40
check_end_state
