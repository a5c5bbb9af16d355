import Foundation
import Testing

/// `--include` / `--exclude` on upload, download, cp, mv, sync and rm, and `--dry-run` of cp, mv and rm: the same
/// scenarios on the local backend and on SeaweedFS.
struct FilterScenarios {
    let sb: Sandbox
    let run: ([String]) throws -> RunResult
    let bucket: (String) throws -> String

    @discardableResult
    func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let r = try run(args)
        try #require(r.succeeded, "expected success: \(r)", sourceLocation: sourceLocation)
        return r
    }

    func json(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try parseJSONObject(try ok(args + ["--output", "json"], sourceLocation: sourceLocation).stdout)
    }

    func keys(_ location: String) throws -> Set<String> {
        let listing = try json(["ls", location, "--recursive"])
        return Set((listing["objects"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String })
    }

    /// src/{a.txt, b.bin, sub/c.txt, sub/d.log, skip/e.txt}
    func tree() throws {
        for (name, body) in [
            ("a.txt", "a"), ("b.bin", "bb"), ("sub/c.txt", "ccc"), ("sub/d.log", "dddd"),
            ("skip/e.txt", "eeeee"),
        ] {
            try sb.write("src/" + name, Data(body.utf8))
        }
    }

    let onlyText = ["--exclude", "*", "--include", "*.txt", "--exclude", "skip/*"]

    func uploadDownload() throws {
        try tree()
        let b = try bucket("updown")
        try ok(["upload", "src", "obs://\(b)/p/", "-r"] + onlyText)
        #expect(try keys("obs://\(b)/p/") == ["p/a.txt", "p/sub/c.txt"], "the last matching rule decides")
        // The same rules in the other order: the final --exclude '*' wins for every name.
        try ok(["upload", "src", "obs://\(b)/q/", "-r", "--include", "*.txt", "--exclude", "*"])
        #expect(try keys("obs://\(b)/q/").isEmpty)
        try ok(["upload", "src", "obs://\(b)/all/", "-r"])
        try ok(["download", "obs://\(b)/all/", "out", "-r", "--exclude", "*.txt"])
        #expect(sb.files(under: "out") == ["out/b.bin", "out/sub/d.log"])
        try ok(["download", "obs://\(b)/all", "out2", "--recursive", "--exclude", "sub/*", "--exclude", "skip/*"])
        #expect(sb.files(under: "out2") == ["out2/a.txt", "out2/b.bin"], "relative to the prefix, * across '/'")
        // A single file the filters leave out is skipped with a note, and the command succeeds.
        let skipped = try ok(["upload", "src/b.bin", "obs://\(b)/one.bin", "--exclude", "*.bin"])
        #expect(skipped.stderr.contains("skipped src/b.bin") && skipped.stdout.isEmpty, "\(skipped)")
        #expect(try !keys("obs://\(b)/").contains("one.bin"))
        let single = try ok(["download", "obs://\(b)/all/b.bin", "one.bin", "--exclude", "b.*"])
        #expect(single.stderr.contains("excluded") && !sb.exists("one.bin"), "\(single)")
    }

    func copyAndMove() throws {
        try tree()
        let b = try bucket("cpmv")
        try ok(["upload", "src", "obs://\(b)/s/", "-r"])
        try ok(["cp", "obs://\(b)/s/", "obs://\(b)/c/", "-r", "--include", "*.log", "--exclude", "*.txt"])
        #expect(try keys("obs://\(b)/c/") == ["c/b.bin", "c/sub/d.log"])
        try ok(["mv", "obs://\(b)/s/", "obs://\(b)/m/", "-r"] + onlyText)
        #expect(try keys("obs://\(b)/m/") == ["m/a.txt", "m/sub/c.txt"])
        #expect(try keys("obs://\(b)/s/") == ["s/b.bin", "s/sub/d.log", "s/skip/e.txt"], "excluded objects stay")
        // mv of a directory to a prefix: only the matching files are moved (removed locally).
        try ok(["mv", "src", "obs://\(b)/up/", "-r", "--exclude", "*.txt"])
        #expect(try keys("obs://\(b)/up/") == ["up/b.bin", "up/sub/d.log"])
        #expect(sb.files(under: "src") == ["src/a.txt", "src/sub/c.txt", "src/skip/e.txt"])
        // cp down with a filter.
        try ok(["cp", "obs://\(b)/s/", "got", "-r", "--exclude", "*", "--include", "*.bin"])
        #expect(sb.files(under: "got") == ["got/b.bin"])
    }

    func syncAndRemove() throws {
        try tree()
        let b = try bucket("syncrm")
        try sb.write("extra.tmp", Data("x".utf8))
        try sb.write("extra.txt", Data("y".utf8))
        try ok(["upload", "extra.tmp", "obs://\(b)/p/old.tmp"])
        try ok(["upload", "extra.txt", "obs://\(b)/p/old.txt"])
        try ok(["sync", "src", "obs://\(b)/p/", "--delete", "--exclude", "*.tmp", "--exclude", "*.log"])
        #expect(
            try keys("obs://\(b)/p/") == ["p/a.txt", "p/b.bin", "p/sub/c.txt", "p/skip/e.txt", "p/old.tmp"],
            "old.txt deleted; old.tmp excluded, so kept; d.log never sent")
        // Down: an excluded local file is never deleted either.
        try sb.write("down/keep.tmp", Data("k".utf8))
        try sb.write("down/gone.bin", Data("g".utf8))
        try ok(["sync", "obs://\(b)/p/", "down", "--delete", "--exclude", "*.tmp", "--exclude", "sub/*"])
        #expect(sb.files(under: "down") == ["down/a.txt", "down/b.bin", "down/skip/e.txt", "down/keep.tmp"])
        // Between prefixes.
        try ok(["sync", "obs://\(b)/p/", "obs://\(b)/q/", "--include", "*.txt", "--exclude", "*.bin"])
        #expect(try keys("obs://\(b)/q/") == ["q/a.txt", "q/sub/c.txt", "q/skip/e.txt", "q/old.tmp"])
        try ok(["rm", "obs://\(b)/p/", "-r", "--exclude", "*", "--include", "*.txt", "--exclude", "skip/*"])
        #expect(try keys("obs://\(b)/p/") == ["p/b.bin", "p/skip/e.txt", "p/old.tmp"])
        let kept = try ok(["rm", "obs://\(b)/p/b.bin", "--exclude", "*.bin"])
        #expect(kept.stderr.contains("excluded") && kept.stdout.isEmpty, "\(kept)")
        #expect(try keys("obs://\(b)/p/").contains("p/b.bin"))
    }

    func dryRuns() throws {
        try tree()
        let b = try bucket("dry")
        try ok(["upload", "src", "obs://\(b)/s/", "-r"])
        let before = try keys("obs://\(b)/")
        let cp = try ok([
            "cp", "obs://\(b)/s/", "obs://\(b)/c/", "-r", "--dry-run", "--exclude", "sub/*",
            "--exclude", "skip/*",
        ])
        #expect(
            cp.out == "(dry run) copy: obs://\(b)/s/a.txt -> obs://\(b)/c/a.txt\n"
                + "(dry run) copy: obs://\(b)/s/b.bin -> obs://\(b)/c/b.bin\n", "\(cp)")
        let mv = try json(["mv", "obs://\(b)/s/a.txt", "obs://\(b)/m.txt", "--dry-run"])
        #expect(mv["dry_run"] as? Bool == true, "\(mv)")
        let planned = mv["transfers"] as? [[String: String]]
        #expect(planned == [["operation": "move", "source": "obs://\(b)/s/a.txt", "destination": "obs://\(b)/m.txt"]])
        #expect(mv["deletions"] as? [String] == [])
        let rm = try run([
            "rm", "obs://\(b)/s/", "-r", "--dry-run", "--output", "ndjson", "--include", "*.bin",
            "--exclude", "*.txt",
        ])
        #expect(rm.succeeded, "\(rm)")
        let records = rm.out.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        #expect(
            records == [
                ["type": "planned", "operation": "delete", "url": "obs://\(b)/s/b.bin"],
                ["type": "planned", "operation": "delete", "url": "obs://\(b)/s/sub/d.log"],
            ], "\(rm)")
        let single = try ok(["rm", "obs://\(b)/s/a.txt", "--dry-run"])
        #expect(single.out == "(dry run) delete: obs://\(b)/s/a.txt\n", "\(single)")
        // A missing key, and a folder named without -r: the dry run fails as the run does (both look first).
        for missing in ["obs://\(b)/s/missing", "obs://\(b)/s", "obs://\(b)/s/sub"] {
            let dry = try run(["rm", missing, "--dry-run"])
            let real = try run(["rm", missing])
            // The same error, whatever request id each answer carried.
            let said = [dry, real].map {
                $0.stderr.replacingOccurrences(of: #"\[request id [^]]*\] "#, with: "", options: .regularExpression)
            }
            #expect(real.status == 3 && dry.status == real.status && said[0] == said[1], "\(dry)\n\(real)")
            #expect(dry.out.isEmpty, "a delete the run refuses is not planned: \(dry)")
        }
        let up = try ok(["mv", "src", "obs://\(b)/u/", "-r", "--dry-run"])
        #expect(up.out.contains("(dry run) move: src/a.txt -> obs://\(b)/u/a.txt"), "\(up)")
        let down = try ok(["cp", "obs://\(b)/s/", "d", "-r", "--dry-run"])
        #expect(down.out.contains("(dry run) download: obs://\(b)/s/b.bin -> d/b.bin"), "\(down)")
        #expect(try keys("obs://\(b)/") == before, "a dry run changes no object")
        #expect(sb.files(under: "src").count == 5 && !sb.exists("d"), "nor any file")
    }

    /// Each command naming one file or object that the filters leave out: a note, exit 0, nothing changed, and with
    /// --output json still one document, with no entry. One that does not exist is exit 3 all the same (a typo),
    /// with its failure in the document.
    func singleNameExcluded() throws {
        try tree()
        let b = try bucket("one")
        try ok(["upload", "src/a.txt", "obs://\(b)/a.txt"])
        let before = try keys("obs://\(b)/")
        for args in [
            ["upload", "src/b.bin", "obs://\(b)/b.bin"], ["download", "obs://\(b)/a.txt", "got.txt"],
            ["cp", "obs://\(b)/a.txt", "obs://\(b)/c.txt"], ["mv", "obs://\(b)/a.txt", "obs://\(b)/m.txt"],
            ["rm", "obs://\(b)/a.txt"],
        ] {
            let r = try ok(args + ["--exclude", "*", "--output", "json"])
            #expect(r.stderr.contains("excluded by --include/--exclude"), "\(args): \(r)")
            let doc = try parseJSONObject(r.stdout)
            let entries = doc.values.compactMap { $0 as? [Any] }
            #expect(!entries.isEmpty && entries.allSatisfy(\.isEmpty), "\(args): \(doc)")
        }
        #expect(try keys("obs://\(b)/") == before && !sb.exists("got.txt"), "nothing changed")
        for args in [
            ["upload", "src/typo.bin", "obs://\(b)/b.bin"], ["download", "obs://\(b)/typo.txt", "got.txt"],
            ["cp", "obs://\(b)/typo.txt", "obs://\(b)/c.txt"], ["mv", "obs://\(b)/typo.txt", "obs://\(b)/m.txt"],
            ["rm", "obs://\(b)/typo.txt"], ["cp", "obs://no-such-bucket-\(b)/a.txt", "got.txt"],
        ] {
            let r = try run(args + ["--exclude", "*", "--output", "json"])
            #expect(r.status == 3 && !r.stderr.contains("excluded by"), "\(args): \(r)")
            let failures = try parseJSONObject(r.stdout)["failures"] as? [[String: Any]]
            #expect(failures?.count == 1 && failures?.first?["exit_code"] as? Int == 3, "\(args): \(r)")
        }
        #expect(try keys("obs://\(b)/") == before && !sb.exists("got.txt"), "nothing changed")
    }

    func badPattern() throws {
        try tree()
        let b = try bucket("bad")
        for args in [
            ["upload", "src", "obs://\(b)/", "-r", "--include", "[abc"],
            ["rm", "obs://\(b)/", "-r", "--exclude", "x[", "--dry-run"],
            ["sync", "src", "obs://\(b)/", "--exclude", "[z-a]"],
        ] {
            let r = try run(args)
            expectError(r, 2, contains: ["pattern", args[args.firstIndex { $0.hasPrefix("--") && $0 != "-r" }! + 1]])
        }
        #expect(try keys("obs://\(b)/").isEmpty)
    }
}

@Suite("filters and --dry-run (local backend)")
struct FilterTests {
    func scenarios(_ name: String) throws -> FilterScenarios {
        let sb = try Sandbox(name)
        return FilterScenarios(
            sb: sb, run: { try sb.run($0) },
            bucket: { tag in
                let b = "flt-" + tag
                try sb.ok(["bucket", "create", "obs://" + b])
                return b
            })
    }

    @Test("upload and download -r: later rule wins, names relative to the source; a filtered single file is skipped")
    func uploadDownload() throws { try scenarios("flt-updown").uploadDownload() }

    @Test("cp and mv -r in every direction: excluded sources stay where they are")
    func copyAndMove() throws { try scenarios("flt-cpmv").copyAndMove() }

    @Test("sync --delete never deletes an excluded name; rm -r takes only what the filters take")
    func syncAndRemove() throws { try scenarios("flt-syncrm").syncAndRemove() }

    @Test("--dry-run of cp, mv and rm: text, json, ndjson, and nothing changes")
    func dryRuns() throws { try scenarios("flt-dry").dryRuns() }

    @Test("a bad pattern is a usage error (exit 2) naming it, and nothing changes")
    func badPattern() throws { try scenarios("flt-bad").badPattern() }

    @Test("a single name the filters leave out: a note, exit 0, an empty JSON document; a missing one: exit 3")
    func singleNameExcluded() throws { try scenarios("flt-one").singleNameExcluded() }
}

@Suite("Remote: filters and --dry-run on SeaweedFS", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteFilterTests {
    func scenarios(_ session: RemoteSession) -> FilterScenarios {
        let sw = session.peers.seaweedFlags
        return FilterScenarios(
            sb: session.sb, run: { try session.run(sw, $0) },
            bucket: { try session.makeBucket(sw, tag: $0) })
    }

    @Test("upload and download -r with filters")
    func uploadDownload() throws {
        let s = try RemoteSession("flt-updown")
        try scenarios(s).uploadDownload()
    }

    @Test("cp and mv -r with filters")
    func copyAndMove() throws {
        let s = try RemoteSession("flt-cpmv")
        try scenarios(s).copyAndMove()
    }

    @Test("sync --delete and rm -r with filters")
    func syncAndRemove() throws {
        let s = try RemoteSession("flt-syncrm")
        try scenarios(s).syncAndRemove()
    }

    @Test("--dry-run of cp, mv and rm")
    func dryRuns() throws {
        let s = try RemoteSession("flt-dry")
        try scenarios(s).dryRuns()
    }

    @Test("a single name the filters leave out: an empty JSON document; a missing one: exit 3")
    func singleNameExcluded() throws {
        let s = try RemoteSession("flt-one")
        try scenarios(s).singleNameExcluded()
    }

    @Test(
        "rm --dry-run of a named object: refused credentials fail it as they fail the run; an SSE-C object is planned")
    func removalDryRunLooksFirst() throws {
        let s = try RemoteSession("flt-dry-rm")
        let sw = s.peers.seaweedFlags
        let b = try s.makeBucket(sw, tag: "dryrm")
        try s.sb.write("k", Data(repeating: 7, count: 32))
        chmod(s.sb.path("k"), 0o600)
        try s.ok(sw, ["upload", "-", "obs://\(b)/plain"], stdin: Data("p".utf8))
        try s.ok(sw, ["upload", "-", "obs://\(b)/ssec", "--sse-c-key-file", "k"], stdin: Data("c".utf8))
        let planned = try s.ok(sw, ["rm", "obs://\(b)/ssec", "--dry-run"])
        #expect(planned.out == "(dry run) delete: obs://\(b)/ssec\n", "\(planned)")
        let wrong: [String: String?] = ["OBS_SECRET_ACCESS_KEY": "not-the-secret-at-all"]
        for key in ["plain", "missing"] {
            let dry = try s.run(sw, ["rm", "obs://\(b)/\(key)", "--dry-run"], env: wrong)
            let real = try s.run(sw, ["rm", "obs://\(b)/\(key)"], env: wrong)
            #expect(real.status == 4 && dry.status == real.status && dry.out.isEmpty, "\(dry)\n\(real)")
        }
        #expect(try s.ok(sw, ["ls", "obs://\(b)/"]).out.contains("plain"))
    }
}
