import Phase0Core

/// Steps 4 and 5 of the playbook. Open WebUI makes the first account registered its admin
/// (FACTS A1-A2), so nothing is served while unauthenticated `GET /api/config` says
/// `"onboarding": true` (or cannot be read): the page would belong to whoever reached it
/// first. As the wizard's Step 4, the playbook then stops with the SSH tunnel that reaches
/// the page; sign-up stays closed after the first account (`--env=ENABLE_SIGNUP=False` in
/// the docker run, FACTS A3).
enum AnsibleServeTasks {
    /// What the operator does, as the wizard's Step 3/4 says it (OpenWebUIStep.ownerInstruction).
    static let ownerInstruction =
        "Open WebUI has no account until you register one, and the first account registered becomes its admin: register yours "
        + "before Step 4 exposes the page to your tailnet. From your laptop: "
        + "ssh -L {{ phase0_webui_port }}:127.0.0.1:{{ phase0_webui_port }} {{ phase0_user }}@{{ ansible_host | default(inventory_hostname) }} "
        + "then open http://127.0.0.1:{{ phase0_webui_port }} there and sign up. Sign-up then stays closed (ENABLE_SIGNUP=False)."

    static let owner = #"""
            - name: Step 4 | ask Open WebUI whether an account exists (/api/config, unauthenticated)
              ansible.builtin.uri:
                url: "http://127.0.0.1:{{ phase0_webui_port }}/api/config"
                return_content: true
                timeout: 10
              register: phase0_webui_config
              failed_when: false
              check_mode: false
            - name: Step 4 | Open WebUI answered with its configuration
              ansible.builtin.assert:
                that:
                  - phase0_webui_config.status | default(-1) == 200
                  - phase0_webui_config.content | default('') is match('\s*[{]')
                fail_msg: >-
                  http://127.0.0.1:{{ phase0_webui_port }}/api/config did not answer with Open WebUI's configuration (HTTP
                  {{ phase0_webui_config.status | default('none') }}), so it cannot tell whether anyone owns the page: nothing is served.
                  Check the container (docker logs {{ phase0_container }}), then run the playbook again.
                quiet: true
            - name: Step 4 | never expose Open WebUI before someone owns it (the first account becomes admin)
              ansible.builtin.assert:
                that:
                  - (phase0_webui_config.content | from_json).onboarding | default(false) is not sameas true
                fail_msg: >-
        \#(AnsibleServiceTasks.folded(ownerInstruction + " Then run the playbook again. Nothing was served.", indent: 10))
                quiet: true

        """#

    static let serve = #"""
            - name: Step 4 | Tailscale's state
              ansible.builtin.command:
                argv: [tailscale, status, --json]
              register: phase0_tailscale
              changed_when: false
              check_mode: false
            - name: Step 4 | connected, with HTTPS enabled for the tailnet
              ansible.builtin.assert:
                that:
                  - (phase0_tailscale.stdout | from_json).BackendState == 'Running'
                  - (phase0_tailscale.stdout | from_json).CertDomains | default([], true) | length > 0
                fail_msg: >-
                  Tailscale must be connected (sudo tailscale up) and HTTPS enabled for the tailnet
                  (https://login.tailscale.com/admin/dns) before Serve can publish Open WebUI.
                quiet: true
            - name: Step 4 | what Serve does now
              ansible.builtin.command:
                argv: [tailscale, serve, status, --json]
              register: phase0_serve_now
              changed_when: false
              check_mode: false
            - name: Step 4 | serve Open WebUI on the tailnet (under a timeout; its exit status is not trusted)
              ansible.builtin.command:
                argv: [timeout, "{{ phase0_serve_timeout }}", tailscale, serve, --bg, "{{ phase0_webui_port }}"]
              changed_when: true
              when: ('"' ~ phase0_serve_target ~ '"') not in phase0_serve_now.stdout
            - name: Step 4 | read Serve again
              ansible.builtin.command:
                argv: [tailscale, serve, status, --json]
              register: phase0_serve_after
              changed_when: false
              check_mode: false
            - name: Step 4 | HTTPS 443 proxies to Open WebUI
              ansible.builtin.assert:
                that:
                  - ('"' ~ phase0_serve_target ~ '"') in phase0_serve_after.stdout
                  - (phase0_serve_after.stdout | from_json).TCP['443'].HTTPS | default(false)
                fail_msg: "tailscale serve status --json does not show HTTPS 443 -> {{ phase0_serve_target }}: {{ phase0_serve_after.stdout }}"
                quiet: true

        """#

    static let unplug = #"""
            - name: Step 5 | the Unplug Protocol stays with a person
              ansible.builtin.debug:
                msg: "Run the Unplug Protocol (lid closed 5 minutes, chat from the phone, tmux attach) on this Spark: phase0 --answers FILE checks it."

        """#
}
