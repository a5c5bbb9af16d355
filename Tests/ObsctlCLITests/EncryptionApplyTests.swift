import Foundation
import Testing

@Suite("bucket encryption apply: local backend")
struct EncryptionApplyTests {
    /// Downloads every object (SSE-C with its key) and compares with what was uploaded.
    func expectBytesUnchanged(_ m: MixedBucket, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for key in MixedBucket.keys {
            var r = try m.sb.run(["cp", "obs://mixed/\(key)", "out/\(key)"])
            if !r.succeeded {
                r = try m.sb.run(["cp", "obs://mixed/\(key)", "out/\(key)", "--sse-c-key-file", "c.key"])
            }
            #expect(r.succeeded, "\(r)", sourceLocation: sourceLocation)
            #expect(m.sb.read("out/\(key)") == m.data[key], "\(key): bytes changed", sourceLocation: sourceLocation)
        }
    }

    func mode(_ stat: [String: Any]?) -> String? { (stat?["sse"] as? [String: Any])?["mode"] as? String }
    func kmsKey(_ stat: [String: Any]?) -> String? { (stat?["sse"] as? [String: Any])?["kms_key_id"] as? String }

    @Test("converts exactly the objects not under the target key; bytes, content type and metadata unchanged")
    func convertsExactlyTheRightObjects() throws {
        let m = try MixedBucket("enc-apply-convert")
        let before = try m.stats()
        let r = try m.sb.run(
            [
                "bucket", "encryption", "apply", "obs://mixed", "--sse", "kms", "--kms-key-id", "app-a", "--output",
                "json",
            ])
        // The SSE-C object has no key given: skipped and reported, so the run is partial.
        #expect(r.status == 8, "\(r)")
        #expect(r.stderr.contains("skipped obs://mixed/c"), "\(r)")
        let j = try parseJSONObject(r.stdout)
        #expect(tally(j, "converted")?.0 == 4, "\(j)")
        let after = try m.stats()
        for key in MixedBucket.keys {
            let b = before[key], a = after[key]
            #expect(a?["content_type"] as? String == "text/x-\(key)", "\(key): \(String(describing: a))")
            #expect((a?["metadata"] as? [String: String])?["origin"] == key, "\(key): \(String(describing: a))")
            switch key {
            case "c":
                #expect(mode(a) == "c" && a?["etag"] as? String == b?["etag"] as? String, "SSE-C left alone")
            case "kms-a":
                #expect(a?["last_modified"] as? String == b?["last_modified"] as? String, "already right: untouched")
                #expect(a?["etag"] as? String == b?["etag"] as? String)
            default:
                #expect(mode(a) == "kms" && kmsKey(a) == m.keyA, "\(key): \(String(describing: a))")
            }
        }
        try expectBytesUnchanged(m)

        // With the SSE-C key the last object moves too; a third run has nothing to do (idempotent).
        let withKey = try m.sb.run(
            [
                "bucket", "encryption", "apply", "obs://mixed", "--sse", "kms", "--kms-key-id", "app-a",
                "--source-sse-c-key-file", "c.key", "--output", "json",
            ])
        #expect(withKey.succeeded, "\(withKey)")
        #expect(tally(try parseJSONObject(withKey.stdout), "converted")?.0 == 1, "\(withKey)")
        let again = try m.sb.json([
            "bucket", "encryption", "apply", "obs://mixed", "--sse", "kms", "--kms-key-id", "app-a",
        ])
        #expect(tally(again, "converted")?.0 == 0, "\(again)")
        #expect(try m.report(["--require", "kms", "--kms-key-id", "app-a"]).0.succeeded)
        try expectBytesUnchanged(m)
    }

    @Test("--dry-run prints the plan per current mode and changes nothing; --include/--exclude narrow it")
    func dryRun() throws {
        let m = try MixedBucket("enc-apply-dry")
        let before = try m.stats()
        let j = try m.sb.json(["bucket", "encryption", "apply", "obs://mixed", "--sse", "obs", "--dry-run"])
        let plan = try #require(j["plan"] as? [String: Any])
        #expect(tally(plan, "convert")?.0 == 4 && tally(plan, "already_right")?.0 == 1, "\(j)")
        #expect(tally(plan, "skipped")?.0 == 1, "\(j)")
        let byMode = (plan["convert_by_mode"] as? [[String: Any]] ?? []).map { "\($0["mode"]!)=\($0["objects"]!)" }
        #expect(byMode == ["none=2", "kms=2"], "\(j)")
        let filtered = try m.sb.json(
            [
                "bucket", "encryption", "apply", "obs://mixed", "--sse", "obs", "--dry-run", "--exclude", "*",
                "--include", "kms-*", "--exclude", "*-b",
            ])
        #expect(tally(filtered["plan"] as? [String: Any], "convert")?.0 == 1, "\(filtered)")
        let text = try m.sb.ok(["bucket", "encryption", "apply", "obs://mixed", "--sse", "obs", "--dry-run"])
        #expect(text.out.contains("4 objects") && text.out.contains("from SSE-KMS"), "\(text)")
        let after = try m.stats()
        for key in MixedBucket.keys {
            #expect(after[key]?["etag"] as? String == before[key]?["etag"] as? String, "\(key) changed by a dry run")
        }
    }

    @Test("no --sse: the bucket's default is applied; with no default it is an error (exit 2), nothing changed")
    func bucketDefaultTarget() throws {
        let m = try MixedBucket("enc-apply-default")
        let none = try m.sb.run(["bucket", "encryption", "apply", "obs://mixed"])
        expectError(none, 2, contains: ["no default encryption", "--sse"])
        try m.sb.ok(["bucket", "encryption", "enable", "obs://mixed", "--sse", "kms", "--kms-key-id", "app-b"])
        let r = try m.sb.run(["bucket", "encryption", "apply", "obs://mixed", "--output", "json"])
        #expect(r.status == 8, "\(r)")
        #expect(tally(try parseJSONObject(r.stdout), "converted")?.0 == 4, "\(r)")
        #expect(kmsKey(try m.stats()["plain"]) == m.keyB)
    }

    @Test("a disabled target key stops apply before any copy: exit 5, every object as it was")
    func disabledKey() throws {
        let m = try MixedBucket("enc-apply-disabled")
        try m.sb.ok(["kms", "key", "disable", "app-a"])
        let before = try m.stats()
        let r = try m.sb.run(["bucket", "encryption", "apply", "obs://mixed", "--sse", "kms", "--kms-key-id", "app-a"])
        expectError(r, 5, contains: ["disabled", "kms key enable"])
        let after = try m.stats()
        for key in MixedBucket.keys {
            #expect(after[key]?["etag"] as? String == before[key]?["etag"] as? String, "\(key) changed")
            #expect(after[key]?["last_modified"] as? String == before[key]?["last_modified"] as? String)
        }
    }

    @Test("a kms:dek:create denial stops the run at the first copy (exit 5), not one failure per object")
    func permissionDenied() throws {
        let m = try MixedBucket("enc-apply-denied")
        _ = try m.sb.write("root/kms/policy.json", Data(#"{"deny": ["kms:dek:create"]}"#.utf8), mode: 0o600)
        let before = try m.stats()
        let r = try m.sb.run(["bucket", "encryption", "apply", "obs://mixed", "--sse", "kms", "--kms-key-id", "app-b"])
        #expect(r.status == 5, "\(r)")
        #expect(r.stderrLines.filter { $0.hasPrefix("obsctl: error:") }.count == 1, "stops at once: \(r)")
        #expect(r.stderr.contains("kms:dek:create"), "\(r)")
        let after = try m.stats()
        for key in MixedBucket.keys { #expect(after[key]?["etag"] as? String == before[key]?["etag"] as? String) }

        // The one failure names its object, on stderr and in the JSON's failures, with the command's exit code.
        let j = try m.sb.run(
            [
                "bucket", "encryption", "apply", "obs://mixed", "--sse", "kms", "--kms-key-id", "app-b", "--output",
                "json",
            ])
        #expect(j.status == 5, "\(j)")
        let failures = try parseJSONObject(j.stdout)["failures"] as? [[String: Any]] ?? []
        #expect(failures.count == 1 && failures.first?["exit_code"] as? Int == 5, "\(j)")
        let item = failures.first?["item"] as? String ?? ""
        #expect(item.hasPrefix("obs://mixed/") && j.stderr.contains("obsctl: error: \(item): "), "\(j)")
    }

    @Test("a source object's own KMS key pending deletion fails that object only (exit 8); the others convert")
    func sourceKeyUnusable() throws {
        let m = try MixedBucket("enc-apply-srckey")
        try m.sb.ok(["kms", "key", "schedule-deletion", "app-a", "--days", "7"])
        let r = try m.sb.run(["bucket", "encryption", "apply", "obs://mixed", "--sse", "obs", "--output", "json"])
        #expect(r.status == 8, "\(r)")
        let j = try parseJSONObject(r.stdout)
        let failures = j["failures"] as? [[String: Any]] ?? []
        #expect(failures.map { $0["item"] as? String } == ["obs://mixed/kms-a"], "\(j)")
        #expect(failures.first?["exit_code"] as? Int == 5, "\(j)")
        // big, kms-b and plain converted; obs already right; the SSE-C object skipped without its key.
        #expect(tally(j, "converted")?.0 == 3, "\(j)")
        let after = try m.stats()
        #expect(mode(after["kms-a"]) == "kms" && mode(after["kms-b"]) == "obs" && mode(after["plain"]) == "obs")
    }

    @Test("an object overwritten between the read and its copy is skipped and reported; the new write is kept")
    func overwrittenMeanwhile() throws {
        let m = try MixedBucket("enc-apply-race")
        let r = try m.sb.run(
            ["bucket", "encryption", "apply", "obs://mixed", "--sse", "obs", "--output", "json"],
            env: ["OBSCTL_TEST_APPLY_OVERWRITE_KEY": "plain"])
        #expect(r.status == 8, "\(r)")
        #expect(r.stderr.contains("obs://mixed/plain changed since it was read"), "\(r)")
        let j = try parseJSONObject(r.stdout)
        let skipped = (j["skipped"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
        #expect(skipped.contains("obs://mixed/plain"), "\(j)")
        try m.sb.ok(["cp", "obs://mixed/plain", "out/plain"])
        #expect(m.sb.read("out/plain") == Data("overwritten".utf8), "the concurrent write must survive")
        #expect(mode(try m.stats()["big"]) == "obs", "the other objects are converted")
    }

    @Test("kill -9 at random moments during apply, then one more run: every object converted, bytes unchanged")
    func killedAndRerun() throws {
        let sb = try Sandbox("enc-apply-kill")
        try sb.ok(["bucket", "create", "obs://many"])
        var data: [String: Data] = [:]
        for i in 0..<60 {
            let d = randomData(i == 0 ? 4 << 20 : 2000 + i)
            data["o\(i)"] = d
            _ = try sb.write("in/o\(i)", d)
        }
        try sb.ok(["cp", "in/", "obs://many/", "--recursive"])
        for delay in [0.15, 0.3, 0.5, 0.8] {
            let p = try sb.start(["bucket", "encryption", "apply", "obs://many", "--sse", "kms", "--jobs", "4"])
            Thread.sleep(forTimeInterval: delay * Double.random(in: 0.5...1.5))
            kill(p.process.processIdentifier, SIGKILL)  // only the child we started
            _ = p.wait()
        }
        let final = try sb.run(["bucket", "encryption", "apply", "obs://many", "--sse", "kms"])
        #expect(final.succeeded, "\(final)")
        let report = try sb.run(["bucket", "encryption", "report", "obs://many", "--require", "kms"])
        #expect(report.succeeded, "\(report)")
        try sb.ok(["cp", "obs://many/", "out/", "--recursive"])
        for (key, d) in data { #expect(sb.read("out/\(key)") == d, "\(key) differs after the crashes") }
    }
}
