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

    /// `asNobody`: the store was given to nobody (`giveToNobody`), whose store root refuses to read it.
    private func keys(_ sb: Sandbox, asNobody: Bool = false) throws -> [String] {
        let arguments = ["ls", "-r", "obs://bkt", "--output", "json"]
        let r = try asNobody ? sb.runAsNobody(arguments) : sb.run(arguments)
        try #require(r.succeeded, "\(r)")
        let listing = try parseJSONObject(r.stdout)
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

    @Test("a download into a directory that takes no new entries fails once, before any transfer, exit 4")
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
        // A single download, dry or not: the same.
        for dry in [[], ["--dry-run"]] {
            let single = try sb.runAsNobody(["cp", "obs://bkt/a", "locked/new/a"] + dry)
            expectError(single, 4, contains: ["cannot write into locked", "Permission denied"])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: sb.path("locked")).isEmpty)
    }

    @Test("a read-only destination that needs no new entry is no error: nothing to write, or a writable subdirectory")
    func readOnlyButNothingToWrite() throws {
        let sb = try sandbox("rosync")
        try sb.giveToNobody()
        expectSuccess(try sb.runAsNobody(["sync", "obs://bkt/d/", "mirror"]))
        #expect(chmod(sb.path("mirror"), 0o555) == 0)
        let again = try sb.runAsNobody(["sync", "obs://bkt/d/", "mirror"])
        expectSuccess(again)
        #expect(again.stderr.contains("nothing to do"), "\(again)")
        // The root is read-only, the files go below it into a directory that takes them.
        try FileManager.default.createDirectory(atPath: sb.path("ro/d"), withIntermediateDirectories: true)
        _ = chown(sb.path("ro"), 65534, 65534)
        _ = chown(sb.path("ro/d"), 65534, 65534)
        #expect(chmod(sb.path("ro"), 0o555) == 0)
        expectSuccess(try sb.runAsNobody(["download", "-r", "obs://bkt/d/", "ro/d"]))
        #expect(FileManager.default.fileExists(atPath: sb.path("ro/d/1.txt")))
    }

    @Test("a subdirectory listed but not entered fails sync and upload: sync --delete deletes nothing")
    func unenterableSubdirectory() throws {
        let sb = try sandbox("noenter")
        try sb.write("s/keep/k", Data("k".utf8))
        try sb.write("s/hidden/valuable", Data("v".utf8))
        try sb.ok(["sync", "s", "obs://bkt/s/"])
        try sb.giveToNobody()
        #expect(chmod(sb.path("s/hidden"), 0o644) == 0)  // readable names, no search permission
        for command in [["sync", "s", "obs://bkt/s/", "--delete"], ["cp", "-r", "s", "obs://bkt/t/"]] {
            let r = try sb.runAsNobody(command)
            expectError(r, 4, contains: ["cannot read s/hidden/valuable", "Permission denied"])
        }
        #expect(try keys(sb, asNobody: true).contains("s/hidden/valuable"), "the remote copy was deleted")
        #expect(try !keys(sb, asNobody: true).contains { $0.hasPrefix("t/") })
    }

    @Test("a directory the filters leave out whole is not entered: one that cannot be read fails nothing")
    func excludedUnreadableDirectory() throws {
        let sb = try sandbox("noenter-excluded")
        try sb.write("s/keep/k", Data("k".utf8))
        try sb.write("s/top.txt", Data("t".utf8))
        try sb.write("s/.cache/deep/x", Data("x".utf8))
        try sb.write("s/locked/y", Data("y".utf8))
        try sb.write("dl/.cache/deep/z", Data("z".utf8))  // sync's local destination
        try sb.giveToNobody()
        #expect(chmod(sb.path("s/.cache/deep"), 0o000) == 0 && chmod(sb.path("s/locked"), 0o644) == 0)
        #expect(chmod(sb.path("dl/.cache/deep"), 0o000) == 0)
        let excluded = ["--exclude", ".cache/*", "--exclude", "locked*"]
        for (command, prefix) in [
            (["sync", "s", "obs://bkt/s1/", "--delete"], "s1/"), (["cp", "-r", "s", "obs://bkt/s2/"], "s2/"),
            (["upload", "-r", "s", "obs://bkt/s3/"], "s3/"), (["mv", "-r", "s", "obs://bkt/s4/", "--dry-run"], ""),
        ] {
            let r = try sb.runAsNobody(command + excluded)
            #expect(r.status == 0, "\(r)")
            guard !prefix.isEmpty else { continue }
            #expect(
                try keys(sb, asNobody: true).filter { $0.hasPrefix(prefix) } == [prefix + "keep/k", prefix + "top.txt"])
        }
        // Downloading into a tree with such a directory, --delete included: it is left alone.
        let down = try sb.runAsNobody(["sync", "obs://bkt/d/", "dl", "--delete", "--exclude", ".cache/*"])
        #expect(down.status == 0, "\(down)")
        #expect(chmod(sb.path("dl/.cache/deep"), 0o755) == 0 && sb.exists("dl/.cache/deep/z") && sb.exists("dl/1.txt"))
        // Without the filter, or with one that takes a name below it, the run fails as before (exit 4).
        for filter in [[], ["--exclude", ".cache/*", "--include", ".cache/deep/*"]] {
            let r = try sb.runAsNobody(["sync", "s", "obs://bkt/s5/"] + filter + ["--exclude", "locked*"])
            expectError(r, 4, contains: ["s/.cache/deep", "Permission denied"])
        }
    }

    @Test("mv into a FIFO is refused, the object kept; a dry run of a FIFO source waits for no writer")
    func streams() throws {
        let sb = try sandbox("mvfifo")
        #expect(mkfifo(sb.path("pipe"), 0o600) == 0)
        for dry in [[], ["--dry-run"]] {
            let r = try sb.run(["mv", "obs://bkt/a", "pipe"] + dry)
            expectError(r, 2, contains: ["mv cannot move obs://bkt/a into pipe", "use cp"])
        }
        expectSuccess(try sb.run(["stat", "obs://bkt/a"]))
        // A dry run that opened the FIFO would wait for a writer until killed: no bound on the time of a run that
        // ends, only a timeout ample for a slow start.
        let dry = try sb.start(["cp", "pipe", "obs://bkt/p", "--dry-run"]).wait(timeout: 60)
        #expect(!dry.timedOut, "\(dry)")
        expectSuccess(dry)
    }

    @Test("what the plan leaves out, a failing transfer, a missing key or bucket: the dry run's exit is the run's")
    func planExitCodes() throws {
        let sb = try sandbox("dryexit")
        // A key that is also a directory's name (x and x/y) cannot both be files: one is skipped (exit 8).
        try sb.ok(["cp", "a.txt", "obs://bkt/u/x"])
        try sb.ok(["cp", "a.txt", "obs://bkt/u/x/y"])
        let dry = try sb.run(["sync", "obs://bkt/u/", "mirror", "--dry-run"])
        let run = try sb.run(["sync", "obs://bkt/u/", "mirror"])
        #expect(dry.status == 8 && run.status == 8, "\(dry)\n\(run)")
        // rm of a missing key and cp into a missing bucket, as the local store answers them.
        for command in [["rm", "obs://bkt/nokey"], ["rm", "obs://nobkt/k"], ["cp", "a.txt", "obs://nobkt/k"]] {
            let dryRun = try sb.run(command + ["--dry-run"]), real = try sb.run(command)
            #expect(real.status == 3 && dryRun.status == 3, "\(dryRun)\n\(real)")
        }
        // rm -r of a missing bucket still prints its document.
        let rm = try sb.run(["rm", "-r", "obs://nobkt/x/", "--output", "json"])
        #expect(rm.status == 3, "\(rm)")
        let doc = try parseJSONObject(rm.stdout)
        #expect((doc["deleted"] as? [Any])?.isEmpty == true && (doc["failures"] as? [Any])?.count == 1, "\(doc)")
    }

    @Test("sync --delete --dry-run lists no deletion the run would hold back for a failed transfer")
    func heldBackDeletions() throws {
        let sb = try sandbox("drydel")
        try sb.write("src/ok", Data("ok".utf8))
        try sb.write("src/secret", Data("s".utf8), mode: 0o000)
        try sb.ok(["cp", "a.txt", "obs://bkt/p/old"])
        try sb.giveToNobody()
        let dry = try sb.runAsNobody(["sync", "src", "obs://bkt/p/", "--delete", "--dry-run"])
        #expect(dry.status == 8 && !dry.out.contains("delete:"), "\(dry)")
        #expect(dry.stderr.contains("nothing would be removed"), "\(dry)")
        let run = try sb.runAsNobody(["sync", "src", "obs://bkt/p/", "--delete"])
        #expect(run.status == 8 && run.stderr.contains("nothing was removed"), "\(run)")
    }

    @Test("a moved file whose directory is read-only: refused before the copy, in the dry run too, exit 4")
    func moveFromReadOnlyDirectory() throws {
        let sb = try sandbox("mvro")
        try sb.write("ro/f", Data("f".utf8))
        try sb.write("ro/g", Data("g".utf8))
        try sb.giveToNobody()
        #expect(chmod(sb.path("ro"), 0o555) == 0)
        for args in [["mv", "ro/f", "obs://bkt/f"], ["mv", "ro", "obs://bkt/ro/", "--recursive"]] {
            for dry in [true, false] {
                let r = try sb.runAsNobody(args + (dry ? ["--dry-run"] : []))
                #expect(r.status == 4, "\(args) dry \(dry): \(r)")
                #expect(r.stderr.contains("does not let it be removed"), "\(r)")
            }
        }
        #expect(FileManager.default.fileExists(atPath: sb.path("ro/f")))
        // A sticky directory (as /tmp) lets nobody remove another user's file, though it is writable to all.
        try sb.write("sticky/f", Data("s".utf8))  // root's
        #expect(chmod(sb.path("sticky"), 0o1777) == 0 && chmod(sb.path("sticky/f"), 0o644) == 0)
        let sticky = try sb.runAsNobody(["mv", "sticky/f", "obs://bkt/s"])
        #expect(sticky.status == 4 && sticky.stderr.contains("does not let it be removed"), "\(sticky)")
        #expect(try keys(sb, asNobody: true).filter { ["f", "s"].contains($0) || $0.hasPrefix("ro/") }.isEmpty)
    }

    @Test("a copy's SSE-C hints: a plain source with a source key is said to be plain")
    func sourceKeyOnPlainObject() throws {
        let sb = try sandbox("srckey")
        try sb.write("k", Data(repeating: 7, count: 32), mode: 0o600)
        for dry in [[], ["--dry-run"]] {
            let r = try sb.run(["cp", "obs://bkt/a", "obs://bkt/a2", "--source-sse-c-key-file", "k"] + dry)
            expectError(r, 7, contains: ["is not SSE-C encrypted"])
        }
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

    @Test("a failed recursive download leaves no directory made only for the files that failed")
    func recursiveLeavesNoEmptyDirectories() throws {
        let sb = try Sandbox("dltrace-r")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("k", Data(repeating: 9, count: 32), mode: 0o600)
        try sb.write("a.txt", Data("a".utf8))
        try sb.ok(["upload", "a.txt", "obs://bkt/u/ok/a.txt"])
        for key in ["u/ok/c.txt", "u/sec/deep/b.txt", "u/sec/e.txt", "v/x/y.txt"] {
            try sb.ok(["upload", "a.txt", "obs://bkt/" + key, "--sse-c-key-file", "k"])
        }
        try FileManager.default.createDirectory(atPath: sb.path("out/sec"), withIntermediateDirectories: true)
        for jobs in ["1", "8"] {
            let r = try sb.run(["download", "obs://bkt/u/", "out", "--recursive", "--jobs", jobs])
            #expect(r.status == 8 && r.stderr.contains("SSE-C"), "\(r)")
            #expect(sb.read("out/ok/a.txt") == Data("a".utf8), "\(r)")
            #expect(sb.directoryListing(sb.path("out/ok")) == ["a.txt"], "no temporary, no c.txt")
            #expect(sb.directoryListing(sb.path("out/sec")).isEmpty, "out/sec was there before: it stays, empty")
            try FileManager.default.removeItem(atPath: sb.path("out/ok"))
        }
        // Every file failed: the destination and the directories made for it are gone, as after a single one.
        for args in [["download", "obs://bkt/v/", "fresh/dest", "-r"], ["sync", "obs://bkt/v/", "fresh/dest"]] {
            let r = try sb.run(args)
            #expect(r.status == 7, "every file failed as SSE-C does: \(r)")
            #expect(!sb.exists("fresh"), "\(args): \(sb.directoryListing(sb.path("fresh")))")
        }
    }

    @Test("a directory where a file goes, or a file where a directory goes, fails the step, dry or not")
    func inTheWayOfPlannedPaths() throws {
        let sb = try Sandbox("dry-inway")
        try sb.ok(["bucket", "create", "obs://dinway"])
        try sb.write("a.txt", Data("a".utf8))
        for key in ["u/a.txt", "u/sub/x.txt", "u/b.txt"] { try sb.ok(["upload", "a.txt", "obs://dinway/" + key]) }
        try sb.write("ds/a.txt/inner.dat", Data("precious".utf8))
        try sb.write("ds/sub", Data("a file".utf8))
        for args in [["sync", "obs://dinway/u/", "ds", "--delete"], ["cp", "obs://dinway/u/", "ds", "--recursive"]] {
            let dry = try sb.run(args + ["--dry-run"])
            let run = try sb.run(args)
            for r in [dry, run] {
                #expect(r.status == 8, "\(r)")
                #expect(r.stderr.contains("ds/a.txt: a directory of that name is in the way"), "\(r)")
                #expect(r.stderr.contains("ds/sub: a file of that name is in the way"), "\(r)")
                #expect(!r.stderr.contains("end the path with /"), "no hint about a path the user did not name: \(r)")
            }
            #expect(sb.read("ds/a.txt/inner.dat") == Data("precious".utf8))
            #expect(sb.read("ds/sub") == Data("a file".utf8))
        }
    }
}
