import Foundation
import Testing

/// SSE-C keys come from a file or an environment variable, as raw bytes, hex or base64; every encoding of the same
/// key opens the same object.
@Suite("SSE-C key encodings")
struct CustomerKeyEncodingTests {
    @Test("raw, hex and base64 files, base64 and hex in --sse-c-key-env all name the same key")
    func encodingsAgree() throws {
        let sb = try Sandbox("enc")
        try sb.ok(["bucket", "create", "obs://enc"])
        let data = randomData(65536 + 3)
        try sb.write("f.bin", data)
        let key = randomData(32)
        try sb.write("raw.key", key, mode: 0o600)
        try sb.write("hex.key", Data((hexString(key) + "\n").utf8), mode: 0o600)
        try sb.write("HEX.key", Data(hexString(key, uppercase: true).utf8), mode: 0o600)
        try sb.write("b64.key", Data((key.base64EncodedString() + "\n").utf8), mode: 0o600)
        let env: [String: String?] = ["KEY_B64": key.base64EncodedString(), "KEY_HEX": hexString(key)]

        let sources: [(String, [String])] = [
            ("raw-file", ["--sse-c-key-file", "raw.key"]),
            ("hex-file", ["--sse-c-key-file", "hex.key"]),
            ("HEX-file", ["--sse-c-key-file", "HEX.key"]),
            ("b64-file", ["--sse-c-key-file", "b64.key"]),
            ("b64-env", ["--sse-c-key-env", "KEY_B64"]),
            ("hex-env", ["--sse-c-key-env", "KEY_HEX"]),
            ("raw-explicit", ["--sse-c-key-file", "raw.key", "--sse-c-key-encoding", "raw"]),
            ("hex-explicit", ["--sse-c-key-file", "hex.key", "--sse-c-key-encoding", "hex"]),
            ("b64-explicit", ["--sse-c-key-file", "b64.key", "--sse-c-key-encoding", "base64"]),
            ("b64-env-explicit", ["--sse-c-key-env", "KEY_B64", "--sse-c-key-encoding", "base64"]),
        ]
        let md5 = md5Base64(key)
        for (i, (name, upOptions)) in sources.enumerated() {
            let object = "obs://enc/\(name)"
            try sb.ok(["upload", "f.bin", object, "--sse", "c"] + upOptions, env: env)
            let stat = try sb.json(["stat", object] + upOptions, env: env)
            #expect((stat["sse"] as? [String: Any])?["customer_key_md5"] as? String == md5, "\(name)")
            #expect((stat["sse"] as? [String: Any])?["mode"] as? String == "c", "\(name)")
            // Read back with a different encoding of the same key.
            let (_, downOptions) = sources[(i + 3) % sources.count]
            let down = try sb.run(["download", object, "-"] + downOptions, env: env)
            expectSuccess(down)
            #expect(down.stdout == data, "\(name) uploaded, read back with \(downOptions)")
        }
        // The text stat shows the key MD5, never the key.
        let text = try sb.ok(["stat", "obs://enc/raw-file", "--sse-c-key-file", "hex.key"]).out
        #expect(fields(text)["sse-c-key-md5"] == md5)
        #expect(fields(text)["encryption"] == "SSE-C")
    }

    @Test("an encoding without a key is refused (exit 2); a key file others can read is used, with a warning")
    func encodingWithoutKeyAndExposedFile() throws {
        let sb = try Sandbox("enc-alone")
        try sb.ok(["bucket", "create", "obs://encalone"])
        try sb.write("f.bin", Data("data".utf8))
        for args in [
            ["upload", "f.bin", "obs://encalone/x", "--sse-c-key-encoding", "hex"],
            ["cp", "obs://encalone/x", "obs://encalone/y", "--source-sse-c-key-encoding", "raw"],
        ] {
            expectError(try sb.run(args), 2, contains: ["needs a key", "-file or"])
        }
        #expect(try sb.run(["stat", "obs://encalone/x"]).status == 3, "nothing uploaded")
        let key = randomData(32)
        try sb.write("open.key", key, mode: 0o644)
        try sb.write("private.key", key, mode: 0o600)
        let exposed = try sb.ok(["upload", "f.bin", "obs://encalone/c", "--sse-c-key-file", "open.key"])
        #expect(
            exposed.stderrLines == [
                "obsctl: warning: SSE-C key file open.key can be read by others (mode 0644); chmod 600 it"
            ], "\(exposed)")
        #expect(!exposed.stderr.contains(hexString(key)) && !exposed.stderr.contains(key.base64EncodedString()))
        let quiet = try sb.ok(["cat", "obs://encalone/c", "--sse-c-key-file", "private.key"])
        #expect(quiet.stderr.isEmpty && quiet.out == "data", "\(quiet)")
    }

    @Test("--sse-c-key-encoding that does not match the key's form is an SSE-C error (exit 7)")
    func encodingMismatch() throws {
        let sb = try Sandbox("encmis")
        try sb.ok(["bucket", "create", "obs://encmis"])
        try sb.write("f.bin", Data("data".utf8))
        let key = randomData(32)
        try sb.write("raw.key", key, mode: 0o600)
        try sb.write("hex.key", Data((hexString(key) + "\n").utf8), mode: 0o600)
        try sb.write("b64.key", Data((key.base64EncodedString() + "\n").utf8), mode: 0o600)
        try sb.write("badhex.key", Data((String(hexString(key).dropLast()) + "g").utf8), mode: 0o600)
        try sb.write("hex-short.key", Data(hexString(randomData(31)).utf8), mode: 0o600)
        try sb.write("b64-short.key", Data(randomData(31).base64EncodedString().utf8), mode: 0o600)
        // 32 characters of text are not taken for a raw key: a 16-byte key in hex, a passphrase, the base64 of 24
        // bytes, from the environment or a file (without a newline, so 32 bytes).
        try sb.write("hex16.key", Data(hexString(randomData(16)).utf8), mode: 0o600)
        try sb.write("pass31.key", Data("a passphrase of 31 characters!!\n".utf8), mode: 0o600)
        try sb.write("utf8.key", Data("ключ-ключ-ключ-ключ".utf8), mode: 0o600)
        let env: [String: String?] = [
            "KEY_B64": key.base64EncodedString(), "KEY_HEX": hexString(key), "KEY_HEX16": hexString(randomData(16)),
            "KEY_PASS": "correct horse battery staple 32!", "KEY_B64_24": randomData(24).base64EncodedString(),
        ]
        #expect(env.values.allSatisfy { $0!.utf8.count == 32 || $0!.utf8.count == 44 || $0!.utf8.count == 64 })

        let bad: [[String]] = [
            ["--sse-c-key-env", "KEY_HEX16"], ["--sse-c-key-env", "KEY_PASS"], ["--sse-c-key-env", "KEY_B64_24"],
            ["--sse-c-key-file", "hex16.key"], ["--sse-c-key-file", "pass31.key"], ["--sse-c-key-file", "utf8.key"],
            ["--sse-c-key-file", "b64.key", "--sse-c-key-encoding", "hex"],
            ["--sse-c-key-file", "hex.key", "--sse-c-key-encoding", "base64"],
            ["--sse-c-key-file", "hex.key", "--sse-c-key-encoding", "raw"],
            ["--sse-c-key-file", "b64.key", "--sse-c-key-encoding", "raw"],
            ["--sse-c-key-file", "raw.key", "--sse-c-key-encoding", "hex"],
            ["--sse-c-key-env", "KEY_B64", "--sse-c-key-encoding", "hex"],
            ["--sse-c-key-env", "KEY_HEX", "--sse-c-key-encoding", "base64"],
            ["--sse-c-key-file", "badhex.key"],
            ["--sse-c-key-file", "badhex.key", "--sse-c-key-encoding", "hex"],
            ["--sse-c-key-file", "hex-short.key"],
            ["--sse-c-key-file", "hex-short.key", "--sse-c-key-encoding", "hex"],
            ["--sse-c-key-file", "b64-short.key"],
            ["--sse-c-key-file", "b64-short.key", "--sse-c-key-encoding", "base64"],
        ]
        for options in bad {
            let r = try sb.run(["upload", "f.bin", "obs://encmis/k", "--sse", "c"] + options, env: env)
            expectError(r, 7)
            // The message names the problem but never echoes the key.
            #expect(!r.stderr.contains(hexString(key)) && !r.stderr.contains(key.base64EncodedString()), "\(r)")
        }
        expectError(try sb.run(["stat", "obs://encmis/k"]), 3)
        // Said to be raw, 32 printable bytes are a key.
        try sb.ok(
            ["upload", "f.bin", "obs://encmis/pass", "--sse-c-key-env", "KEY_PASS", "--sse-c-key-encoding", "raw"],
            env: env)

        // The same mismatch on the source side of a copy.
        try sb.ok(["upload", "f.bin", "obs://encmis/c", "--sse-c-key-file", "raw.key"])
        expectError(
            try sb.run([
                "cp", "obs://encmis/c", "obs://encmis/d", "--source-sse-c-key-file", "b64.key",
                "--source-sse-c-key-encoding", "hex",
            ]), 7)
        try sb.ok([
            "cp", "obs://encmis/c", "obs://encmis/d", "--source-sse-c-key-file", "b64.key",
            "--source-sse-c-key-encoding", "base64",
            "--sse", "obs",
        ])
        #expect(try sb.ok(["download", "obs://encmis/d", "-"]).stdout == Data("data".utf8))
    }
}
