import Foundation
import OBSCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 9, items 7, 10, 11, 12, 15 and 17, through the obsctl binary on the local backend.

/// Runs obsctl through /bin/sh, so that arguments can hold bytes a Swift String cannot (`script` uses "$B").
private func shell(_ sb: Sandbox, _ script: String) throws -> RunResult {
    let binary = try ObsctlBinary.require()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script]
    p.environment = sb.childEnvironment(["B": binary])
    p.currentDirectoryURL = sb.dir
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err; p.standardInput = FileHandle.nullDevice
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return RunResult(
        arguments: [script], status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
        timedOut: false, stdout: o, stderr: String(decoding: e, as: UTF8.self))
}

private func partFiles(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".part") }.sorted()
}

@Suite("Hardening: objects (issue 9)")
struct HardeningObjectsTests {
    // MARK: 7

    @Test("a flipped byte in an unencrypted local object: exit 13, no file, nothing on stdout")
    func tamperedPlainObject() throws {
        let sb = try Sandbox("h-plain")
        try sb.ok(["bucket", "create", "obs://plain"])
        try sb.write("f.bin", randomData(200_000))
        try sb.ok(["upload", "f.bin", "obs://plain/k"])
        let dir = try #require(sb.objectDirectory(bucket: "plain", key: "k"))
        let data = try #require(sb.directoryListing(dir).first { $0.hasPrefix("d-") })
        try flipByte(dir + "/" + data, at: 123_456)
        expectError(try sb.run(["download", "obs://plain/k", "out.bin"]), 13, contains: ["obs://plain/k"])
        #expect(!sb.exists("out.bin"))
        #expect(partFiles(sb.dir.path).isEmpty)
        expectError(try sb.run(["download", "obs://plain/k", "-"]), 13)
        expectError(try sb.run(["cp", "obs://plain/k", "obs://plain/copy"]), 13)
        expectError(try sb.run(["stat", "obs://plain/copy"]), 3)
    }

    // MARK: 10

    @Test("a meta.json that is not JSON: ls lists the rest and exits 13 naming the fix; other keys stay usable")
    func garbledMetaDoesNotBlockBucket() throws {
        let sb = try Sandbox("h-dmg")
        try sb.ok(["bucket", "create", "obs://dmg"])
        try sb.write("f.txt", Data("hello".utf8))
        for k in ["a", "b", "c"] { try sb.ok(["upload", "f.txt", "obs://dmg/\(k)"]) }
        let bad = try sb.damageObject(bucket: "dmg", key: "b", keyKept: false)

        let ls = try sb.run(["ls", "obs://dmg/"])
        expectError(ls, 13, contains: ["rm -r \(bad)"], allowStdout: true)
        #expect(ls.out.contains(" a\n") && ls.out.contains(" c\n") && !ls.out.contains(" b\n"), "\(ls)")
        try sb.ok(["download", "obs://dmg/a", "a.txt"])
        try sb.ok(["rm", "obs://dmg/a"])
        try sb.ok(["rm", "obs://dmg/b"])  // the damaged key, known to the user: deleting needs no readable metadata
        try sb.ok(["ls", "obs://dmg/"])
        try sb.ok(["bucket", "delete", "obs://dmg", "--force"])
    }

    @Test("a damaged object whose key is known: rm -r and bucket delete --force remove it with the others")
    func damagedButNamed() throws {
        let sb = try Sandbox("h-dmg2")
        try sb.ok(["bucket", "create", "obs://dmg"])
        try sb.write("f.txt", Data("hello".utf8))
        for k in ["x/a", "x/b", "y"] { try sb.ok(["upload", "f.txt", "obs://dmg/\(k)"]) }
        let bad = try sb.damageObject(bucket: "dmg", key: "x/b", keyKept: true)
        expectError(try sb.run(["download", "obs://dmg/x/b", "-"]), 13, contains: ["obsctl rm obs://dmg/x/b"])
        let down = try sb.run(["download", "obs://dmg/x/", "out", "--recursive"])
        #expect(down.status == 8, "\(down)")
        #expect(sb.exists("out/a"))
        let rm = try sb.run(["rm", "obs://dmg/x/", "--recursive"])
        expectSuccess(rm)
        #expect(rm.out.contains("obs://dmg/x/b") || rm.stderr.contains("delete: obs://dmg/x/b"), "\(rm)")
        try sb.write("f2.txt", Data("again".utf8))
        try sb.ok(["upload", "f2.txt", "obs://dmg/z"])
        let z = try #require(sb.objectDirectory(bucket: "dmg", key: "z"))
        try Data("{\"key\":\"z\"}".utf8).write(to: URL(fileURLWithPath: z + "/meta.json"))
        try sb.ok(["bucket", "delete", "obs://dmg", "--force"])
        expectError(try sb.run(["ls", "obs://dmg/"]), 3)
    }

    @Test("an object directory copied under another key's hash or into another bucket is not listed")
    func noPhantoms() throws {
        let sb = try Sandbox("h-phantom")
        try sb.ok(["bucket", "create", "obs://one"])
        try sb.ok(["bucket", "create", "obs://two"])
        try sb.write("f.txt", Data("hello".utf8))
        try sb.ok(["upload", "f.txt", "obs://one/a"])
        try sb.ok(["upload", "f.txt", "obs://one/b"])
        let a = try #require(sb.objectDirectory(bucket: "one", key: "a"))
        let b = try #require(sb.objectDirectory(bucket: "one", key: "b"))
        try sb.ok(["rm", "obs://one/b"])
        try? FileManager.default.removeItem(atPath: b)
        try FileManager.default.copyItem(atPath: a, toPath: b)  // a's object under b's hash
        let inTwo = a.replacingOccurrences(of: "/buckets/one/", with: "/buckets/two/")
        try FileManager.default.createDirectory(
            atPath: (inTwo as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: a, toPath: inTwo)
        let one = try sb.run(["ls", "obs://one/"])
        #expect(one.status == 13 && one.out.components(separatedBy: " a\n").count == 2, "\(one)")
        let two = try sb.run(["ls", "obs://two/", "--output", "json"])
        #expect(two.status == 13, "\(two)")
        #expect(((try parseJSONObject(two.stdout))["objects"] as? [Any])?.isEmpty == true)
        #expect(two.stderr.contains("another bucket") && two.stderr.contains("obsctl rm obs://two/a"), "\(two)")
        try sb.ok(["rm", "obs://two/a"])
        try sb.ok(["bucket", "delete", "obs://two"])
    }

    // MARK: 11

    @Test("download temporaries of dead writers are removed by the next download there; live ones are kept")
    func deadTemporariesSwept() throws {
        let sb = try Sandbox("h-temps")
        try sb.ok(["bucket", "create", "obs://tmp"])
        try sb.write("f.txt", Data("hello".utf8))
        try sb.ok(["upload", "f.txt", "obs://tmp/k"])
        try FileManager.default.createDirectory(atPath: sb.path("d"), withIntermediateDirectories: true)
        // A pid that ran and ended.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run(); gone.waitUntilExit()
        let deadName = ".x.bin.obsctl-\(gone.processIdentifier)-0011aabb.part"
        try sb.write("d/" + deadName, Data(repeating: 7, count: 1000))
        // A pid that runs, but started after the file was last written: the writer's pid, reused.
        let sleeper = Process(); sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep"); sleeper.arguments = ["30"]
        try sleeper.run()
        defer { sleeper.terminate() }
        let reusedName = ".y.bin.obsctl-\(sleeper.processIdentifier)-0011aacc.part"
        try sb.write("d/" + reusedName, Data(repeating: 7, count: 1000))
        let old = Date(timeIntervalSinceNow: -3600)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: sb.path("d/" + reusedName))
        // A writer that holds its flock is alive, whatever its pid (another pid namespace).
        let heldName = ".z.bin.obsctl-\(gone.processIdentifier)-0011aadd.part"
        try sb.write("d/" + heldName, Data(repeating: 7, count: 1000))
        let fd = open(sb.path("d/" + heldName), O_RDONLY)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        defer { close(fd) }
        // A live pid (this test's) that started before the file: kept.
        let liveName = ".w.bin.obsctl-\(getpid())-0011aaee.part"
        try sb.write("d/" + liveName, Data(repeating: 7, count: 1000))
        for name in [deadName, reusedName, heldName, liveName] { chmod(sb.path("d/" + name), 0o600) }
        // Named so by a dead pid, but no temporary as obsctl makes them (0600, one link, a regular file): the
        // user's own files, kept.
        let userFile = ".thesis.obsctl-\(gone.processIdentifier)-0000abcd.part"
        try sb.write("d/" + userFile, Data("precious".utf8))
        chmod(sb.path("d/" + userFile), 0o644)
        let linkedName = ".v.bin.obsctl-\(gone.processIdentifier)-0011aaff.part"
        try sb.write("d/" + linkedName, Data("linked".utf8))
        chmod(sb.path("d/" + linkedName), 0o600)
        #expect(link(sb.path("d/" + linkedName), sb.path("d/other-name")) == 0)
        let symlinkName = ".u.bin.obsctl-\(gone.processIdentifier)-0011ab00.part"
        #expect(symlink("other-name", sb.path("d/" + symlinkName)) == 0)

        try sb.ok(["download", "obs://tmp/k", "d/out.txt"])
        #expect(partFiles(sb.path("d")) == [heldName, liveName, linkedName, symlinkName, userFile].sorted())
    }

    @Test("a key named as obsctl names its temporaries is skipped by recursive downloads, never swept later")
    func keysNamedLikeTemporariesSkipped() throws {
        let sb = try Sandbox("h-temp-keys")
        try sb.bucket("tmp", withObjects: ["sw/.notes.obsctl-99999-0000abcd.part", "sw/other.txt"])
        for args in [["download", "obs://tmp/sw/", "out", "--recursive"], ["sync", "obs://tmp/sw/", "out2"]] {
            let r = try sb.run(args)
            #expect(r.status == 8, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("temporary files") && r.stderr.contains(".notes.obsctl-99999"), "\(r.stderr)")
            let dir = sb.path(args[2])
            #expect((try? FileManager.default.contentsOfDirectory(atPath: dir)) == ["other.txt"], "\(args)")
        }
    }

    @Test("a download killed with SIGKILL leaves a 0600 temporary, which the next download removes")
    func killedDownload() throws {
        let sb = try Sandbox("h-kill")
        try sb.ok(["bucket", "create", "obs://big", "--sse", "obs"])
        try sb.write("big.bin", randomData(32 << 20))
        try sb.ok(["upload", "big.bin", "obs://big/k"])
        var caught = false
        for _ in 0..<5 where !caught {
            try FileManager.default.createDirectory(atPath: sb.path("d"), withIntermediateDirectories: true)
            let running = try sb.start(["download", "obs://big/k", "d/out.bin"])
            let pid = running.process.processIdentifier
            let deadline = Date(timeIntervalSinceNow: 30)
            var seen = false
            while Date() < deadline && !seen && running.process.isRunning {
                seen = !partFiles(sb.path("d")).isEmpty
                if !seen { usleep(500) }
            }
            // It can finish between the look and the kill: caught only if, frozen, it still has its temporary.
            var st = stat()
            if seen && freezeProcess(pid), let part = partFiles(sb.path("d")).first,
                stat(sb.path("d/" + part), &st) == 0
            {
                kill(pid, SIGKILL)
                #expect(st.st_mode & 0o777 == 0o600, "mode \(String(st.st_mode & 0o777, radix: 8))")
                caught = true
            } else if running.process.isRunning {
                kill(pid, SIGCONT)
            }
            _ = running.wait()
            if !caught { try? FileManager.default.removeItem(atPath: sb.path("d")) }  // a clean start
        }
        try #require(caught, "no download was caught in progress")
        #expect(partFiles(sb.path("d")).count == 1)
        try sb.ok(["download", "obs://big/k", "d/again.bin"])
        #expect(partFiles(sb.path("d")).isEmpty)
        var st = stat()
        let mask = ProcessUmask.current()  // the umask obsctl inherits
        #expect(
            stat(sb.path("d/again.bin"), &st) == 0 && st.st_mode & 0o777 == 0o666 & ~mask,
            "the finished file has the umask's mode")
    }

    // MARK: 12

    @Test(
        "a line break in --content-type or --metadata is refused (exit 2) and nothing is stored",
        arguments: [
            ["--content-type", "text/plain\r\nX-Evil: 1"], ["--metadata", "a=1\r\nX-Evil: 1"],
            ["--metadata", "a\nb=1"], ["--kms-key-id", "k\r\nX-Evil: 1", "--sse", "kms"],
        ])
    func headerInjection(_ option: [String]) throws {
        let sb = try Sandbox("h-hdr")
        try sb.ok(["bucket", "create", "obs://hdr"])
        try sb.write("f.txt", Data("hello".utf8))
        let r = try sb.run(["upload", "f.txt", "obs://hdr/k"] + option)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderrLines.count == 1 && r.stderr.hasPrefix("obsctl: error:"), "\(r)")
        try sb.ok(["cp", "f.txt", "obs://hdr/plain"])
        expectError(try sb.run(["cp", "obs://hdr/plain", "obs://hdr/k"] + option), 2)
        expectError(try sb.run(["stat", "obs://hdr/k"]), 3)
    }

    // MARK: 15

    @Test("an argument that is not UTF-8 is refused (exit 2) on every command that takes a key")
    func invalidUTF8Arguments() throws {
        let sb = try Sandbox("h-utf8")
        try sb.ok(["bucket", "create", "obs://utf"])
        try sb.write("f.txt", Data("hello".utf8))
        try sb.ok(["upload", "f.txt", "obs://utf/a\u{FFFD}b"])  // a real U+FFFD key exists: it must not be hit
        for command in [
            "\"$B\" upload f.txt \"$(printf 'obs://utf/a\\377b')\"",
            "\"$B\" download \"$(printf 'obs://utf/a\\377b')\" out",
            "\"$B\" stat \"$(printf 'obs://utf/a\\377b')\"", "\"$B\" rm \"$(printf 'obs://utf/a\\377b')\"",
            "\"$B\" ls \"$(printf 'obs://utf/a\\377')\"",
            "\"$B\" cp f.txt \"$(printf 'obs://utf/\\300\\200')\"",
        ] {
            let r = try shell(sb, command)
            expectError(r, 2, contains: ["not valid UTF-8"])
        }
        let list = try sb.json(["ls", "obs://utf/", "--recursive"])
        #expect((list["objects"] as? [[String: Any]])?.map { $0["key"] as? String } == ["a\u{FFFD}b"])
    }

    @Test("a recursive upload skips files whose names are not UTF-8, naming them, and exits 8")
    func invalidUTF8FileNames() throws {
        let sb = try Sandbox("h-utf8f")
        try sb.ok(["bucket", "create", "obs://utf"])
        try sb.write("d/ok.txt", Data("hello".utf8))
        let r = try shell(sb, "printf x > \"d/$(printf 'bad\\377.txt')\" && \"$B\" upload d obs://utf/ --recursive")
        #expect(r.status == 8, "\(r)")
        #expect(r.stderr.contains("bad\\xff.txt") && r.stderr.contains("not valid UTF-8"), "\(r)")
        let list = try sb.json(["ls", "obs://utf/", "--recursive"])
        #expect((list["objects"] as? [[String: Any]])?.map { $0["key"] as? String } == ["ok.txt"])
        let sync = try shell(sb, "\"$B\" sync d obs://utf/")
        #expect(sync.status == 8, "\(sync)")
    }

    // MARK: 17

    @Test("bucket delete --force racing a writer: the message says what happened, not 'pass --force'")
    func deleteForceRace() throws {
        let sb = try Sandbox("h-race")
        try sb.ok(["bucket", "create", "obs://race"])
        try sb.ok(["bucket", "create", "obs://src"])
        try sb.write("f.txt", Data("hello".utf8))
        try sb.ok(["upload", "f.txt", "obs://src/k"])
        let prepared = try #require(sb.objectDirectory(bucket: "src", key: "k"))
        // Hold the bucket's lock: the delete lists the (empty) bucket, then waits for the lock to delete it.
        let lock = open(sb.root + "/buckets/race/.lock", O_CREAT | O_RDWR, 0o600)
        try #require(lock >= 0 && flock(lock, LOCK_EX) == 0)
        let running = try sb.start(["bucket", "delete", "obs://race", "--force"])
        let deadline = Date(timeIntervalSinceNow: 20)
        var waiting = false
        while Date() < deadline && !waiting {
            let pid = running.process.processIdentifier
            let wchan = (try? String(contentsOfFile: "/proc/\(pid)/wchan", encoding: .utf8)) ?? ""
            waiting = wchan.contains("lock")
            if !waiting { usleep(10_000) }
        }
        if !waiting { sleep(2) }
        // Meanwhile an object arrives (its directory moved into place, as a writer's commit would).
        let target = prepared.replacingOccurrences(of: "/buckets/src/", with: "/buckets/race/")
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: prepared, toPath: target)
        flock(lock, LOCK_UN); close(lock)
        let r = running.wait()
        expectError(r, 10, contains: ["while it was being emptied", "again"])
        #expect(!r.stderr.contains("pass --force"), "\(r)")
    }
}
