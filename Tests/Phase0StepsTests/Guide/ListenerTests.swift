import Testing
@testable import Phase0Parsers
@testable import Phase0Core
@testable import Phase0Steps

/// The one reading of `ss -ltn` (Step 3's network choice and `troubleshoot webui` both use it).
@Suite struct ListenerTests {
    /// What `ss -ltn` prints (iproute2 6.x), with the rows a port filter would also let through.
    static let ss = """
        State  Recv-Q Send-Q        Local Address:Port   Peer Address:Port Process
        LISTEN 0      4096              127.0.0.1:11434       0.0.0.0:*
        LISTEN 0      4096                  [::1]:11434          [::]:*
        LISTEN 0      4096   [::ffff:127.0.0.1]:11434             *:*
        LISTEN 0      4096                      *:11434             *:*
        LISTEN 0      4096                0.0.0.0:11434       0.0.0.0:*
        LISTEN 0      4096                   [::]:11434          [::]:*
        LISTEN 0      4096          127.0.0.53%lo:53          0.0.0.0:*
        LISTEN 0      4096     [fe80::1%enp1s0]:11434          [::]:*
        ESTAB  0      0                 127.0.0.1:11434     127.0.0.1:52144
        TIME-WAIT 0   0                 127.0.0.1:11434     127.0.0.1:52146
        UNCONN 0      0                   0.0.0.0:11434       0.0.0.0:*
        LISTEN 0      4096              127.0.0.1:3000        0.0.0.0:*   users:(("docker-proxy",pid=9,fd=4))
        """

    @Test func everyFormOfAListenerAndNothingElse() {
        let found = Listener.parse(ssOutput: Self.ss, port: 11434)
        #expect(found.map(\.address) == ["127.0.0.1", "::1", "::ffff:127.0.0.1", "*", "0.0.0.0", "::", "fe80::1"])
        #expect(Listener.parse(ssOutput: Self.ss).count == 9)    // without a port: 53 and 3000 too, still no other state
        #expect(Listener.parse(ssOutput: Self.ss, port: 3000) == [Listener(address: "127.0.0.1", port: 3000)])
        #expect(Listener.parse(ssOutput: "", port: 11434).isEmpty)
    }

    @Test func loopbackAndWildcard() {
        let listeners = Listener.parse(ssOutput: Self.ss, port: 11434)
        #expect(listeners.filter(\.isLoopback).map(\.address) == ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
        #expect(listeners.filter(\.isWildcard).map(\.address) == ["*", "0.0.0.0", "::"])
        #expect(!Listener(address: "172.17.0.1", port: 11434).isLoopback)
        #expect(Listener(address: "::FFFF:127.0.0.1", port: 1).isLoopback)
    }

    @Test func httpAddresses() {
        #expect(HTTPAddress("http://127.0.0.1:11434") == HTTPAddress(host: "127.0.0.1", port: 11434, path: "/"))
        #expect(HTTPAddress("http://localhost/api/tags") == HTTPAddress(host: "localhost", port: 80, path: "/api/tags"))
        #expect(HTTPAddress("http://[::1]:11434/x") == HTTPAddress(host: "::1", port: 11434, path: "/x"))
        #expect(HTTPAddress("http://[::1]")?.port == 80)
        #expect(HTTPAddress("https://example.com") == nil && HTTPAddress("http://host:port") == nil)
        #expect(HTTPAddress("http://127.0.0.2:1")?.isLoopback == true && HTTPAddress("http://10.0.0.1:1")?.isLoopback == false)
    }

    /// Ollama on IPv4 loopback mapped into IPv6 only: loopback for Step 3 and troubleshoot alike
    /// (troubleshoot's own parser kept the brackets and called it reachable).
    @Test func aMappedLoopbackOllamaGetsTheHostNetwork() {
        let host = CannedHost([(["ss"], .init(exitStatus: 0, output: "LISTEN 0 4096 [::ffff:127.0.0.1]:11434 *:*\n"))])
        let plan = WebUINetwork.plan(choice: "auto", ollamaURL: "http://127.0.0.1:11434", webuiPort: "3000", host: host)
        #expect(plan.hostNetwork && plan.determined)
        #expect(plan.reason.contains("Ollama listens on ::ffff:127.0.0.1:11434 only"))
        #expect(Probe.listeners(host, port: 11434).value?.allSatisfy(\.isLoopback) == true)
        let bridge = WebUINetwork.plan(choice: "bridge", ollamaURL: "http://127.0.0.1:11434", webuiPort: "3000", host: host)
        #expect(bridge.refusal != nil)
    }
}

@Suite struct YesNoTests {
    @Test func theOneReading() {
        for yes in ["y", "Y", "yes", " YES ", "true"] { #expect(YesNo.parse(yes) == true, "\(yes)") }
        for no in ["n", "No", "false", " no\n"] { #expect(YesNo.parse(no) == false, "\(no)") }
        for neither in ["", "skip", "yep", "1", "ja"] { #expect(YesNo.parse(neither) == nil, "\(neither)") }
    }
}
