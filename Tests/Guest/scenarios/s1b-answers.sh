# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN and RS are read by lib.sh
# Scenario 1 (answers file + -y): the whole procedure without a terminal. Nobody can
# register Open WebUI's first account during a -y run, so the first run stops before
# Step 4 exposes anything (exit 1, with the SSH tunnel to reach the page); the operator
# registers, runs it again, and it completes. Boot 2 (after a reboot): the checks from outside.
if ((BOOT == 2)); then
  SCEN=s1b-reboot
  check_after_reboot
  return 0
fi
SCEN=s1b-answers
wizard s1b-no-account 1100 run --answers /scenario/answers.json -y; rc=$?
((rc == 1)); RS=$?; res no-account-stops "-y with no Open WebUI account stops before Step 4 (exit 1)" "phase0 exited $rc"
((rc == 1)) || show_tail "$OUT/s1b-no-account.log" 30
grep -q 'ssh -L 3000:127.0.0.1:3000 vybnz69@spark-2b7c' "$OUT/s1b-no-account.log"
RS=$?; res ssh-tunnel-tip "the stop says how to reach the page: ssh -L 3000:127.0.0.1:3000 vybnz69@spark-2b7c" "no ssh -L tip in the output"
served=$(tailscale serve status --json | tr -d ' \n')
[[ $served == '{}' ]]; RS=$?; res not-exposed "tailscale serve was never run: nothing served" "serve config: $served"
config=$(curl -fsS --max-time 5 http://127.0.0.1:3000/api/config 2>&1)
[[ $config == *'"onboarding":true'* ]]; RS=$?; res onboarding "Open WebUI had no account (/api/config says onboarding)" "/api/config: $config"
st3=$(step_status 3) st4=$(step_status 4)
[[ $st3 == failed && $st4 == pending ]]; RS=$?; res steps-stopped "Step 3 $st3 (the first account), Step 4 $st4" "Step 3 $st3, Step 4 $st4"
out=$(register_account 2>&1); RS=$?; res register "the operator registers the first account: $out" "sign-up failed: $out"
again=$(register_account 2>&1)
[[ $again != *admin* ]]; RS=$?; res signup-closed-after "a second sign-up is refused (ENABLE_SIGNUP=False): $again" "a second sign-up got: $again"
wizard s1b 1100 run --answers /scenario/answers.json -y; rc=$?
((rc == 0)); RS=$?; res wizard-exit "phase0 run --answers FILE -y completed once the account existed (exit 0)" "phase0 exited $rc"
((rc == 0)) || show_tail "$OUT/s1b.log" 40
check_end_state
reboot_guest
