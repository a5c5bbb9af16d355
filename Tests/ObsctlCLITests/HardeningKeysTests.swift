import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 9, items 3, 5, 8, 9, 13 and 16, through the binary: the root key and the local store's state, the KMS
/// audit log and the KMS policy.
@Suite("hardening: root key, state, audit log and KMS policy")
struct HardeningKeysCLITests {
    /// A sandbox whose root key lives in the key file (created by the first run) and holds one bucket.
    private func storeWithBucket(_ name: String) throws -> Sandbox {
        let sb = try Sandbox(name)
        expectSuccess(try sb.run(["bucket", "create", "obs://kept", "--sse", "kms"]))
        return sb
    }

    @Test("item 3: another root key makes bucket list fail with exit 12, in text and JSON, not print nothing")
    func wrongKeyListing() throws {
        let sb = try storeWithBucket("wrongkey")
        let other = ["OBSCTL_LOCAL_ROOT_KEY": Data(repeating: 7, count: 32).base64EncodedString()]
        for args in [
            ["bucket", "list"], ["ls", "--output", "json"], ["ls"],
            [
                "bucket", "encryption", "show",
                "obs://kept",
            ], ["ls", "obs://kept"],
        ] {
            expectError(try sb.run(args, env: other), 12, contains: ["root key mismatch", "restore the original key"])
        }
        expectSuccess(try sb.run(["bucket", "list"]))
        // With every bucket deleted the store still knows its key: another key is still refused.
        expectSuccess(try sb.run(["bucket", "delete", "obs://kept"]))
        expectError(try sb.run(["bucket", "list"], env: other), 12, contains: ["root key mismatch"])
    }

    @Test("item 3: a too-open key file fails listings with exit 12 naming chmod 600")
    func tooOpenKeyFile() throws {
        let sb = try storeWithBucket("openkey")
        chmod(sb.rootKeyFile, 0o644)
        expectError(try sb.run(["ls", "--output", "json"]), 12, contains: ["chmod 600"])
        expectError(try sb.run(["bucket", "list"]), 12, contains: ["chmod 600"])
    }

    @Test("item 3: a missing root-key.check is not rewritten by a run with another key; the right key still works")
    func missingCheckOtherKey() throws {
        let sb = try storeWithBucket("nocheck")
        let check = sb.root + "/root-key.check"
        try FileManager.default.removeItem(atPath: check)
        let other = ["OBSCTL_LOCAL_ROOT_KEY": Data(repeating: 9, count: 32).base64EncodedString()]
        expectError(try sb.run(["bucket", "list"], env: other), 12, contains: ["root key mismatch"])
        expectError(try sb.run(["bucket", "create", "obs://new"], env: other), 12, contains: ["root key mismatch"])
        #expect(!FileManager.default.fileExists(atPath: check), "a wrong key wrote its check value")
        let r = try sb.run(["bucket", "list"])
        expectSuccess(r)
        #expect(r.out.contains("kept"))
        #expect(FileManager.default.fileExists(atPath: check), "the right key, proven by a record, restores it")
    }

    @Test("item 3: a missing key file on a store with data is 'root key file missing' (exit 12), no new key written")
    func missingKeyFile() throws {
        let sb = try storeWithBucket("nokeyfile")
        try FileManager.default.removeItem(atPath: sb.rootKeyFile)
        for args in [["bucket", "list"], ["bucket", "create", "obs://other"], ["kms", "key", "list"]] {
            expectError(try sb.run(args), 12, contains: ["root key file", "missing", "backup"])
        }
        #expect(!FileManager.default.fileExists(atPath: sb.rootKeyFile), "a new random key was written")
    }

    @Test("item 16: a root key path that is a directory, a FIFO or a symlink is named as such (exit 12)")
    func keyPathKinds() throws {
        let sb = try Sandbox("keykind")
        try FileManager.default.createDirectory(atPath: sb.rootKeyFile, withIntermediateDirectories: true)
        chmod(sb.rootKeyFile, 0o755)
        expectError(try sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]), 12, contains: ["is a directory"])
        #expect(try !sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]).stderr.contains("readable by group"))
        try FileManager.default.removeItem(atPath: sb.rootKeyFile)
        #expect(mkfifo(sb.rootKeyFile, 0o600) == 0)
        expectError(try sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]), 12, contains: ["named pipe"])
        try FileManager.default.removeItem(atPath: sb.rootKeyFile)
        try FileManager.default.createSymbolicLink(atPath: sb.rootKeyFile, withDestinationPath: "/dev/null")
        expectError(try sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]), 12, contains: ["symbolic link"])
    }

    // MARK: Item 9: policy typos fail closed

    @Test("item 9: policy typos (case, trailing space, unknown action or key, bad wildcard) are refused with exit 12")
    func policyTypos() throws {
        let sb = try Sandbox("policy")
        try sb.write("f.txt", Data("x".utf8))
        expectSuccess(try sb.run(["bucket", "create", "obs://pol", "--sse", "kms"]))
        expectSuccess(try sb.run(["upload", "f.txt", "obs://pol/k"]))
        let cases: [(String, String)] = [
            (#"{"deny":["kms:dek:Crypto"]}"#, "'kms:dek:Crypto'"), (#"{"Deny":["kms:dek:crypto"]}"#, "'Deny'"),
            (#"{"deny":["kms:dek:crypto "]}"#, "'kms:dek:crypto '"),
            (
                #"{"deny":["kms:dek:decrypt"]}"#,
                "'kms:dek:decrypt'"
            ),
            (#"{"denny":["kms:dek:crypto"]}"#, "'denny'"), (#"{"deny":["kms:Dek:*"]}"#, "'kms:Dek:*'"),
            (#"{"deny":["kms:*:crypto"]}"#, "'kms:*:crypto'"), (#"{"deny":["kms:dek:crypto"],"mode":1}"#, "mode"),
        ]
        for (json, named) in cases {
            _ = try sb.write("root/kms/policy.json", Data(json.utf8))
            let r = try sb.run(["download", "obs://pol/k", "-"])
            expectError(r, 12, contains: [named, "kms policy"])
            expectError(try sb.run(["kms", "policy", "show"]), 12, contains: [named])
        }
        _ = try sb.write("root/kms/policy.json", Data(#"{"deny":["kms:dek:cr*"]}"#.utf8))
        expectError(
            try sb.run(["download", "obs://pol/k", "-"]), 5,
            contains: [
                "kms:dek:crypto",
                "obsctl "
                    + "kms policy show",
            ])
    }

    // MARK: Item 13: the command the denials name exists

    @Test("item 13: 'obsctl kms policy show' shows the policy in force and its source, in text and JSON")
    func policyShow() throws {
        let sb = try Sandbox("polshow")
        var r = try sb.run(["kms", "policy", "show"])
        expectSuccess(r)
        #expect(r.out.contains("built-in default"), "\(r)")
        #expect(r.out.contains("kms:dek:crypto    allowed"), "\(r)")
        var j = try sb.json(["kms", "policy", "show"])
        #expect(j["source"] as? String == "default")
        _ = try sb.write(
            "root/kms/policy.json",
            Data(#"{"allow":["kms:*"],"deny":["kms:dek:create"],"mode":"obs-doc"}"#.utf8))
        r = try sb.run(["kms", "policy", "show"])
        expectSuccess(r)
        #expect(r.out.contains(sb.root + "/kms/policy.json"), "\(r)")
        #expect(r.out.contains("kms:dek:create    denied"), "\(r)")
        #expect(r.out.contains("obs-doc"), "\(r)")
        j = try sb.json(["kms", "policy", "show"])
        #expect(j["source"] as? String == "file")
        #expect(j["path"] as? String == sb.root + "/kms/policy.json")
        #expect((j["actions"] as? [String: String])?["kms:dek:create"] == "deny")
        #expect(j["deny"] as? [String] == ["kms:dek:create"])
    }

    // MARK: Item 8: the audit log fails closed and is tamper-evident

    @Test("item 8: with audit.log a directory, key operations fail and change nothing")
    func auditLogDirectory() throws {
        let sb = try Sandbox("auditdir")
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "one"]))
        let log = sb.root + "/kms/audit.log"
        try FileManager.default.removeItem(atPath: log)
        try FileManager.default.createDirectory(atPath: log, withIntermediateDirectories: false)
        expectError(
            try sb.run(["kms", "key", "create", "--alias", "two"]), 12,
            contains: [
                "audit log",
                "is "
                    + "a directory",
            ])
        expectError(try sb.run(["kms", "key", "disable", "one"]), 12, contains: ["audit log"])
        try FileManager.default.removeItem(atPath: log)
        try FileManager.default.removeItem(atPath: sb.root + "/kms/audit.head")
        // A new log on purpose: the audit head's anchor outside the store goes too (else the cut is caught).
        let stateDir = sb.configHome + "/obsctl/local-state"
        for name in try FileManager.default.contentsOfDirectory(atPath: stateDir) where name.hasSuffix(".audit.json") {
            try FileManager.default.removeItem(atPath: stateDir + "/" + name)
        }
        let keys = try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]] ?? []
        #expect(keys.map { $0["alias"] as? String } == ["one"], "\(keys)")
        #expect(keys.first?["state"] as? String == "enabled")
    }

    @Test("item 8: a key operation that cannot be logged (file size limit) does not happen")
    func auditLogFull() throws {
        let sb = try Sandbox("auditfull")
        for i in 0..<12 { expectSuccess(try sb.run(["kms", "key", "create", "--alias", "k\(i)"])) }
        let size = (try FileManager.default.attributesOfItem(atPath: sb.root + "/kms/audit.log")[.size] as? Int) ?? 0
        #expect(size > 2500)
        let r = try sb.run(["kms", "key", "create", "--alias", "late"], fileSizeLimit: 2500)
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("audit log"), "\(r)")
        let after = try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]] ?? []
        #expect(!after.contains { $0["alias"] as? String == "late" }, "a key was created without its audit line")
        expectSuccess(try sb.run(["kms", "audit", "verify"]))
    }

    @Test("item 8: kill -9 right after a key commit leaves the key's line in the log")
    func auditCrashAfterCommit() throws {
        let sb = try Sandbox("auditcrash")
        let r = try sb.run(
            ["kms", "key", "create", "--alias", "crashy", "--output", "json"],
            env: ["OBSCTL_TEST_CRASH_AT": "kms-create-renamed"])
        #expect(r.signaled, "\(r)")
        let keys = try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]] ?? []
        let id = try #require(keys.first { $0["alias"] as? String == "crashy" }?["key_id"] as? String)
        let log = String(decoding: sb.read("root/kms/audit.log") ?? Data(), as: UTF8.self)
        #expect(log.contains(#""key_id":"\#(id)""#) && log.contains("create-key"), "\(log)")
        expectSuccess(try sb.run(["kms", "audit", "verify"]))
    }

    @Test("item 8: 'kms audit verify' finds an edited, removed or cut line and names it (exit 13)")
    func auditVerify() throws {
        let sb = try Sandbox("auditverify")
        for i in 0..<3 { expectSuccess(try sb.run(["kms", "key", "create", "--alias", "v\(i)"])) }
        expectSuccess(try sb.run(["kms", "key", "list"]))
        let r = try sb.run(["kms", "audit", "verify"])
        expectSuccess(r)
        #expect(r.out.contains("4 lines, chain intact"), "\(r)")
        #expect(try sb.json(["kms", "audit", "verify"])["intact"] as? Bool == true)
        let path = sb.root + "/kms/audit.log"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        var lines = original.split(separator: "\n").map(String.init)
        func check(_ text: String, _ named: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            expectError(try sb.run(["kms", "audit", "verify"]), 13, contains: [named], sourceLocation: sourceLocation)
        }
        try check(
            original.replacingOccurrences(
                of: "\"alias\":\"v1\"",
                with: "x"
            ).replacingOccurrences(
                of: "create-key\",\"outcome\":\"ok\",\"seq\":\"2",
                with: "create-key\",\"outcome\":\"error\",\"seq\":\"2"), "line 2")
        try check(lines.enumerated().filter { $0.offset != 1 }.map { $0.element + "\n" }.joined(), "line 2")
        try check(lines[0...1].map { $0 + "\n" }.joined(), "cut")
        lines.swapAt(1, 2)
        try check(lines.map { $0 + "\n" }.joined(), "line 2")
        // A cut log also stops further key operations (fail closed) until it is dealt with.
        try check(original.split(separator: "\n")[0...1].map { $0 + "\n" }.joined(), "cut")
        expectError(
            try sb.run(["kms", "key", "create", "--alias", "after-cut"]), 13, contains: ["audit log", "verify"])
    }

    // MARK: Item 5: rollback

    @Test("item 5: an older key record put back cannot revive a key whose deletion completed (exit 13, names the file)")
    func deletedKeyRevival() throws {
        let sb = try Sandbox("revive")
        let j = try sb.json(["kms", "key", "create", "--alias", "doomed"])
        let id = try #require(j["key_id"] as? String)
        let file = sb.root + "/kms/keys/\(id).json"
        let old = try #require(FileManager.default.contents(atPath: file))
        expectSuccess(try sb.run(["kms", "key", "schedule-deletion", "doomed", "--days", "7"]))
        let later = ["OBSCTL_LOCAL_NOW": String(Int(Date().timeIntervalSince1970) + 8 * 86400)]
        let purged = try sb.json(["kms", "key", "describe", id], env: later)
        #expect(purged["state"] as? String == "deleted", "\(purged)")
        try old.write(to: URL(fileURLWithPath: file))
        expectError(try sb.run(["kms", "key", "describe", id]), 13, contains: [file, "rolled back"])
        expectError(try sb.run(["kms", "key", "enable", id]), 13, contains: [file])
    }

    @Test("item 5: an older bucket.json put back (default encryption off) is exit 13 for uploads and listings")
    func bucketRollbackCLI() throws {
        let sb = try Sandbox("bucketroll")
        try sb.write("f.txt", Data("plain".utf8))
        expectSuccess(try sb.run(["bucket", "create", "obs://rolled"]))
        let file = sb.root + "/buckets/rolled/bucket.json"
        let old = try #require(FileManager.default.contents(atPath: file))
        expectSuccess(try sb.run(["bucket", "encryption", "enable", "obs://rolled", "--sse", "kms"]))
        try old.write(to: URL(fileURLWithPath: file))
        expectError(try sb.run(["upload", "f.txt", "obs://rolled/k"]), 13, contains: [file, "rolled back"])
        expectError(try sb.run(["bucket", "list"]), 13, contains: [file])
        #expect(sb.objectDirectories(bucket: "rolled").isEmpty, "an object was stored in the rolled-back bucket")
    }
}
