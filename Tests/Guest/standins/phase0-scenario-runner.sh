#!/bin/bash
# Mounts the scenario disk (second drive, /dev/vdb) that run.sh attaches and
# hands over to its entry.sh. Without a scenario disk this unit does not run.
set -u
mkdir -p /scenario
if ! mountpoint -q /scenario && ! mount /dev/vdb /scenario; then
  echo "FAIL harness -- cannot mount the scenario disk /dev/vdb" >/dev/ttyS1
  echo "END" >/dev/ttyS1
  systemctl poweroff
  exit 0
fi
exec /bin/bash /scenario/entry.sh
