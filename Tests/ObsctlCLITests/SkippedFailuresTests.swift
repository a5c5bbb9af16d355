import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a plan leaves out (a local name no key can hold, a key that is no safe local path, a damaged object) is a
/// failure of the run like any other: an error line, an NDJSON failure record, an entry of the JSON `failures`,
/// in a dry run too; exit 8 beside other work, or the skip's own code when it was all there was.
@Suite("skipped items are failures")
struct SkippedFailuresTests {
    /// A bucket `obs://skp` with `d/ok`, the unsafe key `d/p/..` and `d/bad`, whose metadata is then damaged.
    static func bucket(_ sb: Sandbox) throws {
        try sb.ok(["bucket", "create", "obs://skp"])
        try sb.write("f.txt", Data("hello".utf8))
        for key in ["d/ok", "d/p/..", "d/bad", "only/bad"] { try sb.ok(["upload", "f.txt", "obs://skp/\(key)"]) }
        // Damaged, their keys still known (a listing under a prefix cannot place an object whose key is lost).
        try sb.damageObject(bucket: "skp", key: "d/bad", keyKept: true)
        try sb.damageObject(bucket: "skp", key: "only/bad", keyKept: true)
    }

    static func failures(_ r: RunResult) throws -> [(item: String, code: String, exit: Int)] {
        let doc = try parseJSONObject(r.stdout)
        let list = try #require(doc["failures"] as? [[String: Any]], "\(r)")
        return list.map { ($0["item"] as? String ?? "", $0["code"] as? String ?? "", $0["exit_code"] as? Int ?? -1) }
    }

    @Test("download -r and sync down: unsafe keys and damaged objects are among the JSON failures; exit 8")
    func downloadAndSyncDown() throws {
        let sb = try Sandbox("skip-down")
        try Self.bucket(sb)
        for (args, dryRun) in [
            (["download", "obs://skp/d/", "out", "-r"], false), (["cp", "obs://skp/d/", "out2", "-r"], true),
            (["sync", "obs://skp/d/", "out3"], false), (["sync", "obs://skp/d/", "out4"], true),
        ] {
            let r = try sb.run(args + ["--output", "json"] + (dryRun ? ["--dry-run"] : []))
            #expect(r.status == 8, "\(args): \(r)")
            let failures = try Self.failures(r)
            #expect(failures.contains { $0.item == "obs://skp/d/p/.." && $0.exit == 2 }, "\(args): \(r)")
            #expect(failures.contains { $0.item == "obs://skp/d/bad" && $0.exit == 13 }, "\(args): \(r)")
            #expect(failures.count == 2, "\(args): \(r)")
            #expect(r.stderr.contains("'d/p/..'") && r.stderr.contains("skipped"), "\(args): \(r)")
        }
        // NDJSON: a failure record for each, beside the transfer's.
        for dryRun in [false, true] {
            let nd = try sb.run(
                [dryRun ? "cp" : "download", "obs://skp/d/", "out5", "-r", "--output", "ndjson"]
                    + (dryRun ? ["--dry-run"] : []))
            #expect(nd.status == 8, "\(nd)")
            let records = nd.out.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            let failed = records.filter { $0["type"] as? String == "failure" }
            #expect(failed.count == 2 && records.count == 3, "dry run \(dryRun): \(nd)")
        }
    }

    @Test("a skip that is all there is: the JSON document lists it, with its own exit code")
    func skipsAlone() throws {
        let sb = try Sandbox("skip-alone")
        try Self.bucket(sb)
        // Only the unsafe key under this prefix: exit 2 (as before), and now a document saying why.
        let unsafe = try sb.run(["download", "obs://skp/d/p/", "out", "-r", "--output", "json"])
        #expect(unsafe.status == 2, "\(unsafe)")
        #expect(try Self.failures(unsafe).map(\.item) == ["obs://skp/d/p/.."], "\(unsafe)")
        // Only the damaged object: exit 13.
        let damaged = try sb.run(["cp", "obs://skp/only/", "obs://skp/e/", "-r", "--output", "json"])
        #expect(damaged.status == 13, "\(damaged)")
        #expect(try Self.failures(damaged).map(\.code) == ["IntegrityCheckFailed"], "\(damaged)")
    }

    @Test("a failure that stops the command after skips were found lists them too (JSON), in a dry run as well")
    func skipsBeforeAFailure() throws {
        let sb = try Sandbox("skip-stop")
        try Self.bucket(sb)
        // The destination bucket is missing: the sync fails on its listing, after the source's damaged object.
        let sync = try sb.run(["sync", "obs://skp/d/", "obs://nobkt/s/", "--output", "json"])
        #expect(sync.status == 3, "\(sync)")
        #expect(try Self.failures(sync).map(\.item) == ["obs://skp/d/bad", "obs://skp/d/"], "\(sync)")
        // A dry run's missing bucket: the skips and the bucket, with the run's exit (3: the failure that stops
        // every step is the exit, whatever the plan left out besides).
        let dry = try sb.run(["cp", "obs://skp/d/", "obs://nobkt/c/", "-r", "--dry-run", "--output", "json"])
        #expect(dry.status == 3, "\(dry)")
        #expect(try Self.failures(dry).map(\.item) == ["obs://skp/d/bad", "obs://nobkt"], "\(dry)")
        let run = try sb.run(["cp", "obs://skp/d/", "obs://nobkt/c/", "-r", "--output", "json"])
        #expect(run.status == 3, "\(run)")
        #expect(try Self.failures(run).first?.item == "obs://skp/d/bad", "\(run)")
    }

    @Test("rm -r: a damaged object whose key is lost comes first among the failures, in the run as in its dry run")
    func rmKeyless() throws {
        let sb = try Sandbox("skip-rm")
        try sb.ok(["bucket", "create", "obs://rmk"])
        try sb.write("f.txt", Data("hello".utf8))
        for k in ["a", "b", "c"] { try sb.ok(["upload", "f.txt", "obs://rmk/\(k)"]) }
        try sb.damageObject(bucket: "rmk", key: "b", keyKept: false)
        for dryRun in [true, false] {
            let r = try sb.run(["rm", "obs://rmk/", "-r", "--output", "json"] + (dryRun ? ["--dry-run"] : []))
            #expect(r.status == 8, "dry run \(dryRun): \(r)")
            #expect(try Self.failures(r).map(\.item) == ["obs://rmk/ (unknown key)"], "dry run \(dryRun): \(r)")
        }
        // Only the damaged object is left: 13, alike.
        for dryRun in [true, false] {
            let r = try sb.run(["rm", "obs://rmk/", "-r", "--output", "json"] + (dryRun ? ["--dry-run"] : []))
            #expect(r.status == 13, "dry run \(dryRun): \(r)")
        }
    }

    @Test("cp -r and sync between buckets: damaged objects are among the failures; exit 8")
    func copies() throws {
        let sb = try Sandbox("skip-cp")
        try Self.bucket(sb)
        try sb.ok(["bucket", "create", "obs://skq"])
        for args in [["cp", "obs://skp/d/", "obs://skq/c/", "-r"], ["sync", "obs://skp/d/", "obs://skq/s/"]] {
            for dryRun in [false, true] {
                let r = try sb.run(args + ["--output", "json"] + (dryRun ? ["--dry-run"] : []))
                #expect(r.status == 8, "\(args) \(dryRun): \(r)")
                #expect(try Self.failures(r).map(\.item) == ["obs://skp/d/bad"], "\(args) \(dryRun): \(r)")
                #expect(r.stderr.contains("obsctl rm obs://skp/d/bad"), "the error line says how to remove it: \(r)")
            }
        }
    }

    @Test("upload -r and sync up: a file name that is not UTF-8 is among the failures; exit 8")
    func unnamableFiles() throws {
        let sb = try Sandbox("skip-up")
        try sb.ok(["bucket", "create", "obs://upl"])
        try sb.write("d/ok.txt", Data("hello".utf8))
        var path = Array(sb.path("d").utf8) + Array("/bad".utf8) + [0xFF, 0]
        let fd = path.withUnsafeMutableBytes {
            open($0.baseAddress!.assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
        }
        try #require(fd >= 0)
        close(fd)
        for args in [
            ["upload", "d", "obs://upl/u/", "-r"], ["cp", "d", "obs://upl/c/", "-r"], ["sync", "d", "obs://upl/s/"],
        ] {
            for dryRun in args[0] == "upload" ? [false] : [false, true] {
                let r = try sb.run(args + ["--output", "json"] + (dryRun ? ["--dry-run"] : []))
                #expect(r.status == 8, "\(args) \(dryRun): \(r)")
                let failures = try Self.failures(r)
                #expect(failures.count == 1 && failures[0].item.hasSuffix("d/bad\\xff"), "\(args) \(dryRun): \(r)")
                #expect(failures.first?.exit == 2, "\(r)")
            }
        }
        // A name the filters leave out is not reported: it is not skipped, it is excluded.
        for args in [
            ["upload", "d", "obs://upl/x/", "-r", "--exclude", "*"],
            ["sync", "d", "obs://upl/y/", "--exclude", "bad*"],
        ] {
            let r = try sb.run(args + ["--output", "json"])
            #expect(r.status == 0 && !r.stderr.contains("not valid UTF-8"), "\(args): \(r)")
        }
        // A directory whose name is not UTF-8 hides files the filters would take: it is reported whatever they say.
        var dir = Array(sb.path("d").utf8) + Array("/sub".utf8) + [0xFE, 0]
        try #require(
            dir.withUnsafeMutableBytes { mkdir($0.baseAddress!.assumingMemoryBound(to: CChar.self), 0o755) } == 0)
        let filtered = try sb.run(
            ["upload", "d", "obs://upl/z/", "-r", "--exclude", "*", "--include", "*.txt", "--output", "json"])
        #expect(filtered.status == 8, "\(filtered)")
        #expect(try Self.failures(filtered).map(\.item).map { $0.hasSuffix("d/sub\\xfe/") } == [true], "\(filtered)")
    }
}
