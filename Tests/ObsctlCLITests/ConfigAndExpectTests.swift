import Foundation
import Testing

/// `config set|get|list` (secrets never from argv, never printed), `--expect-sse`, and batch `rm --recursive`.
@Suite("config, --expect-sse, rm --recursive")
struct ConfigAndExpectTests {
    @Test("config keeps secrets off argv and out of output, in a 0600 file")
    func configSecrets() throws {
        let sb = try Sandbox("config")
        try sb.ok(["config", "set", "endpoint", "https://obs.cn-north-4.myhuaweicloud.com"])
        expectError(try sb.run(["config", "set", "secret_access_key", "s3cr3t-on-argv"]), 2, contains: ["--from-env"])
        try sb.ok(
            ["config", "set", "secret_access_key", "--from-env", "SK", "--profile", "prod"],
            env: ["SK": "s3cr3t-from-env"])
        try sb.ok(
            ["config", "set", "access_key_id", "--from-stdin", "--profile", "prod"], stdin: Data("AKFROMSTDIN\n".utf8))
        expectError(try sb.run(["config", "set", "colour", "blue"]), 2, contains: ["unknown config key"])
        let list = try sb.ok(["config", "list"])
        #expect(list.out.contains("endpoint = https://obs.cn-north-4.myhuaweicloud.com"))
        #expect(list.out.contains("access_key_id = AKFROMSTDIN"))
        #expect(!list.out.contains("s3cr3t") && !list.stderr.contains("s3cr3t"))
        #expect(try sb.ok(["config", "get", "secret_access_key", "--profile", "prod"]).out == "<set, hidden>\n")
        let file = sb.configHome + "/obsctl/config"
        var st = stat()
        #expect(stat(file, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect((try String(contentsOfFile: file, encoding: .utf8)).contains("secret_access_key = s3cr3t-from-env"))
        // A config file others can read is refused, by config and by every remote command.
        chmod(file, 0o644)
        expectError(try sb.run(["config", "list"]), 12, contains: ["chmod 600"])
        expectError(try sb.run(["ls", "--profile", "prod"]), 12, contains: ["chmod 600"])
    }

    @Test("a config line that means nothing, or a bad value, is exit 12 naming the line; config set refuses them")
    func configFileChecked() throws {
        let sb = try Sandbox("config-lines")
        let file = sb.configHome + "/obsctl/config"
        try FileManager.default.createDirectory(
            atPath: sb.configHome + "/obsctl", withIntermediateDirectories: true)
        for (text, line, words) in [
            ("[default\nendpoint = https://127.0.0.1:1\n", 1, "neither a [profile] header"),
            ("# ok\n[default]\nendpoint https://127.0.0.1:1\n", 3, "neither a [profile] header"),
            ("[default]\nacess_key_id = AK\n", 2, "unknown config key 'acess_key_id'"),
            ("region = r1\n[default]\n", 1, "before any [profile] header"),
            ("[default]\nendpoint = https://h  # note\n", 2, "not an http(s)://host[:port] URL"),
            ("[default]\nsignature = v5\n", 2, "signature must be obs, v2 or v4"),
            ("[]\nregion = r1\n", 1, "profile name"),
            ("[default]\nregion = r1\nendpoint = http://a:1\nendpoint = http://b:1\n", 4, "first on line 3"),
            ("[default]\nregion = r1\n[prod]\nregion = r2\n[default]\nregion = r3\n", 6, "first on line 2"),
        ] {
            FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
            chmod(file, 0o600)
            let r = try sb.run(["ls"])
            expectError(r, 12, contains: ["\(file) line \(line)", words])
        }
        // Comments, blank lines and known keys pass.
        FileManager.default.createFile(
            atPath: file,
            contents: Data("# c\n; c\n\n[default]\n# nothing\n[prod]\n  region = r1  \nsignature = v4\n".utf8))
        chmod(file, 0o600)
        #expect(try sb.run(["bucket", "list"]).succeeded)

        // config set refuses what a later command would: the file stays as it was.
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        for (args, words) in [
            (["config", "set", "endpoint", "not a url"], "not an http(s)://host[:port] URL"),
            (["config", "set", "endpoint", "ftp://x"], "not an http(s)://host[:port] URL"),
            (["config", "set", "kms_endpoint", "https://k/path"], "not an http(s)://host[:port] URL"),
            (["config", "set", "ca_bundle", "/nonexistent.pem"], "cannot be read"),
            (["config", "set", "region", "r2", "--profile", "a\nendpoint = http://evil:1\n[default"], "profile name"),
            (["config", "set", "region", "r2", "--profile", ""], "profile name"),
            (["config", "set", "region", "r2", "--profile", "a]b"], "profile name"),
        ] {
            expectError(try sb.run(args), 2, contains: [words])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
    }

    @Test("--expect-sse fails with exit 6 when the stored object is not encrypted as stated")
    func expectSSE() throws {
        let sb = try Sandbox("expect")
        try sb.ok(["bucket", "create", "obs://expect"])
        try sb.write("f.txt", Data("hello".utf8))
        expectError(
            try sb.run(["upload", "f.txt", "obs://expect/a", "--expect-sse", "kms"]), 6, contains: ["--expect-sse kms"])
        try sb.ok(["upload", "f.txt", "obs://expect/b", "--sse", "obs", "--expect-sse", "any"])
        // A method named that the expectation refuses: exit 2 before anything is written, no KMS key made.
        for args in [
            ["upload", "f.txt", "obs://expect/c", "--sse", "obs", "--expect-sse", "none"],
            ["upload", "f.txt", "obs://expect/c", "--sse", "kms", "--expect-sse", "none"],
            ["cp", "f.txt", "obs://expect/c", "--sse", "kms", "--expect-sse", "c"],
            ["sync", ".", "obs://expect/", "--sse", "kms", "--expect-sse", "obs"],
        ] {
            expectError(try sb.run(args), 2, contains: ["contradicts", "drop one"])
        }
        #expect((try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]])?.isEmpty == true)
        #expect(try sb.run(["stat", "obs://expect/c"]).status == 3, "nothing stored")
        try sb.ok(["bucket", "encryption", "enable", "obs://expect", "--sse", "kms"])
        try sb.ok(["upload", "f.txt", "obs://expect/d", "--expect-sse", "kms"])
        try sb.ok(["cp", "obs://expect/d", "obs://expect/e", "--sse", "obs", "--expect-sse", "obs"])
        expectError(try sb.run(["cp", "obs://expect/d", "obs://expect/f", "--sse", "obs", "--expect-sse", "kms"]), 2)
        // Checked after the write where only the bucket default decides (exit 6 above); a copy keeps its source's.
        expectError(try sb.run(["cp", "obs://expect/e", "obs://expect/g", "--expect-sse", "kms"]), 6)
    }

    @Test("--expect-sse the bucket's default or a copy's source cannot meet: refused before writing, in dry runs too")
    func expectSSEBeforeWriting() throws {
        let sb = try Sandbox("expect-before")
        try sb.ok(["bucket", "create", "obs://expect"])
        try sb.write("old.txt", Data("old".utf8))
        try sb.write("new/f.txt", Data("new".utf8))
        try sb.ok(["upload", "old.txt", "obs://expect/k", "--sse", "kms"])
        try sb.ok(["upload", "old.txt", "obs://expect/plain"])
        for command in [
            ["cp", "new/f.txt", "obs://expect/k", "--expect-sse", "kms"],
            ["cp", "obs://expect/plain", "obs://expect/k", "--expect-sse", "any"],
            ["mv", "obs://expect/plain", "obs://expect/k", "--expect-sse", "obs"],
            ["sync", "new", "obs://expect/s/", "--expect-sse", "kms"],
        ] {
            let dry = try sb.run(command + ["--dry-run"])
            let run = try sb.run(command)
            #expect(run.status == 6 && dry.status == 6, "\(command)\n\(dry)\n\(run)")
            #expect(run.stderr.contains("nothing was written"), "\(run)")
        }
        #expect(try sb.ok(["cat", "obs://expect/k"]).out == "old", "the object was not replaced")
        #expect(try sb.run(["stat", "obs://expect/s/f.txt"]).status == 3 && sb.exists("new/f.txt"))
        #expect(try sb.ok(["cat", "obs://expect/plain"]).out == "old", "the move kept its source")
        // A copy that keeps its source's SSE-KMS meets kms whatever the bucket's default.
        try sb.ok(["cp", "obs://expect/k", "obs://expect/k2", "--expect-sse", "kms"])
    }

    @Test("rm --recursive reports every deleted key in JSON and leaves keys outside the folder")
    func recursiveRemove() throws {
        let sb = try Sandbox("rmrec")
        try sb.ok(["bucket", "create", "obs://rmrec"])
        try sb.write("f.txt", Data("x".utf8))
        for k in ["dir/a", "dir/b", "dir/sub/c", "dirt.tar"] { try sb.ok(["upload", "f.txt", "obs://rmrec/" + k]) }
        let json = try sb.json(["rm", "obs://rmrec/dir", "--recursive"])
        #expect(
            (json["deleted"] as? [String])?.sorted() == [
                "obs://rmrec/dir/a", "obs://rmrec/dir/b", "obs://rmrec/dir/sub/c",
            ])
        #expect((json["failures"] as? [Any])?.isEmpty == true)
        let left = try sb.json(["ls", "obs://rmrec", "--recursive"])
        #expect(((left["objects"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String } == ["dirt.tar"])
    }
}
