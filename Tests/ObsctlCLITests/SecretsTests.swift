import Foundation
import Testing

/// Key material never appears in any output or in any file under the root: neither the root key (which lives in
/// the environment here) nor an SSE-C key, in raw, hex (either case) or base64 form.
@Suite("secrets never in output")
struct SecretsTests {
    @Test("a full session in every mode leaks no root key and no SSE-C key into stdout, stderr or files under the root")
    func noSecretsAnywhere() throws {
        let sb = try Sandbox("secrets")
        let rootKey = randomData(32)
        sb.environment["OBSCTL_LOCAL_ROOT_KEY"] = rootKey.base64EncodedString()
        let ssec = randomData(32), ssec2 = randomData(32)
        try sb.write("keys/ssec.raw", ssec, mode: 0o600)
        try sb.write("keys/ssec.hex", Data((hexString(ssec) + "\n").utf8), mode: 0o600)
        try sb.write("keys/ssec2.raw", ssec2, mode: 0o600)
        try sb.write("keys/short.raw", ssec.prefix(31), mode: 0o600)
        let keyEnv: [String: String?] = ["SSEC_B64": ssec.base64EncodedString()]
        let data = randomData(65536 * 2 + 99)
        try sb.write("f.bin", data)
        try sb.write("small.txt", Data("small\n".utf8))

        var outputs: [RunResult] = []
        func run(_ args: [String], stdin: Data? = nil, env: [String: String?] = [:]) throws -> RunResult {
            let r = try sb.run(args, stdin: stdin, env: env)
            outputs.append(r)
            return r
        }
        func ok(
            _ args: [String], stdin: Data? = nil, env: [String: String?] = [:],
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let r = try run(args, stdin: stdin, env: env)
            #expect(r.succeeded, "\(r)", sourceLocation: sourceLocation)
        }

        // Buckets, keys, uploads in every mode (and both output formats).
        try ok(["bucket", "create", "obs://sec", "--sse", "kms"])
        try ok(["bucket", "create", "obs://sec2", "--sse", "obs", "--output", "json"])
        try ok(["kms", "key", "create", "--alias", "sec-key", "--description", "secret test"])
        try ok(["upload", "f.bin", "obs://sec/default-kms"])
        try ok(["upload", "f.bin", "obs://sec/kms", "--sse", "kms", "--output", "json"])
        try ok(["upload", "f.bin", "obs://sec/kms-alias", "--sse", "kms", "--kms-key-id", "sec-key"])
        try ok(["upload", "f.bin", "obs://sec/obs", "--sse", "obs"])
        try ok(["upload", "f.bin", "obs://sec2/obs-default"])
        try ok(["upload", "f.bin", "obs://sec/c-raw", "--sse", "c", "--sse-c-key-file", "keys/ssec.raw"])
        try ok([
            "upload", "f.bin", "obs://sec/c-hex", "--sse", "c", "--sse-c-key-file", "keys/ssec.hex", "--output", "json",
        ])
        try ok(
            ["upload", "-", "obs://sec/c-env", "--sse", "c", "--sse-c-key-env", "SSEC_B64"], stdin: data, env: keyEnv)
        try ok(["upload", "small.txt", "obs://sec/small-c", "--sse-c-key-env", "SSEC_B64"], env: keyEnv)
        try ok(["bucket", "encryption", "disable", "obs://sec"])
        try ok(["upload", "small.txt", "obs://sec/plain"])
        try ok([
            "bucket", "encryption", "enable", "obs://sec", "--sse", "kms", "--kms-key-id", "sec-key", "--output",
            "json",
        ])
        try ok(["bucket", "encryption", "show", "obs://sec"])
        try ok(["upload", "small.txt", "obs://sec/after-enable"])

        // Reads.
        for key in ["default-kms", "kms", "kms-alias", "obs", "plain", "after-enable"] {
            try ok(["stat", "obs://sec/" + key])
            try ok(["stat", "obs://sec/" + key, "--output", "json"])
            try ok(["download", "obs://sec/" + key, "out/" + key])
        }
        try ok(["download", "obs://sec2/obs-default", "-"])
        for key in ["c-raw", "c-hex", "c-env"] {
            try ok(["stat", "obs://sec/" + key, "--sse-c-key-file", "keys/ssec.raw"])
            try ok(["stat", "obs://sec/" + key, "--sse-c-key-env", "SSEC_B64", "--output", "json"], env: keyEnv)
            try ok(["download", "obs://sec/" + key, "out/" + key, "--sse-c-key-file", "keys/ssec.hex"])
            #expect(sb.read("out/" + key) == data)
        }
        try ok(["download", "obs://sec/c-env", "-", "--sse-c-key-env", "SSEC_B64"], env: keyEnv)
        try ok(["ls"])
        try ok(["ls", "obs://sec"])
        try ok(["ls", "obs://sec", "--recursive", "--output", "json"])
        try ok(["bucket", "list", "--output", "json"])
        try ok(["kms", "key", "list"])
        try ok(["kms", "key", "list", "--output", "json"])
        try ok(["kms", "key", "describe", "sec-key"])
        try ok(["kms", "key", "describe", "obs/default", "--output", "json"])
        try ok(["kms", "key", "disable", "sec-key"])
        try ok(["kms", "key", "enable", "sec-key", "--output", "json"])

        // Copies: SSE-C rotation and a change of mode.
        try ok([
            "cp", "obs://sec/c-raw", "obs://sec/c-raw", "--source-sse-c-key-file", "keys/ssec.raw", "--sse-c-key-file",
            "keys/ssec2.raw",
        ])
        try ok(
            ["cp", "obs://sec/c-hex", "obs://sec/c-to-kms", "--source-sse-c-key-env", "SSEC_B64", "--sse", "kms"],
            env: keyEnv)
        try ok(["cp", "obs://sec/kms", "obs://sec/kms-to-c", "--sse-c-key-file", "keys/ssec.raw", "--output", "json"])
        try ok(["download", "obs://sec/c-to-kms", "out/c-to-kms"])
        #expect(sb.read("out/c-to-kms") == data)

        // Error paths.
        // Rotated: the old key is wrong now.
        _ = try run(["download", "obs://sec/c-raw", "out/x1", "--sse-c-key-file", "keys/ssec.raw"])
        _ = try run(["download", "obs://sec/c-hex", "out/x2"])
        _ = try run(["download", "obs://sec/c-hex", "out/x3", "--sse-c-key-file", "keys/ssec2.raw"])
        _ = try run(["upload", "f.bin", "obs://sec/bad", "--sse", "c", "--sse-c-key-file", "keys/short.raw"])
        _ = try run([
            "upload", "f.bin", "obs://sec/bad", "--sse", "c", "--sse-c-key-file", "keys/ssec.hex",
            "--sse-c-key-encoding", "base64",
        ])
        _ = try run(["upload", "f.bin", "obs://sec/bad", "--sse", "kms", "--sse-c-key-file", "keys/ssec.raw"])
        _ = try run(["download", "obs://sec/kms", "out/x4", "--sse-c-key-env", "SSEC_B64"], env: keyEnv)
        _ = try run(
            ["download", "obs://sec/kms", "out/x5"],
            env: ["OBSCTL_LOCAL_ROOT_KEY": randomData(32).base64EncodedString()])
        _ = try run(["download", "obs://sec/kms", "out/x6"], env: ["OBSCTL_LOCAL_ROOT_KEY": hexString(rootKey)])
        _ = try run(
            ["download", "obs://sec/kms", "out/x7"],
            env: ["OBSCTL_LOCAL_ROOT_KEY": rootKey.base64EncodedString() + "AA"])
        _ = try run(["kms", "key", "disable", "obs/default"])
        _ = try run(["kms", "key", "describe", "no-such-key"])
        _ = try run(["upload", "--bogus"])
        let failures = outputs.filter { !$0.succeeded }
        #expect(failures.count == 13, "every error case must fail: \(failures.map(\.description))")

        // Integrity failure of an SSE-C object (the error must not echo the key either).
        let dir = try #require(sb.objectDirectory(bucket: "sec", key: "c-hex"))
        let dataFile = try #require(sb.directoryListing(dir).first { $0.hasPrefix("d-") })
        try flipByte(dir + "/" + dataFile, at: 200)
        let tampered = try run(["download", "obs://sec/c-hex", "out/x8", "--sse-c-key-file", "keys/ssec.raw"])
        #expect(tampered.status == 13, "\(tampered)")

        // Now search everything.
        let secrets: [(String, Data)] = [("root key", rootKey), ("SSE-C key", ssec), ("second SSE-C key", ssec2)]
        for r in outputs {
            let stderr = Data(r.stderr.utf8)
            for (name, secret) in secrets {
                for (form, bytes) in secretForms(secret) {
                    #expect(
                        r.stdout.range(of: bytes) == nil,
                        "\(name) (\(form)) on stdout of: obsctl \(r.arguments.joined(separator: " "))")
                    #expect(
                        stderr.range(of: bytes) == nil,
                        "\(name) (\(form)) on stderr of: obsctl \(r.arguments.joined(separator: " "))")
                }
            }
        }
        let rootFiles = sb.files(under: "root")
        #expect(rootFiles.count > 10, "the session must have written files under the root: \(rootFiles)")
        for rel in rootFiles {
            let content = try Data(contentsOf: URL(fileURLWithPath: sb.path(rel)))
            for (name, secret) in secrets {
                for (form, bytes) in secretForms(secret) {
                    #expect(content.range(of: bytes) == nil, "\(name) (\(form)) found in \(rel)")
                }
            }
            // Nothing derived from an SSE-C key is stored either: not even its MD5.
            for secret in [ssec, ssec2] {
                let md5 = md5Base64(secret)
                #expect(content.range(of: Data(md5.utf8)) == nil, "an SSE-C key's MD5 is stored in \(rel)")
                #expect(
                    content.range(of: Data(hexString(Data(base64Encoded: md5)!).utf8)) == nil,
                    "an SSE-C key's MD5 (hex) is stored in \(rel)")
            }
        }
        // The root key is in no file at all under the sandbox (it came from the environment).
        for rel in sb.files() {
            let content = try Data(contentsOf: URL(fileURLWithPath: sb.path(rel)))
            for (form, bytes) in secretForms(rootKey) {
                #expect(content.range(of: bytes) == nil, "root key (\(form)) found in \(rel)")
            }
        }
        #expect(
            !FileManager.default.fileExists(atPath: sb.rootKeyFile),
            "with OBSCTL_LOCAL_ROOT_KEY set no key file is created")
    }
}
