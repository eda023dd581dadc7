@testable import Phase0Parsers
import Testing

/// What the next boot applies: FACTS B's vectors, which the real systemd-sysctl 252 applied
/// in a private /proc/sys (`sysctl/apply.sh vN`) (issue 9, §3; Step 0 on such machines:
/// Step0SwappinessTests).
@Suite struct SysctlBootTests {
    typealias F = SysctlBoot.File
    static let sysctlConfSixty = "vm.swappiness=60\n"

    func value(_ key: String, _ files: [F]) -> String? { SysctlBoot.value(of: key, in: files)?.value }

    /// v1: 99-phase0-… sorts before Debian's 99-sysctl.conf (the link to /etc/sysctl.conf): 60.
    /// v2: 99-zz-… sorts after it: 10. v4: upper case sorts before lower case (byte order): 60.
    @Test func theNameDecidesWhoWinsAtBoot() {
        let link = F(directory: "/etc/sysctl.d", name: "99-sysctl.conf", content: Self.sysctlConfSixty)
        let vendor = F(directory: "/usr/lib/sysctl.d", name: "99-protect-links.conf", content: "fs.protected_fifos = 1\n")
        for (name, expected) in [("99-phase0-swappiness.conf", "60"), ("99-zz-phase0-swappiness.conf", "10"), ("99-ZZ-phase0.conf", "60"),
                                 ("99-t-phase0.conf", "10"), ("999-phase0-swappiness.conf", "10"), ("phase0-swappiness.conf", "10"),
                                 ("99-sysctl-phase0.conf", "60")] {
            let ours = F(directory: "/etc/sysctl.d", name: name, content: "vm.swappiness = 10\n")
            #expect(value("vm.swappiness", [ours, link, vendor]) == expected, "\(name)")
        }
        // v3: without the link, /etc/sysctl.conf is not read at all.
        #expect(value("vm.swappiness", [F(directory: "/etc/sysctl.d", name: "99-phase0-swappiness.conf", content: "vm.swappiness = 10\n")]) == "10")
    }

    /// v5: the same name in a higher directory hides the lower one; a link to /dev/null (read
    /// as empty) masks it. v6: an empty file masks too.
    @Test func higherDirectoriesOverrideAndEmptyFilesMask() {
        let v5: [F] = [
            F(directory: "/etc/sysctl.d", name: "62-z.conf", content: ""),
            F(directory: "/run/sysctl.d", name: "60-x.conf", content: "vm.swappiness = 12\n"),
            F(directory: "/usr/local/lib/sysctl.d", name: "61-y.conf", content: "vm.dirty_ratio = 22\n"),
            F(directory: "/usr/lib/sysctl.d", name: "60-x.conf", content: "vm.swappiness = 11\n"),
            F(directory: "/usr/lib/sysctl.d", name: "61-y.conf", content: "vm.dirty_ratio = 21\n"),
            F(directory: "/usr/lib/sysctl.d", name: "62-z.conf", content: "vm.dirty_background_ratio = 31\n"),
        ]
        #expect(value("vm.swappiness", v5) == "12")
        #expect(value("vm.dirty_ratio", v5) == "22")
        #expect(value("vm.dirty_background_ratio", v5) == nil)
        let v6: [F] = [
            F(directory: "/etc/sysctl.d", name: "60-x.conf", content: "vm.swappiness = 13\n"),
            F(directory: "/etc/sysctl.d", name: "61-y.conf", content: ""),
            F(directory: "/run/sysctl.d", name: "60-x.conf", content: "vm.swappiness = 12\n"),
            F(directory: "/run/sysctl.d", name: "61-y.conf", content: "vm.dirty_ratio = 22\n"),
        ]
        #expect(value("vm.swappiness", v6) == "13")
        #expect(value("vm.dirty_ratio", v6) == nil)
    }

    /// v7: comments, `-` prefixes, `.`/`/` keys, no inline comments, only `*.conf` names.
    @Test func theLineSyntaxOfSystemdSysctl() {
        let v7: [F] = [
            F(directory: "/etc/sysctl.d", name: "50-a.conf", content: """
                ; semicolon comment
                  # indented hash
                vm.swappiness = 5
                vm/swappiness=7
                -vm.dirty_ratio = 33
                vm.dirty_background_ratio = 4 # trailing

                """),
            F(directory: "/etc/sysctl.d", name: "99-zz.CONF", content: "vm.swappiness = 98\n"),
            F(directory: "/etc/sysctl.d", name: "99-zz.conf.bak", content: "vm.swappiness = 99\n"),
        ]
        #expect(value("vm.swappiness", v7) == "7")
        #expect(value("vm.dirty_ratio", v7) == "33")
        #expect(value("vm.dirty_background_ratio", v7) == "4 # trailing")
        #expect(SysctlBoot.value(of: "vm.swappiness", in: v7)?.line == 4)
    }

    /// v8: a glob never overrides an explicit assignment anywhere; `-key` excludes it from globs.
    @Test func globsNeverOverrideAnExplicitSetting() {
        let v8: [F] = [
            F(directory: "/etc/sysctl.d", name: "10-explicit.conf", content: "vm.swappiness = 3\n"),
            F(directory: "/etc/sysctl.d", name: "90-glob.conf", content: "vm.dirty_*ratio = 44\n-vm.dirty_ratio\n"),
            F(directory: "/etc/sysctl.d", name: "91-glob2.conf", content: "vm.swappines* = 45\n"),
        ]
        #expect(value("vm.swappiness", v8) == "3")
        #expect(value("vm.dirty_ratio", v8) == nil)
        let background = SysctlBoot.value(of: "vm.dirty_background_ratio", in: v8)
        #expect(background?.value == "44" && background?.byGlob == true)
    }
}

/// The glob matcher systemd-sysctl's `vm.*` lines go through: fnmatch's answers, and a cost
/// that stays pattern × text (the recursive matcher it replaced never finished the last case:
/// the fuzzer found it stuck on a line of stars).
@Suite struct SysctlGlobTests {
    @Test(arguments: [
        ("vm/*", "vm/swappiness", true), ("vm/swap*ss", "vm/swappiness", true), ("vm/?wappiness", "vm/swappiness", true),
        ("vm/[rs]wappiness", "vm/swappiness", true), ("vm/[!s]wappiness", "vm/swappiness", false),
        ("vm/[a-t]wappiness", "vm/swappiness", true), ("vm/[]s]wappiness", "vm/swappiness", true),
        ("*", "", true), ("?", "", false), ("vm/", "vm/swappiness", false), ("*ss", "vm/swappiness", true),
        ("*x*", "vm/swappiness", false), ("vm/[s", "vm/[s", true), ("**vm**", "vm/swappiness", true),
        ("net/*/rp_filter", "vm/swappiness", false), ("[!]]", "a", true), ("[!]]", "]", false), ("[!]a]", "b", true),
        ("[!]a]", "]", false), ("[^]]", "]", false), ("[]]", "]", true), ("[!", "[!", true),
    ])
    func matchesAsFnmatch(pattern: String, text: String, expected: Bool) {
        #expect(SysctlBoot.matches(pattern: pattern, text) == expected)
    }

    @Test func aLineOfStarsIsAnsweredWithoutBacktrackingForever() {
        let stars = String(repeating: "*v", count: 30) + "x"
        #expect(!SysctlBoot.matches(pattern: stars, String(repeating: "v", count: 64)))
    }
}
