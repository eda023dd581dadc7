@testable import Phase0Parsers
import Testing

/// `tailscale status --json` as tailscaled writes it (ipnstate.Status), trimmed to what matters
/// plus neighbours that must be ignored.
let statusWithHTTPS = """
    Warning: client version "1.82.0" != tailscaled server version "1.82.5"
    {
      "Version": "1.82.5-t1a2b3c4d5e",
      "TUN": true,
      "BackendState": "Running",
      "HaveNodeKey": true,
      "AuthURL": "",
      "TailscaleIPs": ["100.101.102.103", "fd7a:115c:a1e0::1"],
      "Self": {
        "ID": "n2b7cSpark",
        "HostName": "spark-2b7c",
        "DNSName": "spark-2b7c.tail2b7c.ts.net.",
        "OS": "linux",
        "Online": true,
        "Capabilities": ["https", "https://tailscale.com/cap/file-sharing"],
        "CapMap": {
          "https": null,
          "https://tailscale.com/cap/file-sharing": null,
          "https://tailscale.com/cap/funnel-ports?ports=443,8443,10000": null,
          "tailnet.example/cap/custom": [{"x": 1}]
        }
      },
      "Health": [],
      "MagicDNSSuffix": "tail2b7c.ts.net",
      "CurrentTailnet": {"Name": "zoe@example.com", "MagicDNSSuffix": "tail2b7c.ts.net", "MagicDNSEnabled": true},
      "CertDomains": ["spark-2b7c.tail2b7c.ts.net"],
      "Peer": {"nodekey:abc": {"HostName": "phone", "DNSName": "phone.tail2b7c.ts.net.", "Online": true}}
    }
    """

@Suite struct TailscaleJSONTests {
    @Test func readsHTTPSReadinessAndTheName() throws {
        let status = try TailscaleStatus.parse(statusWithHTTPS)
        #expect(status.connected)
        #expect(status.httpsEnabled)
        #expect(status.dnsName == "spark-2b7c.tail2b7c.ts.net")
        #expect(status.serveURL == "https://spark-2b7c.tail2b7c.ts.net")
    }

    @Test func httpsNeedsTheCapabilityAndACertificateDomain() throws {
        let noCap = statusWithHTTPS.replacing("\"https\": null,", with: "").replacing("[\"https\", ", with: "[")
        #expect(try !TailscaleStatus.parse(noCap).httpsEnabled)
        let noDomain = statusWithHTTPS.replacing("\"CertDomains\": [\"spark-2b7c.tail2b7c.ts.net\"],", with: "\"CertDomains\": null,")
        let parsed = try TailscaleStatus.parse(noDomain)
        #expect(parsed.hasHTTPSCapability && !parsed.httpsEnabled)
        let loggedOut = try TailscaleStatus.parse(#"{"BackendState": "NeedsLogin", "AuthURL": "https://login.tailscale.com/a/x", "Self": {"DNSName": "", "Online": false}}"#)
        #expect(!loggedOut.connected && loggedOut.dnsName == nil && loggedOut.authURL == "https://login.tailscale.com/a/x")
    }

    @Test func readsTheServeConfig() throws {
        let json = """
            {"TCP": {"443": {"HTTPS": true}},
             "Web": {"spark-2b7c.tail2b7c.ts.net:443": {"Handlers": {"/": {"Proxy": "http://127.0.0.1:3000"}}}}}
            """
        let config = try ServeConfig.parse(json)
        #expect(config.proxiesToLocalPort("3000"))
        #expect(!config.proxiesToLocalPort("8080"))
        #expect(config.httpsProxy()?.host == "spark-2b7c.tail2b7c.ts.net")
        #expect(try ServeConfig.parse("{}").isEmpty)
        #expect(try ServeConfig.parse("null\n").isEmpty)
        // HTTP (not HTTPS) on 443, or a path handler, is not what Step 4 sets up.
        #expect(try !ServeConfig.parse(json.replacing("\"HTTPS\"", with: "\"HTTP\"")).proxiesToLocalPort("3000"))
        #expect(try !ServeConfig.parse(json.replacing("\"Proxy\"", with: "\"Path\"")).proxiesToLocalPort("3000"))
    }
}
