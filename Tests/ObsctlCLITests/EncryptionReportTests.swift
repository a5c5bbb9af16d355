import Foundation
import Testing

/// A local bucket holding each kind of object: plain, SSE-OBS, SSE-KMS under two keys, SSE-C, and a larger plain
/// one (3 MiB: the local backend writes any size in one pass, so "large" only proves streaming here).
struct MixedBucket {
    let sb: Sandbox
    let bucket = "mixed"
    let keyA: String
    let keyB: String
    let data: [String: Data]

    static let keys = ["big", "c", "kms-a", "kms-b", "obs", "plain"]

    init(_ name: String) throws {
        sb = try Sandbox(name)
        try sb.ok(["bucket", "create", "obs://mixed"])
        keyA = try #require(try sb.json(["kms", "key", "create", "--alias", "app-a"])["key_id"] as? String)
        keyB = try #require(try sb.json(["kms", "key", "create", "--alias", "app-b"])["key_id"] as? String)
        _ = try sb.write("c.key", randomData(32), mode: 0o600)
        var data: [String: Data] = [:]
        for key in Self.keys { data[key] = randomData(key == "big" ? 3 << 20 : 1000 + key.count) }
        self.data = data
        let options: [String: [String]] = [
            "plain": [], "big": [], "obs": ["--sse", "obs"], "kms-a": ["--sse", "kms", "--kms-key-id", "app-a"],
            "kms-b": ["--sse", "kms", "--kms-key-id", "app-b"], "c": ["--sse-c-key-file", "c.key"],
        ]
        for key in Self.keys {
            _ = try sb.write("in/\(key)", data[key]!)
            try sb.ok(
                [
                    "cp", "in/\(key)", "obs://mixed/\(key)", "--content-type", "text/x-\(key)", "--metadata",
                    "origin=\(key)",
                ]
                    + options[key]!)
        }
    }

    func report(_ extra: [String]) throws -> (RunResult, [String: Any]?) {
        let r = try sb.run(["bucket", "encryption", "report", "obs://mixed"] + extra + ["--output", "json"])
        return (r, try? JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
    }

    /// `stat --output json` of every object (SSE-C with its key).
    func stats() throws -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for key in Self.keys {
            let r = try sb.run(["stat", "obs://mixed/\(key)", "--output", "json"])
            if r.succeeded { out[key] = try parseJSONObject(r.stdout); continue }
            out[key] = try sb.json(["stat", "obs://mixed/\(key)", "--sse-c-key-file", "c.key"])
        }
        return out
    }
}

func tally(_ report: [String: Any]?, _ field: String) -> (Int, Int)? {
    guard let t = report?[field] as? [String: Any], let o = t["objects"] as? Int, let b = t["bytes"] as? Int else {
        return nil
    }
    return (o, b)
}

@Suite("bucket encryption report: local backend")
struct EncryptionReportTests {
    @Test("counts per mode and per KMS key; no requirement without --require or a default (exit 0)")
    func counts() throws {
        let m = try MixedBucket("enc-report-counts")
        let (r, j) = try m.report([])
        #expect(r.status == 0, "\(r)")
        let modes = try #require(j?["modes"] as? [[String: Any]], "\(r)")
        var perMode: [String: Int] = [:]
        for e in modes { perMode[e["mode"] as? String ?? "?"] = e["objects"] as? Int }
        #expect(perMode == ["none": 2, "obs": 1, "kms": 2, "c": 1], "\(modes)")
        let keys = try #require(j?["kms_keys"] as? [[String: Any]])
        #expect(Set(keys.compactMap { $0["kms_key_id"] as? String }) == [m.keyA, m.keyB], "\(keys)")
        #expect(keys.allSatisfy { $0["objects"] as? Int == 1 })
        let bytes = m.data.values.reduce(0) { $0 + $1.count }
        #expect(tally(j, "total")! == (6, bytes))
        #expect(j?["requirement"] is NSNull && j?["bucket_default"] is NSNull, "\(r)")
        #expect(tally(j, "shortfall")! == (0, 0))

        let text = try m.sb.run(["bucket", "encryption", "report", "obs://mixed"])
        #expect(text.succeeded && text.out.contains("SSE-KMS") && text.out.contains("key \(m.keyA)"), "\(text)")
    }

    @Test("--require none|obs|kms|c|any and --kms-key-id: exit 6 with the number of objects falling short")
    func requirements() throws {
        let m = try MixedBucket("enc-report-require")
        let cases: [([String], Int)] = [
            (["--require", "none"], 4), (["--require", "obs"], 5), (["--require", "kms"], 4),
            (["--require", "c"], 5), (["--require", "any"], 2), (["--require", "kms", "--kms-key-id", "app-a"], 5),
            (["--require", "kms", "--kms-key-id", m.keyB], 5),
        ]
        for (args, short) in cases {
            let (r, j) = try m.report(args)
            #expect(r.status == 6, "\(args): \(r)")
            #expect(tally(j, "shortfall")?.0 == short, "\(args): \(r)")
            #expect(r.stderrLines.count == 1 && r.stderr.contains("obsctl: error: \(short) object"), "\(r)")
        }
        // --list names exactly the objects that fall short.
        let listed = try m.report(["--require", "kms", "--list"]).1
        let keys = (listed?["objects"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        #expect(Set(keys) == ["big", "c", "obs", "plain"], "\(keys)")
        // --quiet keeps the exit code for a CI gate.
        let quiet = try m.sb.run(["bucket", "encryption", "report", "obs://mixed", "--require", "any", "--quiet"])
        #expect(quiet.status == 6, "\(quiet)")
        // Met: exit 0.
        try m.sb.ok(["bucket", "create", "obs://allkms"])
        try m.sb.ok(["cp", "in/plain", "obs://allkms/x", "--sse", "kms", "--kms-key-id", "app-a"])
        for args in [["any"], ["kms"], ["kms", "--kms-key-id", "app-a"]] {
            let r = try m.sb.run(["bucket", "encryption", "report", "obs://allkms", "--require"] + args)
            #expect(r.succeeded, "\(args): \(r)")
        }
        let wrongKey = try m.sb.run(
            ["bucket", "encryption", "report", "obs://allkms", "--require", "kms", "--kms-key-id", "app-b"])
        #expect(wrongKey.status == 6, "\(wrongKey)")
        // The hint is an apply that meets the requirement: here SSE-KMS under app-b, which the bucket (no default)
        // cannot name. Run, it makes the same report pass.
        let hint = "obsctl bucket encryption apply obs://allkms/ --sse kms --kms-key-id \(m.keyB)"
        #expect(wrongKey.stderr.contains("convert them with '\(hint)'"), "\(wrongKey)")
        try m.sb.ok(Array(hint.split(separator: " ").dropFirst().map(String.init)))
        try m.sb.ok(["bucket", "encryption", "report", "obs://allkms", "--require", "kms", "--kms-key-id", "app-b"])
        // No re-encryption removes encryption: "none" gets no apply hint.
        let none = try m.sb.run(["bucket", "encryption", "report", "obs://allkms", "--require", "none"])
        #expect(none.status == 6 && !none.stderr.contains("apply"), "\(none)")
        expectError(try m.sb.run(["bucket", "encryption", "report", "obs://mixed", "--kms-key-id", "app-a"]), 2)
    }

    @Test("without --require the bucket default is the requirement; objects differing from it are counted")
    func bucketDefault() throws {
        let m = try MixedBucket("enc-report-default")
        try m.sb.ok(["bucket", "encryption", "enable", "obs://mixed", "--sse", "kms", "--kms-key-id", "app-a"])
        let (r, j) = try m.report([])
        #expect(r.status == 6, "\(r)")
        #expect((j?["requirement"] as? [String: Any])?["kms_key_id"] as? String == m.keyA, "\(r)")
        #expect(tally(j, "shortfall")?.0 == 5 && tally(j, "differing_from_default")?.0 == 5, "\(r)")
        // A prefix narrows the walk.
        let p = try m.sb.run(["bucket", "encryption", "report", "obs://mixed/kms-a", "--output", "json"])
        #expect(p.succeeded, "\(p)")
        #expect(tally(try parseJSONObject(p.stdout), "total")?.0 == 1, "\(p)")
    }

    @Test("an unreadable object is reported (exit 8) and the walk goes on; ndjson has one record per object")
    func unreadableAndNDJSON() throws {
        let m = try MixedBucket("enc-report-damaged")
        let dir = try #require(m.sb.objectDirectory(bucket: "mixed", key: "obs"))
        // Metadata that still parses but no longer matches its MAC: HEAD refuses it (integrity).
        let meta = try String(contentsOfFile: dir + "/meta.json", encoding: .utf8)
        #expect(meta.contains("x-obs\""))
        try meta.replacingOccurrences(of: "x-obs\"", with: "x-OBS\"").write(
            toFile: dir + "/meta.json", atomically: false, encoding: .utf8)
        let r = try m.sb.run(["bucket", "encryption", "report", "obs://mixed", "--output", "ndjson"])
        #expect(r.status == 8, "\(r)")
        #expect(r.stderr.contains("obs://mixed/obs"), "the damaged object is named: \(r)")
        let records = r.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let objects = records.filter { $0["type"] as? String == "object" }.compactMap { $0["key"] as? String }
        #expect(Set(objects) == ["big", "c", "kms-a", "kms-b", "plain"], "\(r)")
        #expect(records.contains { $0["type"] as? String == "failure" }, "\(r)")
        let summary = try #require(records.last)
        #expect(summary["type"] as? String == "summary")
        #expect(tally(summary, "unreadable")?.0 == 1 && tally(summary, "total")?.0 == 6, "\(summary)")
    }
}
