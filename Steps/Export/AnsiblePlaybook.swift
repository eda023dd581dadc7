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
            + "  handlers:\n" + handlers + "  tasks:\n" + AnsibleSwapTasks.text + AnsibleServiceTasks.text(v)
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
            ("phase0_sysctl_dropin_name", .text(v.dropInName)),
            ("phase0_sysctl_old_dropin", .text(SwappinessActions.oldDropInPath)),
            ("phase0_sysctl_dirs", .strings(SysctlBoot.directories)),
            ("phase0_marker", .text(SetAside.marker)),
            ("phase0_install_mosh", .plain(v.installMosh ? "true" : "false")),
            ("phase0_mosh_rule", .text(MoshStep.udpRule)),
            ("phase0_user", .text(v.unit.user)),
            ("phase0_agent_dir", .text(v.unit.agentDir)),
            ("phase0_venv_python", .text(v.unit.venvPython)),
            ("phase0_tmux", .text(v.unit.tmuxPath)),
            ("phase0_tmux_socket", .text(v.unit.tmuxSocket)),
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
}
