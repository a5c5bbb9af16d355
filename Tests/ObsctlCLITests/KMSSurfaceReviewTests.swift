import Foundation
import Testing

/// The SSE surface as a reviewer attacked it on the local backend: options that pick a method or key given twice,
/// aliases that read as key ids, `obs/default` named before it exists, URNs of another region, and the messages of
/// unusable keys.
@Suite("SSE and KMS surface: review of session 33")
struct KMSSurfaceReviewTests {
    static func keyID(_ sb: Sandbox, alias: String) throws -> String {
        let created = try sb.json(["kms", "key", "create", "--alias", alias])
        return try #require(created["key_id"] as? String)
    }

    static func sse(_ stat: [String: Any]) -> [String: Any] { stat["sse"] as? [String: Any] ?? [:] }

    @Test("an option that picks a method or key, given twice with different values: exit 2, nothing written")
    func repeatedEncryptionOptions() throws {
        let sb = try Sandbox("kms-twice")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f.txt", Data("hello".utf8))
        try sb.write("k1", Data(repeating: 1, count: 32))
        try sb.write("k2", Data(repeating: 2, count: 32))
        chmod(sb.path("k1"), 0o600)
        chmod(sb.path("k2"), 0o600)
        let cases: [(String, [String])] = [
            ("--sse", ["upload", "f.txt", "obs://bkt/o", "--sse", "kms", "--sse", "obs"]),
            ("--sse", ["upload", "f.txt", "obs://bkt/o", "--sse=kms", "--sse", "obs"]),
            (
                "--sse-c-key-file",
                ["upload", "f.txt", "obs://bkt/o", "--sse-c-key-file", "k1", "--sse-c-key-file", "k2"]
            ),
            (
                "--kms-key-id",
                ["upload", "f.txt", "obs://bkt/o", "--sse", "kms", "--kms-key-id", "a", "--kms-key-id", "b"]
            ),
            ("--expect-sse", ["upload", "f.txt", "obs://bkt/o", "--expect-sse", "kms", "--expect-sse", "none"]),
            ("--sse", ["bucket", "encryption", "enable", "obs://bkt", "--sse", "kms", "--sse", "obs"]),
            ("--sse", ["bucket", "create", "obs://ccc", "--sse", "obs", "--sse", "kms"]),
        ]
        for (option, args) in cases {
            expectError(try sb.run(args), 2, contains: ["\(option) is given twice"])
        }
        #expect(try sb.run(["stat", "obs://bkt/o"]).status == 3)
        #expect(try sb.run(["stat", "obs://ccc"]).status != 0)
        #expect(try sb.ok(["bucket", "encryption", "show", "obs://bkt"]).out.contains("none"))
        // The same value twice is no conflict; after `--`, words are names, not options.
        try sb.ok(["upload", "f.txt", "obs://bkt/o", "--sse", "obs", "--sse", "obs"])
        #expect(Self.sse(try sb.json(["stat", "obs://bkt/o"]))["mode"] as? String == "obs")
    }

    @Test("a blank KEY, or one with a control character, on every `kms key` command that names one: exit 2")
    func blankKeyArgument() throws {
        let sb = try Sandbox("kms-blank-key")
        let id = try Self.keyID(sb, alias: "kept")
        let commands: [[String]] = [
            ["describe"], ["enable"], ["disable"], ["schedule-deletion", "--days", "7"], ["cancel-deletion"],
        ]
        for command in commands {
            for key in ["", "  ", "\u{2028}", " \u{85} ", "a\tb", "kept\n", "a\u{85}b", "a\u{9b}b", "kept\u{202e}"] {
                let args = ["kms", "key", command[0], key] + command.dropFirst()
                let result = try sb.run(args)
                let blank = key.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                expectError(result, 2, contains: [blank ? "empty" : "control"])
                #expect(!result.stderr.contains("\u{9b}") && !result.stderr.contains("\u{202e}"), "\(result)")
            }
        }
        let kept = try sb.json(["kms", "key", "describe", "kept"])
        #expect(kept["key_id"] as? String == id && kept["state"] as? String == "enabled")
    }

    @Test("an alias that reads as a key id in any case, a URN, or ends in /default in any case is refused")
    func ambiguousAliases() throws {
        let sb = try Sandbox("kms-alias-shape")
        let id = try Self.keyID(sb, alias: "victim")
        for alias in [id.uppercased(), "OBS/DEFAULT", "team/Default", "local:x:key/abc", "r:d:key/\(id)"] {
            expectError(try sb.run(["kms", "key", "create", "--alias", alias]), 2, contains: ["alias"])
        }
        // An id in capitals names the same key (ids are UUIDs), in lookups and in uploads.
        #expect(try sb.json(["kms", "key", "describe", id.uppercased()])["key_id"] as? String == id)
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f.txt", Data("hello".utf8))
        try sb.ok(["upload", "f.txt", "obs://bkt/o", "--sse", "kms", "--kms-key-id", id.uppercased()])
        #expect(Self.sse(try sb.json(["stat", "obs://bkt/o"]))["kms_key_id"] as? String == id)
    }

    @Test("a URN of another region names no key here (exit 5), as one of another domain does")
    func urnOfAnotherRegion() throws {
        let sb = try Sandbox("kms-urn-region")
        let id = try Self.keyID(sb, alias: "app")
        let urn = try #require(try sb.json(["kms", "key", "describe", id])["urn"] as? String)
        let parts = urn.split(separator: ":", maxSplits: 1)
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f.txt", Data("hello".utf8))
        try sb.ok(["upload", "f.txt", "obs://bkt/same", "--sse", "kms", "--kms-key-id", urn])
        let other = "not-\(parts[0]):\(parts[1])"
        expectError(try sb.run(["upload", "f.txt", "obs://bkt/o", "--sse", "kms", "--kms-key-id", other]), 5)
        expectError(try sb.run(["kms", "key", "describe", other]), 5)
        #expect(try sb.run(["stat", "obs://bkt/o"]).status == 3)
    }

    @Test("obs/default named before it exists is made on first use, as when no key is named")
    func namedDefaultKeyOnAFreshStore() throws {
        let sb = try Sandbox("kms-named-default")
        try sb.ok(["bucket", "create", "obs://ddd", "--sse", "kms", "--kms-key-id", "alias/obs/default"])
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f.txt", Data("hello".utf8))
        try sb.ok(["upload", "f.txt", "obs://bkt/o", "--sse", "kms", "--kms-key-id", "obs/default"])
        try sb.ok(["upload", "f.txt", "obs://ddd/o"])
        let defaultID = try #require(try sb.json(["kms", "key", "describe", "obs/default"])["key_id"] as? String)
        #expect(Self.sse(try sb.json(["stat", "obs://bkt/o"]))["kms_key_id"] as? String == defaultID)
        #expect(Self.sse(try sb.json(["stat", "obs://ddd/o"]))["kms_key_id"] as? String == defaultID)
    }

    @Test("a bucket default's unusable key: the error names the bucket default and the ways around it")
    func unusableDefaultKeyMessage() throws {
        let sb = try Sandbox("kms-default-msg")
        let id = try Self.keyID(sb, alias: "gone")
        try sb.ok(["bucket", "create", "obs://dflt", "--sse", "kms", "--kms-key-id", "gone"])
        try sb.ok(["kms", "key", "disable", id])
        try sb.write("f.txt", Data("hello".utf8))
        expectError(
            try sb.run(["upload", "f.txt", "obs://dflt/x"]), 5,
            contains: ["disabled", "default encryption of bucket dflt", "--sse", "bucket encryption enable"])
        // A method named on the upload wins, and works.
        try sb.ok(["upload", "f.txt", "obs://dflt/x", "--sse", "obs"])
        // `bucket encryption show` warns of the unusable key, even with -q; its result stays on stdout.
        let shown = try sb.ok(["bucket", "encryption", "show", "obs://dflt", "-q"])
        #expect(shown.stderr.contains("warning: the default's KMS key \(id) is disabled"), "\(shown)")
        #expect(shown.out.contains("obs://dflt: default encryption"))
        try sb.ok(["kms", "key", "enable", id])
        #expect(try sb.ok(["bucket", "encryption", "show", "obs://dflt"]).stderr.isEmpty)
    }

    @Test("kms key create -q prints the new key's id alone; state errors say what to do")
    func quietCreateAndStateMessages() throws {
        let sb = try Sandbox("kms-quiet")
        let r = try sb.ok(["kms", "key", "create", "--alias", "quiet1", "-q"])
        let id = r.out.trimmingCharacters(in: .newlines)
        #expect(try sb.json(["kms", "key", "describe", "quiet1"])["key_id"] as? String == id)
        expectError(try sb.run(["kms", "key", "cancel-deletion", id]), 5, contains: ["nothing to cancel"])
        try sb.ok(["kms", "key", "schedule-deletion", id, "--days", "7"])
        expectError(try sb.run(["kms", "key", "disable", id]), 5, contains: ["cancel-deletion"])
    }

    @Test("an empty --kms-key-id and an SSE-C variable name with '=' are usage errors (exit 2)")
    func emptyAndMalformedNames() throws {
        let sb = try Sandbox("kms-empty")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f.txt", Data("hello".utf8))
        expectError(
            try sb.run(["upload", "f.txt", "obs://bkt/o", "--sse", "kms", "--kms-key-id", ""]), 2,
            contains: ["--kms-key-id is empty"])
        expectError(
            try sb.run(["bucket", "encryption", "enable", "obs://bkt", "--sse", "kms", "--kms-key-id", " "]), 2,
            contains: ["--kms-key-id is empty"])
        expectError(
            try sb.run(["upload", "f.txt", "obs://bkt/o", "--sse-c-key-env", "K=abc"]), 2,
            contains: ["not an environment variable's name"])
        #expect(try sb.run(["stat", "obs://bkt/o"]).status == 3)
    }

    @Test("a recursive upload under a disabled key fails once, before any transfer, with one error line")
    func unusableKeyFailsTheRunOnce() throws {
        let sb = try Sandbox("kms-once")
        let id = try Self.keyID(sb, alias: "victim")
        try sb.ok(["bucket", "create", "obs://bkt"])
        for i in 0..<40 { try sb.write("up/f\(i)", Data("\(i)".utf8)) }
        try sb.ok(["kms", "key", "disable", id])
        let r = try sb.run(["upload", "up", "obs://bkt/up/", "--recursive", "--sse", "kms", "--kms-key-id", "victim"])
        expectError(r, 5, contains: ["disabled"])
        #expect(try sb.ok(["ls", "obs://bkt/"]).out.isEmpty)
    }

    // MARK: - The second review's variants

    @Test("the repeat check follows the parse: another command's error, help first; kms key create --alias twice")
    func repeatedOptionsAfterTheParse() throws {
        let sb = try Sandbox("kms-twice-parse")
        let ls = try sb.run(["ls", "obs://bkt", "--sse", "a", "--sse", "b"])
        #expect(ls.status == 2 && !ls.stderr.contains("given twice"), "\(ls)")
        let help = try sb.run(["upload", "--help", "--sse", "kms", "--sse", "obs"])
        #expect(help.status == 0 && help.out.contains("--sse"), "\(help)")
        expectError(
            try sb.run(["kms", "key", "create", "--alias", "kk", "--alias", "k9"]), 2,
            contains: ["--alias is given twice"])
        #expect(try sb.ok(["kms", "key", "list"]).out.isEmpty)
    }

    @Test("aliases with ':KEY/' in any case or an 'alias/' prefix are refused; a URN's parts match in any case")
    func urnShapesInAnyCase() throws {
        let sb = try Sandbox("kms-urn-case")
        let id = try Self.keyID(sb, alias: "mykey")
        let urn = try #require(try sb.json(["kms", "key", "describe", id])["urn"] as? String)
        let shouted = urn.replacingOccurrences(of: ":key/", with: ":KEY/")
        for alias in [shouted, "x:y:Key/abc", "alias/", "Alias/x"] {
            expectError(try sb.run(["kms", "key", "create", "--alias", alias]), 2, contains: ["alias"])
        }
        for ref in [shouted, urn.uppercased()] {
            #expect(try sb.json(["kms", "key", "describe", ref])["key_id"] as? String == id, "\(ref)")
        }
    }

    @Test("a bucket default's unusable key fails a recursive upload once, as its dry run; policy denials as they are")
    func unusableDefaultKeyOnce() throws {
        let sb = try Sandbox("kms-default-once")
        let id = try Self.keyID(sb, alias: "k7")
        try sb.ok(["bucket", "create", "obs://bkt", "--sse", "kms", "--kms-key-id", id])
        for i in 0..<12 { try sb.write("t/f\(i)", Data("\(i)".utf8)) }
        try sb.ok(["kms", "key", "disable", id])
        for command in [
            ["upload", "t", "obs://bkt/r/", "--recursive"], ["cp", "t", "obs://bkt/r/", "-r", "--dry-run"],
        ] {
            let r = try sb.run(command)
            let extra = command[0]
            #expect(r.status == 5, "\(extra): \(r)")
            #expect(r.stderrLines.filter { $0.hasPrefix("obsctl: error:") }.count == 1, "\(extra): \(r)")
            #expect(r.stderr.contains("default encryption of bucket bkt"), "\(extra): \(r)")
        }
        #expect(try sb.ok(["ls", "obs://bkt/"]).out.isEmpty)
        // The way out the message names works as written.
        try sb.ok(["bucket", "encryption", "enable", "obs://bkt", "--sse", "obs"])
        try sb.ok(["kms", "key", "enable", id])
        try sb.ok(["bucket", "encryption", "enable", "obs://bkt", "--sse", "kms", "--kms-key-id", id])
        // A policy denial is the policy's problem, not the default's: no suffix.
        try sb.write("root/kms/policy.json", Data(#"{"deny":["kms:dek:create"]}"#.utf8), mode: 0o600)
        let denied = try sb.run(["upload", "t/f1", "obs://bkt/x"])
        expectError(denied, 5, contains: ["kms:dek:create"])
        #expect(!denied.stderr.contains("default encryption of bucket"), "\(denied)")
    }

    @Test("bucket encryption show: a deleted default key is never usable again; show writes no audit entry")
    func showOfADeletedDefaultKey() throws {
        let sb = try Sandbox("kms-show-deleted")
        let id = try Self.keyID(sb, alias: "gone")
        try sb.ok(["bucket", "create", "obs://bkt", "--sse", "kms", "--kms-key-id", id])
        let start: [String: String?] = ["OBSCTL_LOCAL_NOW": "2030-01-01T00:00:00Z"]
        let later: [String: String?] = ["OBSCTL_LOCAL_NOW": "2030-02-01T00:00:00Z"]
        try sb.ok(["kms", "key", "schedule-deletion", id, "--days", "7"], env: start)
        try sb.ok(["kms", "key", "list"], env: later)
        let audit = { (try? String(contentsOfFile: sb.root + "/kms/audit.log", encoding: .utf8)) ?? "" }
        let before = audit()
        let shown = try sb.ok(["bucket", "encryption", "show", "obs://bkt"], env: later)
        #expect(
            shown.stderr.contains("is deleted") && shown.stderr.contains("until the default is changed"), "\(shown)")
        #expect(!shown.stderr.contains("enabled again"), "\(shown)")
        #expect(audit() == before)
    }

    @Test("SSE-C key options: an empty file name and names no shell exports are usage errors naming the option")
    func customerKeyOptionValues() throws {
        let sb = try Sandbox("ssec-names")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f.txt", Data("hello".utf8))
        expectError(
            try sb.run(["upload", "f.txt", "obs://bkt/o", "--sse-c-key-file", ""]), 2, contains: ["--sse-c-key-file"])
        for name in ["A B", "1ABC", "A=B"] {
            expectError(
                try sb.run(["upload", "f.txt", "obs://bkt/o", "--sse-c-key-env", name]), 2,
                contains: ["not an environment variable's name"])
        }
        try sb.ok(["upload", "f.txt", "obs://bkt/o"])
        expectError(
            try sb.run(["cp", "obs://bkt/o", "obs://bkt/p", "--source-sse-c-key-env", "A=B"]), 2,
            contains: ["--source-sse-c-key-env MY_KEY"])
    }

    @Test("--expires: the year range is UTC's, said so; second 60 is refused; control characters print as \\x0a")
    func expiresVariants() throws {
        let sb = try Sandbox("expires-variants")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f.txt", Data("hello".utf8))
        let cases: [(String, String)] = [
            ("1970-01-01T00:30:00+01:00", "before 1970 in UTC"), ("9999-12-31T23:00:00-05:00", "after 9999 in UTC"),
            ("Sun, 31 Jan 2027 12:00:60 GMT", "second 60"), ("Sun, 31 Jan 2027 12:00:00 GMT\n", "GMT\\x0a'"),
        ]
        for (value, message) in cases {
            expectError(try sb.run(["upload", "f.txt", "obs://bkt/o", "--expires", value]), 2, contains: [message])
        }
        #expect(try sb.run(["stat", "obs://bkt/o"]).status == 3)
    }
}
