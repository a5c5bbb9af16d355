import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The documented exit codes (docs/cli-design.md §5c, ExitCodes.swift), each with one error line on stderr.
@Suite("exit codes")
struct ExitCodeTests {
    @Test("2 usage: missing arguments, bad bucket names, --kms-key-id without --sse kms, two methods, unknown flags")
    func usage() throws {
        let sb = try Sandbox("usage")
        try sb.ok(["bucket", "create", "obs://usage"])
        try sb.write("f.txt", Data("hello\n".utf8))
        try sb.write("k.bin", randomData(32), mode: 0o600)

        expectError(try sb.run(["upload"]), 2)
        expectError(try sb.run(["upload", "f.txt"]), 2)
        expectError(try sb.run(["download", "obs://usage/x"]), 2)
        expectError(try sb.run(["presign", "obs://usage/x"]), 2, contains: ["remote endpoint"])
        // The embedded backend writes objects whole: no uploads in progress, and none to abort.
        #expect(try sb.ok(["multipart", "list", "obs://usage"]).stdout.isEmpty)
        expectError(
            try sb.run(["multipart", "abort", "obs://usage/x", "--upload-id", "u1"]), 3, contains: ["NoSuchUpload"])
        expectError(try sb.run(["multipart", "list", "obs://no-such-bucket"]), 3)
        expectError(try sb.run(["bucket", "create"]), 2)
        expectError(try sb.run(["stat"]), 2)
        expectError(try sb.run(["kms", "key", "describe"]), 2)
        expectError(try sb.run(["kms", "key", "schedule-deletion", "some-key"]), 2, contains: ["--days"])
        expectError(try sb.run(["nonsense-command"]), 2)

        // Bucket names by OBS's rules.
        for bad in [
            "obs://Bad_Name", "obs://ab", "obs://-start", "obs://end-", "obs://a..b", "obs://192.168.1.1",
            "obs://" + String(repeating: "a", count: 64), "UPPER",
        ] {
            expectError(try sb.run(["bucket", "create", bad]), 2, contains: ["bucket name"])
        }
        expectError(try sb.run(["upload", "f.txt", "obs://No_Such/k"]), 2, contains: ["bucket name"])
        expectError(try sb.run(["bucket", "create", "obs://usage/key"]), 2)
        expectError(try sb.run(["upload", "f.txt", "usage/k"]), 2, contains: ["obs://"])

        // --kms-key-id needs --sse kms.
        expectError(
            try sb.run(["upload", "f.txt", "obs://usage/k", "--kms-key-id", "some-key"]), 2, contains: ["--sse kms"])
        expectError(
            try sb.run(["upload", "f.txt", "obs://usage/k", "--sse", "obs", "--kms-key-id", "some-key"]), 2,
            contains: ["--sse kms"])
        expectError(try sb.run(["bucket", "create", "obs://other-bucket", "--kms-key-id", "some-key"]), 2)
        expectError(
            try sb.run(["bucket", "encryption", "enable", "obs://usage", "--sse", "obs", "--kms-key-id", "k"]), 2)
        expectError(try sb.run(["bucket", "encryption", "enable", "obs://usage", "--sse", "c"]), 2)
        expectError(try sb.run(["bucket", "create", "obs://other-bucket", "--sse", "c"]), 2)

        // One method per upload: refused before any byte is written (no object, no KMS key created).
        expectError(
            try sb.run(["upload", "f.txt", "obs://usage/k", "--sse", "kms", "--sse-c-key-file", "k.bin"]), 2,
            contains: ["one encryption method"])
        expectError(try sb.run(["upload", "f.txt", "obs://usage/k", "--sse", "obs", "--sse-c-key-file", "k.bin"]), 2)
        expectError(try sb.run(["stat", "obs://usage/k"]), 3)
        #expect((try sb.json(["kms", "key", "list"])["keys"] as? [Any])?.isEmpty == true)
        #expect(sb.objectDirectories(bucket: "usage").allSatisfy { sb.directoryListing($0).isEmpty })

        // Object keys longer than OBS allows.
        expectError(
            try sb.run(["upload", "f.txt", "obs://usage/" + String(repeating: "k", count: 1025)]), 2, contains: ["1024"]
        )
        expectSuccess(try sb.run(["upload", "f.txt", "obs://usage/" + String(repeating: "k", count: 1024)]))

        // Unknown flags and bad values.
        expectError(try sb.run(["upload", "f.txt", "obs://usage/k", "--bogus"]), 2)
        expectError(try sb.run(["ls", "--frobnicate"]), 2)
        expectError(try sb.run(["upload", "f.txt", "obs://usage/k", "--sse", "aes"]), 2)
        expectError(try sb.run(["bucket", "list", "--output", "yaml"]), 2)
        expectError(try sb.run(["bucket", "create", "obs://other-bucket", "--storage-class", "glacier"]), 2)
        expectError(
            try sb.run([
                "upload", "f.txt", "obs://usage/k", "--sse-c-key-file", "k.bin", "--sse-c-key-encoding", "rot13",
            ]), 2)
        expectError(try sb.run(["upload", "f.txt", "obs://usage/k", "--metadata", "novalue"]), 2)
        expectError(try sb.run(["kms", "key", "create", "--alias", "bad alias!"]), 2)
        expectError(try sb.run(["kms", "key", "create", "--alias", "mine/default"]), 2)
        // Usage errors point at help.
        #expect(try sb.run(["upload", "--bogus"]).stderr.contains("--help"))
        // Nothing above created a second bucket.
        #expect((try sb.json(["bucket", "list"])["buckets"] as? [Any])?.count == 1)
    }

    @Test("3 not found: missing bucket, missing object, missing local file")
    func notFound() throws {
        let sb = try Sandbox("nf")
        try sb.ok(["bucket", "create", "obs://nf-bucket"])
        try sb.write("f.txt", Data("hello\n".utf8))

        expectError(try sb.run(["stat", "obs://no-such-bucket/k"]), 3, contains: ["no-such-bucket"])
        expectError(try sb.run(["upload", "f.txt", "obs://no-such-bucket/k"]), 3, contains: ["does not exist"])
        expectError(try sb.run(["ls", "obs://no-such-bucket"]), 3)
        expectError(try sb.run(["bucket", "delete", "obs://no-such-bucket"]), 3)
        expectError(try sb.run(["bucket", "encryption", "show", "obs://no-such-bucket"]), 3)
        expectError(try sb.run(["bucket", "encryption", "enable", "obs://no-such-bucket", "--sse", "obs"]), 3)

        expectError(try sb.run(["stat", "obs://nf-bucket/missing"]), 3, contains: ["obs://nf-bucket/missing"])
        expectError(try sb.run(["download", "obs://nf-bucket/missing", "out.bin"]), 3)
        #expect(!sb.exists("out.bin"))
        #expect(
            sb.directoryListing(sb.dir.path).allSatisfy { !$0.contains("obsctl-") },
            "no temp file left: \(sb.directoryListing(sb.dir.path))")
        expectError(try sb.run(["rm", "obs://nf-bucket/missing"]), 3)
        expectError(try sb.run(["cp", "obs://nf-bucket/missing", "obs://nf-bucket/copy"]), 3)

        expectError(try sb.run(["upload", "no-such-file.txt", "obs://nf-bucket/k"]), 3, contains: ["no-such-file.txt"])
        expectError(try sb.run(["upload", "no-such-dir", "obs://nf-bucket/p/", "--recursive"]), 3)
        expectError(try sb.run(["stat", "obs://nf-bucket/k"]), 3)
    }

    @Test("5 KMS: disabled key, pending deletion, unknown key, denied kms:* permission leaves nothing behind")
    func kms() throws {
        let sb = try Sandbox("kms")
        try sb.ok(["bucket", "create", "obs://kmsb"])
        let data = randomData(5000)
        try sb.write("f.bin", data)

        let key = try #require(try sb.json(["kms", "key", "create", "--alias", "app-key"])["key_id"] as? String)
        try sb.ok(["upload", "f.bin", "obs://kmsb/k", "--sse", "kms", "--kms-key-id", "app-key"])

        // Disabled: downloads and uploads under the key fail; HEAD (stat) still works.
        #expect(try sb.json(["kms", "key", "disable", "app-key"])["state"] as? String == "disabled")
        expectError(try sb.run(["download", "obs://kmsb/k", "out.bin"]), 5, contains: [key, "disabled"])
        #expect(!sb.exists("out.bin"))
        expectError(
            try sb.run(["upload", "f.bin", "obs://kmsb/k2", "--sse", "kms", "--kms-key-id", key]), 5,
            contains: ["disabled"])
        expectError(try sb.run(["stat", "obs://kmsb/k2"]), 3)
        expectSuccess(try sb.run(["stat", "obs://kmsb/k"]))
        // Enabled again: the bytes are unchanged.
        try sb.ok(["kms", "key", "enable", key])
        try sb.ok(["download", "obs://kmsb/k", "out.bin"])
        #expect(sb.read("out.bin") == data)

        // Pending deletion blocks reads too; cancel brings it back disabled.
        let scheduled = try sb.json(["kms", "key", "schedule-deletion", "app-key", "--days", "30"])
        #expect(scheduled["state"] as? String == "pending-deletion")
        #expect((scheduled["key_state"] as? NSNumber)?.intValue == 4)
        expectError(try sb.run(["download", "obs://kmsb/k", "-"]), 5)
        #expect(try sb.json(["kms", "key", "cancel-deletion", key])["state"] as? String == "disabled")
        expectError(try sb.run(["download", "obs://kmsb/k", "-"]), 5)
        try sb.ok(["kms", "key", "enable", "app-key"])
        #expect(try sb.ok(["download", "obs://kmsb/k", "-"]).stdout == data)

        // Unknown key ids and aliases.
        expectError(
            try sb.run(["upload", "f.bin", "obs://kmsb/k3", "--sse", "kms", "--kms-key-id", "no-such-alias"]), 5,
            contains: ["no-such-alias"])
        expectError(try sb.run(["kms", "key", "describe", "00000000-0000-4000-8000-000000000000"]), 5)
        expectError(
            try sb.run([
                "bucket", "encryption", "enable", "obs://kmsb", "--sse", "kms", "--kms-key-id", "no-such-alias",
            ]), 5)
        #expect(try sb.json(["bucket", "encryption", "show", "obs://kmsb"])["encryption"] is NSNull)

        // The default key cannot be disabled or scheduled for deletion.
        try sb.ok(["upload", "f.bin", "obs://kmsb/default", "--sse", "kms"])
        expectError(try sb.run(["kms", "key", "disable", "obs/default"]), 5, contains: ["obs/default"])
        expectError(try sb.run(["kms", "key", "schedule-deletion", "obs/default", "--days", "7"]), 5)
    }

    @Test(
        """
        5 KMS: kms:dek:create denied by <root>/kms/policy.json fails before any side effect; SSE-OBS and SSE-C still \
        work
        """
    )
    func kmsPermissionDenied() throws {
        let sb = try Sandbox("deny")
        try sb.ok(["bucket", "create", "obs://deny"])
        try sb.write("f.bin", randomData(1000))
        try sb.write("c.key", randomData(32), mode: 0o600)
        try sb.write("root/kms/policy.json", Data(#"{"deny":["kms:dek:create"]}"#.utf8), mode: 0o600)

        expectError(try sb.run(["upload", "f.bin", "obs://deny/k", "--sse", "kms"]), 5, contains: ["kms:dek:create"])
        // No object, no data file, no key created.
        expectError(try sb.run(["stat", "obs://deny/k"]), 3)
        #expect(
            sb.objectDirectories(bucket: "deny").allSatisfy { sb.directoryListing($0).isEmpty },
            "no data file may be left: \(sb.files(under: "root/buckets"))")
        #expect((try sb.json(["kms", "key", "list"])["keys"] as? [Any])?.isEmpty == true)
        #expect(
            !FileManager.default.fileExists(atPath: sb.root + "/kms/keys")
                || sb.directoryListing(sb.root + "/kms/keys").isEmpty)

        // A bucket default of SSE-KMS is denied the same way.
        try sb.ok(["bucket", "encryption", "enable", "obs://deny", "--sse", "kms"])
        expectError(
            try sb.run(["upload", "f.bin", "obs://deny/k", "--output", "json"]), 5, contains: ["kms:dek:create"],
            allowStdout: true)
        expectError(try sb.run(["stat", "obs://deny/k"]), 3)

        // SSE-OBS and SSE-C need no kms:* permission.
        try sb.write("root/kms/policy.json", Data(#"{"deny":["kms:*"]}"#.utf8), mode: 0o600)
        try sb.ok(["upload", "f.bin", "obs://deny/obs", "--sse", "obs"])
        try sb.ok(["upload", "f.bin", "obs://deny/c", "--sse", "c", "--sse-c-key-file", "c.key"])
        try sb.ok(["download", "obs://deny/c", "c.out", "--sse-c-key-file", "c.key"])
        #expect(sb.read("c.out") == sb.read("f.bin"))

        // kms:dek:crypto denied: downloads of SSE-KMS objects fail, stat still works.
        try sb.write("root/kms/policy.json", Data("{}".utf8), mode: 0o600)
        try sb.ok(["upload", "f.bin", "obs://deny/kms-ok", "--sse", "kms"])
        try sb.write("root/kms/policy.json", Data(#"{"deny":["kms:dek:crypto"]}"#.utf8), mode: 0o600)
        expectError(try sb.run(["download", "obs://deny/kms-ok", "out.bin"]), 5, contains: ["kms:dek:crypto"])
        #expect(!sb.exists("out.bin"))
        expectSuccess(try sb.run(["stat", "obs://deny/kms-ok"]))

        // kms:cmk:create denied: a KMS upload without a key fails while obs/default is missing (fresh bucket and
        // root below), and works once the key exists; "obs-doc" mode requires all five documented actions.
        let fresh = try Sandbox("deny-create")
        try fresh.ok(["bucket", "create", "obs://deny"])
        try fresh.write("f.bin", randomData(100))
        try fresh.write("root/kms/policy.json", Data(#"{"deny":["kms:cmk:create"]}"#.utf8), mode: 0o600)
        expectError(
            try fresh.run(["upload", "f.bin", "obs://deny/a", "--sse", "kms"]), 5, contains: ["kms:cmk:create"])
        #expect((try fresh.json(["kms", "key", "list"])["keys"] as? [Any])?.isEmpty == true)
        expectError(try fresh.run(["stat", "obs://deny/a"]), 3)
        try fresh.write("root/kms/policy.json", Data("{}".utf8), mode: 0o600)
        try fresh.ok(["upload", "f.bin", "obs://deny/a", "--sse", "kms"])
        try fresh.write("root/kms/policy.json", Data(#"{"deny":["kms:cmk:create"]}"#.utf8), mode: 0o600)
        try fresh.ok(["upload", "f.bin", "obs://deny/b", "--sse", "kms"])
        try fresh.write(
            "root/kms/policy.json", Data(#"{"deny":["kms:cmk:create"],"mode":"obs-doc"}"#.utf8), mode: 0o600)
        expectError(
            try fresh.run(["upload", "f.bin", "obs://deny/c", "--sse", "kms"]), 5, contains: ["kms:cmk:create"])
        expectError(try fresh.run(["download", "obs://deny/a", "-"]), 5, contains: ["kms:cmk:create"])
        try fresh.ok(["upload", "f.bin", "obs://deny/d", "--sse", "obs"])
        // Denied attempts are audited.
        let audit = try String(contentsOfFile: fresh.root + "/kms/audit.log", encoding: .utf8)
        #expect(audit.contains("\"outcome\":\"denied\""), "\(audit)")

        // A policy that is not JSON is a configuration error.
        try sb.write("root/kms/policy.json", Data("not json".utf8), mode: 0o600)
        expectError(try sb.run(["upload", "f.bin", "obs://deny/z", "--sse", "kms"]), 12, contains: ["policy"])
    }

    @Test("7 SSE-C: missing key, wrong key, empty key file, 31-byte key, unset key variable")
    func customerKeyProblems() throws {
        let sb = try Sandbox("ssec")
        try sb.ok(["bucket", "create", "obs://ssec"])
        let data = randomData(3000)
        try sb.write("f.bin", data)
        try sb.write("right.key", randomData(32), mode: 0o600)
        try sb.write("wrong.key", randomData(32), mode: 0o600)
        try sb.write("empty.key", Data(), mode: 0o600)
        try sb.write("short.key", randomData(31), mode: 0o600)
        try sb.write("long.key", randomData(33), mode: 0o600)
        try sb.write("blank.key", Data("\n".utf8), mode: 0o600)

        expectError(try sb.run(["upload", "f.bin", "obs://ssec/k", "--sse", "c"]), 7, contains: ["--sse-c-key-file"])
        try sb.ok(["upload", "f.bin", "obs://ssec/k", "--sse", "c", "--sse-c-key-file", "right.key"])

        expectError(try sb.run(["download", "obs://ssec/k", "out.bin"]), 7, contains: ["SSE-C"])
        expectError(try sb.run(["stat", "obs://ssec/k"]), 7)
        expectError(
            try sb.run(["download", "obs://ssec/k", "out.bin", "--sse-c-key-file", "wrong.key"]), 7,
            contains: ["does not match"])
        expectError(try sb.run(["stat", "obs://ssec/k", "--sse-c-key-file", "wrong.key"]), 7)
        expectError(
            try sb.run(["download", "obs://ssec/k", "out.bin", "--sse-c-key-file", "empty.key"]), 7, contains: ["empty"]
        )
        expectError(
            try sb.run(["upload", "f.bin", "obs://ssec/k2", "--sse", "c", "--sse-c-key-file", "empty.key"]), 7,
            contains: ["empty"])
        expectError(
            try sb.run(["upload", "f.bin", "obs://ssec/k2", "--sse", "c", "--sse-c-key-file", "short.key"]), 7,
            contains: ["32"])
        expectError(try sb.run(["download", "obs://ssec/k", "out.bin", "--sse-c-key-file", "short.key"]), 7)
        expectError(try sb.run(["upload", "f.bin", "obs://ssec/k2", "--sse", "c", "--sse-c-key-file", "long.key"]), 7)
        expectError(try sb.run(["upload", "f.bin", "obs://ssec/k2", "--sse", "c", "--sse-c-key-file", "blank.key"]), 7)
        expectError(
            try sb.run(["upload", "f.bin", "obs://ssec/k2", "--sse", "c", "--sse-c-key-file", "no-such.key"]), 7,
            contains: ["no-such.key"])
        expectError(
            try sb.run(["upload", "f.bin", "obs://ssec/k2", "--sse", "c", "--sse-c-key-env", "OBSCTL_TEST_UNSET_KEY"]),
            7,
            contains: ["OBSCTL_TEST_UNSET_KEY", "not set"])
        expectError(try sb.run(["download", "obs://ssec/k", "out.bin", "--sse-c-key-env", "OBSCTL_TEST_UNSET_KEY"]), 7)
        expectError(
            try sb.run(
                ["upload", "f.bin", "obs://ssec/k2", "--sse", "c", "--sse-c-key-env", "EMPTY_KEY"],
                env: ["EMPTY_KEY": ""]), 7, contains: ["empty"])
        expectError(
            try sb.run(
                ["upload", "f.bin", "obs://ssec/k2", "--sse-c-key-file", "right.key", "--sse-c-key-env", "X"],
                env: ["X": "y"]), 2, contains: ["once"])
        #expect(!sb.exists("out.bin"))
        expectError(try sb.run(["stat", "obs://ssec/k2"]), 3)

        // An SSE-C key given for an object that has none.
        try sb.ok(["upload", "f.bin", "obs://ssec/plain"])
        expectError(
            try sb.run(["download", "obs://ssec/plain", "out.bin", "--sse-c-key-file", "right.key"]), 7,
            contains: ["not SSE-C"])

        // The right key works, and --sse c is implied by a key file.
        try sb.ok(["download", "obs://ssec/k", "out.bin", "--sse-c-key-file", "right.key"])
        #expect(sb.read("out.bin") == data)
        try sb.ok(["upload", "f.bin", "obs://ssec/implied", "--sse-c-key-file", "right.key"])
        #expect(
            (try sb.json(["stat", "obs://ssec/implied", "--sse-c-key-file", "right.key"])["sse"] as? [String: Any])?[
                "mode"] as? String == "c")
    }

    @Test("10 conflict: bucket exists, alias taken, bucket not empty")
    func conflict() throws {
        let sb = try Sandbox("conflict")
        try sb.ok(["bucket", "create", "obs://dup", "--sse", "obs"])
        expectError(try sb.run(["bucket", "create", "obs://dup"]), 10, contains: ["already exists"])
        expectError(try sb.run(["bucket", "create", "dup", "--sse", "kms"]), 10)
        // The existing bucket kept its settings.
        #expect(
            ((try sb.json(["bucket", "encryption", "show", "obs://dup"])["encryption"]) as? [String: Any])?["mode"]
                as? String == "obs")

        try sb.ok(["kms", "key", "create", "--alias", "taken"])
        expectError(try sb.run(["kms", "key", "create", "--alias", "taken"]), 10, contains: ["taken"])
        #expect((try sb.json(["kms", "key", "list"])["keys"] as? [Any])?.count == 1)

        try sb.write("f.txt", Data("x".utf8))
        try sb.ok(["upload", "f.txt", "obs://dup/x"])
        expectError(try sb.run(["bucket", "delete", "obs://dup"]), 10)
        expectSuccess(try sb.run(["stat", "obs://dup/x"]))
    }

    @Test("12 configuration: root key file 0644, bad OBSCTL_LOCAL_ROOT_KEY, a different root key, unknown FORMAT")
    func configuration() throws {
        // Root key file readable by others.
        let sb = try Sandbox("cfg")
        try sb.ok(["bucket", "create", "obs://cfgb"])
        try sb.write("f.txt", Data("hello".utf8))
        try sb.ok(["upload", "f.txt", "obs://cfgb/k", "--sse", "obs"])  // creates the 0600 key file
        var st = stat()
        #expect(stat(sb.rootKeyFile, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600, "the key file is created 0600")
        #expect(chmod(sb.rootKeyFile, 0o644) == 0)
        expectError(try sb.run(["download", "obs://cfgb/k", "out.txt"]), 12, contains: ["chmod 600", sb.rootKeyFile])
        expectError(try sb.run(["upload", "f.txt", "obs://cfgb/k2", "--sse", "kms"]), 12, contains: ["chmod 600"])
        #expect(!sb.exists("out.txt"))
        #expect(chmod(sb.rootKeyFile, 0o640) == 0)
        expectError(try sb.run(["download", "obs://cfgb/k", "out.txt"]), 12, contains: ["chmod 600"])
        #expect(chmod(sb.rootKeyFile, 0o600) == 0)
        try sb.ok(["download", "obs://cfgb/k", "out.txt"])
        #expect(sb.read("out.txt") == Data("hello".utf8))

        // A root key file reached through a symbolic link is refused (O_NOFOLLOW), as is one owned by another user.
        let realKey = sb.path("elsewhere.key")
        try FileManager.default.copyItem(atPath: sb.rootKeyFile, toPath: realKey)
        chmod(realKey, 0o600)
        try FileManager.default.removeItem(atPath: sb.rootKeyFile)
        try FileManager.default.createSymbolicLink(atPath: sb.rootKeyFile, withDestinationPath: realKey)
        expectError(try sb.run(["download", "obs://cfgb/k", "-"]), 12, contains: [sb.rootKeyFile])
        try FileManager.default.removeItem(atPath: sb.rootKeyFile)
        try FileManager.default.copyItem(atPath: realKey, toPath: sb.rootKeyFile)
        chmod(sb.rootKeyFile, 0o600)
        if geteuid() == 0 {
            #expect(chown(sb.rootKeyFile, 65534, 65534) == 0)
            expectError(try sb.run(["download", "obs://cfgb/k", "-"]), 12, contains: ["another user"])
            #expect(chown(sb.rootKeyFile, 0, 0) == 0)
        }
        #expect(try sb.ok(["download", "obs://cfgb/k", "-"]).stdout == Data("hello".utf8))

        // A root key file that does not hold a key.
        let saved = try Data(contentsOf: URL(fileURLWithPath: sb.rootKeyFile))
        try Data("garbage\n".utf8).write(to: URL(fileURLWithPath: sb.rootKeyFile))
        expectError(try sb.run(["download", "obs://cfgb/k", "-"]), 12)
        try saved.write(to: URL(fileURLWithPath: sb.rootKeyFile))

        // OBSCTL_LOCAL_ROOT_KEY that is not the base64 of 32 bytes.
        let sb2 = try Sandbox("cfg2")
        let k1 = randomData(32).base64EncodedString(), k2 = randomData(32).base64EncodedString()
        try sb2.ok(["bucket", "create", "obs://cfgb"], env: ["OBSCTL_LOCAL_ROOT_KEY": k1])
        try sb2.write("f.txt", Data("hello".utf8))
        for bad in ["not base64!!", randomData(16).base64EncodedString(), randomData(33).base64EncodedString(), ""] {
            expectError(
                try sb2.run(["upload", "f.txt", "obs://cfgb/k", "--sse", "obs"], env: ["OBSCTL_LOCAL_ROOT_KEY": bad]),
                12,
                contains: ["OBSCTL_LOCAL_ROOT_KEY"])
        }
        expectError(try sb2.run(["stat", "obs://cfgb/k"], env: ["OBSCTL_LOCAL_ROOT_KEY": k1]), 3, contains: [])

        // A different root key on an existing root.
        try sb2.ok(["upload", "f.txt", "obs://cfgb/k", "--sse", "kms"], env: ["OBSCTL_LOCAL_ROOT_KEY": k1])
        try sb2.ok(["upload", "f.txt", "obs://cfgb/o", "--sse", "obs"], env: ["OBSCTL_LOCAL_ROOT_KEY": k1])
        expectError(
            try sb2.run(["download", "obs://cfgb/k", "out.txt"], env: ["OBSCTL_LOCAL_ROOT_KEY": k2]), 12,
            contains: ["root key mismatch"])
        expectError(
            try sb2.run(["download", "obs://cfgb/o", "out.txt"], env: ["OBSCTL_LOCAL_ROOT_KEY": k2]), 12,
            contains: ["root key mismatch"])
        expectError(
            try sb2.run(["upload", "f.txt", "obs://cfgb/k3", "--sse", "obs"], env: ["OBSCTL_LOCAL_ROOT_KEY": k2]), 12,
            contains: ["root key mismatch"])
        expectError(
            try sb2.run(["kms", "key", "list"], env: ["OBSCTL_LOCAL_ROOT_KEY": k2]), 12, contains: ["root key mismatch"]
        )
        // Without the env var there is no key file, and a store with data never gets a new random one.
        expectError(try sb2.run(["download", "obs://cfgb/k", "out.txt"]), 12, contains: ["root key file", "missing"])
        #expect(!FileManager.default.fileExists(atPath: sb2.rootKeyFile))
        #expect(!sb2.exists("out.txt"))
        // The right key still works: the mismatch changed nothing.
        try sb2.ok(["download", "obs://cfgb/k", "out.txt"], env: ["OBSCTL_LOCAL_ROOT_KEY": k1])
        #expect(sb2.read("out.txt") == Data("hello".utf8))

        // A root written by an unknown format version.
        try sb2.write("root/FORMAT", Data("obsctl-local 9\n".utf8))
        expectError(try sb2.run(["bucket", "list"]), 12)
    }

    @Test("13 integrity: a flipped byte in the .obx file fails the download and leaves no destination or temp file")
    func integrity() throws {
        let sb = try Sandbox("integrity")
        try sb.ok(["bucket", "create", "obs://integ"])
        let data = randomData(3 * 65536 + 100)
        try sb.write("f.bin", data)

        // One object per damage, so every case starts from a pristine object.
        let cases: [(String, (String) throws -> Void)] = [
            ("middle-chunk", { try flipByte($0, at: 64 + 65536 + 16 + 1000) }),
            ("first-byte-of-ciphertext", { try flipByte($0, at: 64) }),
            (
                "last-tag",
                { p in
                    let n = try Data(contentsOf: URL(fileURLWithPath: p)).count; try flipByte(p, at: n - 1)
                }
            ),
            ("header-salt", { try flipByte($0, at: 20) }),
            ("header-magic", { try flipByte($0, at: 0) }),
            (
                "truncated",
                { p in
                    let d = try Data(contentsOf: URL(fileURLWithPath: p));
                    try d.prefix(d.count - 1).write(to: URL(fileURLWithPath: p))
                }
            ),
            (
                "appended",
                { p in
                    var d = try Data(contentsOf: URL(fileURLWithPath: p)); d.append(0);
                    try d.write(to: URL(fileURLWithPath: p))
                }
            ),
        ]
        for (i, (name, damage)) in cases.enumerated() {
            let mode = ["kms", "obs", "kms", "obs", "kms", "obs", "kms"][i]
            let key = "obj-\(name)"
            try sb.ok(["upload", "f.bin", "obs://integ/" + key, "--sse", mode])
            let dir = try #require(sb.objectDirectory(bucket: "integ", key: key))
            let dataFiles = sb.directoryListing(dir).filter { $0.hasPrefix("d-") && $0.hasSuffix(".obx") }
            try #require(dataFiles.count == 1, "\(sb.directoryListing(dir))")
            try damage(dir + "/" + dataFiles[0])

            try FileManager.default.createDirectory(atPath: sb.path("dl-\(name)"), withIntermediateDirectories: true)
            let r = try sb.run(["download", "obs://integ/" + key, "dl-\(name)/out.bin"])
            expectError(r, 13, contains: ["integrity"])
            #expect(
                sb.directoryListing(sb.path("dl-\(name)")).isEmpty,
                """
                \(name): no destination and no .out.bin.obsctl-*.part file may remain: \
                \(sb.directoryListing(sb.path("dl-\(name)")))
                """
            )

            // To stdout: non-zero, and never the whole plaintext.
            let toStdout = try sb.run(["download", "obs://integ/" + key, "-"])
            #expect(!toStdout.signaled && toStdout.status == 13, "\(name): \(toStdout)")
            #expect(toStdout.stdout != data)
            #expect(
                toStdout.stderrLines.count == 1 && toStdout.stderrLines[0].hasPrefix("obsctl: error:"), "\(toStdout)")
        }

        // An existing destination file is left as it was when the download fails.
        try sb.write("keep/out.bin", Data("previous".utf8))
        expectError(try sb.run(["download", "obs://integ/obj-middle-chunk", "keep/out.bin"]), 13)
        #expect(sb.read("keep/out.bin") == Data("previous".utf8))
        #expect(sb.directoryListing(sb.path("keep")) == ["out.bin"])

        // Tampered metadata (the size) is caught too.
        try sb.ok(["upload", "f.bin", "obs://integ/meta", "--sse", "kms"])
        let metaPath = try #require(sb.objectDirectory(bucket: "integ", key: "meta")) + "/meta.json"
        let meta = try String(contentsOfFile: metaPath, encoding: .utf8)
        try meta.replacingOccurrences(of: "\"size\" : \(data.count)", with: "\"size\" : \(data.count - 1)")
            .replacingOccurrences(of: "\"size\":\(data.count)", with: "\"size\":\(data.count - 1)")
            .write(toFile: metaPath, atomically: false, encoding: .utf8)
        #expect(try String(contentsOfFile: metaPath, encoding: .utf8) != meta, "the test must have edited the size")
        expectError(try sb.run(["download", "obs://integ/meta", "meta.out"]), 13)
        #expect(!sb.exists("meta.out"))
    }

    @Test(
        "1 local I/O: a download with no room for the object fails before writing it, leaving the destination as it was"
    )
    func noRoomForDownload() throws {
        let sb = try Sandbox("noroom")
        try sb.ok(["bucket", "create", "obs://noroom"])
        let data = randomData(3 << 20)
        try sb.write("f.bin", data)
        try sb.ok(["upload", "f.bin", "obs://noroom/k", "--sse", "kms"])
        try sb.write("dl/out.bin", Data("previous".utf8))

        // A file size limit of 1 MiB refuses the space as a full disk would (EFBIG rather than ENOSPC, so the advice
        // is the limit's): it is asked for up front, so the error names the size, not a write that failed halfway.
        let r = try sb.run(["download", "obs://noroom/k", "dl/out.bin"], fileSizeLimit: 1 << 20)
        expectError(r, 1, contains: ["no room for \(data.count) bytes", "dl/out.bin", "ulimit -f"])
        #expect(sb.read("dl/out.bin") == Data("previous".utf8))
        #expect(sb.directoryListing(sb.path("dl")) == ["out.bin"], "no temp file may remain")
        try sb.ok(["download", "obs://noroom/k", "dl/out.bin"])
        #expect(sb.read("dl/out.bin") == data)
    }

    /// A value holding a newline is quoted as the rest of obsctl quotes it (`\x0a`): the error stays one line, with
    /// the problem and the fix.
    @Test("2 usage: a bad value with a newline in it is one line naming it")
    func badValueWithANewline() throws {
        let sb = try Sandbox("newline-value")
        for arguments in [
            ["upload", "f", "obs://b/x", "--parallel", "1\n2"], ["upload", "f", "obs://b/x", "--parallel=1\n2"],
            ["upload", "f", "obs://b/x", "--sse", "k\nms"], ["cp\n2", "a", "b"],
        ] {
            let r = try sb.run(arguments)
            expectError(r, 2, contains: ["\\x0a", "--help"])
        }
    }

    /// A config write that finds no room is local I/O (1), as any write; where the file lives stays configuration (12).
    @Test("1 local I/O: config set with no room for the file; the file is left as it was")
    func configSetWithNoRoom() throws {
        let sb = try Sandbox("config-noroom")
        // A file larger than the limit below, which the error line (written to a file here too) stays under.
        for n in 0..<8 {
            try sb.ok(["config", "set", "endpoint", "https://obs.cn-north-4.myhuaweicloud.com", "--profile", "p\(n)"])
        }
        let file = sb.configHome + "/obsctl/config"
        let before = try #require(FileManager.default.contents(atPath: file))
        try #require(before.count > 400)
        let r = try sb.run(["config", "set", "region", "ap-southeast-1"], fileSizeLimit: 400)
        expectError(r, 1, contains: ["File too large"])
        #expect(FileManager.default.contents(atPath: file) == before)
    }

    @Test("where data and the root key live: OBSCTL_LOCAL_ROOT, XDG_DATA_HOME, HOME; XDG_CONFIG_HOME or ~/.config")
    func locations() throws {
        let sb = try Sandbox("locations")
        try sb.write("f.txt", Data("where".utf8))

        // Defaults: ~/.local/share/obsctl and ~/.config/obsctl/local-root.key.
        let defaults: [String: String?] = ["OBSCTL_LOCAL_ROOT": nil, "XDG_CONFIG_HOME": nil]
        try sb.ok(["bucket", "create", "obs://loc"], env: defaults)
        try sb.ok(["upload", "f.txt", "obs://loc/k", "--sse", "kms"], env: defaults)
        #expect(FileManager.default.fileExists(atPath: sb.path(".local/share/obsctl/buckets/loc/bucket.json")))
        let keyFile = sb.path(".config/obsctl/local-root.key")
        var st = stat()
        #expect(stat(keyFile, &st) == 0 && st.st_mode & 0o777 == 0o600, "key file \(keyFile) must exist with mode 0600")
        #expect(!FileManager.default.fileExists(atPath: sb.root))

        // XDG_DATA_HOME moves the data, XDG_CONFIG_HOME the key.
        let xdg: [String: String?] = [
            "OBSCTL_LOCAL_ROOT": nil, "XDG_DATA_HOME": sb.path("data"), "XDG_CONFIG_HOME": sb.path("conf"),
        ]
        try sb.ok(["bucket", "create", "obs://loc2"], env: xdg)
        try sb.ok(["upload", "f.txt", "obs://loc2/k", "--sse", "obs"], env: xdg)
        #expect(FileManager.default.fileExists(atPath: sb.path("data/obsctl/buckets/loc2/bucket.json")))
        #expect(FileManager.default.fileExists(atPath: sb.path("conf/obsctl/local-root.key")))
        #expect(try sb.ok(["download", "obs://loc2/k", "-"], env: xdg).stdout == Data("where".utf8))

        // OBSCTL_LOCAL_ROOT wins over XDG_DATA_HOME; each root is its own world.
        var both = xdg; both["OBSCTL_LOCAL_ROOT"] = sb.root
        expectError(try sb.run(["stat", "obs://loc2/k"], env: both), 3)
        #expect(((try sb.json(["bucket", "list"], env: both)["buckets"] as? [Any]) ?? []).isEmpty)

        // The root holds no key material, so no file in it is the key file's content.
        let key = try Data(contentsOf: URL(fileURLWithPath: keyFile))
        for rel in sb.files(under: ".local/share/obsctl") {
            let content = try Data(contentsOf: URL(fileURLWithPath: sb.path(rel)))
            #expect(content.range(of: key.prefix(43)) == nil, "\(rel) holds the root key")
        }
    }

    @Test("the table, command by command: each command maps its failures to the documented codes, with one error line")
    func commandByCommand() throws {
        let sb = try Sandbox("bycmd")
        try sb.ok(["bucket", "create", "obs://ec-main"])
        try sb.write("f.bin", randomData(2000))
        try sb.write("c.key", randomData(32), mode: 0o600)
        try sb.write("other.key", randomData(32), mode: 0o600)
        try sb.ok(["upload", "f.bin", "obs://ec-main/plain"])
        try sb.ok(["upload", "f.bin", "obs://ec-main/ssec", "--sse-c-key-file", "c.key"])
        try sb.ok(["kms", "key", "create", "--alias", "ec-key"])
        try sb.ok(["upload", "f.bin", "obs://ec-main/kms", "--sse", "kms", "--kms-key-id", "ec-key"])
        try sb.ok(["upload", "f.bin", "obs://ec-main/dir/a"])
        try sb.ok(["upload", "f.bin", "obs://ec-main/default-key", "--sse", "kms"])

        // (command, arguments, code, words the one error line must contain)
        let cases: [(String, [String], Int32, [String])] = [
            ("bucket create", ["bucket", "create", "obs://ec-main"], 10, ["already exists"]),
            ("bucket create", ["bucket", "create", "obs://EC_bad"], 2, ["bucket name"]),
            (
                "bucket create", ["bucket", "create", "obs://ec-new", "--sse", "kms", "--kms-key-id", "no-such-key"], 5,
                ["no-such-key"]
            ),
            ("bucket list", ["bucket", "list", "--output", "xml"], 2, []),
            ("bucket delete", ["bucket", "delete", "obs://ec-missing"], 3, []),
            ("bucket delete", ["bucket", "delete", "obs://ec-main"], 10, ["--force"]),
            ("bucket encryption show", ["bucket", "encryption", "show", "obs://ec-missing"], 3, []),
            (
                "bucket encryption enable",
                ["bucket", "encryption", "enable", "obs://ec-main", "--sse", "kms", "--kms-key-id", "no-such-key"], 5,
                []
            ),
            ("bucket encryption enable", ["bucket", "encryption", "enable", "obs://ec-main"], 2, ["--sse"]),
            ("bucket encryption disable", ["bucket", "encryption", "disable", "obs://ec-missing"], 3, []),
            ("upload", ["upload", "missing.bin", "obs://ec-main/x"], 3, ["missing.bin"]),
            ("upload", ["upload", "f.bin", "obs://ec-main/x", "--sse", "c"], 7, ["--sse-c-key-file"]),
            ("upload", ["upload", "f.bin", "obs://ec-main/x", "--sse", "kms", "--kms-key-id", "no-such-key"], 5, []),
            ("upload", ["upload", "f.bin", "obs://ec-main/x", "--expect-sse", "kms"], 6, ["--expect-sse"]),
            ("upload", ["upload", "f.bin", "obs://ec-missing/x"], 3, []),
            ("download", ["download", "obs://ec-main/missing", "out.bin"], 3, []),
            ("download", ["download", "obs://ec-main/ssec", "out.bin"], 7, ["SSE-C"]),
            (
                "download", ["download", "obs://ec-main/ssec", "out.bin", "--sse-c-key-file", "other.key"], 7,
                ["does not match"]
            ),
            ("download", ["download", "obs://ec-main/plain", "f.bin/below"], 1, []),
            ("download", ["download", "obs://ec-main/dir/", "-", "--recursive"], 2, ["directory"]),
            ("cp", ["cp", "f.bin", "g.bin"], 2, ["obs://"]),
            ("cp", ["cp", "obs://ec-main/missing", "obs://ec-main/y"], 3, []),
            ("cp", ["cp", "obs://ec-main/plain", "obs://ec-main/y", "--expect-sse", "c"], 6, []),
            ("cp", ["cp", "obs://ec-main/ssec", "obs://ec-main/y"], 7, []),
            ("ls", ["ls", "obs://ec-missing"], 3, []),
            ("ls", ["ls", "ec-main"], 2, ["obs://"]),
            ("stat", ["stat", "obs://ec-main/missing"], 3, []),
            ("stat", ["stat", "obs://ec-main/ssec", "--sse-c-key-file", "other.key"], 7, []),
            ("rm", ["rm", "obs://ec-main/missing"], 3, []),
            ("rm", ["rm", "obs://ec-missing/dir/", "--recursive"], 3, []),
            ("kms key create", ["kms", "key", "create", "--alias", "ec-key"], 10, ["ec-key"]),
            ("kms key list", ["kms", "key", "list", "--bogus"], 2, []),
            ("kms key describe", ["kms", "key", "describe", "no-such-key"], 5, ["no-such-key"]),
            ("kms key enable", ["kms", "key", "enable", "no-such-key"], 5, []),
            ("kms key disable", ["kms", "key", "disable", "obs/default"], 5, ["obs/default"]),
            ("kms key schedule-deletion", ["kms", "key", "schedule-deletion", "ec-key", "--days", "3"], 2, ["7"]),
            ("kms key cancel-deletion", ["kms", "key", "cancel-deletion", "no-such-key"], 5, []),
            ("config get", ["config", "get", "region", "--profile", "nothing-here"], 3, ["config set"]),
            ("config get", ["config", "get", "foo"], 2, ["unknown config key", "region"]),
            ("config set", ["config", "set", "secret_access_key", "s3cr3t"], 2, ["--from-env"]),
            ("config list", ["config", "list", "--output", "yaml"], 2, []),
        ]
        for (command, args, code, words) in cases {
            let r = try sb.run(args)
            #expect(!r.signaled && r.status == code, "\(command): \(args) should exit \(code): \(r)")
            expectError(r, code, contains: words)
        }
        // Every top-level and leaf command was exercised.
        let exercised = Set(cases.map(\.0))
        for command in [
            "bucket create", "bucket list", "bucket delete", "bucket encryption show", "bucket encryption enable",
            "bucket encryption disable", "upload", "download", "cp", "ls", "stat", "rm", "kms key create",
            "kms key list",
            "kms key describe", "kms key enable", "kms key disable", "kms key schedule-deletion",
            "kms key cancel-deletion",
            "config get", "config set", "config list",
        ] {
            #expect(exercised.contains(command), "\(command) has no exit-code case")
        }
        // Failed downloads and refused copies left nothing behind.
        #expect(!sb.exists("out.bin") && !sb.exists("g.bin"))
        expectError(try sb.run(["bucket", "encryption", "show", "obs://ec-new"]), 3)

        // 8 partial, for each recursive command; 12 configuration, for a command of each kind.
        try sb.write("tree/ok.txt", Data("ok".utf8))
        let partials = [
            ["upload", "tree/ok.txt", "missing.txt", "obs://ec-main/p/"],
            ["download", "obs://ec-main/mix/", "mixdir", "--recursive"],
            ["cp", "obs://ec-main/mix/", "obs://ec-main/mix2/", "--recursive"],
        ]
        try sb.ok(["upload", "f.bin", "obs://ec-main/mix/plain"])
        try sb.ok(["upload", "f.bin", "obs://ec-main/mix/ssec", "--sse-c-key-file", "c.key"])
        for args in partials {
            let r = try sb.run(args)
            #expect(!r.signaled && r.status == 8, "\(r)")
            // One error line for the failed item, then the count.
            #expect(
                r.stderrLines.count == 2 && r.stderrLines[0].hasPrefix("obsctl: error:")
                    && r.stderrLines[1] == "1 succeeded, 1 failed", "\(r)")
        }
        for args in [
            ["kms", "key", "list"], ["upload", "f.bin", "obs://ec-main/z", "--sse", "obs"],
            ["download", "obs://ec-main/kms", "-"],
        ] {
            expectError(
                try sb.run(args, env: ["OBSCTL_LOCAL_ROOT_KEY": "short"]), 12, contains: ["OBSCTL_LOCAL_ROOT_KEY"])
        }
    }

    @Test("the README, --help and ExitCodes.swift list the same codes")
    func tableIsDocumented() throws {
        let readme = try String(
            contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md").path,
            encoding: .utf8)
        let section = try #require(
            readme.components(separatedBy: "## Exit codes").dropFirst().first?.components(separatedBy: "\n## ").first)
        let readmeCodes = Set(
            section.split(separator: "\n").compactMap { line -> Int32? in
                guard line.hasPrefix("| ") else { return nil }
                return Int32(line.dropFirst(2).prefix { $0.isNumber })
            })
        let help = try Sandbox("help").ok(["--help"]).out
        let helpTable = try #require(help.components(separatedBy: "EXIT CODES:").dropFirst().first)
        let helpCodes = Set(
            helpTable.split(separator: "\n").compactMap {
                Int32($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber })
            })
        let expected: Set<Int32> = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 130]
        #expect(helpCodes == expected, "obsctl --help lists \(helpCodes.sorted())")
        #expect(readmeCodes == expected, "README lists \(readmeCodes.sorted())")
        #expect(section.contains("143 for SIGTERM"))
    }

    @Test(
        """
        obsctl never prompts: a destructive command without its flag fails at once naming it, with CI set, without, \
        and on a terminal
        """
    )
    func neverPrompts() throws {
        let sb = try Sandbox("prompt")
        try sb.ok(["bucket", "create", "obs://full"])
        try sb.write("f.txt", Data("x".utf8))
        try sb.ok(["upload", "f.txt", "obs://full/x"])
        expectError(try sb.run(["bucket", "delete", "obs://full"], env: ["CI": "true"]), 10, contains: ["--force"])
        expectError(try sb.run(["bucket", "delete", "obs://full"]), 10, contains: ["--force"])
        let tty = try ProgressTests.underTerminal(sb, "\"$OBSCTL\" bucket delete obs://full")
        #expect(tty.status == 10 && tty.text.contains("--force") && !tty.text.contains("?"), "\(tty.text)")
        #expect(try sb.json(["stat", "obs://full/x"])["key"] as? String == "x")
        #expect(try sb.json(["bucket", "delete", "obs://full", "--force"])["objects_deleted"] as? Int == 1)
    }
}
