#!/bin/bash
# Runs inside the guest from the scenario disk (mounted at /scenario) by the
# image's phase0-scenario.service, once per boot. Sets up, runs scenario.sh,
# then powers off (or reboots, when the scenario asked for it).
SCEN=$(cat /scenario/name)
# shellcheck source=lib.sh
. /scenario/lib.sh
stty -F /dev/ttyS1 raw -echo 2>/dev/null
BOOT=$(($(cat /var/lib/phase0-test/boot 2>/dev/null || echo 0) + 1))
echo "$BOOT" >/var/lib/phase0-test/boot
emit "TIME $SCEN/boot$BOOT-to-scenario $(awk '{ print $1 }' /proc/uptime)"
if [[ ! -x /scenario/phase0 ]]; then
  fail harness "no phase0 binary on the scenario disk"
elif ((BOOT == 1)); then
  install -m 0755 /scenario/phase0 /usr/local/bin/phase0
fi
REBOOT=0
reboot_guest() { REBOOT=1; }
t0=$(now)
wait_system
# shellcheck source=/dev/null
. /scenario/scenario.sh
emit "TIME $SCEN/boot$BOOT-scenario $(elapsed "$t0")"
journalctl -b --no-pager -o short-monotonic >"$OUT/journal-boot$BOOT.log" 2>&1
sync
if ((REBOOT)); then
  emit "INFO $SCEN: rebooting the guest"
  systemctl reboot
else
  emit "END"
  systemctl poweroff
fi
