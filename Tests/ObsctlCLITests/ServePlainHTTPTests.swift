import Foundation
import OBSCrypto
import Testing

/// `obsctl serve --allow-plain-http`: a non-loopback listener without TLS (private network, TLS proxy in front),
/// where SSE-C and SSE-KMS requests from another machine are still refused, decided on the connection's address.
/// The other machine is this one reached by its own non-loopback address: the server sees that address as the peer.
@Suite("serve over plain HTTP beyond loopback", .serialized)
struct ServePlainHTTPTests {
    static let noAddress: Comment = "this machine has no non-loopback IPv4 address to serve on"

    @Test(
        "--allow-plain-http: SSE-C and SSE-KMS from another address refused (400 InvalidRequest), nothing stored",
        .enabled(if: NonLoopback.ipv4 != nil, noAddress),
        .enabled(if: ServeClients.hasBoto3, ServeClientsTests.boto3Missing))
    func sseRefusedFromANonLoopbackPeer() throws {
        let address = try #require(NonLoopback.ipv4)
        let sb = try Sandbox("serve-plain-http")
        let server = try ServeProcess(sb, listen: "\(address):0", arguments: ["--allow-plain-http"])
        #expect(server.endpoint == "http://\(address):\(server.port)", "\(server.ready)")
        let bucket = RemoteSession.uniqueName("plain")
        expectSteps(try server.sdk("boto3", "plain-http-refusals", [bucket]))
        // Only the plain and SSE-OBS objects exist; no SSE-KMS key was ever used.
        let listed = try sb.json(["ls", "obs://\(bucket)"])
        let keys = (listed["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String }.sorted()
        #expect(keys == ["obs", "plain"], "\(listed)")
        let stopped = server.stop()
        expectSuccess(stopped)
        #expect(
            stopped.stderr.components(separatedBy: "warning: serving plain HTTP on \(address)").count == 2,
            "one warning, from the server program only: \(stopped)")
        #expect(stopped.stderr.contains("InvalidRequest"), "the access log names the refusals: \(stopped)")
    }

    @Test(
        "--allow-plain-http, OBS's dialect (esdk-obs-python, OBS signature): the same refusals, nothing stored",
        .enabled(if: NonLoopback.ipv4 != nil, noAddress),
        .enabled(if: ServeClients.hasEsdk, ServeClientsTests.esdkMissing))
    func sseRefusedFromANonLoopbackPeerInOBSDialect() throws {
        let address = try #require(NonLoopback.ipv4)
        let sb = try Sandbox("serve-plain-http-obs")
        let server = try ServeProcess(sb, listen: "\(address):0", arguments: ["--allow-plain-http"])
        let bucket = RemoteSession.uniqueName("plainobs")
        expectSteps(try server.sdk("esdk", "plain-http-refusals", [bucket]))
        let listed = try sb.json(["ls", "obs://\(bucket)"])
        let keys = (listed["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String }.sorted()
        #expect(keys == ["obs", "plain"], "\(listed)")
        let stopped = server.stop()
        expectSuccess(stopped)
        // The refusals were the server's, in the OBS dialect, not the SDK's: the access log holds them.
        #expect(stopped.stderr.components(separatedBy: "InvalidRequest").count >= 8, "\(stopped)")
    }

    @Test(
        "obsctl reading an SSE-KMS object over plain HTTP from another address: told to use https:// (exit 2)",
        .enabled(if: NonLoopback.ipv4 != nil, noAddress))
    func kmsDownloadRefusedAsATransportProblem() throws {
        let address = try #require(NonLoopback.ipv4)
        let sb = try Sandbox("serve-plain-kms-get")
        try sb.ok(["bucket", "create", "obs://plainkms"])
        try sb.write("f", Data("secret".utf8))
        try sb.ok(["upload", "f", "obs://plainkms/k", "--sse", "kms"])
        let server = try ServeProcess(sb, listen: "\(address):0", arguments: ["--allow-plain-http"])
        let env: [String: String?] = [
            "OBS_ACCESS_KEY_ID": server.accessKeyID, "OBS_SECRET_ACCESS_KEY": server.secretAccessKey,
        ]
        let flags = ["--endpoint", server.endpoint, "--signature", "v4", "--addressing", "path"]
        for args in [["download", "obs://plainkms/k", "out"], ["cat", "obs://plainkms/k"]] {
            let r = try sb.run(args + flags, env: env)
            expectError(r, 2, contains: ["secure connection", "use an https:// endpoint"])
            #expect(!r.stderr.contains("--sse-c-key"), "no SSE-C advice for an SSE-KMS object: \(r)")
        }
        #expect(!sb.exists("out"))
        expectSuccess(server.stop())
    }

    @Test("without --allow-plain-http a non-loopback listener needs TLS (exit 2), and --kms-listen always does")
    func nonLoopbackListenerNeedsTLSOrTheFlag() throws {
        let sb = try Sandbox("serve-plain-refused")
        let r = try sb.run(["serve", "--listen", "192.0.2.1:0"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("without TLS") && r.stderr.contains("--allow-plain-http"), "\(r)")
        let kms = try sb.run(
            ["serve", "--listen", "192.0.2.1:0", "--allow-plain-http", "--kms-listen", "192.0.2.1:0"])
        #expect(kms.status == 2, "\(kms)")
        #expect(kms.stderr.contains("--kms-listen 192.0.2.1:0") && kms.stderr.contains("data keys"), "\(kms)")
        #expect(!sb.exists("root/serve"), "nothing was started")
    }
}
