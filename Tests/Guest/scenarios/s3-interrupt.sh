# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN and RS are read by lib.sh
# Scenario 3: SIGKILL the wizard at several points; each time run it again;
# it resumes and completes, and the end state equals scenario 1's. Open WebUI's
# volume already holds an account (an earlier install), so -y can go past Step 3.
# Boot 2 (after a reboot): the checks from outside.
if ((BOOT == 2)); then
  SCEN=s3-reboot
  check_after_reboot
  return 0
fi
SCEN=s3-interrupt
docker volume create open-webui >/dev/null
echo admin >"$(docker volume inspect -f '{{.Mountpoint}}' open-webui)/users"

# start_wizard LOG: phase0 run --answers -y in the background; sets WPID (phase0 itself).
start_wizard() {
  setpriv --reuid="$OPERATOR" --regid="$OPERATOR" --init-groups env -i "${USER_ENV[@]}" \
    phase0 run --answers /scenario/answers.json -y </dev/null >"$OUT/$1.log" 2>&1 &
  WPID=$!
  WSTART=$(now)
}
in_swaps() { local f _; while read -r f _; do [[ $f == "$1" ]] && return 0; done </proc/swaps; return 1; }
# Kill points: each is a test evaluated as fast as bash can poll.
point_step0() { [[ -e /swapfile ]] && ! in_swaps /swapfile; }
point_step2() { [[ -e /etc/systemd/system/vybn-agent.service ]]; }
point_step3() { compgen -G '/var/lib/docker/containers/*' >/dev/null || pgrep -f 'docker (run|create|pull)' >/dev/null; }

# kill_at NAME WHAT LIMIT: run the wizard until POINT holds, then SIGKILL it.
kill_at() {
  local name=$1 what=$2 limit=$3 hit=0 rc
  start_wizard "kill-$name"
  local t0=$SECONDS
  while kill -0 "$WPID" 2>/dev/null && ((SECONDS - t0 < limit)); do
    if "point_$name"; then
      kill -KILL "$WPID"
      hit=1
      break
    fi
    sleep 0.02
  done
  wait "$WPID"
  rc=$?
  emit "TIME $SCEN/wizard:kill-$name $(elapsed "$WSTART")"
  local where
  where="swapfile=$([[ -e /swapfile ]] && echo present || echo absent),active=$(in_swaps /swapfile && echo yes || echo no)"
  where="$where,unit=$([[ -e /etc/systemd/system/vybn-agent.service ]] && echo installed || echo absent),container=$(inspect '{{.State.Status}}' || echo none)"
  if ((hit)) && ((rc == 137)); then
    pass "kill-$name" "SIGKILL landed $what ($where)"
  else
    fail "kill-$name" "the wizard was not killed $what: it exited $rc before the point was reached ($where)"
    show_tail "$OUT/kill-$name.log" 15
  fi
  as_user phase0 status --json >"$OUT/status-after-$name.json" 2>&1
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT/status-after-$name.json" 2>/dev/null
  RS=$?; res "state-after-$name" "the resume file is intact after the kill (phase0 status --json parses)" "phase0 status --json after the kill: $(head -c 300 "$OUT/status-after-$name.json")"
}

kill_at step0 "inside Step 0, between fallocate and swapon" 600
ino0=$(stat -c %i /swapfile 2>/dev/null)
kill_at step2 "inside Step 2, after the unit file was installed" 900
kill_at step3 "inside Step 3, while the container was being created" 900
wizard resume 900 run --answers /scenario/answers.json -y; rc=$?
((rc == 0)); RS=$?; res wizard-exit "the run after three kills completed (exit 0)" "exit $rc"
((rc == 0)) || show_tail "$OUT/resume.log" 40
ino1=$(stat -c %i /swapfile 2>/dev/null)
[[ -n $ino0 && $ino0 == "$ino1" ]]; RS=$?; res swapfile-kept "the swapfile allocated before the first kill was reused, not re-made (inode $ino0)" "swapfile inode ${ino0:-none} -> ${ino1:-none}"
n=$(docker ps -a --filter name='^/open-webui$' -q | wc -l)
((n == 1)); RS=$?; res one-container "exactly one open-webui container" "$n containers named open-webui"
check_end_state
reboot_guest
