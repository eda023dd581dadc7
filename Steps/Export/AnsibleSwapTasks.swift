import Phase0Core
import Phase0Parsers

/// Step 0 of the playbook. Every assert comes before the first task that changes anything, so a
/// refusal leaves the machine as it was. The 64G rule counts what survives a reboot: the fstab
/// swap entries that stay (every one but /swap.img, which Step 0 retires) at their active sizes,
/// plus the swapfile (at its own size when it exists already: it is never grown or swapoff'd).
enum AnsibleSwapTasks {
    static let text = reads + checks + swappinessChecks + swapChanges + swappinessChanges + fstabChanges + after

    static let reads = #"""
            - name: Step 0 | read the swap areas (/proc/swaps)
              ansible.builtin.slurp:
                src: /proc/swaps
              register: phase0_proc_swaps
            - name: Step 0 | read the swap entries of /etc/fstab
              ansible.builtin.command:
                argv: [findmnt, --fstab, --types, swap, --noheadings, --output, SOURCE, --list]
              register: phase0_fstab_swaps
              changed_when: false
              failed_when: phase0_fstab_swaps.rc not in [0, 1]
              check_mode: false
            - name: Step 0 | the swap that survives a reboot, as planned
              ansible.builtin.set_fact:
                phase0_rows: "{{ (phase0_proc_swaps.content | b64decode).splitlines()[1:] | map('split') | list }}"
                phase0_kept: "{{ phase0_fstab_swaps.stdout_lines | reject('in', phase0_retire + [phase0_swapfile]) | list }}"
            - name: Step 0 | sizes of the active swap areas (KiB)
              ansible.builtin.set_fact:
                phase0_active: "{{ dict(phase0_rows | map(attribute='0') | zip(phase0_rows | map(attribute='2') | map('int'))) }}"
            - name: Step 0 | look at the swapfile
              ansible.builtin.stat:
                path: "{{ phase0_swapfile }}"
                get_checksum: false
              register: phase0_swapfile_stat
            - name: Step 0 | read the swapfile's signature
              ansible.builtin.command:
                argv: [blkid, -p, -o, value, -s, TYPE, "{{ phase0_swapfile }}"]
              register: phase0_swapfile_type
              changed_when: false
              failed_when: false
              check_mode: false
              when: phase0_swapfile_stat.stat.exists

        """#

    static let checks = #"""
            - name: Step 0 | the 64G rule, before the swap tasks (what survives a reboot)
              ansible.builtin.assert:
                that:
                  - phase0_planned_kib | int >= phase0_gate_kib - phase0_header_allowance_kib * (phase0_kept | length + 1)
                fail_msg: >-
                  After a reboot this machine would have {{ phase0_planned_kib }} KiB of swap: the kept fstab entries
                  {{ phase0_kept }} plus {{ phase0_swapfile }} ({{ phase0_swapfile_kib }} KiB), under the 64G rule. An existing
                  swapfile is kept at its size (swap in use is never turned off): choose another path for an additional swapfile, sized so the
                  total reaches 64G. Nothing was changed.
                quiet: true
              vars:
                phase0_swapfile_kib: >-
                  {{ phase0_active[phase0_swapfile] if phase0_swapfile in phase0_active else
                  (phase0_swapfile_stat.stat.size // 1024 - 4 if phase0_swapfile_stat.stat.exists else phase0_swap_kib) }}
                phase0_planned_kib: "{{ (phase0_kept | select('in', phase0_active) | map('extract', phase0_active) | sum) + phase0_swapfile_kib | int }}"
            - name: Step 0 | never overwrite a file phase0 did not make
              ansible.builtin.assert:
                that:
                  - not phase0_swapfile_stat.stat.exists or phase0_swapfile in phase0_active or phase0_swapfile_type.stdout | default('') | trim == 'swap'
                fail_msg: "{{ phase0_swapfile }} exists and is not a swap area: move it aside or choose another swapfile path. Nothing was changed."
                quiet: true
            - name: Step 0 | read the filesystem that holds the swapfile
              ansible.builtin.command:
                argv: [findmnt, -bno, "FSTYPE,AVAIL", -T, "{{ phase0_swapfile_dir }}"]
              register: phase0_swap_fs
              changed_when: false
              check_mode: false
            - name: Step 0 | the filesystem can hold the swapfile
              ansible.builtin.assert:
                that:
                  - phase0_swap_fs.stdout.split()[0] in phase0_filesystems
                  - phase0_swapfile_stat.stat.exists or phase0_swap_fs.stdout.split()[1] | int >= phase0_swap_bytes + phase0_free_margin_bytes
                fail_msg: >-
                  {{ phase0_swapfile_dir }} is on {{ phase0_swap_fs.stdout }} (type, free bytes): a swapfile needs ext4, xfs or btrfs
                  and {{ phase0_swap_size }} plus a 4G margin free. Nothing was changed.
                quiet: true
            - name: Step 0 | at most one active swapfile entry in /etc/fstab
              ansible.builtin.assert:
                that:
                  - phase0_fstab_swaps.stdout_lines | select('equalto', phase0_swapfile) | list | length <= 1
                fail_msg: "/etc/fstab has several active {{ phase0_swapfile }} entries; run phase0 (it keeps exactly one) or fix it by hand. Nothing was changed."
                quiet: true

        """#

    /// What the next boot applies (FACTS B3, SysctlBoot): systemd-sysctl reads the *.conf files
    /// of its directories, a name in a higher directory hiding the same name below, sorted by
    /// name byte-wise; the last vm.swappiness wins. phase0's drop-in sorts after Debian's
    /// 99-sysctl.conf link, so only a file that sorts after it can undo it. The wizard edits such
    /// a file (with a diff and a backup); the playbook refuses and says what to do. The files are
    /// listed directory by directory in precedence order, so the first path with a name is the
    /// one systemd-sysctl reads.
    static let swappinessChecks = #"""
            - name: Step 0 | look at the sysctl drop-in
              ansible.builtin.stat:
                path: "{{ phase0_sysctl_dropin }}"
                get_checksum: false
              register: phase0_dropin_stat
            - name: Step 0 | read the sysctl drop-in
              ansible.builtin.slurp:
                src: "{{ phase0_sysctl_dropin }}"
              register: phase0_dropin_now
              when: phase0_dropin_stat.stat.exists
            - name: Step 0 | never overwrite a drop-in phase0 did not write
              ansible.builtin.assert:
                that:
                  - not phase0_dropin_stat.stat.exists or (phase0_dropin_now.content | b64decode).startswith(phase0_marker)
                fail_msg: "{{ phase0_sysctl_dropin }} exists and was not written by phase0; move it aside first. Nothing was changed."
                quiet: true
            - name: Step 0 | the sysctl.d files the next boot reads (systemd-sysctl's directories, highest first)
              ansible.builtin.find:
                paths: "{{ item }}"
                patterns: "*.conf"
                file_type: any
              loop: "{{ phase0_sysctl_dirs }}"
              register: phase0_sysctl_found
            - name: Step 0 | those files, in precedence order
              ansible.builtin.set_fact:
                phase0_sysctl_paths: "{{ phase0_sysctl_found.results | map(attribute='files') | flatten | rejectattr('isdir') | map(attribute='path') | list }}"
            - name: Step 0 | read the files that sort after phase0's drop-in (a name in a higher directory hides the same name below)
              ansible.builtin.slurp:
                src: "{{ item }}"
              loop: "{{ phase0_sysctl_paths }}"
              register: phase0_sysctl_later
              when:
                - item | basename > phase0_sysctl_dropin_name
                - phase0_sysctl_paths | select('search', '/' ~ (item | basename | regex_escape) ~ '$') | first == item
            - name: Step 0 | no sysctl file read after phase0's drop-in sets vm.swappiness (it would win at every boot)
              ansible.builtin.assert:
                that:
                  - not (item.content | b64decode is search('(?m)^[ \t]*-?[ \t]*vm[./]swappiness[ \t]*='))
                fail_msg: >-
                  {{ item.item }} sets vm.swappiness and is read after {{ phase0_sysctl_dropin }} at boot, so its value would win
                  over {{ phase0_swappiness }}. Comment out its vm.swappiness line (for a file outside /etc/sysctl.d, put an edited copy
                  of the same name in /etc/sysctl.d), or run phase0, which does it with a backup; then run the playbook again.
                  Nothing was changed.
                quiet: true
              loop: "{{ phase0_sysctl_later.results | selectattr('content', 'defined') | list }}"
              loop_control:
                label: "{{ item.item }}"

        """#

    static let swapChanges = #"""
            - name: Step 0 | btrfs - an empty file without copy-on-write first
              ansible.builtin.command:
                argv: [truncate, -s, "0", "{{ phase0_swapfile }}"]
              changed_when: true
              when: not phase0_swapfile_stat.stat.exists and phase0_swap_fs.stdout.split()[0] == 'btrfs'
            - name: Step 0 | btrfs - no copy-on-write
              ansible.builtin.command:
                argv: [chattr, +C, "{{ phase0_swapfile }}"]
              changed_when: true
              when: not phase0_swapfile_stat.stat.exists and phase0_swap_fs.stdout.split()[0] == 'btrfs'
            - name: Step 0 | allocate the swapfile
              ansible.builtin.command:
                argv: [fallocate, -l, "{{ phase0_swap_size }}", "{{ phase0_swapfile }}"]
              changed_when: true
              when: not phase0_swapfile_stat.stat.exists
            - name: Step 0 | make the swapfile readable by root only
              ansible.builtin.file:
                path: "{{ phase0_swapfile }}"
                owner: root
                group: root
                mode: "0600"
            - name: Step 0 | write the swap signature (never on a swap area in use)
              ansible.builtin.command:
                argv: [mkswap, "{{ phase0_swapfile }}"]
              changed_when: true
              when: phase0_swapfile not in phase0_active and phase0_swapfile_type.stdout | default('') | trim != 'swap'
            - name: Step 0 | turn the swapfile on (the old swap stays on - never swapoff)
              ansible.builtin.command:
                argv: [swapon, "{{ phase0_swapfile }}"]
              changed_when: true
              when: phase0_swapfile not in phase0_active

        """#

    /// phase0's earlier drop-in (99-phase0-…) sorted before 99-sysctl.conf, so /etc/sysctl.conf
    /// won at boot; as the wizard does, it is moved aside (a name not ending in .conf, which
    /// systemd-sysctl does not read), and only when phase0 wrote it.
    static let swappinessChanges = #"""
            - name: Step 0 | read vm.swappiness
              ansible.builtin.slurp:
                src: /proc/sys/vm/swappiness
              register: phase0_swappiness_now
            - name: Step 0 | lower swappiness now
              ansible.builtin.command:
                argv: [sysctl, -w, "vm.swappiness={{ phase0_swappiness }}"]
              changed_when: true
              when: phase0_swappiness_now.content | b64decode | trim != phase0_swappiness
            - name: Step 0 | keep swappiness after reboot (sysctl.d drop-in, read after 99-sysctl.conf)
              ansible.builtin.copy:
                src: "{{ phase0_sysctl_dropin_src }}"
                dest: "{{ phase0_sysctl_dropin }}"
                owner: root
                group: root
                mode: "0644"
                backup: true
            - name: Step 0 | look at phase0's earlier drop-in
              ansible.builtin.stat:
                path: "{{ phase0_sysctl_old_dropin }}"
                get_checksum: false
              register: phase0_old_dropin_stat
            - name: Step 0 | read phase0's earlier drop-in
              ansible.builtin.slurp:
                src: "{{ phase0_sysctl_old_dropin }}"
              register: phase0_old_dropin_now
              when: phase0_old_dropin_stat.stat.exists
            - name: Step 0 | retire phase0's earlier drop-in (it sorted before 99-sysctl.conf; moved aside as a backup)
              ansible.builtin.command:
                argv: [mv, --no-clobber, "{{ phase0_sysctl_old_dropin }}", "{{ phase0_sysctl_old_dropin }}.phase0-backup.{{ now(fmt='%Y%m%d%H%M%S') }}"]
              changed_when: true
              when: phase0_old_dropin_stat.stat.exists and (phase0_old_dropin_now.content | b64decode).startswith(phase0_marker)

        """#

    static let fstabChanges = #"""
            - name: Step 0 | retire the old swap in /etc/fstab (commented out; it stays active until the next reboot)
              ansible.builtin.replace:
                path: /etc/fstab
                regexp: "^([ \\t]*{{ item | regex_escape }}[ \\t].*)$"
                replace: "#\\1"
                backup: true
                validate: findmnt --verify --tab-file %s
              loop: "{{ phase0_retire | reject('equalto', phase0_swapfile) | list }}"
            - name: Step 0 | keep the swapfile after reboot (/etc/fstab)
              ansible.builtin.lineinfile:
                path: /etc/fstab
                line: "{{ phase0_fstab_line }}"
                insertafter: EOF
                backup: true
                validate: findmnt --verify --tab-file %s
              when: phase0_swapfile not in phase0_fstab_swaps.stdout_lines

        """#

    static let after = #"""
            - name: Step 0 | read the swap areas again
              ansible.builtin.slurp:
                src: /proc/swaps
              register: phase0_proc_swaps_after
            - name: Step 0 | read the swap entries of /etc/fstab again
              ansible.builtin.command:
                argv: [findmnt, --fstab, --types, swap, --noheadings, --output, SOURCE, --list]
              register: phase0_fstab_after
              changed_when: false
              failed_when: phase0_fstab_after.rc not in [0, 1]
              check_mode: false
            - name: Step 0 | the swap areas now
              ansible.builtin.set_fact:
                phase0_rows_after: "{{ (phase0_proc_swaps_after.content | b64decode).splitlines()[1:] | map('split') | list }}"
            - name: Step 0 | the 64G rule, after the swap tasks (now, and after a reboot)
              ansible.builtin.assert:
                that:
                  - phase0_rows_after | map(attribute='2') | map('int') | sum >= phase0_gate_kib - phase0_header_allowance_kib * (phase0_rows_after | length)
                  - phase0_reboot_kib | int >= phase0_gate_kib - phase0_header_allowance_kib * (phase0_fstab_after.stdout_lines | length)
                fail_msg: >-
                  The 64G swap rule does not hold: {{ phase0_rows_after | map(attribute='2') | map('int') | sum }} KiB active now,
                  {{ phase0_reboot_kib }} KiB from the fstab entries {{ phase0_fstab_after.stdout_lines }} after a reboot.
                  Nothing past Step 0 runs with less than 64G of swap.
                quiet: true
              vars:
                phase0_active_after: "{{ dict(phase0_rows_after | map(attribute='0') | zip(phase0_rows_after | map(attribute='2') | map('int'))) }}"
                phase0_reboot_kib: "{{ phase0_fstab_after.stdout_lines | select('in', phase0_active_after) | map('extract', phase0_active_after) | sum }}"

        """#
}
