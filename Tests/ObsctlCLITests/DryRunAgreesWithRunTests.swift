import Foundation
import Testing

/// A dry run gives the exit code and the failures its run would give: a KMS key the writes cannot use, a planned
/// name longer than the system allows, a local file sync --delete could not remove. And the variants the transfer
/// review found around them: a path too deep to read, new metadata on a copy, prefixes spelled NFC and NFD.
@Suite("dry runs agree with runs")
struct DryRunAgreesWithRunTests {
    private func sandbox(_ name: String) throws -> Sandbox {
        let sb = try Sandbox(name)
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("src/a.txt", Data("a".utf8))
        try sb.write("src/b.txt", Data("b".utf8))
        return sb
    }

    @Test("a disabled, missing or denied KMS key, named or the bucket's default: the dry run exits 5 as the run does")
    func kmsKeyChecked() throws {
        let sb = try sandbox("dry-kms")
        try sb.ok(["kms", "key", "create", "--alias", "k1"])
        try sb.ok(["kms", "key", "disable", "k1"])
        let cases: [[String]] = [
            ["cp", "src/a.txt", "obs://bkt/x", "--sse", "kms", "--kms-key-id", "nosuchkey"],
            ["cp", "src/a.txt", "obs://bkt/x", "--sse", "kms", "--kms-key-id", "k1"],
            ["cp", "-r", "src", "obs://bkt/t/", "--sse", "kms", "--kms-key-id", "k1"],
            ["sync", "src", "obs://bkt/t/", "--sse", "kms", "--kms-key-id", "k1"],
        ]
        for command in cases {
            let dry = try sb.run(command + ["--dry-run"])
            let run = try sb.run(command)
            #expect(run.status == 5 && dry.status == run.status, "\(dry)\n\(run)")
            #expect(dry.stdout.isEmpty, "nothing is planned: \(dry)")
        }
        // The bucket's default key, disabled after it was set: uploads without --sse fail as well.
        try sb.ok(["kms", "key", "create", "--alias", "k2"])
        try sb.ok(["bucket", "create", "obs://enc", "--sse", "kms", "--kms-key-id", "k2"])
        try sb.ok(["kms", "key", "disable", "k2"])
        let dry = try sb.run(["cp", "-r", "src", "obs://enc/", "--dry-run"])
        let run = try sb.run(["cp", "-r", "src", "obs://enc/"])
        #expect(run.status == 5 && dry.status == 5, "\(dry)\n\(run)")
        // Nothing was stored by either, and the dry run with a usable key still plans every file.
        #expect(try sb.run(["ls", "-r", "obs://bkt"]).out.isEmpty)
        try sb.ok(["kms", "key", "enable", "k1"])
        let fine = try sb.ok(["cp", "-r", "src", "obs://bkt/t/", "--sse", "kms", "--kms-key-id", "k1", "--dry-run"])
        #expect(fine.out.split(separator: "\n").count == 2, "\(fine)")
    }

    @Test("an object the run could not read, listed or named, fails its step: SSE-C without its key, a disabled key")
    func sourceKeyChecked() throws {
        let sb = try sandbox("dry-source-key")
        try sb.ok(["kms", "key", "create", "--alias", "k1"])
        try sb.write("key.bin", Data(repeating: 7, count: 32))
        chmod(sb.path("key.bin"), 0o600)
        try sb.ok(["upload", "src/a.txt", "obs://bkt/p/kms", "--sse", "kms", "--kms-key-id", "k1"])
        try sb.ok(["upload", "src/a.txt", "obs://bkt/p/ssec", "--sse", "c", "--sse-c-key-file", "key.bin"])
        try sb.ok(["upload", "src/a.txt", "obs://bkt/p/plain"])
        try sb.ok(["kms", "key", "disable", "k1"])
        try sb.write("out/extra", Data("x".utf8))
        let cases: [[String]] = [
            ["cp", "-r", "obs://bkt/p/", "out"],
            ["sync", "obs://bkt/p/", "out", "--delete"],
            ["cp", "-r", "obs://bkt/p/", "obs://bkt/q/"],
            ["mv", "-r", "obs://bkt/p/", "out"],
            ["cp", "obs://bkt/p/kms", "out/one"],
        ]
        for command in cases {
            let dry = try sb.run(command + ["--dry-run"])
            #expect(!dry.out.contains("kms") && !dry.out.contains("ssec") && !dry.out.contains("delete"), "\(dry)")
            #expect(dry.stderr.contains("is disabled"), "\(dry)")
            let run = try sb.run(command)
            #expect(run.status != 0 && dry.status == run.status, "\(command)\n\(dry)\n\(run)")
        }
        // Nothing the runs held back went: the extra file, and every object the move could not read.
        #expect(sb.exists("out/extra"))
        #expect(try sb.run(["ls", "-r", "obs://bkt/p/"]).out.split(separator: "\n").count == 2)
    }

    @Test("the default key obs/default is not created by a dry run")
    func defaultKeyNotCreated() throws {
        let sb = try sandbox("dry-kms-default")
        try sb.ok(["cp", "-r", "src", "obs://bkt/t/", "--sse", "kms", "--dry-run"])
        let keys = try sb.json(["kms", "key", "list"])
        #expect((keys["keys"] as? [Any])?.isEmpty == true, "\(keys)")
    }

    @Test("a planned file name longer than 255 bytes fails the dry run as the run, and holds back --delete")
    func nameTooLong() throws {
        let sb = try sandbox("dry-long")
        let long = String(repeating: "L", count: 300)
        try sb.ok(["upload", "src/a.txt", "obs://bkt/t/\(long)"])
        try sb.ok(["upload", "src/a.txt", "obs://bkt/t/ok"])
        try sb.write("out/extra", Data("x".utf8))
        let command = ["sync", "obs://bkt/t/", "out", "--delete"]
        let dry = try sb.run(command + ["--dry-run"])
        #expect(dry.status != 0 && dry.stderr.contains("File name too long"), "\(dry)")
        #expect(!dry.out.contains("delete"), "no deletion the run would hold back: \(dry)")
        let run = try sb.run(command)
        #expect(run.status == dry.status, "\(dry)\n\(run)")
        #expect(sb.exists("out/extra") && sb.exists("out/ok"), "\(run)")
    }

    @Test("a path that fits while its temporary file's does not: the dry run and the run fail alike, saying so")
    func temporaryPathTooLong() throws {
        let sb = try sandbox("dry-long-temp")
        try sb.ok(["upload", "src/a.txt", "obs://bkt/t/nnnnnnnnnn"])
        // A directory whose path leaves room for the file's name, not for its temporary's (about 30 bytes more).
        var deep = sb.dir.path
        while deep.utf8.count < 4070 - 201 { deep += "/" + String(repeating: "d", count: 200) }
        deep += "/" + String(repeating: "e", count: 4070 - deep.utf8.count - 1)
        try FileManager.default.createDirectory(atPath: deep, withIntermediateDirectories: true)
        #expect((deep + "/nnnnnnnnnn").utf8.count <= 4095)
        for command in [["sync", "obs://bkt/t/", deep], ["download", "obs://bkt/t/nnnnnnnnnn", deep + "/nnnnnnnnnn"]] {
            let dry = command[0] == "sync" ? try sb.run(command + ["--dry-run"]) : nil
            let run = try sb.run(command)
            #expect(run.status != 0 && run.stderr.contains("temporary file's path"), "\(run)")
            if let dry { #expect(dry.status == run.status && dry.stderr.contains("temporary file's path"), "\(dry)") }
        }
    }

    @Test("sync --delete's dry run checks that each local file can be removed; one refused holds back no other")
    func deleteNotPermitted() throws {
        let sb = try sandbox("dry-rm")
        try sb.ok(["upload", "src/a.txt", "obs://bkt/p/ro/a.txt"])
        try sb.write("dst/ro/a.txt", Data("a".utf8))
        try sb.write("dst/ro/extra", Data("x".utf8))
        try sb.giveToNobody()
        chmod(sb.path("dst/ro"), 0o555)
        let command = ["sync", "obs://bkt/p/", "dst", "--delete"]
        let dry = try sb.runAsNobody(command + ["--dry-run"])
        let run = try sb.runAsNobody(command)
        #expect(run.status == 4 && dry.status == run.status, "\(dry)\n\(run)")
        #expect(dry.stderr.contains("dst/ro/extra"), "\(dry)")
        #expect(sb.exists("dst/ro/extra"))
        // Beside it, a deletion that is allowed: planned by the dry run and done by the run (exit 8, one failed).
        try sb.write("dst/rw/gone", Data("g".utf8))
        try sb.giveToNobody()
        let dry2 = try sb.runAsNobody(command + ["--dry-run"])
        #expect(dry2.status == 8 && dry2.out.contains("delete: dst/rw/gone"), "\(dry2)")
        let run2 = try sb.runAsNobody(command)
        #expect(run2.status == 8 && !sb.exists("dst/rw/gone") && sb.exists("dst/ro/extra"), "\(run2)")
    }

    @Test("a download into a directory that takes no new entries, or past a file in the way: dry run as run")
    func downloadDirectoriesChecked() throws {
        let sb = try sandbox("dry-dirs")
        try sb.ok(["upload", "src/a.txt", "obs://bkt/d/a"])
        try sb.ok(["upload", "src/a.txt", "obs://bkt/d/ro/b"])
        try sb.write("file", Data("data".utf8))
        try FileManager.default.createDirectory(atPath: sb.path("dd/a"), withIntermediateDirectories: true)
        for command in [
            ["cp", "obs://bkt/d/a", "file/x"], ["mv", "obs://bkt/d/a", "file/y/z"], ["cp", "obs://bkt/d/a", "dd"],
        ] {
            let dry = try sb.run(command + ["--dry-run"])
            let run = try sb.run(command)
            #expect(run.status != 0 && dry.status == run.status, "\(command)\n\(dry)\n\(run)")
            #expect(dry.stderr.contains("in the way"), "\(dry)")
        }
        // A read-only subdirectory (as nobody, whom permissions stop): its file fails; --delete holds back.
        try sb.write("ee/extra", Data("x".utf8))
        try FileManager.default.createDirectory(atPath: sb.path("ee/ro"), withIntermediateDirectories: true)
        try sb.giveToNobody()
        chmod(sb.path("ee/ro"), 0o555)
        let command = ["sync", "obs://bkt/d/", "ee", "--delete"]
        let dry = try sb.runAsNobody(command + ["--dry-run"])
        #expect(dry.status == 8 && !dry.out.contains("delete") && dry.stderr.contains("ee/ro"), "\(dry)")
        let run = try sb.runAsNobody(command)
        #expect(run.status == 8 && sb.exists("ee/extra") && sb.exists("ee/a"), "\(run)")
    }

    @Test("a copy of an unencrypted object gets the bucket's default: its disabled key fails dry run as run")
    func copyOfPlainGetsDefault() throws {
        let sb = try sandbox("dry-copy-plain")
        try sb.ok(["kms", "key", "create", "--alias", "k4"])
        try sb.ok(["bucket", "create", "obs://dk4", "--sse", "kms", "--kms-key-id", "k4"])
        try sb.ok(["upload", "src/a.txt", "obs://bkt/c/plain.txt"])
        try sb.ok(["upload", "src/a.txt", "obs://bkt/c/obs.txt", "--sse", "obs"])
        try sb.ok(["kms", "key", "disable", "k4"])
        for command in [
            ["cp", "obs://bkt/c/plain.txt", "obs://dk4/p"], ["cp", "-r", "obs://bkt/c/", "obs://dk4/all/"],
            ["sync", "obs://bkt/c/", "obs://dk4/s/"], ["mv", "-r", "obs://bkt/c/", "obs://dk4/m/"],
        ] {
            let dry = try sb.run(command + ["--dry-run"])
            #expect(!dry.out.contains("plain.txt") && dry.stderr.contains("is disabled"), "\(command): \(dry)")
            #expect(command.count == 3 || dry.out.contains("obs.txt"), "the SSE-OBS copy is planned: \(dry)")
            let run = try sb.run(command)
            #expect(run.status != 0 && dry.status == run.status, "\(command)\n\(dry)\n\(run)")
        }
    }

    @Test("a copy that keeps its source's SSE-KMS key makes a data key under it: a policy denying that fails both")
    func copyKeepsKeyUnderPolicy() throws {
        let sb = try sandbox("dry-copy-policy")
        try sb.ok(["kms", "key", "create", "--alias", "k5"])
        try sb.ok(["upload", "src/a.txt", "obs://bkt/k/a", "--sse", "kms", "--kms-key-id", "k5"])
        try sb.write("root/kms/policy.json", Data(#"{"deny":["kms:dek:create"]}"#.utf8), mode: 0o600)
        for command in [
            ["cp", "obs://bkt/k/a", "obs://bkt/c/a"], ["mv", "obs://bkt/k/a", "obs://bkt/m/a"],
            ["sync", "obs://bkt/k/", "obs://bkt/s/", "--delete"],
        ] {
            let dry = try sb.run(command + ["--dry-run"])
            let run = try sb.run(command)
            #expect(run.status == 5 && dry.status == run.status, "\(command)\n\(dry)\n\(run)")
        }
    }

    @Test("bucket encryption apply: a policy denying data keys (or obs/default's creation) fails its dry run too")
    func applyUnderPolicy() throws {
        let sb = try sandbox("dry-apply-policy")
        try sb.ok(["kms", "key", "create", "--alias", "k6"])
        try sb.ok(["upload", "src/a.txt", "obs://bkt/obs.txt", "--sse", "obs"])
        for (policy, target) in [
            (#"{"deny":["kms:dek:create"]}"#, ["--kms-key-id", "k6"]), (#"{"deny":["kms:dek:create"]}"#, []),
            (#"{"deny":["kms:cmk:create"]}"#, []),
        ] {
            try sb.write("root/kms/policy.json", Data(policy.utf8), mode: 0o600)
            let command = ["bucket", "encryption", "apply", "obs://bkt", "--sse", "kms"] + target
            let dry = try sb.run(command + ["--dry-run"])
            let run = try sb.run(command)
            #expect(run.status == 5 && dry.status == run.status, "\(policy) \(target)\n\(dry)\n\(run)")
            let sse = try sb.json(["stat", "obs://bkt/obs.txt"])["sse"] as? [String: Any]
            #expect(sse?["mode"] as? String == "obs", "unchanged: \(String(describing: sse))")
        }
    }

    @Test("a copy keeps its source's encryption: a disabled bucket default key fails neither its dry run nor run")
    func copyIgnoresBucketDefault() throws {
        let sb = try sandbox("dry-copy-default")
        try sb.ok(["kms", "key", "create", "--alias", "k3"])
        try sb.ok(["bucket", "create", "obs://dk3", "--sse", "kms", "--kms-key-id", "k3"])
        try sb.ok(["upload", "src/a.txt", "obs://bkt/obs.txt", "--sse", "obs"])
        try sb.ok(["kms", "key", "disable", "k3"])
        let dry = try sb.run(["cp", "obs://bkt/obs.txt", "obs://dk3/o", "--dry-run"])
        let run = try sb.run(["cp", "obs://bkt/obs.txt", "obs://dk3/o"])
        #expect(dry.status == 0 && run.status == 0, "\(dry)\n\(run)")
        // A file uploaded there takes the default, and fails in both.
        #expect(try sb.run(["cp", "src/a.txt", "obs://dk3/f", "--dry-run"]).status == 5)
    }

    @Test("a single download to a name longer than 255 bytes fails its dry run as its run")
    func singleNameTooLong() throws {
        let sb = try sandbox("dry-long-single")
        try sb.ok(["upload", "src/a.txt", "obs://bkt/k"])
        let long = "d2/" + String(repeating: "k", count: 256)
        let dry = try sb.run(["cp", "obs://bkt/k", long, "--dry-run"])
        let run = try sb.run(["cp", "obs://bkt/k", long])
        #expect(dry.status != 0 && dry.status == run.status, "\(dry)\n\(run)")
    }

    @Test("a file whose path is too long to read is skipped alone (exit 8); the others are uploaded")
    func pathTooDeep() throws {
        let sb = try sandbox("deep")
        // Made by a shell in relative steps: no single call sees the whole path, which exceeds PATH_MAX.
        let n = String(repeating: "d", count: 200)
        let down = "for i in $(seq 22); do mkdir \(n) && cd -P \(n) || exit 1; done"
        try deepTree(sb, ["cd \"$1\"", down, "echo x > deep.txt"])
        let r = try sb.run(["upload", "src", "obs://bkt/deep/", "-r"])
        #expect(r.status == 8, "\(r)")
        #expect(r.stderr.contains("longer than the system allows") && !r.stderr.contains("permissions"), "\(r)")
        let listed = try sb.run(["ls", "-r", "obs://bkt/deep/"]).out
        #expect(listed.contains("a.txt") && listed.contains("b.txt"), "\(listed)")
        // The files around it are compared by sync as usual, and the one it cannot read is reported, not deleted.
        let sync = try sb.run(["sync", "src", "obs://bkt/deep/", "--delete"])
        #expect(sync.status == 8 && sync.stderr.contains("longer than the system allows"), "\(sync)")
        try deepTree(sb, ["cd \"$1\"", "rm -rf \(n)"])  // too deep for FileManager to remove
    }

    /// Runs `steps` in bash with $1 the sandbox's src: `cd -P` steps down by the name alone, so bash never needs
    /// the whole path (past PATH_MAX) that its own logical `cd` would build.
    private func deepTree(_ sb: Sandbox, _ steps: [String]) throws {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", steps.joined(separator: " && "), "bash", sb.path("src")]
        try shell.run()
        shell.waitUntilExit()
        try #require(shell.terminationStatus == 0, "bash: \(steps)")
    }

    @Test("cp and mv between objects with --metadata and no --content-type keep the source's content type")
    func metadataKeepsContentType() throws {
        let sb = try sandbox("cp-meta-type")
        try sb.ok(["upload", "src/a.txt", "obs://bkt/src.txt", "--metadata", "k=v"])
        try sb.ok(["cp", "obs://bkt/src.txt", "obs://bkt/single.txt", "--metadata", "a=b"])
        try sb.ok(["cp", "obs://bkt/src.txt", "obs://bkt/moved-from.txt"])
        try sb.ok(["mv", "obs://bkt/moved-from.txt", "obs://bkt/moved.txt", "--metadata", "a=b"])
        for key in ["single.txt", "moved.txt"] {
            let info = try sb.json(["stat", "obs://bkt/\(key)"])
            #expect(info["content_type"] as? String == "text/plain", "\(key): \(info)")
            #expect((info["metadata"] as? [String: Any])?["a"] as? String == "b", "\(key): \(info)")
        }
        // An explicit type still wins.
        try sb.ok(["cp", "obs://bkt/src.txt", "obs://bkt/typed", "--metadata", "a=b", "--content-type", "text/csv"])
        #expect(try sb.json(["stat", "obs://bkt/typed"])["content_type"] as? String == "text/csv")
    }

    @Test("sync between a prefix and its NFD spelling is no sync with itself: keys are bytes")
    func normalizationForms() throws {
        let sb = try sandbox("sync-nfd")
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        try sb.ok(["upload", "src/a.txt", "obs://bkt/\(nfc)/a.txt"])
        try sb.ok(["sync", "obs://bkt/\(nfc)/", "obs://bkt/\(nfd)/"])
        let keys = try sb.run(["ls", "-r", "obs://bkt/", "--output", "json"])
        let listed = try parseJSONObject(keys.stdout)["objects"] as? [[String: Any]] ?? []
        let names = Set(listed.compactMap { $0["key"] as? String }.map { Array($0.utf8) })
        #expect(names == [Array("\(nfc)/a.txt".utf8), Array("\(nfd)/a.txt".utf8)], "\(keys)")
        #expect(try sb.run(["sync", "obs://bkt/\(nfc)/", "obs://bkt/\(nfc)/"]).status == 2)
    }

    @Test("a file named as obsctl names its temporaries is passed over, not uploaded on every sync")
    func temporaryLikeName() throws {
        let sb = try sandbox("temp-name")
        try sb.write("src/.x.obsctl-1-deadbeef.part", Data("hi".utf8), mode: 0o644)
        let first = try sb.ok(["sync", "src", "obs://bkt/t/"])
        #expect(first.stderr.contains(".x.obsctl-1-deadbeef.part"), "said what it left out: \(first)")
        let again = try sb.ok(["sync", "src", "obs://bkt/t/", "--dry-run"])
        #expect(again.out.isEmpty, "up to date after one run: \(again)")
        let listed = try sb.run(["ls", "-r", "obs://bkt/t/"]).out
        #expect(listed.contains("a.txt") && !listed.contains("obsctl-1"), "\(listed)")
    }
}
