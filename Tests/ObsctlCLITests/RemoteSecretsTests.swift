import Foundation
import Testing

/// `--debug` prints every request and response header, with Authorization, security tokens and SSE-C keys
/// redacted. A whole remote session with --debug must never show the secret access key, a security token, an
/// SSE-C key (raw, hex, base64) or a request signature. The SSE-C key's MD5 may appear: it names the key
/// without revealing it.
@Suite("Remote: secrets never in output", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteSecretsTests {
    @Test("a --debug session (SSE-C uploads, stat, download, ls, cp, errors, a security token) leaks no secret")
    func debugSessionLeaksNothing() throws {
        let s = try RemoteSession("secrets")
        let sw = s.peers.seaweedFlags + ["--debug"]
        let b = try s.makeBucket(s.peers.seaweedFlags, tag: "secrets")
        let key1 = remoteRandomData(32), key2 = remoteRandomData(32), wrong = remoteRandomData(32)
        try s.sb.write("k1.raw", key1, mode: 0o600)
        try s.sb.write("k2.hex", Data(hexString(key2).utf8), mode: 0o600)
        try s.sb.write("wrong.raw", wrong, mode: 0o600)
        let keyEnv: [String: String?] = ["SSEC_B64": key1.base64EncodedString()]
        let token = "tok" + hexString(remoteRandomData(24))
        let small = remoteRandomData(2000), big = remoteRandomData(6 << 20)
        try s.sb.write("small.bin", small)
        try s.sb.write("big.bin", big)

        var runs: [RunResult] = []
        func run(
            _ args: [String], flags: [String]? = nil, stdin: Data? = nil, env: [String: String?] = [:],
            succeed: Bool = true,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let r = try s.run(flags ?? sw, args, stdin: stdin, env: env)
            runs.append(r)
            if succeed { #expect(r.succeeded, "\(r)", sourceLocation: sourceLocation) }
        }

        try run(["bucket", "list"])
        try run(["upload", "small.bin", "obs://\(b)/c-small", "--sse", "c", "--sse-c-key-file", "k1.raw"])
        try run([
            "upload", "big.bin", "obs://\(b)/c-big", "--sse-c-key-file", "k1.raw", "--multipart-threshold", "5M",
            "--part-size", "5M", "--parallel", "2",
        ])
        try run(["upload", "-", "obs://\(b)/c-stdin", "--sse-c-key-env", "SSEC_B64"], stdin: small, env: keyEnv)
        try run(["upload", "small.bin", "obs://\(b)/plain"])
        try run(["stat", "obs://\(b)/c-small", "--sse-c-key-file", "k1.raw"])
        try run(["stat", "obs://\(b)/c-big", "--sse-c-key-file", "k1.raw", "--output", "json"])
        try run(["download", "obs://\(b)/c-big", "out/c-big", "--sse-c-key-file", "k1.raw"])
        try run(["download", "obs://\(b)/c-small", "-", "--sse-c-key-env", "SSEC_B64"], env: keyEnv)
        try run(["ls", "obs://\(b)/"])
        try run(["ls", "obs://\(b)/", "--recursive", "--output", "json"])
        try run([
            "cp", "obs://\(b)/c-small", "obs://\(b)/c-copy", "--source-sse-c-key-file", "k1.raw", "--sse-c-key-file",
            "k2.hex",
        ])
        try run(["stat", "obs://\(b)/c-copy", "--sse-c-key-file", "k2.hex"])
        // Failures print their own lines: none may carry a secret either.
        try run(["download", "obs://\(b)/c-small", "bad.bin", "--sse-c-key-file", "wrong.raw"], succeed: false)
        try run(["stat", "obs://\(b)/c-small"], succeed: false)
        try run(
            ["ls", "obs://\(b)/"], env: ["OBS_SECRET_ACCESS_KEY": "not-the-secret-" + hexString(remoteRandomData(8))],
            succeed: false)
        // A security token goes out as x-amz-security-token (SeaweedFS may refuse it; either way it is never printed).
        try run(["stat", "obs://\(b)/plain"], env: ["OBS_SECURITY_TOKEN": token], succeed: false)
        try run(["rm", "obs://\(b)/plain"])

        #expect(s.sb.read("out/c-big") == big, "SSE-C download in the debug session differs")
        let all = runs.reduce(into: Data()) { acc, r in
            acc += r.stdout; acc += Data(r.stderr.utf8)
        }
        let text = String(decoding: all, as: UTF8.self)
        // The session did print debug output, with the redactions in place.
        #expect(text.contains("> PUT ") && text.contains("< HTTP 200"), "no --debug output")
        #expect(text.contains("Authorization: <redacted>"), "Authorization not shown as redacted")
        #expect(
            text.lowercased().contains("x-amz-server-side-encryption-customer-key: <redacted>"),
            "SSE-C key header not shown as redacted")
        #expect(text.contains(md5Base64(key1)), "the SSE-C key MD5 may (and should) appear")

        var secrets: [(String, Data)] = []
        secrets += secretForms(Data(s.peers.secretKey.utf8)).map { ("secret access key (\($0.0))", $0.1) }
        secrets += secretForms(Data(token.utf8)).map { ("security token (\($0.0))", $0.1) }
        for (name, key) in [("SSE-C key 1", key1), ("SSE-C key 2", key2), ("wrong SSE-C key", wrong)] {
            secrets += secretForms(key).map { ("\(name) (\($0.0))", $0.1) }
        }
        for (what, form) in secrets {
            #expect(all.range(of: form) == nil, "\(what) appears in the output")
        }
        // No signature: neither the Authorization value's parts nor a 64-hex-digit SigV4 signature anywhere.
        for marker in ["Signature=", "Credential=", "SignedHeaders=", "AWS4-HMAC-SHA256"] {
            #expect(!text.contains(marker), "'\(marker)' (part of an Authorization value) appears in the output")
        }
        let hex64 = try Regex("[0-9a-fA-F]{64}")
        let found = text.matches(of: hex64).map { String(text[$0.range]) }
        #expect(found.isEmpty, "64-hex-digit values (a signature or a key) in the output: \(found.prefix(3))")
    }
}
