# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN and RS are read by lib.sh
# Scenario 5: a disk that cannot hold the swapfile. The wizard explains, stops
# at the gate with exit 3, and Step 1 never starts.
SCEN=s5-gate
fallocate -l 100G /var/tmp/phase0-disk-filler
avail=$(df --output=avail -B1G / | tail -n1 | tr -d ' ')
info "root file system: ${avail}G available (a 128G swapfile does not fit)"
fstab0=$(sha256sum </etc/fstab)
swaps0=$(tail -n +2 /proc/swaps | awk '{ print $1 }' | paste -sd,)
wizard gate 600 run --answers /scenario/answers.json -y; rc=$?
((rc == 3)); RS=$?; res exit-3 "the wizard stopped at the swap gate (exit 3)" "exit $rc, expected 3"
show_tail "$OUT/gate.log" 12
grep -Eqi '64 ?G|gate' "$OUT/gate.log" && grep -Eqi 'space|free|fit|room' "$OUT/gate.log"
RS=$?; res explains "the output names the 64 GB gate and the lack of disk space" "no explanation of the gate and the free space in the output"
[[ ! -e /swapfile ]]; RS=$?; res no-swapfile "no /swapfile was allocated" "/swapfile exists ($(stat -c %s /swapfile 2>/dev/null) bytes)"
[[ $(sha256sum </etc/fstab) == "$fstab0" ]]; RS=$?; res fstab-untouched "/etc/fstab unchanged" "/etc/fstab changed: $(grep -n swap /etc/fstab | paste -sd'|')"
[[ $(tail -n +2 /proc/swaps | awk '{ print $1 }' | paste -sd,) == "$swaps0" ]]; RS=$?; res swaps-untouched "swap areas unchanged ($swaps0)" "swap areas now $(tail -n +2 /proc/swaps | awk '{ print $1 }' | paste -sd,)"
st0=$(step_status 0) st1=$(step_status 1)
[[ $st0 != "done" && $st0 != skipped && $st0 != absent && $st0 != unreadable ]]; RS=$?; res step0-not-done "Step 0 is '$st0', not done" "Step 0 status '$st0'"
[[ $st1 == pending ]]; RS=$?; res step1-never-started "Step 1 is pending (never started)" "Step 1 status '$st1'"
! dpkg -s mosh >/dev/null 2>&1 && [[ ! -e /etc/systemd/system/vybn-agent.service ]] && ! docker inspect open-webui >/dev/null 2>&1
RS=$?; res nothing-after-gate "nothing from Steps 1-4 happened (no mosh, no unit, no container)" "something past the gate ran"
wizard gate-again 600 run --answers /scenario/answers.json -y; rc=$?
((rc == 3)); RS=$?; res exit-3-again "run again, it stops at the gate again (exit 3)" "second run exit $rc"
rm -f /var/tmp/phase0-disk-filler
