# shellcheck shell=bash
# shellcheck disable=SC2034  # SCEN is read by lib.sh
# Scenario 9: `phase0 undo all`. Boot 1: the wizard (--answers -y), then `undo all -y`: what
# phase0 made is gone at once, except the swapfile in use (never swapoff). Boot 2, after a real
# reboot: the machine is back as it was (fstab, sysctl, units, containers, serve config, mosh),
# `undo 0` removes the swapfile no longer in use, and a new run reaches the usual end state
# (Open WebUI's owner survives in the kept volume, so the new run may serve it again).
BEFORE=/var/lib/phase0-test/before
facts() { # what "as it was" means here
  echo "fstab $(sha256sum /etc/fstab | cut -c1-16)"
  echo "swappiness-config $(cat /etc/sysctl.d/*.conf /etc/sysctl.conf 2>/dev/null | grep -c swappiness)"
  echo "unit $(systemctl show -P LoadState vybn-agent.service)"
  echo "containers $(docker ps -aq | wc -l)"
  echo "serve $(tailscale serve status --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin) or {}, sort_keys=True))')"
  echo "mosh $(dpkg-query -W -f '${Status}' mosh 2>/dev/null | tr ' ' _)"
  echo "docker-enabled $(systemctl is-enabled docker.service)"
}
if ((BOOT == 1)); then
  facts >"$BEFORE"
  echo "vm.swappiness $(cat /proc/sys/vm/swappiness)" >>"$BEFORE"
  SCEN=s9-undo-first
  # A -y run stops at Step 3 until Open WebUI has its owner (issue 9); the operator
  # registers and runs again. The account lives in the volume, which undo keeps.
  wizard s9-no-account 1100 run --answers /scenario/answers.json -y; rc=$?
  ((rc == 1)); RS=$?; res no-account-stops "-y with no Open WebUI account stops at Step 3 (exit 1)" "phase0 exited $rc"
  out=$(register_account 2>&1); RS=$?; res register "the operator registers the first account: $out" "sign-up failed: $out"
  wizard s9-run 1100 run --answers /scenario/answers.json -y; rc=$?
  ((rc == 0)); RS=$?; res wizard-exit "phase0 run --answers FILE -y completed (exit 0)" "phase0 exited $rc"
  emit_state
  SCEN=s9-undo
  since=$(date '+%Y-%m-%d %H:%M:%S')
  sleep 1
  wizard s9-undo-all 900 undo all -y; rc=$?
  ((rc == 0)); RS=$?; res undo-exit "phase0 undo all -y completed (exit 0)" "phase0 undo all exited $rc"
  ((rc == 0)) || show_tail "$OUT/s9-undo-all.log" 40
  [[ $(sha256sum /etc/fstab | cut -c1-16) == $(sha256sum /scenario/fstab.orig | cut -c1-16) ]]; RS=$?
  res fstab-restored "/etc/fstab is byte for byte the original" "/etc/fstab differs from the original: $(grep -n swap /etc/fstab | paste -sd'|')"
  [[ ! -e /etc/sysctl.d/99-phase0-swappiness.conf && ! -e /etc/systemd/system/vybn-agent.service ]]; RS=$?
  res files-set-aside "the sysctl drop-in and the unit file are set aside" "still there: $(ls /etc/sysctl.d/99-phase0-swappiness.conf /etc/systemd/system/vybn-agent.service 2>/dev/null)"
  [[ $(systemctl show -P LoadState vybn-agent.service) == not-found ]]; RS=$?
  res unit-gone "systemd forgot vybn-agent.service" "LoadState=$(systemctl show -P LoadState vybn-agent.service), $(systemctl is-active vybn-agent.service)"
  [[ -z $(docker ps -aq) ]] && docker volume inspect open-webui >/dev/null 2>&1; RS=$?
  res container-gone "no container; the volume open-webui is kept (no --purge)" "containers: $(docker ps -a --format '{{.Names}}' | paste -sd,), volume: $(docker volume ls -q | paste -sd,)"
  s=$(tailscale serve status --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin) or {}))')
  [[ $s == "{}" ]]; RS=$?; res serve-gone "the Serve configuration phase0 made is gone" "serve status: $s"
  dpkg-query -W -f '${Status}' mosh 2>/dev/null | grep -q 'install ok installed'; RS=$((1 - $?))
  res mosh-removed "mosh, which phase0 installed, is removed" "mosh still installed"
  swap_active /swapfile && grep -q 'stays active until the next reboot' "$OUT/s9-undo-all.log"; RS=$?
  res swapfile-deferred "/swapfile stays active until the next reboot, and undo says so (never swapoff)" "swapfile active: $(swap_active /swapfile && echo yes || echo no)"
  n=$(journalctl --since "$since" _COMM=sudo --no-pager -o cat 2>/dev/null | grep -c 'COMMAND=.*swapoff')
  [[ $n == 0 ]]; RS=$?; res no-swapoff "no swapoff ran" "$n swapoff commands ran"
  st=$(for n in 0 1 2 3 4 5; do step_status "$n"; done | paste -sd,)
  [[ $st == pending,pending,pending,pending,pending,pending ]]; RS=$?; res steps-pending "phase0 status: steps 0-5 pending again" "steps: $st"
  reboot_guest
else
  SCEN=s9-undo-reboot
  facts >"$OUT/after-undo"
  d=$(diff <(grep -v '^vm.swappiness' "$BEFORE") "$OUT/after-undo" | grep '^[<>]' | paste -sd'|')
  [[ -z $d ]]; RS=$?; res back-as-it-was "after the reboot: fstab, sysctl config, units, containers, serve config, mosh and docker as before phase0" "differs: $d"
  sw=$(cat /proc/sys/vm/swappiness)
  [[ "vm.swappiness $sw" == "$(grep '^vm.swappiness' "$BEFORE")" ]]; RS=$?; res swappiness-back "vm.swappiness is $sw again" "vm.swappiness $sw, before: $(grep '^vm.swappiness' "$BEFORE")"
  swap_active /swap.img && ! swap_active /swapfile; RS=$?
  res swap-back "/swap.img active again, /swapfile no longer in use" "$(tail -n +2 /proc/swaps | awk '{print $1}' | paste -sd,)"
  wizard s9-undo-0 300 undo 0 -y; rc=$?
  [[ $rc == 0 && ! -e /swapfile ]]; RS=$?; res swapfile-removed "phase0 undo 0 removed /swapfile once it was no longer in use" "exit $rc, /swapfile $(ls -l /swapfile 2>&1)"
  # The guest's own test plumbing is named phase0-* too (initramfs hook, firstboot and scenario units).
  left=$(find /etc -name '*phase0*' ! -name '*.phase0-backup.*' ! -path '/etc/initramfs-tools/*' \
    ! -name 'phase0-firstboot.service' ! -name 'phase0-scenario.service' 2>/dev/null)
  [[ -z $left ]]; RS=$?; res nothing-left "nothing of phase0 is left but its backups (and its resume file and transcript)" "left: $(paste -sd' ' <<<"$left")"
  SCEN=s9-undo-redo
  wizard s9-redo 1100 run --answers /scenario/answers.json -y; rc=$?
  ((rc == 0)); RS=$?; res wizard-exit "a new run after undo all completed (exit 0)" "phase0 exited $rc"
  ((rc == 0)) || show_tail "$OUT/s9-redo.log" 40
  check_end_state
fi
