import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--jobs`: many files at once on both backends. Failures in the middle leave the others done, the JSON summary
/// keeps the input order, exit 8; SIGINT with many files in flight leaves no temporary file and no upload.
@Suite("concurrency (--jobs)")
struct ConcurrencyTests {
    /// Writes `count` files `f00.txt`... of different sizes into `dir` and returns their names in order.
    static func makeFiles(
        _ sb: Sandbox, _ dir: String, count: Int,
        size: (Int) -> Int = { 1_000 + ($0 * 7_919) % 20_000 }
    ) throws -> [String] {
        try FileManager.default.createDirectory(atPath: sb.path(dir), withIntermediateDirectories: true)
        return try (0..<count).map { i in
            let name = String(format: "f%02d.txt", i)
            // Big files need no randomness (randomData takes minutes for hundreds of MiB in a debug build).
            let n = size(i)
            try sb.write("\(dir)/\(name)", n > 1 << 20 ? Data(repeating: UInt8(i), count: n) : randomData(n))
            return name
        }
    }

    /// Every `.obsctl-*` temporary below `dir`, at any depth.
    static func temporaries(_ dir: String) -> [String] {
        let all = FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? []
        return all.filter { $0.contains(".obsctl-") }
    }

    /// The failures in the middle: sources missing among present ones (upload), and targets a directory is in the
    /// way of (download). The same checks for both backends.
    static func failuresInTheMiddle(_ sb: Sandbox, _ flags: [String], bucket: String) throws {
        let names = try makeFiles(sb, "src", count: 30)
        let missing: Set<Int> = [7, 15, 22]
        let sources = names.enumerated().map { i, n in missing.contains(i) ? "src/gone\(i).txt" : "src/\(n)" }
        let up = try sb.run(["upload"] + sources + ["obs://\(bucket)/p/", "--jobs", "8", "--output", "json"] + flags)
        #expect(!up.signaled && up.status == 8, "\(up)")
        let doc = try parseJSONObject(up.stdout)
        let transfers = try #require(doc["transfers"] as? [[String: Any]])
        let present = sources.enumerated().filter { !missing.contains($0.offset) }.map(\.element)
        #expect(transfers.compactMap { $0["source"] as? String } == present, "transfers keep the input order")
        let failures = try #require(doc["failures"] as? [[String: Any]])
        #expect(failures.compactMap { $0["item"] as? String } == ["src/gone7.txt", "src/gone15.txt", "src/gone22.txt"])
        #expect(up.stderrLines.filter { $0.hasPrefix("obsctl: error:") }.count == 3, "\(up)")
        #expect(up.stderr.contains("27 succeeded, 3 failed"), "\(up)")

        // Download: directories in the way of three targets; the other 24 files arrive whole.
        for i in [3, 11, 19] {
            try FileManager.default.createDirectory(
                atPath: sb.path("dl/\(names[i])"),
                withIntermediateDirectories: true)
        }
        let down = try sb.run(
            ["download", "-r", "obs://\(bucket)/p/", "dl", "--jobs", "8", "--output", "json"] + flags)
        #expect(!down.signaled && down.status == 8, "\(down)")
        let ddoc = try parseJSONObject(down.stdout)
        let got = try #require(ddoc["transfers"] as? [[String: Any]]).compactMap { $0["destination"] as? String }
        let wanted = present.map { "dl/" + $0.dropFirst(4) }
            .filter { p in ![3, 11, 19].contains { p.hasSuffix(names[$0]) } }
        #expect(got == wanted, "download transfers keep the listing order")
        let dfailed = try #require(ddoc["failures"] as? [[String: Any]]).compactMap { $0["item"] as? String }
        #expect(dfailed == [3, 11, 19].map { "obs://\(bucket)/p/\(names[$0])" })
        for p in wanted { #expect(sb.read(p) == sb.read("src/" + p.dropFirst(3)), "\(p)") }
        #expect(Self.temporaries(sb.path("dl")).isEmpty)
    }

    @Test("local backend: failures in the middle leave the others done, JSON in input order, exit 8")
    func localFailures() throws {
        let sb = try Sandbox("jobs-fail")
        try sb.ok(["bucket", "create", "obs://jobsfail"])
        try Self.failuresInTheMiddle(sb, [], bucket: "jobsfail")
    }

    /// A missing bucket is found by the first transfers; a refused local KMS key before any (`checkLocalKeyOnce`):
    /// one error line, no transfer started.
    @Test("a failure every transfer would repeat (no such bucket, a refused KMS key) starts no new one")
    func runWideFailureStopsNewStarts() throws {
        let sb = try Sandbox("jobs-stop")
        for i in 0..<40 { try sb.write("src/f\(i).txt", Data("f\(i)".utf8)) }
        try sb.ok(["bucket", "create", "obs://jobstop"])
        try sb.ok(["kms", "key", "create", "--alias", "stop-key"])
        try sb.ok(["upload", "src/", "obs://jobstop/plain/", "--recursive"])
        try sb.ok(["kms", "key", "disable", "stop-key"])
        let toKey = ["--sse", "kms", "--kms-key-id", "stop-key"]
        for (args, code) in [
            (["upload", "src/", "obs://no-such-bucket/p/", "--recursive"], Int32(3)),
            (["upload", "src/", "obs://jobstop/p/", "--recursive"] + toKey, 5),
            // A copy's target key: the same for every object.
            (["cp", "obs://jobstop/plain/", "obs://jobstop/c/", "--recursive"] + toKey, 5),
            (["sync", "obs://jobstop/plain/", "obs://jobstop/s/"] + toKey, 5),
        ] {
            let r = try sb.run(args + ["--jobs", "2"])
            #expect(r.status == code, "\(args): \(r)")
            let errors = r.stderrLines.filter { $0.hasPrefix("obsctl: error:") }
            if code == 5 {
                #expect(errors.count == 1 && errors[0].contains("disabled"), "checked once, before any: \(r)")
            } else {
                #expect(!errors.isEmpty && errors.count <= 2, "at most the jobs in flight fail: \(r)")
                #expect(r.stderr.contains("more not started"), "\(r)")
            }
        }
        for prefix in ["p/", "c/", "s/"] {
            let listed = try sb.json(["ls", "obs://jobstop/\(prefix)", "--recursive"])
            #expect((listed["objects"] as? [Any])?.isEmpty == true, "\(prefix): \(listed)")
        }
    }

    @Test(
        "a run-wide failure after successes: its own exit code; each file not started is a failure record",
        arguments: [["upload", "src/", "obs://jobmid/p/", "--recursive"], ["sync", "src/", "obs://jobmid/p/"]])
    func runWideFailureMidRun(command: [String]) throws {
        let sb = try Sandbox("jobs-midstop-\(command[0])")
        let count = 400
        for i in 0..<count { try sb.write("src/f\(i).txt", Data("f\(i)".utf8)) }
        try sb.ok(["bucket", "create", "obs://jobmid"])
        try sb.ok(["kms", "key", "create", "--alias", "mid-key"])
        let running = try sb.start(
            command + ["--sse", "kms", "--kms-key-id", "mid-key", "--jobs", "1", "--output", "ndjson"])
        // The key is disabled once the first file is up.
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline && ((try? Data(contentsOf: running.outURL)) ?? Data()).isEmpty { usleep(1000) }
        try sb.ok(["kms", "key", "disable", "mid-key"])
        let r = running.wait()
        #expect(r.status == 5, "the KMS failure's code, not 8: \(r)")
        let records = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").map {
            (try? parseJSONObject(Data($0.utf8))) ?? [:]
        }
        let failed = records.filter { $0["code"] != nil }
        #expect(records.count == count && failed.count < count, "every file is a record, some succeeded: \(r)")
        #expect(failed.allSatisfy { $0["exit_code"] as? Int == 5 }, "\(failed.prefix(3))")
        #expect(r.stderr.contains("more not started"), "\(r)")
    }

    @Test("a policy denying kms:dek:crypto fails only the copies of KMS objects; one denying kms:dek:create stops")
    func policyDenialStopsOnlyForTheTarget() throws {
        let sb = try Sandbox("jobs-deny")
        try sb.ok(["bucket", "create", "obs://jobdeny"])
        try sb.write("f.txt", Data("plain".utf8))
        for i in 0..<6 { try sb.ok(["upload", "f.txt", "obs://jobdeny/src/p\(i)"]) }
        try sb.ok(["upload", "f.txt", "obs://jobdeny/src/k", "--sse", "kms"])
        try sb.write("root/kms/policy.json", Data(#"{"deny":["kms:dek:crypto"]}"#.utf8), mode: 0o600)
        // Unwrapping the source's data key is denied: that copy fails; the plain ones are copied.
        let crypto = try sb.run(["cp", "obs://jobdeny/src/", "obs://jobdeny/a/", "-r", "--sse", "kms", "--jobs", "1"])
        #expect(crypto.status == 8 && crypto.stderr.contains("6 succeeded, 1 failed"), "\(crypto)")
        #expect(!crypto.stderr.contains("more not started"), "\(crypto)")
        // A new data key is denied: every copy to SSE-KMS would fail; none starts (the key is checked first).
        try sb.write("root/kms/policy.json", Data(#"{"deny":["kms:dek:create"]}"#.utf8), mode: 0o600)
        let create = try sb.run(["cp", "obs://jobdeny/src/", "obs://jobdeny/b/", "-r", "--sse", "kms", "--jobs", "1"])
        expectError(create, 5, contains: ["kms:dek:create"])
        #expect(try sb.run(["stat", "obs://jobdeny/b/p0"]).status == 3)
    }

    @Test(
        "remote (SeaweedFS): failures in the middle leave the others done, JSON in input order, exit 8",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
    func remoteFailures() throws {
        let s = try RemoteSession("jobs-fail-r")
        let bucket = try s.makeBucket(s.peers.seaweedFlags, tag: "jobsf")
        try Self.failuresInTheMiddle(s.sb, s.peers.seaweedFlags, bucket: bucket)
    }

    @Test("local backend: 200 small files with --jobs 16 go up and come back whole")
    func localManyFiles() throws {
        let sb = try Sandbox("jobs-many")
        try sb.ok(["bucket", "create", "obs://jobsmany", "--sse", "kms"])
        for d in 0..<4 { _ = try Self.makeFiles(sb, "tree/d\(d)", count: 50, size: { 100 + $0 * 37 }) }
        let up = try sb.run(["upload", "-r", "tree", "obs://jobsmany/t/", "--jobs", "16", "--output", "ndjson"])
        #expect(up.status == 0, "\(up)")
        #expect(up.out.split(separator: "\n").count == 200, "one NDJSON record per file")
        let down = try sb.run(["download", "-r", "obs://jobsmany/t/", "back", "--jobs", "16"])
        #expect(down.status == 0, "\(down)")
        let sent = Set(sb.files(under: "tree").map { String($0.dropFirst(5)) })
        #expect(sent.count == 200)
        #expect(Set(sb.files(under: "back").map { String($0.dropFirst(5)) }) == sent)
        for f in sent { #expect(sb.read("back/" + f) == sb.read("tree/" + f), "\(f)") }
        let sync = try sb.run(["sync", "tree", "obs://jobsmany/t/", "--jobs", "16"])
        #expect(sync.status == 0 && sync.stderr.contains("up to date"), "\(sync)")
    }

    /// `rm -r --jobs 4`: several batches at once; the JSON `deleted` list keeps the keys' order.
    static func removeMany(_ sb: Sandbox, _ flags: [String], bucket: String, count: Int) throws {
        _ = try makeFiles(sb, "rm", count: count, size: { _ in 10 })
        let up = try sb.run(["upload", "-r", "rm", "obs://\(bucket)/r/", "--jobs", "16", "--quiet"] + flags)
        try #require(up.succeeded, "\(up)")
        let r = try sb.run(["rm", "-r", "obs://\(bucket)/r/", "--jobs", "4", "--output", "json"] + flags)
        #expect(r.status == 0, "\(r)")
        let deleted = try #require(try parseJSONObject(r.stdout)["deleted"] as? [String])
        // Key order (byte order: f10 before f100).
        #expect(deleted == (0..<count).map { String(format: "obs://\(bucket)/r/f%02d.txt", $0) }.sorted())
        let left = try sb.run(["ls", "obs://\(bucket)/r/", "--recursive", "--output", "json"] + flags)
        #expect((try parseJSONObject(left.stdout)["objects"] as? [Any])?.isEmpty == true, "\(left)")
    }

    @Test("local backend: rm -r --jobs deletes every object, in order in the JSON summary")
    func localRemove() throws {
        let sb = try Sandbox("jobs-rm")
        try sb.ok(["bucket", "create", "obs://jobsrm"])
        try Self.removeMany(sb, [], bucket: "jobsrm", count: 250)
    }

    @Test(
        "remote (SeaweedFS): rm -r --jobs deletes every object",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
    func remoteRemove() throws {
        let s = try RemoteSession("jobs-rm-r")
        let bucket = try s.makeBucket(s.peers.seaweedFlags, tag: "jobsrm")
        try Self.removeMany(s.sb, s.peers.seaweedFlags, bucket: bucket, count: 60)
    }

    @Test("--jobs takes 1 to 256; anything else is a usage error naming the option")
    func jobsRange() throws {
        let sb = try Sandbox("jobs-range")
        try sb.ok(["bucket", "create", "obs://jobsrange"])
        _ = try Self.makeFiles(sb, "few", count: 3)
        for bad in ["0", "257", "-1", "x"] {
            let r = try sb.run(["upload", "-r", "few", "obs://jobsrange/", "--jobs", bad])
            #expect(r.status == 2 && r.stderr.contains("--jobs") && r.stderr.contains("from 1 to 256"), "\(bad): \(r)")
        }
        for good in ["1", "256"] {
            let b = "obs://jobsrange/"
            for args in [
                ["upload", "-r", "few", b + "a/"], ["download", "-r", b + "a/", "back"],
                ["cp", "-r", b + "a/", b + "b/"], ["sync", "few", b + "a/"],
                ["mv", "-r", b + "b/", b + "c/"], ["rm", "-r", b + "c/"],
            ] {
                try sb.ok(args + ["--jobs", good])
            }
        }
    }

    /// Each file in flight holds several descriptors, so 256 at once need more than a soft limit of 1,024 allows:
    /// obsctl raises the soft limit to the hard one at start (here set far below what the run needs). A hard limit (a
    /// container's) cannot be raised: --jobs is lowered to what it holds, with a note, rather than files failing one
    /// by one with EMFILE.
    @Test(
        "--jobs under a low open-file limit: a soft one is raised, under a hard one --jobs is lowered; every file goes",
        arguments: [
            (limit: "ulimit -Sn 96", jobs: "256", copy: "upload", note: nil),
            (limit: "ulimit -n 48", jobs: "64", copy: "cp", note: "--jobs 64 lowered to 2"),
        ] as [(limit: String, jobs: String, copy: String, note: String?)])
    func jobsUnderALowOpenFileLimit(limit: String, jobs: String, copy: String, note: String?) throws {
        let sb = try Sandbox("jobs-nofile-\(copy)")
        try sb.ok(["bucket", "create", "obs://jobsnofile"])
        let names = try Self.makeFiles(sb, "many", count: 200, size: { 2_000 + 97 * $0 })
        for args in [[copy, "-r", "many", "obs://jobsnofile/p/"], ["download", "-r", "obs://jobsnofile/p/", "back"]] {
            let r = try sb.runWrapped(limit + " && exec \"$@\"", args + ["--jobs", jobs])
            #expect(r.status == 0, "\(args): \(r)")
            if let note { #expect(r.stderr.contains(note) && r.stderr.contains("ulimit -n"), "\(args): \(r)") }
        }
        for name in names { #expect(sb.read("back/" + name) == sb.read("many/" + name), "\(name)") }
    }

    @Test("SIGINT with many local downloads in flight: exit 130 and no temporary file anywhere")
    func interruptDownloads() throws {
        let sb = try Sandbox("jobs-int")
        try sb.ok(["bucket", "create", "obs://jobsint"])
        _ = try Self.makeFiles(sb, "big", count: 24, size: { _ in 6 << 20 })
        try sb.ok(["upload", "-r", "big", "obs://jobsint/t/", "--jobs", "8", "--quiet"])
        var caught: RunningObsctl?
        for _ in 0..<5 where caught == nil {
            let running = try sb.start(["download", "-r", "obs://jobsint/t/", "out", "--jobs", "8"])
            let pid = running.process.processIdentifier
            let deadline = Date().addingTimeInterval(60)
            var inFlight = 0
            while Date() < deadline && inFlight < 2 && running.process.isRunning {
                inFlight = Self.temporaries(sb.path("out")).count
                if inFlight < 2 { usleep(500) }
            }
            // Downloads can finish between the count and the stop: caught only if, frozen, two are still in flight.
            if inFlight >= 2 && freezeProcess(pid) && Self.temporaries(sb.path("out")).count >= 2 {
                caught = running
            } else {
                if running.process.isRunning { kill(pid, SIGCONT) }
                _ = running.wait()
                try? FileManager.default.removeItem(atPath: sb.path("out"))  // a clean start
            }
        }
        let running = try #require(caught, "no attempt caught two downloads in flight")
        let pid = running.process.processIdentifier
        kill(pid, SIGINT)
        kill(pid, SIGCONT)
        let r = running.wait(timeout: 60)
        #expect(!r.signaled && r.status == 130, "\(r)")
        #expect(Self.temporaries(sb.path("out")).isEmpty, "left: \(Self.temporaries(sb.path("out")))")
    }

    @Test(
        "SIGINT with many remote multipart uploads in flight: exit 130, every upload aborted",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
    func interruptMultipartUploads() throws {
        let s = try RemoteSession("jobs-int-mp")
        let sw = s.peers.seaweedFlags
        let bucket = try s.makeBucket(sw, tag: "jobsint")
        // SeaweedFS takes no part under 5 MiB (S3's rule): three parts a file, one at a time; enough files that the
        // run outlasts the slow listing below on a loaded machine.
        _ = try Self.makeFiles(s.sb, "big", count: 40, size: { _ in 11_000_000 })
        let running = try s.sb.start(
            [
                "upload", "-r", "big", "obs://\(bucket)/t/", "--jobs", "4",
                "--multipart-threshold", "5M", "--part-size", "5M", "--parallel", "1",
            ] + sw)
        let deadline = Date().addingTimeInterval(60)
        var inProgress = 0
        while Date() < deadline && inProgress < 2 && running.process.isRunning {
            inProgress = try Tools.multipartUploadsInProgress(s.peers, endpoint: s.peers.seaweed, bucket: bucket)
            if inProgress < 2 { usleep(50_000) }
        }
        try #require(inProgress >= 2, "never had two multipart uploads in flight")
        kill(running.process.processIdentifier, SIGINT)
        let r = running.wait(timeout: 60)
        #expect(!r.signaled && r.status == 130, "\(r)")
        #expect(r.stderr.contains("interrupted; temporary files removed") && r.stderr.contains("aborted"), "\(r)")
        #expect(
            try Tools.multipartUploadsInProgress(s.peers, endpoint: s.peers.seaweed, bucket: bucket) == 0,
            "every upload in flight must be aborted")
    }
}
