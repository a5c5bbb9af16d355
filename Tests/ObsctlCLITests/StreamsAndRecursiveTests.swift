import Foundation
import Testing

@Suite("stdin, stdout and recursive transfers")
struct StreamsAndRecursiveTests {
    @Test("upload - reads stdin; download ... - writes exactly the object's bytes to stdout and nothing else")
    func stdinAndStdout() throws {
        let sb = try Sandbox("stdio")
        try sb.ok(["bucket", "create", "obs://pipes"])
        let data = randomData(2 * 65536 + 17)

        for (key, extra) in [("kms.bin", ["--sse", "kms"]), ("obs.bin", ["--sse", "obs"]), ("plain.bin", [String]())] {
            let up = try sb.run(["upload", "-", "obs://pipes/" + key] + extra, stdin: data)
            expectSuccess(up)
            #expect(up.stdout.range(of: data.prefix(64)) == nil, "stdout must not echo the data")
            let size = try sb.json(["stat", "obs://pipes/" + key])["size"] as? NSNumber
            #expect(size?.intValue == data.count)

            let down = try sb.run(["download", "obs://pipes/" + key, "-"])
            expectSuccess(down)
            #expect(down.stdout == data, "stdout must be exactly the object's bytes (got \(down.stdout.count) bytes)")
            #expect(!down.stderr.contains("obsctl: error"), "\(down)")

            // cp obs://... - is the same download.
            let cp = try sb.run(["cp", "obs://pipes/" + key, "-"])
            expectSuccess(cp)
            #expect(cp.stdout == data)
        }

        // SSE-C from stdin, key from the environment.
        let key = randomData(32)
        let env: [String: String?] = ["MY_SSEC_KEY": key.base64EncodedString()]
        expectSuccess(
            try sb.run(
                ["upload", "-", "obs://pipes/ssec.bin", "--sse", "c", "--sse-c-key-env", "MY_SSEC_KEY"], stdin: data,
                env: env))
        let down = try sb.run(["download", "obs://pipes/ssec.bin", "-", "--sse-c-key-env", "MY_SSEC_KEY"], env: env)
        expectSuccess(down)
        #expect(down.stdout == data)

        // cp - obs://... is the same upload.
        expectSuccess(try sb.run(["cp", "-", "obs://pipes/cp-stdin", "--sse", "kms"], stdin: data))
        #expect(try sb.ok(["cp", "obs://pipes/cp-stdin", "-"]).stdout == data)

        // Empty stdin makes an empty object, and it downloads as zero bytes.
        expectSuccess(try sb.run(["upload", "-", "obs://pipes/empty", "--sse", "kms"], stdin: Data()))
        let empty = try sb.run(["download", "obs://pipes/empty", "-"])
        expectSuccess(empty)
        #expect(empty.stdout.isEmpty)

        // JSON output of an upload from stdin is a parseable record on stdout.
        let record = try sb.json(["upload", "-", "obs://pipes/json.bin", "--sse", "obs"], stdin: data)
        let transfers = try #require(record["transfers"] as? [[String: Any]])
        #expect(transfers.count == 1)
        #expect(transfers.first?["destination"] as? String == "obs://pipes/json.bin")
        #expect((transfers.first?["size"] as? NSNumber)?.intValue == data.count)

        // --quiet success to stdout: stderr stays empty.
        let quiet = try sb.run(["download", "obs://pipes/kms.bin", "-", "--quiet"])
        expectSuccess(quiet)
        #expect(quiet.stdout == data)
        #expect(quiet.stderr.isEmpty, "\(quiet)")

        // Failures on the stdout path print nothing on stdout, and one error line on stderr.
        expectError(try sb.run(["download", "obs://pipes/missing", "-"]), 3)
        expectError(try sb.run(["download", "obs://pipes/ssec.bin", "-"]), 7)
        // stdin needs a full key, not a prefix.
        expectError(try sb.run(["upload", "-", "obs://pipes/dir/"], stdin: data), 2)
        // --recursive cannot write to stdout.
        expectError(try sb.run(["download", "obs://pipes/", "-", "--recursive"]), 2)
    }

    @Test(
        """
        one-character and 240-byte file names download (a Foundation path call trapped on the first, the temp name \
        overflowed the second)
        """
    )
    func oneCharacterPaths() throws {
        let sb = try Sandbox("short-paths")
        try sb.ok(["bucket", "create", "obs://short"])
        let data = randomData(1000)
        try sb.write("u", data)
        try sb.ok(["upload", "u", "obs://short/k"])
        try sb.ok(["download", "obs://short/k", "h"])
        #expect(sb.read("h") == data)
        try sb.ok(["download", "obs://short/k", "d/"])
        #expect(sb.read("d/k") == data)
        try sb.ok(["cp", "obs://short/k", "c"])
        #expect(sb.read("c") == data)
        // A 240-byte file name: the temporary name beside it must still fit in NAME_MAX (255).
        let long = String(repeating: "n", count: 240)
        try sb.ok(["download", "obs://short/k", long])
        #expect(sb.read(long) == data)
    }

    @Test(
        """
        --quiet: transfers, copies, deletes and bucket commands print nothing; listings and stat still print their data
        """
    )
    func quietPrintsOnlyData() throws {
        let sb = try Sandbox("quiet")
        try sb.write("a.bin", randomData(100))
        for args in [
            ["bucket", "create", "obs://quiet"], ["upload", "a.bin", "obs://quiet/a"],
            ["cp", "obs://quiet/a", "obs://quiet/b"],
            ["download", "obs://quiet/a", "a.out"], ["rm", "obs://quiet/b"],
        ] {
            let r = try sb.run(args + ["-q"])
            expectSuccess(r)
            #expect(r.stdout.isEmpty && r.stderr.isEmpty, "\(args.joined(separator: " ")) -q printed something: \(r)")
        }
        #expect(try sb.ok(["ls", "obs://quiet", "-q"]).out.contains("a"), "ls -q must still list")
        #expect(try sb.ok(["stat", "obs://quiet/a", "-q"]).out.contains("100"), "stat -q must still show the object")
        // Without -q the same upload reports what it did.
        #expect(try sb.ok(["upload", "a.bin", "obs://quiet/c"]).out.hasPrefix("upload: a.bin -> obs://quiet/c"))
    }

    @Test("upload --recursive of a nested directory and download --recursive back")
    func recursiveRoundTrip() throws {
        let sb = try Sandbox("rec")
        try sb.ok(["bucket", "create", "obs://tree", "--sse", "obs"])
        let files: [String: Data] = [
            "a.txt": Data("alpha\n".utf8),
            "sub/b.bin": randomData(65536),
            "sub/deeper/c.txt": Data("charlie\n".utf8),
            "sub/deeper/deepest/d.bin": randomData(100_001),
            "other/e": Data(),
            "sp ace/\u{fc}n\u{ef} \u{6587}\u{4ef6}.txt": Data("unicode\n".utf8),
        ]
        for (rel, data) in files { try sb.write("src/" + rel, data) }
        try FileManager.default.createDirectory(atPath: sb.path("src/empty-dir"), withIntermediateDirectories: true)

        // Without --recursive a directory is refused.
        expectError(try sb.run(["upload", "src", "obs://tree/up/"]), 2, contains: ["--recursive"])

        let up = try sb.ok(["upload", "src", "obs://tree/up", "--recursive"])
        #expect(up.out.split(separator: "\n").count == files.count, "\(up)")
        let listing = try sb.json(["ls", "obs://tree/up/", "--recursive"])
        let keys = ((listing["objects"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }
        #expect(Set(keys) == Set(files.keys.map { "up/" + $0 }))
        for o in (listing["objects"] as? [[String: Any]]) ?? [] {
            #expect((o["sse"] as? [String: Any])?["mode"] as? String == "obs")
        }

        // Download the prefix (with and without the trailing slash) into fresh directories.
        for (src, dest) in [("obs://tree/up/", "back1"), ("obs://tree/up", "back2")] {
            let down = try sb.ok(["download", src, dest, "--recursive"])
            #expect(down.out.split(separator: "\n").count == files.count, "\(down)")
            #expect(sb.files(under: dest) == Set(files.keys.map { dest + "/" + $0 }))
            for (rel, data) in files { #expect(sb.read(dest + "/" + rel) == data, "\(dest)/\(rel)") }
        }

        // A sub-prefix lands relative to itself.
        try sb.ok(["download", "obs://tree/up/sub/deeper/", "part", "--recursive"])
        #expect(sb.files(under: "part") == ["part/c.txt", "part/deepest/d.bin"])

        // cp --recursive both ways.
        try sb.ok(["cp", "src", "obs://tree/cp/", "--recursive", "--sse", "kms"])
        try sb.ok(["cp", "obs://tree/cp/", "cpback", "--recursive"])
        for (rel, data) in files { #expect(sb.read("cpback/" + rel) == data, "cpback/\(rel)") }

        // obs -> obs --recursive copies a prefix.
        try sb.ok(["cp", "obs://tree/cp/", "obs://tree/cp2/", "--recursive", "--sse", "obs"])
        let cp2 = try sb.json(["ls", "obs://tree/cp2/", "--recursive"])
        #expect(((cp2["objects"] as? [[String: Any]]) ?? []).count == files.count)

        // An empty prefix is not an error for download --recursive.
        let none = try sb.run(["download", "obs://tree/nothing-here/", "empty-dest", "--recursive"])
        expectSuccess(none)
    }

    @Test("download --recursive never writes outside the destination, reports each unsafe key and exits 8")
    func unsafeKeysStayInside() throws {
        let sb = try Sandbox("escape")
        try sb.ok(["bucket", "create", "obs://esc"])
        try sb.write("payload", Data("EVIL\n".utf8))
        try sb.write("good", Data("GOOD\n".utf8))
        // Escape targets carry a unique token, so a file that got out can be found wherever it landed.
        let tok = "esc\(UUID().uuidString.prefix(8).lowercased())"
        let unsafeKeys = [
            "../\(tok)-up1", "p/../\(tok)-evil", "p/../../\(tok)-up2", "p/../../../\(tok)-up3",
            "p/../../../../../../\(tok)-up6",
            "p//\(tok)-x", "/tmp/\(tok)-abs", "/\(tok)-root", "p/./\(tok)-dot", "./\(tok)-dot2", "p/trailing/.", "p/..",
            "..",
        ]
        for key in unsafeKeys {
            expectSuccess(try sb.run(["upload", "payload", "obs://esc/" + key]))
        }
        try sb.ok(["upload", "good", "obs://esc/p/good"])
        try sb.ok(["upload", "good", "obs://esc/q/good2"])
        // The destination sits deep inside the sandbox: anything climbing out of it still lands where we look.
        let work = "w1/w2/w3/w4/w5/w6/work"
        let cwd = URL(fileURLWithPath: sb.path(work))
        try FileManager.default.createDirectory(atPath: sb.path(work + "/dest"), withIntermediateDirectories: true)
        let before = sb.files()

        let r = try sb.run(["download", "obs://esc", "dest", "--recursive"], cwd: cwd)
        #expect(!r.signaled && r.status == 8, "partial: some objects succeeded, unsafe keys were refused: \(r)")
        for key in unsafeKeys {
            #expect(r.stderr.contains("'\(key)'"), "the unsafe key \(key) must be reported: \(r)")
        }
        for line in r.stderrLines where line.contains("'") {
            #expect(line.hasPrefix("obsctl: error:"), "\(line)")
        }
        // The safe keys arrived; nothing else appeared anywhere outside the destination.
        #expect(sb.read(work + "/dest/p/good") == Data("GOOD\n".utf8))
        #expect(sb.read(work + "/dest/q/good2") == Data("GOOD\n".utf8))
        let newOutside = sb.files().subtracting(before).filter {
            !$0.hasPrefix(work + "/dest/") && !$0.hasPrefix("root/") && !$0.hasPrefix("cfg/")
        }
        #expect(newOutside.isEmpty, "files written outside the destination: \(newOutside)")
        // Inside the destination only the two safe files exist (nothing mapped from an unsafe key).
        #expect(sb.files(under: work + "/dest") == [work + "/dest/p/good", work + "/dest/q/good2"])
        #expect(
            !sb.files().contains { $0.contains(tok) },
            "an unsafe key became a file: \(sb.files().filter { $0.contains(tok) })")
        let parent = sb.dir.deletingLastPathComponent().path
        #expect(!sb.directoryListing(parent).contains { $0.contains(tok) })
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(tok)-abs"))
        #expect(!FileManager.default.fileExists(atPath: "/\(tok)-root"))

        // The same with a prefix that holds unsafe keys below it.
        let r2 = try sb.run(["download", "obs://esc/p/", "dest2", "--recursive"], cwd: cwd)
        #expect(!r2.signaled && r2.status == 8, "\(r2)")
        #expect(sb.files(under: work + "/dest2") == [work + "/dest2/good"])
        #expect(r2.stderr.contains("'p/../\(tok)-evil'") && r2.stderr.contains("'p//\(tok)-x'"), "\(r2)")
        #expect(!sb.files().contains { $0.contains(tok) })

        // JSON output of a clean recursive download parses and lists the transfer.
        let r3 = try sb.run(["download", "obs://esc/q/", "dest3", "--recursive", "--output", "json"], cwd: cwd)
        expectSuccess(r3)
        let doc = try parseJSONObject(r3.stdout)
        #expect((doc["transfers"] as? [Any])?.count == 1)

        // A single download of an unsafe key into a directory uses only its last segment.
        try sb.ok(["download", "obs://esc/p/../\(tok)-evil", work + "/single/"])
        #expect(sb.files(under: work + "/single") == [work + "/single/\(tok)-evil"])
        // A key with no usable last segment needs a file name.
        expectError(try sb.run(["download", "obs://esc/p/..", work + "/single/"]), 2)
    }

    @Test("upload -r and sync say which entries they pass over: a link to a directory, a link to nothing, a pipe")
    func passedOverEntriesAreNoted() throws {
        let sb = try Sandbox("passed-over")
        try sb.ok(["bucket", "create", "obs://passedover"])
        try sb.write("tree/a.txt", Data("a".utf8))
        try sb.write("other/b.txt", Data("b".utf8))
        #expect(symlink(sb.path("other"), sb.path("tree/dirlink")) == 0)
        #expect(symlink(sb.path("none"), sb.path("tree/dangling")) == 0)
        #expect(mkfifo(sb.path("tree/pipe"), 0o600) == 0)
        for command in [
            ["upload", "tree/", "obs://passedover/u/", "--recursive"], ["sync", "tree", "obs://passedover/s/"],
        ] {
            let r = try sb.run(command)
            #expect(r.succeeded, "\(command): \(r)")
            for what in [
                "dirlink (a symbolic link to a directory, not followed)", "dangling (a symbolic link to nothing)",
                "pipe (a special file",
            ] {
                #expect(r.stderr.contains(what), "\(command): \(what): \(r.stderr)")
            }
            let quiet = try sb.run(command + ["--quiet"])
            #expect(!quiet.stderr.contains("not uploaded"), "notes are silenced by -q: \(quiet)")
        }
    }

    @Test("a file whose key would be too long is refused alone (exit 8, named); the others are uploaded")
    func tooLongKeyRefusedAlone() throws {
        let sb = try Sandbox("longkey")
        try sb.ok(["bucket", "create", "obs://lng"])
        try sb.write("lk/ok.txt", Data("ok".utf8))
        let deep = (0..<6).map { _ in String(repeating: "d", count: 200) }.joined(separator: "/")
        try sb.write("lk/" + deep + "/f.txt", Data("f".utf8))
        for (args, prefix, dryRun) in [
            (["upload", "lk", "obs://lng/up/", "--recursive"], "up/", false),
            (["cp", "lk", "obs://lng/cp/", "--recursive"], "cp/", true),
            (["sync", "lk", "obs://lng/sy/"], "sy/", true),
        ] {
            if dryRun {
                let dry = try sb.run(args + ["--dry-run"])
                #expect(dry.status == 8 && dry.stderr.contains("cannot become an object key"), "\(dry)")
            }
            let r = try sb.run(args)
            #expect(r.status == 8, "\(r)")
            #expect(r.stderr.contains("cannot become an object key") && r.stderr.contains("/f.txt"), "\(r)")
            let keys =
                ((try sb.json(["ls", "obs://lng/" + prefix, "--recursive"])["objects"] as? [[String: Any]]) ?? [])
                .compactMap { $0["key"] as? String }
            #expect(keys == [prefix + "ok.txt"], "\(keys)")
        }
        // Files named on the command line: the one whose key would be too long is left out alone.
        let longPrefix = String(repeating: "p", count: 900) + "/"
        try sb.write(String(repeating: "n", count: 200), Data("n".utf8))
        let named = try sb.run(["upload", "lk/ok.txt", String(repeating: "n", count: 200), "obs://lng/" + longPrefix])
        #expect(named.status == 8 && named.stderr.contains("cannot become an object key"), "\(named)")
        #expect(try sb.ok(["stat", "obs://lng/" + longPrefix + "ok.txt"]).status == 0)
    }

    @Test("a key with a newline cannot forge a line of obsctl's: error lines and notes show it escaped")
    func newlinesInKeysStayOnOneLine() throws {
        let sb = try Sandbox("forged")
        try sb.bucket("forge", withObjects: ["inj/x\nupload: fake -> obs://evil/ok", "inj/fine.txt"])
        for args in [
            ["download", "obs://forge/inj/", "out", "--recursive"], ["sync", "obs://forge/inj/", "out2", "--dry-run"],
        ] {
            let r = try sb.run(args)
            #expect(r.status == 8, "\(r)")
            #expect(!r.stderrLines.contains { $0.hasPrefix("upload: fake") }, "a forged line: \(r)")
            #expect(r.stderr.contains("x\\x0aupload: fake"), "\(r)")
        }
    }
}
