import Foundation
import Testing

/// A dry run finds what the run would: a missing or unreadable source fails it with the run's error and exit code.
/// Local permissions are AccessDenied (exit 4), and a download into a directory that takes no new entries fails once,
/// before any listing.
@Suite("dry runs and local permissions")
struct DryRunSourceTests {
    /// A store with obs://bkt/a and obs://bkt/d/{1,2}.txt, and a.txt and d/ in the sandbox.
    private func sandbox(_ name: String) throws -> Sandbox {
        let sb = try Sandbox(name)
        try sb.write("a.txt", Data("a".utf8))
        try sb.write("d/1.txt", Data("one".utf8))
        try sb.write("d/2.txt", Data("two".utf8))
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.ok(["cp", "a.txt", "obs://bkt/a"])
        try sb.ok(["cp", "-r", "d", "obs://bkt/d/"])
        return sb
    }

    private func keys(_ sb: Sandbox) throws -> [String] {
        let listing = try sb.json(["ls", "-r", "obs://bkt"])
        return ((listing["objects"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }.sorted()
    }

    @Test("a missing file, directory, object or bucket fails the dry run as it fails the run, changing nothing")
    func missingSources() throws {
        let sb = try sandbox("dryrun")
        try sb.write("d/sub/3.txt", Data("three".utf8))
        let before = try keys(sb)
        let commands: [[String]] = [
            ["cp", "nofile", "obs://bkt/x"],
            ["cp", "-r", "nodir", "obs://bkt/x/"],
            ["mv", "nofile", "obs://bkt/x"],
            ["mv", "d", "obs://bkt/x"],
            ["cp", "d", "obs://bkt/x"],
            ["cp", "obs://bkt/missing", "out"],
            ["cp", "obs://bkt/d", "out"],
            ["mv", "obs://bkt/missing", "obs://bkt/y"],
            ["cp", "obs://bkt/missing", "obs://bkt/y"],
            ["cp", "obs://nobkt/a", "out"],
            ["mv", "obs://nobkt/a", "obs://bkt/a2"],
        ]
        for command in commands {
            let dry = try sb.run(command + ["--dry-run"])
            let dryJSON = try sb.run(command + ["--dry-run", "--output", "json"])
            let run = try sb.run(command)
            #expect(run.status != 0 && dry.status == run.status, "\(dry)\n\(run)")
            #expect(dry.stderr == run.stderr && !dry.stderr.isEmpty, "\(dry)\n\(run)")
            #expect(dry.stdout.isEmpty, "a failed step is not planned: \(dry)")
            let doc = try parseJSONObject(dryJSON.stdout)
            let failures = doc["failures"] as? [[String: Any]] ?? []
            #expect(dryJSON.status == run.status && failures.count == 1, "\(dryJSON)")
            #expect((doc["transfers"] as? [Any])?.isEmpty == true, "\(doc)")
        }
        #expect(try keys(sb) == before)
        #expect(!FileManager.default.fileExists(atPath: sb.path("out")))
        #expect(FileManager.default.fileExists(atPath: sb.path("d/1.txt")))
    }

    @Test("what exists is planned as before; an empty prefix says there is nothing to delete")
    func presentSources() throws {
        let sb = try sandbox("dryrunok")
        let copy = try sb.ok(["cp", "obs://bkt/a", "out", "--dry-run"])
        #expect(copy.out == "(dry run) download: obs://bkt/a -> out\n")
        let upload = try sb.ok(["mv", "a.txt", "obs://bkt/b", "--dry-run"])
        #expect(upload.out == "(dry run) move: a.txt -> obs://bkt/b\n")
        let tree = try sb.json(["cp", "-r", "obs://bkt/d/", "tree", "--dry-run"])
        #expect((tree["transfers"] as? [Any])?.count == 2 && (tree["failures"] as? [Any])?.isEmpty == true)
        let empty = try sb.ok(["rm", "-r", "obs://bkt/none/", "--dry-run"])
        #expect(empty.stderr.contains("nothing to delete under obs://bkt/none/"), "\(empty)")
        #expect(!FileManager.default.fileExists(atPath: sb.path("out")))
        #expect(try keys(sb).count == 3)
    }

    @Test("a file its user cannot read is AccessDenied, exit 4: alone, and one of a tree (exit 8), dry or not")
    func unreadableFile() throws {
        let sb = try sandbox("noread")
        try sb.write("d/secret.txt", Data("s".utf8), mode: 0o000)
        try sb.giveToNobody()
        let single = try sb.runAsNobody(["cp", "d/secret.txt", "obs://bkt/s", "--output", "json"])
        expectError(
            single, 4, contains: ["cannot read local file d/secret.txt", "Permission denied"], allowStdout: true)
        let failure = (try parseJSONObject(single.stdout)["failures"] as? [[String: Any]])?.first
        #expect(failure?["code"] as? String == "AccessDenied" && failure?["exit_code"] as? Int == 4, "\(single)")
        for dryRun in [true, false] {
            let flags = ["--output", "json"] + (dryRun ? ["--dry-run"] : [])
            let tree = try sb.runAsNobody(["cp", "-r", "d", "obs://bkt/t/"] + flags)
            #expect(tree.status == 8, "\(tree)")
            let doc = try parseJSONObject(tree.stdout)
            #expect((doc["transfers"] as? [Any])?.count == 2, "\(doc)")
            let failures = doc["failures"] as? [[String: Any]] ?? []
            #expect(failures.map { $0["code"] as? String } == ["AccessDenied"], "\(doc)")
        }
    }

    @Test("a download into a directory that takes no new entries fails once, before any listing, exit 4")
    func unwritableDestination() throws {
        let sb = try sandbox("nowrite")
        try FileManager.default.createDirectory(atPath: sb.path("locked"), withIntermediateDirectories: false)
        try sb.giveToNobody()
        #expect(chmod(sb.path("locked"), 0o555) == 0)
        let commands: [[String]] = [
            ["download", "-r", "obs://bkt/d/", "locked"],
            ["download", "-r", "obs://bkt/d/", "locked/new/deeper"],
            ["cp", "-r", "obs://bkt/d/", "locked", "--dry-run"],
            ["sync", "obs://bkt/d/", "locked/new"],
        ]
        for command in commands {
            let r = try sb.runAsNobody(command)
            expectError(r, 4, contains: ["cannot write into locked", "Permission denied"])
            #expect(r.stderrLines.count == 1, "one error, not one per object: \(r)")
        }
        // A single download made its directories by itself: the same code.
        let single = try sb.runAsNobody(["download", "obs://bkt/a", "locked/new/a"])
        expectError(single, 4, contains: ["cannot create directory locked/new", "check that locked is writable"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: sb.path("locked")).isEmpty)
    }
}

@Suite("a failed single download")
struct FailedDownloadTraceTests {
    @Test("removes the directories it made for its file, and only those")
    func removesItsDirectories() throws {
        let sb = try Sandbox("dltrace")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try FileManager.default.createDirectory(atPath: sb.path("old"), withIntermediateDirectories: false)
        let r = try sb.run(["download", "obs://bkt/missing", "old/new/deeper/file"])
        expectError(r, 3, contains: ["does not exist"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: sb.path("old")).isEmpty)
        let fresh = try sb.run(["download", "obs://bkt/missing", "fresh/file"])
        expectError(fresh, 3)
        #expect(!FileManager.default.fileExists(atPath: sb.path("fresh")))
    }
}
