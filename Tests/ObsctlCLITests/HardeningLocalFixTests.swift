import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The review of the local-backend hardening, through the binary: a new store at a reused path, SIGXFSZ and torn
/// audit lines, unreadable object directories, commands that skipped the root key, FIFOs at store files.
@Suite("hardening: local backend review")
struct HardeningLocalFixCLITests {
    @Test("a damaged bucket.json is exit 13 naming the file and what to do, for listings and object commands")
    func damagedBucketRecordNamesFix() throws {
        let sb = try Sandbox("bucketdamage")
        try sb.ok(["bucket", "create", "obs://dmg", "--sse", "obs"])
        let file = sb.root + "/buckets/dmg/bucket.json"
        var text = try String(contentsOfFile: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"AES256\"", with: "\"kms\"")
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        for args in [["bucket", "list"], ["ls", "obs://dmg"], ["bucket", "encryption", "show", "obs://dmg"]] {
            expectError(try sb.run(args), 13, contains: [file, "restore the file from a backup"])
        }
        try "{".write(toFile: file, atomically: false, encoding: .utf8)
        expectError(
            try sb.run(["bucket", "list"]), 13, contains: [file, "does not parse", "move the bucket's directory"])
    }

    private func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
    }

    /// The store's state file (outside the store, under the config home).
    private func stateFile(_ sb: Sandbox) -> String? {
        let dir = sb.configHome + "/obsctl/local-state"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.first { $0.hasSuffix(".json") && !$0.hasSuffix(".audit.json") }.map { dir + "/" + $0 }
    }

    // MARK: 1. A new store at a reused path

    @Test("review 1: a store removed with 'rm -rf' (key file kept) and used again starts clean: kms key create works")
    func reusedPathSameKey() throws {
        let sb = try Sandbox("reuse1")
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "old"]))
        expectSuccess(try sb.run(["bucket", "create", "obs://bkt", "--sse", "kms"]))
        #expect(stateFile(sb) != nil)
        try FileManager.default.removeItem(atPath: sb.root)
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "new"]))
        expectSuccess(try sb.run(["bucket", "create", "obs://bkt"]))
        let keys = try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]] ?? []
        #expect(keys.map { $0["alias"] as? String } == ["new"], "\(keys)")
    }

    @Test("review 1: a new random OBSCTL_LOCAL_ROOT_KEY at a reused store path (CI: rm -rf /tmp/s) works")
    func reusedPathNewKey() throws {
        let sb = try Sandbox("reuse2")
        sb.environment["OBSCTL_LOCAL_ROOT_KEY"] = Data(repeating: 1, count: 32).base64EncodedString()
        expectSuccess(try sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]))
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "k"]))
        try FileManager.default.removeItem(atPath: sb.root)
        sb.environment["OBSCTL_LOCAL_ROOT_KEY"] = Data(repeating: 2, count: 32).base64EncodedString()
        expectSuccess(try sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]))
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "k"]))
        expectSuccess(try sb.run(["ls", "obs://bkt"]))
    }

    @Test("review 1: a keystore removed by hand is reported naming the state file")
    func removedKeystoreNamesStateFile() throws {
        let sb = try Sandbox("reuse3")
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "k"]))
        try FileManager.default.removeItem(atPath: sb.root + "/kms/keys")
        let state = try #require(stateFile(sb))
        expectError(try sb.run(["kms", "key", "list"]), 13, contains: ["is missing", state])
    }

    // MARK: 3. SIGXFSZ and torn audit lines

    @Test("review 3: a file-size limit inside an audit line (SIGXFSZ not ignored by the caller) is a clean error")
    func fileSizeLimitWithoutTrap() throws {
        let sb = try Sandbox("xfsz")
        for i in 0..<14 { expectSuccess(try sb.run(["kms", "key", "create", "--alias", "k\(i)"])) }
        let log = sb.root + "/kms/audit.log"
        let size = fileSize(log)
        #expect(size > 2500)
        // SIGXFSZ at its default (killing) disposition, the limit 40 bytes into the next audit line.
        let r = try sb.runWrapped(
            "exec env --default-signal=XFSZ prlimit --fsize=\(size + 40) -- \"$@\"",
            ["kms", "key", "create", "--alias", "late"])
        #expect(!r.signaled, "killed by a signal mid-write: \(r)")
        expectError(r, 1, contains: ["audit log", "not performed"])
        #expect(fileSize(log) == size, "a partial line was left")
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "after"]))
        expectSuccess(try sb.run(["kms", "audit", "verify"]))
    }

    @Test("review 3: obsctl ignores SIGXFSZ, so a file-size limit is an error it cleans up after, not a death")
    func ignoresSIGXFSZ() throws {
        let sb = try Sandbox("xfszign")
        expectSuccess(try sb.run(["bucket", "create", "obs://bkt"]))
        let stdin = Pipe()
        let running = try sb.start(["cp", "-", "obs://bkt/k"], stdinPipe: stdin)
        defer { try? stdin.fileHandleForWriting.close(); _ = running.wait() }
        // Wait until the process is obsctl itself (past exec), then read its ignored-signal mask.
        var ignored: UInt64? = nil
        for _ in 0..<100 {
            let status =
                (try? String(
                    contentsOfFile: "/proc/\(running.process.processIdentifier)/status",
                    encoding: .utf8)) ?? ""
            if status.contains("obsctl"),
                let line = status.split(separator: "\n").first(where: {
                    $0.hasPrefix("SigIgn:")
                })
            {
                ignored = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16)
                // Wait for the bit itself: another signal's disposition may be set first (a busy machine once
                // read the mask between obsctl's two signal() calls).
                if let i = ignored, i & (1 << (UInt64(SIGXFSZ) - 1)) != 0 { break }
            }
            usleep(50_000)
        }
        let mask = try #require(ignored)
        #expect(mask & (1 << (UInt64(SIGXFSZ) - 1)) != 0, "SigIgn \(String(mask, radix: 16))")
    }

    @Test("review 3: a torn last audit line (a process killed mid-append) is cut and noted; a cut head line is not")
    func tornAuditLine() throws {
        let sb = try Sandbox("torn")
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "one"]))
        let log = sb.root + "/kms/audit.log"
        let h = try #require(FileHandle(forWritingAtPath: log))
        h.seekToEndOfFile(); h.write(Data("{\"action\":\"kms:cmk".utf8)); try h.close()
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "two"]))
        expectSuccess(try sb.run(["kms", "audit", "verify"]))
        let text = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
        #expect(text.contains("audit-repair") && text.contains("partial last line"), "\(text)")
        #expect(!text.contains("kms:cmk\n") && !text.contains("\"kms:cmk{"), "\(text)")
        // A cut inside the line the head records is still caught (the repair only removes a tail after it).
        let full = try #require(FileManager.default.contents(atPath: log))
        try full.prefix(full.count - 20).write(to: URL(fileURLWithPath: log))
        expectError(try sb.run(["kms", "key", "create", "--alias", "three"]), 13, contains: ["audit log"])
    }

    // MARK: 8. The audit head anchored outside the store

    @Test("review 8: removing audit.head and cutting the log (or replacing it unchained) is exit 13 naming the anchor")
    func auditHeadAnchor() throws {
        let sb = try Sandbox("anchor")
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "one"]))
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "two"]))
        let log = sb.root + "/kms/audit.log", head = sb.root + "/kms/audit.head"
        let dir = sb.configHome + "/obsctl/local-state"
        let anchor = try #require(
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .first { $0.hasSuffix(".audit.json") }.map { dir + "/" + $0 })
        let text = String(decoding: try #require(FileManager.default.contents(atPath: log)), as: UTF8.self)
        let first = String(text.split(separator: "\n")[0]) + "\n"
        try FileManager.default.removeItem(atPath: head)
        try Data(first.utf8).write(to: URL(fileURLWithPath: log))
        expectError(try sb.run(["kms", "key", "list"]), 13, contains: ["audit log", anchor])
        expectError(try sb.run(["kms", "audit", "verify"]), 13, contains: [anchor])
        try Data("{\"operation\":\"list-keys\",\"outcome\":\"ok\"}\n".utf8).write(to: URL(fileURLWithPath: log))
        expectError(try sb.run(["kms", "key", "list"]), 13, contains: ["audit log", anchor])
        // What the message says to do to start a new log on purpose works.
        try FileManager.default.removeItem(atPath: log)
        try FileManager.default.removeItem(atPath: anchor)
        expectSuccess(try sb.run(["kms", "key", "list"]))
        expectSuccess(try sb.run(["kms", "audit", "verify"]))
    }

    // MARK: 9. The state directory and leftovers

    @Test("review 9: a state directory that cannot be created is named, with why and the fix (exit 12)")
    func stateDirectoryUncreatable() throws {
        let sb = try Sandbox("statedir")
        sb.environment["OBSCTL_LOCAL_ROOT_KEY"] = Data(repeating: 3, count: 32).base64EncodedString()
        let blocker = try sb.write("notadir", Data())
        expectError(
            try sb.run(["bucket", "create", "obs://bkt"], env: ["XDG_CONFIG_HOME": blocker]), 12,
            contains: [blocker + "/obsctl/local-state", "Not a directory", "XDG_CONFIG_HOME"])
        #expect(!sb.exists("root/buckets/bkt"))
    }

    @Test("review 9: temp files of dead writers in kms/ and local-state/ are swept")
    func leftoverTempsSwept() throws {
        let sb = try Sandbox("sweep")
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "k"]))
        let state = try #require(stateFile(sb))
        let leftovers = [
            sb.root + "/kms/.tmp-999999-aaaa",
            (state as NSString).deletingLastPathComponent
                + "/.tmp-999999-bbbb",
        ]
        for f in leftovers { #expect(FileManager.default.createFile(atPath: f, contents: Data("x".utf8))) }
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "k2"]))
        for f in leftovers { #expect(!FileManager.default.fileExists(atPath: f), "\(f) left") }
    }

    // MARK: 5. Unreadable object directories

    @Test("review 5: an object directory that cannot be read makes bucket delete fail, not delete the bucket")
    func unreadableObjectDirectory() throws {
        let sb = try Sandbox("unreadable")
        try sb.write("f.txt", Data("data".utf8))
        expectSuccess(try sb.run(["bucket", "create", "obs://bkt"]))
        expectSuccess(try sb.run(["cp", "f.txt", "obs://bkt/k"]))
        let objectDir = try #require(sb.objectDirectory(bucket: "bkt", key: "k"))
        try sb.giveToNobody()
        let h2 = (objectDir as NSString).deletingLastPathComponent
        #expect(chmod(h2, 0) == 0)
        defer { chmod(h2, 0o700) }
        let ls = try sb.runAsNobody(["ls", "obs://bkt"])
        #expect(ls.status != 0, "objects hidden from the listing: \(ls)")
        expectError(
            try sb.runAsNobody(["bucket", "delete", "obs://bkt"]), 1,
            contains: [
                "list directory",
                "Permission denied",
            ])
        #expect(FileManager.default.fileExists(atPath: objectDir), "a non-empty bucket was deleted")
    }

    // MARK: 6. stat and rm check the root key

    @Test("review 6: stat and rm with a wrong root key fail with exit 12 and remove nothing")
    func statAndRmWrongKey() throws {
        let sb = try Sandbox("wrongkey6")
        try sb.write("f.txt", Data("data".utf8))
        expectSuccess(try sb.run(["bucket", "create", "obs://bkt"]))
        expectSuccess(try sb.run(["cp", "f.txt", "obs://bkt/k"]))
        let other = ["OBSCTL_LOCAL_ROOT_KEY": Data(repeating: 7, count: 32).base64EncodedString()]
        expectError(try sb.run(["stat", "obs://bkt/k"], env: other), 12, contains: ["root key mismatch"])
        expectError(try sb.run(["rm", "obs://bkt/k"], env: other), 12, contains: ["root key mismatch"])
        expectSuccess(try sb.run(["stat", "obs://bkt/k"]))
    }

    @Test("review 6: stat of an unencrypted object whose metadata was edited is exit 13")
    func statChecksPlainMetadata() throws {
        let sb = try Sandbox("statmac")
        try sb.write("f.txt", Data("data".utf8))
        expectSuccess(try sb.run(["bucket", "create", "obs://bkt"]))
        expectSuccess(try sb.run(["cp", "f.txt", "obs://bkt/k"]))
        let meta = try #require(sb.objectDirectory(bucket: "bkt", key: "k")) + "/meta.json"
        var obj = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: meta)))
                as? [String: Any])
        obj["content_type"] = "text/html"
        try JSONSerialization.data(withJSONObject: obj).write(to: URL(fileURLWithPath: meta))
        expectError(try sb.run(["stat", "obs://bkt/k"]), 13, contains: ["MAC"])
    }

    // MARK: 7. FIFOs at store files

    @Test("review 7: a FIFO at any store file is named as such, never a hang")
    func fifoAtStoreFiles() throws {
        let sb = try Sandbox("fifo")
        expectSuccess(try sb.run(["bucket", "create", "obs://bkt"]))
        expectSuccess(try sb.run(["kms", "key", "create", "--alias", "k"]))
        let state = try #require(stateFile(sb))
        let cases: [(String, [String])] = [
            (sb.root + "/FORMAT", ["ls", "obs://bkt"]),
            (sb.root + "/root-key.check", ["ls", "obs://bkt"]),
            (sb.root + "/buckets/bkt/bucket.json", ["ls", "obs://bkt"]),
            (state, ["ls", "obs://bkt"]),
            (sb.root + "/kms/audit.head", ["kms", "key", "list"]),
            (sb.root + "/kms/policy.json", ["kms", "key", "list"]),
        ]
        for (file, args) in cases {
            let saved = FileManager.default.contents(atPath: file)
            unlink(file)
            #expect(mkfifo(file, 0o600) == 0)
            let r = try sb.start(args).wait(timeout: 20)
            #expect(!r.timedOut, "hung on a FIFO at \(file)")
            #expect(
                [12, 13].contains(r.status) && r.stderr.contains("named pipe") && r.stderr.contains(file),
                "\(file): \(r)")
            unlink(file)
            if let saved { try saved.write(to: URL(fileURLWithPath: file)); chmod(file, 0o600) }
        }
        expectSuccess(try sb.run(["ls", "obs://bkt"]))
    }
}
