import Phase0Core
import Phase0Parsers

/// The playbook's text. Every value phase0 resolved is in `vars:` (quoted by YAML.swift,
/// `!unsafe` where it holds Jinja delimiters); the tasks only refer to those variables, so no
/// answer is ever spliced into a task, a command line or a Jinja expression.
enum AnsiblePlaybook {
    static func text(_ v: AnsibleValues) -> String {
        let header =
            [
                "Phase 0 (\"Make Vybn Always-On\"), Steps 0-4, as an Ansible playbook. Written by `phase0 export ansible`",
                "from the answers phase0 resolved and the files it renders from Templates/ (see files/ and README.md).",
                "Do not edit values here: change phase0's answers and export again, so the wizard and this cannot drift.",
                "ansible.builtin modules only. A second run reports changed=0.",
                "",
                "Open WebUI's network, as phase0 chose it on the machine it was exported from:",
            ] + wrapped(v.networkReason, indent: "  ", width: 110).split(separator: "\n").map(String.init)
        let play =
            "- name: Phase 0, make Vybn always-on (Steps 0-4)\n  hosts: sparks\n  become: true\n  gather_facts: false\n"
            + "  vars:\n" + vars(v).lines(indent: 4).joined(separator: "\n") + "\n"
            + "  handlers:\n" + handlers + "  tasks:\n" + swapTasks + AnsibleServiceTasks.text(v)
        return header.map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n") + "\n---\n" + play
    }

    static func vars(_ v: AnsibleValues) -> YAML {
        let pairs: [(String, YAML)] = [
            ("phase0_swapfile", .text(v.swapfile)),
            ("phase0_swapfile_dir", .text(v.swapfileDirectory)),
            ("phase0_swap_size", .text(v.swapSize)),
            ("phase0_swap_bytes", .plain(String(v.swapBytes))),
            ("phase0_swap_kib", .plain(String(v.swapfileKiB))),
            ("phase0_gate_kib", .plain(String(SwapGate.requiredKiB))),
            ("phase0_header_allowance_kib", .plain(String(SwapGate.headerAllowanceKiB))),
            ("phase0_free_margin_bytes", .plain(String(SwapStep.freeSpaceMarginBytes))),
            ("phase0_filesystems", .strings(SwapStep.supportedFilesystems)),
            ("phase0_retire", .strings(["/swap.img"])),
            ("phase0_fstab_line", .text(Fstab.entryLine(swapfile: v.swapfile))),
            ("phase0_swappiness", .text(v.swappiness)),
            ("phase0_sysctl_dropin", .text(SwappinessActions.dropInPath)),
            ("phase0_sysctl_dropin_src", .text("files/" + v.dropInName)),
            ("phase0_marker", .text(SetAside.marker)),
            ("phase0_install_mosh", .plain(v.installMosh ? "true" : "false")),
            ("phase0_mosh_rule", .text(MoshStep.udpRule)),
            ("phase0_user", .text(v.unit.user)),
            ("phase0_agent_dir", .text(v.unit.agentDir)),
            ("phase0_venv_python", .text(v.unit.venvPython)),
            ("phase0_tmux", .text(v.unit.tmuxPath)),
            ("phase0_curl", .text(v.unit.curlPath)),
            ("phase0_unit_name", .text(v.unit.unitName)),
            ("phase0_unit_path", .text(v.unit.unitPath)),
            ("phase0_unit_src", .text("files/" + v.unit.unitName)),
            ("phase0_ollama_tags_url", .text(v.unit.ollamaURL + "/api/tags")),
            ("phase0_container", .text(v.webui.container)),
            ("phase0_image", .text(v.webui.image)),
            ("phase0_config_label", .text(WebUIContainer.configLabel)),
            ("phase0_config_hash", .text(v.configHash)),
            ("phase0_docker_run", .strings(v.dockerArgv)),
            ("phase0_health_url", .text(v.webui.healthURL)),
            ("phase0_webui_port", .text(v.webui.port)),
            ("phase0_serve_target", .text("http://127.0.0.1:\(v.webui.port)")),
            ("phase0_serve_timeout", .plain(String(TailscaleServeStep.serveTimeout))),
            ("phase0_replace_container", .plain("false")),
        ]
        return .map(pairs)
    }

    static let handlers = #"""
            - name: Restart the agent (its unit changed)
              ansible.builtin.systemd: # noqa: fqcn[canonical] systemd_service is missing from Debian 12's ansible-core 2.14
                name: "{{ phase0_unit_name }}"
                state: restarted
                daemon_reload: true

        """#

    /// Step 0. The 64G rule counts what survives a reboot: the fstab swap entries that stay
    /// (every one but /swap.img, which Step 0 retires) at their active sizes, plus the swapfile.
    static let swapTasks = #"""
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
            - name: Step 0 | the 64G rule, before the swap tasks (what survives a reboot)
              ansible.builtin.assert:
                that:
                  - phase0_planned_kib | int >= phase0_gate_kib - phase0_header_allowance_kib * (phase0_kept | length + 1)
                fail_msg: >-
                  After a reboot this machine would have {{ phase0_planned_kib }} KiB of swap: the kept fstab entries
                  {{ phase0_kept }} plus {{ phase0_swapfile }} ({{ phase0_swap_size }}), under the 64G rule. Nothing was changed.
                quiet: true
              vars:
                phase0_planned_kib: "{{ (phase0_kept | select('in', phase0_active) | map('extract', phase0_active) | sum) + phase0_swap_kib }}"
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
            - name: Step 0 | read vm.swappiness
              ansible.builtin.slurp:
                src: /proc/sys/vm/swappiness
              register: phase0_swappiness_now
            - name: Step 0 | lower swappiness now
              ansible.builtin.command:
                argv: [sysctl, -w, "vm.swappiness={{ phase0_swappiness }}"]
              changed_when: true
              when: phase0_swappiness_now.content | b64decode | trim != phase0_swappiness
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
            - name: Step 0 | keep swappiness after reboot (sysctl.d drop-in)
              ansible.builtin.copy:
                src: "{{ phase0_sysctl_dropin_src }}"
                dest: "{{ phase0_sysctl_dropin }}"
                owner: root
                group: root
                mode: "0644"
                backup: true
            - name: Step 0 | at most one active swapfile entry in /etc/fstab
              ansible.builtin.assert:
                that:
                  - phase0_fstab_swaps.stdout_lines | select('equalto', phase0_swapfile) | list | length <= 1
                fail_msg: "/etc/fstab has several active {{ phase0_swapfile }} entries; run phase0 (it keeps exactly one) or fix it by hand."
                quiet: true
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
