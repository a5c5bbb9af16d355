import Foundation
import Testing

/// `--output json` for every command (one document on stdout, documented names, sizes in bytes, RFC 3339 UTC times
/// ending in Z) and `--output ndjson` (one record per line and object) for listings and recursive transfers.
@Suite("output formats")
struct OutputFormatTests {
    /// RFC 3339 in UTC, written with a Z.
    static func isUTC(_ v: Any?) -> Bool { isRFC3339(v) && (v as? String)?.hasSuffix("Z") == true }

    static func expectObject(
        _ o: [String: Any]?, bucket: String, key: String, size: Int, mode: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let o else { Issue.record("no object", sourceLocation: sourceLocation); return }
        #expect(
            Set(o.keys).isSuperset(of: [
                "bucket", "key", "size", "etag", "content_type", "last_modified", "metadata", "sse",
            ]), "\(o)",
            sourceLocation: sourceLocation)
        #expect(o["bucket"] as? String == bucket && o["key"] as? String == key, "\(o)", sourceLocation: sourceLocation)
        #expect((o["size"] as? NSNumber)?.intValue == size, "size in bytes: \(o)", sourceLocation: sourceLocation)
        #expect(isUTC(o["last_modified"]), "\(o)", sourceLocation: sourceLocation)
        let sse = o["sse"] as? [String: Any]
        #expect(
            Set(sse?.keys.map { $0 } ?? []) == [
                "mode", "origin", "kms_key_id", "kms_key_urn", "customer_key_md5", "kms_key_alias",
            ],
            "\(o)", sourceLocation: sourceLocation)
        if let mode { #expect(sse?["mode"] as? String == mode, "\(o)", sourceLocation: sourceLocation) }
    }

    /// Each non-empty stdout line parsed as a JSON object; nothing else may be on stdout.
    static func ndjson(_ r: RunResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try #require(r.succeeded, "\(r)", sourceLocation: sourceLocation)
        #expect(r.out.isEmpty || r.out.hasSuffix("\n"), sourceLocation: sourceLocation)
        return try r.out.split(separator: "\n").map {
            try parseJSONObject(Data($0.utf8), sourceLocation: sourceLocation)
        }
    }

    @Test("every command's --output json parses, with its documented fields")
    func jsonEveryCommand() throws {
        let sb = try Sandbox("json")
        let created = try sb.json(["bucket", "create", "obs://jsonb", "--sse", "kms"])
        #expect(
            created["name"] as? String == "jsonb" && created["location"] as? String == "local"
                && created["storage_class"] as? String == "standard")
        #expect(Self.isUTC(created["created"]), "\(created)")
        #expect((created["encryption"] as? [String: Any])?["mode"] as? String == "kms")
        #expect(
            Set((created["encryption"] as? [String: Any])?.keys.map { $0 } ?? []) == [
                "mode", "algorithm", "kms_key_id",
            ])

        let buckets = try #require(try sb.json(["bucket", "list"])["buckets"] as? [[String: Any]])
        #expect(
            buckets.count == 1
                && Set(buckets[0].keys) == ["name", "location", "storage_class", "created", "encryption"], "\(buckets)")
        #expect(try sb.json(["ls"])["buckets"] as? [[String: Any]] != nil)

        #expect(
            (try sb.json(["bucket", "encryption", "show", "obs://jsonb"])["encryption"] as? [String: Any])?["mode"]
                as? String == "kms")
        let enabled = try sb.json(["bucket", "encryption", "enable", "obs://jsonb", "--sse", "obs"])
        #expect(
            enabled["bucket"] as? String == "jsonb"
                && (enabled["encryption"] as? [String: Any])?["mode"] as? String == "obs")
        let disabled = try sb.json(["bucket", "encryption", "disable", "obs://jsonb"])
        #expect(disabled["bucket"] as? String == "jsonb" && disabled["encryption"] is NSNull)

        // Transfers: {"transfers":[{"source","destination","size","object"}],"failures":[]}.
        let data = randomData(4321)
        try sb.write("f.bin", data)
        let up = try sb.json(["upload", "f.bin", "obs://jsonb/dir/f.bin", "--sse", "kms", "--metadata", "team=blue"])
        let t = try #require((up["transfers"] as? [[String: Any]])?.first)
        #expect(Set(up.keys) == ["transfers", "failures"] && (up["failures"] as? [Any])?.isEmpty == true, "\(up)")
        #expect(
            t["source"] as? String == "f.bin" && t["destination"] as? String == "obs://jsonb/dir/f.bin"
                && (t["size"] as? NSNumber)?.intValue == 4321)
        Self.expectObject(t["object"] as? [String: Any], bucket: "jsonb", key: "dir/f.bin", size: 4321, mode: "kms")
        #expect(((t["object"] as? [String: Any])?["metadata"] as? [String: String]) == ["team": "blue"])

        let down = try sb.json(["download", "obs://jsonb/dir/f.bin", "out.bin"])
        #expect((down["transfers"] as? [[String: Any]])?.first?["destination"] as? String == "out.bin")
        #expect(sb.read("out.bin") == data)
        // To stdout the bytes are the data, so the JSON summary goes to stderr.
        let toStdout = try sb.ok(["download", "obs://jsonb/dir/f.bin", "-", "--output", "json"])
        #expect(toStdout.stdout == data)
        #expect(
            (try parseJSONObject(Data(toStdout.stderr.utf8))["transfers"] as? [Any])?.count == 1, "\(toStdout.stderr)")

        let cpUp = try sb.json(["cp", "f.bin", "obs://jsonb/cp.bin"])
        #expect((cpUp["transfers"] as? [[String: Any]])?.first?["destination"] as? String == "obs://jsonb/cp.bin")
        let cpDown = try sb.json(["cp", "obs://jsonb/cp.bin", "cp.out"])
        #expect((cpDown["transfers"] as? [[String: Any]])?.first?["destination"] as? String == "cp.out")
        let copy = try sb.json(["cp", "obs://jsonb/cp.bin", "obs://jsonb/copy.bin", "--sse", "obs"])
        Self.expectObject(
            (copy["transfers"] as? [[String: Any]])?.first?["object"] as? [String: Any], bucket: "jsonb",
            key: "copy.bin", size: 4321, mode: "obs")

        let stat = try sb.json(["stat", "obs://jsonb/dir/f.bin"])
        Self.expectObject(stat, bucket: "jsonb", key: "dir/f.bin", size: 4321, mode: "kms")
        #expect((stat["sse"] as? [String: Any])?["origin"] as? String == "request")

        let ls = try sb.json(["ls", "obs://jsonb"])
        #expect(Set(ls.keys) == ["bucket", "prefix", "objects", "prefixes"], "\(ls)")
        #expect(ls["prefixes"] as? [String] == ["dir/"])
        #expect((ls["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["copy.bin", "cp.bin"])
        #expect((try sb.json(["ls", "obs://jsonb", "--recursive"])["objects"] as? [Any])?.count == 3)

        let rm = try sb.json(["rm", "obs://jsonb/copy.bin"])
        #expect(rm["deleted"] as? [String] == ["obs://jsonb/copy.bin"] && (rm["failures"] as? [Any])?.isEmpty == true)
        let rmr = try sb.json(["rm", "obs://jsonb/dir", "--recursive"])
        #expect(rmr["deleted"] as? [String] == ["obs://jsonb/dir/f.bin"])

        // KMS keys: key_id, urn, alias, description, state, key_state, default_key, created, deletion_date.
        let keyFields: Set<String> = [
            "key_id", "urn", "alias", "description", "state", "key_state", "default_key", "created", "deletion_date",
        ]
        let key = try sb.json(["kms", "key", "create", "--alias", "json-key", "--description", "d"])
        #expect(
            Set(key.keys) == keyFields && isUUID(key["key_id"]) && Self.isUTC(key["created"])
                && key["deletion_date"] is NSNull, "\(key)")
        #expect(
            Set(
                (try #require(try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]])).first?.keys.map { $0 }
                    ?? []) == keyFields)
        #expect(try sb.json(["kms", "key", "describe", "json-key"])["alias"] as? String == "json-key")
        #expect(try sb.json(["kms", "key", "disable", "json-key"])["state"] as? String == "disabled")
        #expect(try sb.json(["kms", "key", "enable", "json-key"])["state"] as? String == "enabled")
        let scheduled = try sb.json(["kms", "key", "schedule-deletion", "json-key", "--days", "7"])
        #expect(
            scheduled["state"] as? String == "pending-deletion" && Self.isUTC(scheduled["deletion_date"]),
            "\(scheduled)")
        #expect(try sb.json(["kms", "key", "cancel-deletion", "json-key"])["state"] as? String == "disabled")

        // Config: set, get (secrets hidden), list.
        let set = try sb.json(["config", "set", "region", "cn-north-4", "--profile", "p1"])
        #expect(
            set["profile"] as? String == "p1" && set["key"] as? String == "region" && set["secret"] as? Bool == false,
            "\(set)")
        let got = try sb.json(["config", "get", "region", "--profile", "p1"])
        #expect(got["value"] as? String == "cn-north-4" && got["profile"] as? String == "p1", "\(got)")
        _ = try sb.ok(
            ["config", "set", "secret_access_key", "--from-env", "SK", "--profile", "p1"], env: ["SK": "very-secret"])
        let hidden = try sb.ok(["config", "get", "secret_access_key", "--profile", "p1", "--output", "json"])
        let hiddenJSON = try parseJSONObject(hidden.stdout)
        #expect(!hidden.out.contains("very-secret") && hiddenJSON["value"] as? String == "<set, hidden>")
        let list = try sb.json(["config", "list"])
        #expect((list["profiles"] as? [String: [String: String]])?["p1"]?["region"] == "cn-north-4", "\(list)")

        // Bucket delete --force, last.
        let del = try sb.json(["bucket", "delete", "obs://jsonb", "--force"])
        #expect(
            del["bucket"] as? String == "jsonb" && del["deleted"] as? Bool == true
                && (del["objects_deleted"] as? NSNumber)?.intValue == 1, "\(del)")
    }

    @Test(
        """
        --output ndjson: one record per object for ls, ls -r, bucket list, kms key list, upload/download/cp/rm -r; one \
        line otherwise
        """
    )
    func ndjson() throws {
        let sb = try Sandbox("ndjson")
        let made = try Self.ndjson(try sb.run(["bucket", "create", "obs://ndj", "--output", "ndjson"]))
        #expect(made.count == 1 && made[0]["name"] as? String == "ndj")
        try sb.ok(["bucket", "create", "obs://ndj2"])
        for i in 0..<3 { try sb.write("tree/sub/f\(i).txt", Data("file \(i)\n".utf8)) }
        try sb.write("tree/top.txt", Data("top\n".utf8))

        let up = try Self.ndjson(
            try sb.run(["upload", "tree", "obs://ndj/t/", "--recursive", "--sse", "obs", "--output", "ndjson"]))
        #expect(up.count == 4 && up.allSatisfy { $0["type"] as? String == "transfer" }, "\(up)")
        #expect(
            up.compactMap { $0["destination"] as? String }.sorted() == [
                "obs://ndj/t/sub/f0.txt", "obs://ndj/t/sub/f1.txt", "obs://ndj/t/sub/f2.txt", "obs://ndj/t/top.txt",
            ])
        for r in up {
            Self.expectObject(
                r["object"] as? [String: Any], bucket: "ndj",
                key: String((r["destination"] as? String ?? "").dropFirst(10)), size: (r["size"] as? Int) ?? -1,
                mode: "obs")
        }

        let ls = try Self.ndjson(try sb.run(["ls", "obs://ndj/t/", "--output", "ndjson"]))
        #expect(ls.count == 2, "\(ls)")
        #expect(
            ls.contains {
                $0["type"] as? String == "prefix" && $0["prefix"] as? String == "t/sub/"
                    && $0["bucket"] as? String == "ndj"
            })
        #expect(
            ls.contains {
                $0["type"] as? String == "object" && $0["key"] as? String == "t/top.txt"
                    && Self.isUTC($0["last_modified"])
            })
        let lsr = try Self.ndjson(try sb.run(["ls", "obs://ndj", "--recursive", "--output", "ndjson"]))
        #expect(lsr.count == 4 && lsr.allSatisfy { $0["type"] as? String == "object" }, "\(lsr)")

        let buckets = try Self.ndjson(try sb.run(["bucket", "list", "--output", "ndjson"]))
        #expect(
            buckets.compactMap { $0["name"] as? String } == ["ndj", "ndj2"]
                && buckets.allSatisfy { $0["type"] as? String == "bucket" })
        #expect(try Self.ndjson(try sb.run(["ls", "--output", "ndjson"])).count == 2)
        try sb.ok(["kms", "key", "create", "--alias", "a1"]); try sb.ok(["kms", "key", "create", "--alias", "a2"])
        let keys = try Self.ndjson(try sb.run(["kms", "key", "list", "--output", "ndjson"]))
        #expect(keys.count == 2 && keys.allSatisfy { $0["type"] as? String == "key" && isUUID($0["key_id"]) })

        let down = try Self.ndjson(
            try sb.run(["download", "obs://ndj/t/", "out", "--recursive", "--output", "ndjson"]))
        #expect(down.count == 4 && down.allSatisfy { $0["type"] as? String == "transfer" })
        #expect(sb.read("out/sub/f1.txt") == Data("file 1\n".utf8))
        let copies = try Self.ndjson(
            try sb.run(["cp", "obs://ndj/t/", "obs://ndj2/c/", "--recursive", "--output", "ndjson"]))
        #expect(copies.count == 4 && copies.allSatisfy { $0["type"] as? String == "transfer" })

        let rm = try Self.ndjson(try sb.run(["rm", "obs://ndj2/c/", "--recursive", "--output", "ndjson"]))
        #expect(
            rm.count == 4
                && rm.allSatisfy {
                    $0["type"] as? String == "deleted" && ($0["url"] as? String)?.hasPrefix("obs://ndj2/c/") == true
                }, "\(rm)")
        let one = try Self.ndjson(try sb.run(["rm", "obs://ndj/t/top.txt", "--output", "ndjson"]))
        #expect(one.count == 1 && one[0]["key"] as? String == "t/top.txt")

        // A single result is one line, and a recursive transfer with a failure has a failure record and exit 8.
        let stat = try Self.ndjson(try sb.run(["stat", "obs://ndj/t/sub/f0.txt", "--output", "ndjson"]))
        #expect(stat.count == 1 && stat[0]["key"] as? String == "t/sub/f0.txt")
        try sb.write("mixed/ok.txt", Data("ok".utf8))
        let r = try sb.run(["upload", "mixed/ok.txt", "mixed/none.txt", "obs://ndj/m/", "--output", "ndjson"])
        #expect(r.status == 8, "\(r)")
        let records = try r.out.split(separator: "\n").map { try parseJSONObject(Data($0.utf8)) }
        #expect(records.count == 2, "\(r)")
        #expect(records.contains { $0["type"] as? String == "transfer" })
        let failure = try #require(records.first { $0["type"] as? String == "failure" })
        #expect(
            failure["item"] as? String == "mixed/none.txt" && (failure["exit_code"] as? NSNumber)?.intValue == 3
                && failure["code"] as? String != nil, "\(failure)")
    }

    @Test("text output: stdout holds results only; notes, warnings and errors go to stderr")
    func stdoutIsData() throws {
        let sb = try Sandbox("stdout")
        try sb.ok(["bucket", "create", "obs://outb"])
        let empty = try sb.run(["rm", "obs://outb/nothing/", "--recursive"])
        #expect(empty.succeeded && empty.stdout.isEmpty && empty.stderr.contains("nothing to delete"), "\(empty)")
        let none = try sb.run(["download", "obs://outb/nothing/", "d", "--recursive"])
        #expect(none.succeeded && none.stdout.isEmpty, "\(none)")
        let failed = try sb.run(["stat", "obs://outb/missing", "--output", "json"])
        expectError(failed, 3)
    }

    @Test("--quiet silences what a change prints (keys, bucket defaults); what a query shows still prints")
    func quietChanges() throws {
        let sb = try Sandbox("quietchanges")
        try sb.ok(["bucket", "create", "obs://quietb", "-q"])
        // A new key's id is what `kms key create` is run for: -q prints it alone.
        let created = try sb.run(["kms", "key", "create", "--alias", "quiet-key", "-q"])
        let id = String(decoding: created.stdout, as: UTF8.self)
        #expect(created.succeeded && isUUID(id.trimmingCharacters(in: .newlines)), "\(created)")
        let changes: [[String]] = [
            ["kms", "key", "disable", "quiet-key"],
            ["kms", "key", "enable", "quiet-key"], ["bucket", "encryption", "enable", "obs://quietb", "--sse", "obs"],
            ["bucket", "encryption", "disable", "obs://quietb"],
            ["kms", "key", "schedule-deletion", "quiet-key", "--days", "7"],
            ["kms", "key", "cancel-deletion", "quiet-key"],
        ]
        for args in changes {
            let r = try sb.run(args + ["-q"])
            #expect(r.succeeded && r.stdout.isEmpty, "\(args): \(r)")
        }
        for args in [["kms", "key", "describe", "quiet-key"], ["bucket", "encryption", "show", "obs://quietb"]] {
            let r = try sb.run(args + ["-q"])
            #expect(r.succeeded && !r.stdout.isEmpty, "\(args) shows what was asked for: \(r)")
        }
        let json = try sb.run(["kms", "key", "disable", "quiet-key", "-q", "--output", "json"])
        #expect(json.succeeded && (try? parseJSONObject(json.stdout))?["state"] as? String == "disabled", "\(json)")
    }

    @Test("a transfer command failing before any transfer prints the failed document (json) or record (ndjson)")
    func failureBeforeTransfers() throws {
        let sb = try Sandbox("earlyfail")
        try sb.ok(["bucket", "create", "obs://earlyb"])
        try sb.write("dir/a.txt", Data("a".utf8))
        for key in ["o1", "o2"] { try sb.ok(["upload", "dir/a.txt", "obs://earlyb/\(key)"]) }
        let cases: [([String], Int, String)] = [
            (["sync", "absent-dir", "obs://earlyb/x/"], 3, "absent-dir"),
            (["sync", "dir", "obs://no-such-bucket/p/"], 3, "dir"),
            (["mv", "obs://earlyb/m/", "obs://earlyb/m/sub/", "--recursive"], 2, "obs://earlyb/m/"),
            (["cp", "obs://earlyb/m/", "obs://earlyb/m/sub/", "--recursive"], 2, "obs://earlyb/m/"),
            (["download", "obs://no-such-bucket/k", "out.txt"], 3, "obs://no-such-bucket/k"),
            // Into a regular file: one error up front, not one per object.
            (["download", "obs://earlyb/", "dir/a.txt", "--recursive"], 2, "obs://earlyb/"),
        ]
        for (args, code, item) in cases {
            let json = try sb.run(args + ["--output", "json"])
            expectError(json, Int32(code), allowStdout: true)
            let doc = try parseJSONObject(json.stdout)
            let failures = doc["failures"] as? [[String: Any]] ?? []
            #expect((doc["transfers"] as? [Any])?.isEmpty == true, "\(args): \(doc)")
            #expect(failures.count == 1 && failures.first?["item"] as? String == item, "\(args): \(doc)")
            #expect(failures.first?["exit_code"] as? Int == code, "\(args): \(doc)")
            let nd = try sb.run(args + ["--output", "ndjson"])
            let records = nd.out.split(separator: "\n").compactMap { try? parseJSONObject(Data($0.utf8)) }
            #expect(nd.status == Int32(code) && records.count == 1, "\(args): \(nd)")
            #expect(records.first?["type"] as? String == "failure", "\(args): \(nd)")
        }
        // Text: the error line alone, and the missing directory is "not found" (3), not a usage error.
        expectError(
            try sb.run(["sync", "absent-dir", "obs://earlyb/x/"]), 3, contains: ["absent-dir", "does not exist"])
    }
}
