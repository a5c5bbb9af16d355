import Foundation
import Testing

/// TLS verification against SeaweedFS's HTTPS port (certificate from a throw-away CA made by .ci/peers/start).
@Suite("Remote: TLS", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteTLSTests {
    @Test("with --ca-bundle: bucket, SSE-C upload and download over HTTPS, byte-exact, no warning")
    func withCABundle() throws {
        let s = try RemoteSession("tls-ca")
        let tls = s.peers.seaweedTLSFlags(caBundle: true)
        let b = try s.makeBucket(tls, tag: "tls")
        let data = remoteRandomData(300_000), key = remoteRandomData(32)
        try s.sb.write("f.bin", data)
        try s.sb.write("k", key, mode: 0o600)

        let up = try s.ok(tls, ["upload", "f.bin", "obs://\(b)/f.bin", "--sse-c-key-file", "k"])
        #expect(up.stderr.isEmpty, "SSE-C over HTTPS needs no warning: \(up)")
        let down = try s.ok(tls, ["download", "obs://\(b)/f.bin", "out.bin", "--sse-c-key-file", "k"])
        #expect(down.stderr.isEmpty, "\(down)")
        #expect(s.sb.read("out.bin") == data)
        #expect(
            sseField(try s.stat(tls, "obs://\(b)/f.bin", extra: ["--sse-c-key-file", "k"]), "mode") as? String == "c")
        // The CA can come from the environment too.
        let viaEnv = try s.run(
            s.peers.seaweedTLSFlags(caBundle: false), ["ls", "obs://\(b)/"], env: ["OBSCTL_CA_BUNDLE": s.peers.tlsCA])
        #expect(viaEnv.succeeded && viaEnv.out.contains("f.bin"), "\(viaEnv)")
    }

    @Test("without --ca-bundle the private CA is refused: exit 12, the message points to --ca-bundle, nothing written")
    func withoutCABundle() throws {
        let s = try RemoteSession("tls-noca")
        let noCA = s.peers.seaweedTLSFlags(caBundle: false)
        let name = RemoteSession.uniqueName("noca")
        for args in [["bucket", "list"], ["bucket", "create", "obs://" + name], ["ls", "obs://\(name)/"]] {
            let r = try s.run(noCA, args + ["--debug"])
            expectRemoteError(r, 12, contains: ["--ca-bundle"], debug: true)
            #expect(debugRequests(r).count == 1, "a certificate failure is not retried: \(debugRequests(r))")
        }
        // The bucket was not created (the TLS handshake failed before the request).
        let list = try s.json(s.peers.seaweedFlags, ["bucket", "list"])
        let names = (list["buckets"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(!names.contains(name), "bucket created despite the failed TLS verification")
    }

    @Test("https:// to a plain-HTTP port: the handshake's 'wrong version number' is not sent again; asks about https")
    func handshakeWithPlainPort() throws {
        let s = try RemoteSession("tls-plainport")
        let plain = s.peers.seaweed.replacingOccurrences(of: "http://", with: "https://")
        let r = try s.run(
            ["--endpoint", plain, "--signature", "v4", "--addressing", "path", "--retries", "1"],
            [
                "bucket", "list", "--debug",
            ])
        expectRemoteError(r, 11, contains: ["TLS handshake failed", "https"], debug: true)
        #expect(!r.stderr.contains("--ca-bundle"), "no CA would help: \(r)")
        #expect(debugRequests(r).count == 1, "no resend changes the port's protocol: \(debugRequests(r))")
    }

    @Test("--insecure works without the CA and prints a warning on every run")
    func insecure() throws {
        let s = try RemoteSession("tls-insecure")
        let insecure = s.peers.seaweedTLSFlags(caBundle: false) + ["--insecure"]
        let b = try s.makeBucket(s.peers.seaweedFlags, tag: "insec")
        try s.sb.write("f.txt", Data("insecure\n".utf8))
        for args in [
            ["upload", "f.txt", "obs://\(b)/f.txt"], ["ls", "obs://\(b)/"], ["download", "obs://\(b)/f.txt", "-"],
        ] {
            let r = try s.ok(insecure, args)
            let warnings = r.stderrLines.filter { $0.hasPrefix("obsctl: warning:") }
            #expect(
                warnings.count == 1 && warnings[0].contains("--insecure")
                    && warnings[0].lowercased().contains("not verified"),
                "every --insecure run warns once: \(r)")
        }
        #expect(try s.ok(insecure, ["download", "obs://\(b)/f.txt", "-"]).stdout == Data("insecure\n".utf8))
        // --quiet does not silence the warning.
        #expect(try s.ok(insecure, ["ls", "obs://\(b)/", "--quiet"]).stderr.contains("--insecure"))
    }
}

/// OBS accepts SSE-KMS and SSE-C only over HTTPS: obsctl refuses them to a plain-http endpoint before sending
/// anything, unless the endpoint is a loopback address (then it warns).
@Suite("Remote: HTTPS rule for SSE-KMS and SSE-C", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteHTTPSRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let args: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "upload --sse kms", args: ["upload", "f.bin", "obs://rt-https/f", "--sse", "kms"]),
        Case(
            name: "upload --sse kms --kms-key-id",
            args: ["upload", "f.bin", "obs://rt-https/f", "--sse", "kms", "--kms-key-id", "k1"]),
        Case(
            name: "upload --sse kms, multipart size",
            args: ["upload", "big.bin", "obs://rt-https/f", "--sse", "kms", "--multipart-threshold", "5M"]),
        Case(name: "upload - (stdin) --sse kms", args: ["upload", "-", "obs://rt-https/f", "--sse", "kms"]),
        Case(
            name: "upload --sse c",
            args: ["upload", "f.bin", "obs://rt-https/f", "--sse", "c", "--sse-c-key-file", "k"]),
        Case(
            name: "upload with an SSE-C key only",
            args: ["upload", "f.bin", "obs://rt-https/f", "--sse-c-key-file", "k"]),
        Case(
            name: "download with an SSE-C key",
            args: ["download", "obs://rt-https/f", "out.bin", "--sse-c-key-file", "k"]),
        Case(name: "stat with an SSE-C key", args: ["stat", "obs://rt-https/f", "--sse-c-key-file", "k"]),
        Case(name: "cp --sse kms", args: ["cp", "obs://rt-https/f", "obs://rt-https/g", "--sse", "kms"]),
        Case(
            name: "cp to an SSE-C key", args: ["cp", "obs://rt-https/f", "obs://rt-https/g", "--sse-c-key-file", "k"]),
        Case(
            name: "cp from an SSE-C source",
            args: ["cp", "obs://rt-https/f", "obs://rt-https/g", "--source-sse-c-key-file", "k"]),
    ]

    @Test("refused to a non-loopback http:// endpoint: exit 2, a message about HTTPS, at once", arguments: cases)
    func refusedOverPlainHTTP(_ c: Case) throws {
        let s = try RemoteSession("https-rule")
        try s.sb.write("f.bin", Data("x".utf8))
        try s.sb.write("big.bin", Data(count: 6 << 20))
        try s.sb.write("k", remoteRandomData(32), mode: 0o600)
        // .invalid never resolves: any attempt at the network ends in a resolver error, exit 11. --debug shows
        // each request as it is sent: the refusal must come before the first (not timed: a busy machine is slow).
        let flags = ["--endpoint", "http://obs.example.invalid", "--retries", "0", "--debug"]
        let r = try s.run(flags, c.args, stdin: Data("x".utf8))
        expectRemoteError(r, 2, contains: ["HTTPS"], debug: true)
        #expect(debugRequests(r).isEmpty, "the refusal must come before any request: \(debugRequests(r))")
        #expect(!s.sb.exists("out.bin"))
    }

    @Test("SSE-C and SSE-KMS to loopback http are allowed, with a warning")
    func loopbackAllowedWithWarning() throws {
        let s = try RemoteSession("https-loopback")
        let sw = s.peers.seaweedFlags
        let b = try s.makeBucket(sw, tag: "loop")
        let data = remoteRandomData(5000)
        try s.sb.write("f.bin", data)
        try s.sb.write("k", remoteRandomData(32), mode: 0o600)

        func expectWarning(_ r: RunResult, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(r.succeeded, "\(r)", sourceLocation: sourceLocation)
            #expect(
                r.stderrLines.contains {
                    $0.hasPrefix("obsctl: warning:") && $0.contains("HTTP") && $0.contains("loopback")
                },
                "expected a plain-HTTP loopback warning: \(r)", sourceLocation: sourceLocation)
        }
        expectWarning(try s.run(sw, ["upload", "f.bin", "obs://\(b)/c", "--sse", "c", "--sse-c-key-file", "k"]))
        let down = try s.run(sw, ["download", "obs://\(b)/c", "-", "--sse-c-key-file", "k"])
        expectWarning(down)
        #expect(down.stdout == data)
        // SSE-KMS: moto (SeaweedFS has no KMS).
        let m = s.peers.motoFlags
        let mb = try s.makeBucket(m, tag: "loopk")
        expectWarning(try s.run(m, ["upload", "f.bin", "obs://\(mb)/k", "--sse", "kms"]))
        // No SSE-KMS or SSE-C: no warning.
        let plain = try s.ok(sw, ["upload", "f.bin", "obs://\(b)/plain"])
        #expect(plain.stderr.isEmpty, "\(plain)")
    }
}
