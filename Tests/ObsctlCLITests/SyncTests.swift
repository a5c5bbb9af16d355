import Foundation
import Testing

/// `sync`: transfers what the destination lacks, holds at another size or older; `--delete` removes the rest, and
/// only after every transfer succeeded.
@Suite("sync (local backend)")
struct SyncTests {
    func stdout(_ r: RunResult) -> String { String(decoding: r.stdout, as: UTF8.self) }

    @Test(
        """
        directory -> prefix: everything, then nothing, then what changed; --dry-run plans only; --delete removes extra \
        objects
        """
    )
    func upward() throws {
        let sb = try Sandbox("syncup")
        try sb.ok(["bucket", "create", "obs://syu"])
        try sb.write("src/a.txt", Data("a".utf8))
        try sb.write("src/sub/b.txt", Data("bb".utf8))
        #expect(stdout(try sb.ok(["sync", "src", "obs://syu/p"])).split(separator: "\n").count == 2)
        let again = try sb.ok(["sync", "src", "obs://syu/p/"])
        #expect(again.stdout.isEmpty && again.stderr.contains("up to date"), "\(again)")

        try sb.write("src/a.txt", Data("a, longer".utf8))
        try sb.write("extra.txt", Data("x".utf8))
        try sb.ok(["upload", "extra.txt", "obs://syu/p/extra.txt"])
        let plan = stdout(try sb.ok(["sync", "src", "obs://syu/p/", "--delete", "--dry-run"]))
        #expect(
            plan == "(dry run) upload: src/a.txt -> obs://syu/p/a.txt\n(dry run) delete: obs://syu/p/extra.txt\n",
            "\(plan)")
        #expect(
            try sb.ok(["download", "obs://syu/p/a.txt", "-"]).stdout == Data("a".utf8), "a dry run changes nothing")
        let done = try sb.json(["sync", "src", "obs://syu/p/", "--delete"])
        #expect(
            (done["transfers"] as? [[String: Any]])?.compactMap { $0["destination"] as? String } == [
                "obs://syu/p/a.txt"
            ], "\(done)")
        #expect(done["deleted"] as? [String] == ["obs://syu/p/extra.txt"], "\(done)")
        #expect(try sb.ok(["download", "obs://syu/p/a.txt", "-"]).stdout == Data("a, longer".utf8))
    }

    @Test("a newer file of the same size is sent, unless --size-only")
    func newerOrSizeOnly() throws {
        let sb = try Sandbox("syncnew")
        try sb.ok(["bucket", "create", "obs://syn"])
        try sb.write("src/a.txt", Data("one".utf8))
        try sb.ok(["sync", "src", "obs://syn/"])
        try sb.write("src/a.txt", Data("two".utf8))
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(3600)], ofItemAtPath: sb.path("src/a.txt"))
        #expect(try sb.ok(["sync", "src", "obs://syn/", "--size-only"]).stdout.isEmpty)
        #expect(try sb.ok(["download", "obs://syn/a.txt", "-"]).stdout == Data("one".utf8))
        #expect(stdout(try sb.ok(["sync", "src", "obs://syn/"])).hasPrefix("upload: src/a.txt"))
        #expect(try sb.ok(["download", "obs://syn/a.txt", "-"]).stdout == Data("two".utf8))
    }

    @Test(
        """
        prefix -> directory: files get the objects' times, so a second run does nothing; --delete removes files, not \
        directories
        """
    )
    func downward() throws {
        let sb = try Sandbox("syncdown")
        try sb.ok(["bucket", "create", "obs://syd"])
        try sb.write("f.txt", Data("f".utf8))
        try sb.ok(["upload", "f.txt", "obs://syd/p/a.txt"])
        try sb.ok(["upload", "f.txt", "obs://syd/p/sub/b.txt", "--sse", "kms"])
        Thread.sleep(forTimeInterval: 2.1)  // so that a file stamped with the download's own time would differ
        try sb.ok(["sync", "obs://syd/p/", "out"])
        #expect(sb.files(under: "out") == ["out/a.txt", "out/sub/b.txt"])
        let object = try #require(
            ISO8601DateFormatter().date(
                from: try sb.json(["stat", "obs://syd/p/a.txt"])["last_modified"] as? String ?? ""))
        let file = try FileManager.default.attributesOfItem(atPath: sb.path("out/a.txt"))[.modificationDate] as? Date
        #expect(
            file.map { abs($0.timeIntervalSince(object)) < 1 && $0.timeIntervalSinceNow < -1.5 } == true,
            "the file takes the object's time: \(String(describing: file)) vs \(object)")
        #expect(try sb.ok(["sync", "obs://syd/p/", "out"]).stdout.isEmpty)

        try sb.write("out/local-only.txt", Data("l".utf8))
        try sb.write("out/empty/keep.txt", Data("k".utf8))
        try sb.ok(["sync", "obs://syd/p/", "out", "--delete"])
        #expect(
            sb.files(under: "out") == ["out/a.txt", "out/sub/b.txt"] && sb.exists("out/empty"),
            "\(sb.files(under: "out"))")
    }

    @Test("download, cp and mv to files give them their objects' times: a sync back then uploads nothing")
    func downloadsKeepObjectTimes() throws {
        let sb = try Sandbox("sync-times")
        try sb.ok(["bucket", "create", "obs://syt"])
        try sb.write("f.txt", Data("f".utf8))
        for key in ["p/a.txt", "p/sub/b.txt", "one.txt", "moved.txt"] {
            try sb.ok(["upload", "f.txt", "obs://syt/\(key)"])
        }
        Thread.sleep(forTimeInterval: 2.1)  // so that a file stamped with the download's own time would differ
        try sb.ok(["download", "-r", "obs://syt/p/", "tree"])
        try sb.ok(["cp", "obs://syt/one.txt", "tree/one.txt"])
        try sb.ok(["mv", "obs://syt/moved.txt", "moved.txt"])
        try sb.ok(["download", "obs://syt/one.txt", "/dev/null"])  // a device is written, its time left alone
        for (file, key) in [("tree/a.txt", "p/a.txt"), ("tree/sub/b.txt", "p/sub/b.txt"), ("tree/one.txt", "one.txt")] {
            let object = try #require(
                ISO8601DateFormatter().date(
                    from: try sb.json(["stat", "obs://syt/\(key)"])["last_modified"] as? String ?? ""))
            let time = try FileManager.default.attributesOfItem(atPath: sb.path(file))[.modificationDate] as? Date
            #expect(time.map { abs($0.timeIntervalSince(object)) < 1 } == true, "\(file): \(String(describing: time))")
        }
        let moved = try FileManager.default.attributesOfItem(atPath: sb.path("moved.txt"))[.modificationDate] as? Date
        #expect(moved.map { $0.timeIntervalSinceNow < -1.5 } == true, "\(String(describing: moved))")
        try sb.ok(["rm", "obs://syt/one.txt"])
        let back = try sb.ok(["sync", "tree", "obs://syt/p/", "--exclude", "one.txt", "--dry-run"])
        #expect(back.stdout.isEmpty, "\(back)")
    }

    @Test("a key beside keys under its name: skipped, and --delete still removes stale files under that name")
    func shadowedKeyDoesNotProtectItsDirectory() throws {
        let sb = try Sandbox("sync-shadow")
        try sb.ok(["bucket", "create", "obs://sys"])
        try sb.write("f.txt", Data("f".utf8))
        for key in ["col", "col/in", "other"] { try sb.ok(["upload", "f.txt", "obs://sys/\(key)"]) }
        try sb.write("shd/col/stale.txt", Data("s".utf8))
        try sb.write("shd/stale2.txt", Data("s".utf8))
        let r = try sb.run(["sync", "obs://sys/", "shd", "--delete"])
        #expect(r.status == 8 && r.stderr.contains("col"), "the key 'col' is skipped: \(r)")
        #expect(sb.files(under: "shd") == ["shd/col/in", "shd/other"], "\(sb.files(under: "shd"))")
    }

    @Test("prefix -> prefix is a server-side copy (re-encrypting with --sse); overlapping prefixes are refused")
    func across() throws {
        let sb = try Sandbox("synccopy")
        try sb.ok(["bucket", "create", "obs://syc"])
        try sb.write("f.txt", Data("f".utf8))
        try sb.ok(["upload", "f.txt", "obs://syc/p/a.txt"])
        try sb.ok(["sync", "obs://syc/p/", "obs://syc/q/", "--sse", "kms"])
        #expect((try sb.json(["stat", "obs://syc/q/a.txt"])["sse"] as? [String: Any])?["mode"] as? String == "kms")
        #expect(try sb.ok(["sync", "obs://syc/p/", "obs://syc/q/"]).stdout.isEmpty)
        expectError(try sb.run(["sync", "obs://syc/p/", "obs://syc/p/sub/"]), 2, contains: ["one inside the other"])
        expectError(try sb.run(["sync", "obs://syc/p/", "obs://syc/p"]), 2, contains: ["itself"])
        expectError(try sb.run(["sync", "obs://syc/", "obs://syc/q/"]), 2, contains: ["one inside the other"])
        expectError(try sb.run(["sync", "f.txt", "obs://syc/x/"]), 2, contains: ["not a directory"])
        expectError(try sb.run(["sync", "a", "b"]), 2, contains: ["obs://"])
    }

    @Test("--delete guards: an empty source is refused; a source that is a link to a directory is read through it")
    func deleteGuards() throws {
        let sb = try Sandbox("syncguard")
        try sb.ok(["bucket", "create", "obs://syg"])
        try sb.write("real/a.txt", Data("a".utf8))
        try sb.ok(["sync", "real", "obs://syg/p/"])
        try FileManager.default.createDirectory(atPath: sb.path("empty"), withIntermediateDirectories: true)
        expectError(
            try sb.run(["sync", "empty", "obs://syg/p/", "--delete"]), 2, contains: ["holds nothing", "rm --recursive"])
        try FileManager.default.createSymbolicLink(atPath: sb.path("link"), withDestinationPath: sb.path("real"))
        let viaLink = try sb.ok(["sync", "link", "obs://syg/p/", "--delete"])
        #expect(
            viaLink.stdout.isEmpty,
            "the link's files are the same as the objects: nothing to do, nothing deleted: \(viaLink)")
        #expect(try sb.ok(["download", "obs://syg/p/a.txt", "-"]).stdout == Data("a".utf8))
    }

    @Test("--delete keeps the objects under what the walk passes over: links to directories, to nothing, FIFOs")
    func passedOverNamesKept() throws {
        let sb = try Sandbox("syncpassed")
        try sb.ok(["bucket", "create", "obs://syp"])
        try sb.write("f.txt", Data("f".utf8))
        let kept = ["web/assets/app.css", "web/pipe", "web/dangling", "web/sub/pipe2"]
        for key in kept + ["web/gone.txt"] { try sb.ok(["upload", "f.txt", "obs://syp/" + key]) }
        try sb.write("common/assets/app.css", Data("f".utf8))
        try sb.write("site/index.html", Data("i".utf8))
        try FileManager.default.createDirectory(atPath: sb.path("site/sub"), withIntermediateDirectories: true)
        #expect(symlink("../common/assets", sb.path("site/assets")) == 0)
        #expect(symlink("nowhere", sb.path("site/dangling")) == 0)
        #expect(mkfifo(sb.path("site/pipe"), 0o600) == 0 && mkfifo(sb.path("site/sub/pipe2"), 0o600) == 0)
        let dry = try sb.ok(["sync", "site", "obs://syp/web/", "--delete", "--dry-run"])
        let planned = String(decoding: dry.stdout, as: UTF8.self)
        #expect(planned.contains("gone.txt") && !kept.contains(where: planned.contains), "\(dry)")
        let run = try sb.ok(["sync", "site", "obs://syp/web/", "--delete"])
        #expect(run.stderr.contains("site/assets") && run.stderr.contains("is kept"), "\(run)")
        let keys = ((try sb.json(["ls", "obs://syp/web/", "--recursive"])["objects"] as? [[String: Any]]) ?? [])
            .compactMap { $0["key"] as? String }
        #expect(Set(keys) == Set(kept + ["web/index.html"]), "\(keys)")
    }

    @Test("a key that is no safe local path is reported and skipped (exit 8); the others arrive")
    func unsafeKeys() throws {
        let sb = try Sandbox("syncunsafe")
        try sb.ok(["bucket", "create", "obs://syx"])
        try sb.write("f.txt", Data("f".utf8))
        try sb.ok(["upload", "f.txt", "obs://syx/p/ok.txt"])
        try sb.ok(["upload", "f.txt", "obs://syx/p/a//b.txt"])
        let r = try sb.run(["sync", "obs://syx/p/", "out"])
        #expect(r.status == 8 && r.stderr.contains("a//b.txt"), "\(r)")
        #expect(sb.files(under: "out") == ["out/ok.txt"])
        // Between prefixes every key is copied.
        try sb.ok(["sync", "obs://syx/p/", "obs://syx/q/"])
        let keys = ((try sb.json(["ls", "obs://syx/q/", "--recursive"])["objects"] as? [[String: Any]]) ?? [])
            .compactMap { $0["key"] as? String }
        #expect(keys.sorted() == ["q/a//b.txt", "q/ok.txt"], "\(keys)")
    }

    @Test("--delete removes nothing when a transfer failed: exit 8, the extra file stays")
    func noDeletionAfterFailure() throws {
        let sb = try Sandbox("syncfail")
        try sb.ok(["bucket", "create", "obs://syf"])
        try sb.write("f.txt", Data("f".utf8))
        try sb.write("k.bin", randomData(32), mode: 0o600)
        try sb.ok(["upload", "f.txt", "obs://syf/p/plain.txt"])
        try sb.ok(["upload", "f.txt", "obs://syf/p/secret.txt", "--sse-c-key-file", "k.bin"])
        try sb.write("out/extra.txt", Data("e".utf8))
        let r = try sb.run(["sync", "obs://syf/p/", "out", "--delete"])  // no key for secret.txt
        #expect(r.status == 8 && r.stderr.contains("nothing was removed"), "\(r)")
        #expect(sb.exists("out/extra.txt") && sb.exists("out/plain.txt") && !sb.exists("out/secret.txt"))
    }

    @Test("keys 'x' and 'x/y': x/y is synced, x is skipped naming why (exit 8), on every run, never a usage error")
    func keyBesideItsOwnPrefix() throws {
        let sb = try Sandbox("shadow")
        try sb.ok(["bucket", "create", "obs://shadowb"])
        try sb.write("f.txt", Data("f".utf8))
        try sb.ok(["upload", "f.txt", "obs://shadowb/x"])
        try sb.ok(["upload", "f.txt", "obs://shadowb/x/y"])
        for command in [
            ["sync", "obs://shadowb/", "out"], ["sync", "obs://shadowb/", "out"],
            ["download", "obs://shadowb/", "dl", "-r"],
        ] {
            let r = try sb.run(command)
            #expect(r.status == 8, "\(command): \(r)")
            let lines = r.stderrLines.filter { $0.hasPrefix("obsctl: error:") }
            #expect(lines.count == 1 && lines[0].contains("'x'") && lines[0].contains("obs://shadowb/x"), "\(r)")
        }
        #expect(sb.read("out/x/y") == Data("f".utf8) && sb.read("dl/x/y") == Data("f".utf8))
        // Uploading, the key x is compared with the file x as any other: the second run has nothing to do.
        try sb.write("up/x", Data("local x".utf8))
        try sb.ok(["sync", "up", "obs://shadowb/"])
        let again = try sb.run(["sync", "up", "obs://shadowb/", "--output", "json"])
        #expect(again.succeeded, "\(again)")
        #expect((try parseJSONObject(again.stdout)["transfers"] as? [Any])?.isEmpty == true, "\(again)")
    }
}
