import Phase0Core
import Phase0Parsers

/// Steps 1–4 of the playbook. Probes are read-only commands (`changed_when: false`, run in
/// check mode too); each change runs only when its probe says it is needed, so a second run
/// reports changed=0.
enum AnsibleServiceTasks {
    static func text(_ v: AnsibleValues) -> String {
        (v.installMosh ? mosh : "") + agent + webui(v) + AnsibleServeTasks.owner + AnsibleServeTasks.serve + AnsibleServeTasks.unplug
    }

    static let mosh = #"""
            - name: Step 1 | is mosh installed
              ansible.builtin.command:
                argv: [dpkg-query, -W, "-f=${Status}", mosh]
              register: phase0_mosh
              changed_when: false
              failed_when: false
              check_mode: false
            - name: Step 1 | install mosh
              ansible.builtin.apt:
                name: mosh
                state: present
                update_cache: true
              when: "'install ok installed' not in phase0_mosh.stdout"
            - name: Step 1 | read ufw's state
              ansible.builtin.command:
                argv: [ufw, status]
              register: phase0_ufw
              changed_when: false
              failed_when: false
              check_mode: false
            - name: Step 1 | allow mosh's UDP ports (only when ufw is active)
              ansible.builtin.command:
                argv: [ufw, allow, "{{ phase0_mosh_rule }}"]
              changed_when: true
              when:
                - phase0_ufw.rc == 0
                - "'Status: active' in phase0_ufw.stdout"
                - not (phase0_ufw.stdout_lines | select('match', phase0_mosh_rule | regex_escape) | list)

        """#

    /// The unit is validated by systemd-analyze under its own name (the module's temporary file
    /// may lack the .service suffix), and any line about it counts as a failure: systemd 252
    /// exits 0 even when it reports an unknown key or a bad value. (Lines about other units,
    /// such as Ollama's, are not this unit's to fail.)
    static let unitValidate =
        #"sh -c 'd=$(mktemp -d) && cp "$1" "$d/$2" && out=$(systemd-analyze verify "$d/$2" 2>&1); rc=$?; rm -rf "$d"; echo "$out"; [ "$rc" = 0 ] && ! echo "$out" | grep -qF "$2"' phase0-verify-unit %s {{ phase0_unit_name }}"#

    /// `text` as the lines of a folded block scalar (`>-`): broken at spaces, which folding
    /// turns back into single spaces.
    static func folded(_ text: String, indent: Int, width: Int = 100) -> String {
        wrapped(text, indent: String(repeating: " ", count: indent), width: width)
    }

    static let agent = #"""
            - name: Step 2 | the programs and files the unit runs
              ansible.builtin.stat:
                path: "{{ item }}"
                get_checksum: false
              loop:
                - "{{ phase0_tmux }}"
                - "{{ phase0_curl }}"
                - "{{ phase0_agent_dir }}/tui.py"
                - "{{ phase0_venv_python }}"
              register: phase0_agent_files
            - name: Step 2 | they are all there
              ansible.builtin.assert:
                that: phase0_agent_files.results | rejectattr('stat.exists') | list | length == 0
                fail_msg: "Missing: {{ phase0_agent_files.results | rejectattr('stat.exists') | map(attribute='item') | list }}. Nothing was changed."
                quiet: true
            - name: Step 2 | the user exists
              ansible.builtin.getent:
                database: passwd
                key: "{{ phase0_user }}"
            - name: Step 2 | look at the unit file
              ansible.builtin.stat:
                path: "{{ phase0_unit_path }}"
                get_checksum: false
              register: phase0_unit_stat
            - name: Step 2 | read the unit file
              ansible.builtin.slurp:
                src: "{{ phase0_unit_path }}"
              register: phase0_unit_now
              when: phase0_unit_stat.stat.exists
            - name: Step 2 | never overwrite a unit phase0 did not write
              ansible.builtin.assert:
                that:
                  - not phase0_unit_stat.stat.exists or (phase0_unit_now.content | b64decode).startswith(phase0_marker)
                fail_msg: "{{ phase0_unit_path }} exists and was not written by phase0; move it aside first. Nothing was changed."
                quiet: true
            - name: Step 2 | the tmux server on the agent's own socket (tmux -L), if one runs; the user's own tmux is not looked at
              ansible.builtin.command:
                argv: [runuser, -u, "{{ phase0_user }}", --, "{{ phase0_tmux }}", -L, "{{ phase0_tmux_socket }}", display-message, -p, "#{pid}"]
              register: phase0_tmux_server
              changed_when: false
              failed_when: false
              check_mode: false
            - name: Step 2 | the unit's main process
              ansible.builtin.command:
                argv: [systemctl, show, -p, MainPID, --value, "{{ phase0_unit_name }}"]
              register: phase0_unit_pid
              changed_when: false
              check_mode: false
            - name: Step 2 | tmux could say whether a server runs on the agent's socket
              ansible.builtin.assert:
                that:
                  - phase0_tmux_server.rc == 0 or phase0_tmux_server.stderr is search(phase0_tmux_none)
                fail_msg: >-
                  Cannot tell whether a tmux server runs on the agent's socket ({{ phase0_tmux_socket }}) for {{ phase0_user }}:
                  {{ phase0_tmux_server.stderr | default(phase0_tmux_server.msg | default('')) }}. Look yourself (tmux -L {{ phase0_tmux_socket }} ls
                  as {{ phase0_user }}), then run the playbook again. Nothing of Step 2 was changed.
                quiet: true
              vars:
                phase0_tmux_none: "no server running|no sessions|error connecting to .*[(](No such file or directory|Connection refused)[)]"
            - name: Step 2 | no tmux server started by hand on the agent's socket (it would capture the unit's session)
              ansible.builtin.assert:
                that:
                  - phase0_tmux_server.rc != 0 or phase0_tmux_server.stdout | trim == phase0_unit_pid.stdout | trim
                fail_msg: >-
                  A tmux server started by hand runs on the agent's socket ({{ phase0_tmux_socket }}) for {{ phase0_user }} (pid
                  {{ phase0_tmux_server.stdout | trim }}): the unit's tmux new-session would land in it, outside the unit. The playbook
                  stops no tmux: detach, end it yourself (tmux -L {{ phase0_tmux_socket }} kill-server as {{ phase0_user }}), then run the
                  playbook again. Your own tmux (the default socket) is never concerned. Nothing of Step 2 was changed.
                quiet: true
            - name: Step 2 | install the unit (rendered by phase0 from Templates/vybn-agent.service.tmpl)
              ansible.builtin.copy:
                src: "{{ phase0_unit_src }}"
                dest: "{{ phase0_unit_path }}"
                owner: root
                group: root
                mode: "0644"
                backup: true
                validate: >-
        \#(folded(unitValidate, indent: 10))
              notify: Restart the agent (its unit changed)
            - name: Step 2 | a changed unit restarts the agent now
              ansible.builtin.meta: flush_handlers
            - name: Step 2 | enable and start the agent
              ansible.builtin.systemd: # noqa: fqcn[canonical] systemd_service is missing from Debian 12's ansible-core 2.14
                name: "{{ phase0_unit_name }}"
                enabled: true
                state: started
                daemon_reload: true

        """#

    static func webui(_ v: AnsibleValues) -> String {
        let ollama =
            v.hostNetwork
            ? #"""
                - name: Step 3 | Ollama answers on this machine (Open WebUI shares the host's network)
                  ansible.builtin.uri:
                    url: "{{ phase0_ollama_tags_url }}"
                    timeout: 10

            """# : ""
        return ollama + #"""
                - name: Step 3 | Docker runs, and starts at boot
                  ansible.builtin.systemd: # noqa: fqcn[canonical] systemd_service is missing from Debian 12's ansible-core 2.14
                    name: docker.service
                    state: started
                    enabled: true
                - name: Step 3 | the container of that name, if any
                  ansible.builtin.command:
                    argv:
                      - docker
                      - inspect
                      - --type
                      - container
                      - --format
                      - '{% raw %}{{index .Config.Labels "org.phase0.config"}}|{{.State.Running}}{% endraw %}'
                      - "{{ phase0_container }}"
                  register: phase0_container_now
                  changed_when: false
                  failed_when: false
                  check_mode: false
                - name: Step 3 | what was found
                  ansible.builtin.set_fact:
                    phase0_container_exists: "{{ phase0_container_now.rc == 0 }}"
                    phase0_container_ours: "{{ phase0_container_now.rc == 0 and phase0_container_now.stdout.split('|')[0] == phase0_config_hash }}"
                    phase0_container_running: "{{ phase0_container_now.rc == 0 and phase0_container_now.stdout | trim is search('[|]true$') }}"
                - name: Step 3 | replace only a container phase0 did not make from these values, when told to
                  ansible.builtin.assert:
                    that:
                      - not phase0_container_exists | bool or phase0_container_ours | bool or phase0_replace_container | bool
                    fail_msg: >-
                      A container named {{ phase0_container }} exists that phase0 did not make from these values. Run with
                      -e phase0_replace_container=true to replace it (its volume is kept), or remove it yourself. Nothing of Step 3 was changed.
                    quiet: true
                - name: Step 3 | remove the other container (its volume stays)
                  ansible.builtin.command:
                    argv: [docker, rm, -f, "{{ phase0_container }}"]
                  changed_when: true
                  when: phase0_container_exists | bool and not phase0_container_ours | bool
                - name: Step 3 | is the image there
                  ansible.builtin.command:
                    argv: [docker, image, inspect, --format, "{% raw %}{{.Id}}{% endraw %}", "{{ phase0_image }}"]
                  register: phase0_image_now
                  changed_when: false
                  failed_when: false
                  check_mode: false
                - name: Step 3 | pull the image
                  ansible.builtin.command:
                    argv: [docker, pull, "{{ phase0_image }}"]
                  changed_when: true
                  when: phase0_image_now.rc != 0
                - name: Step 3 | run Open WebUI (the docker run phase0 renders from Templates/open-webui.docker.tmpl)
                  ansible.builtin.command:
                    argv: "{{ phase0_docker_run }}"
                  changed_when: true
                  when: not phase0_container_ours | bool
                - name: Step 3 | start phase0's stopped container
                  ansible.builtin.command:
                    argv: [docker, start, "{{ phase0_container }}"]
                  changed_when: true
                  when: phase0_container_ours | bool and not phase0_container_running | bool
                - name: Step 3 | wait for Open WebUI to answer /health (up to 5 minutes)
                  ansible.builtin.uri:
                    url: "{{ phase0_health_url }}"
                    timeout: 3
                  register: phase0_health
                  until: phase0_health.status == 200
                  retries: 100
                  delay: 3
                - name: Step 3 | the first account registered becomes admin
                  ansible.builtin.debug:
                    msg: >-
            \#(folded(AnsibleServeTasks.ownerInstruction, indent: 10))

            """#
    }
}
