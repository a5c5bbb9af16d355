import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("local path arguments")
struct LocalPathArgumentTests {
    /// An unset `$DEST` in a script: never "here", never `-` (stdout) for a key named `-`.
    @Test("an empty local path is refused (exit 2) by every command, before anything is read, written or deleted")
    func emptyPathRefused() throws {
        let sb = try Sandbox("empty-path")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f", Data("precious".utf8))
        for key in ["-", "keep", "sub/-"] { try sb.ok(["upload", "f", "obs://bkt/" + key]) }
        let commands: [[String]] = [
            ["upload", "", "obs://bkt/k"], ["upload", "f", "", "obs://bkt/p/"],
            ["download", "obs://bkt/keep", ""], ["download", "obs://bkt/", "", "-r"], ["cat", "obs://bkt/-"],
            ["cp", "obs://bkt/-", ""], ["cp", "", "obs://bkt/k"], ["cp", "obs://bkt/", "", "-r"],
            ["mv", "obs://bkt/", "", "-r"], ["mv", "obs://bkt/", "", "-r", "--dry-run"], ["mv", "", "obs://bkt/k"],
            ["sync", "obs://bkt/", ""], ["sync", "obs://bkt/", "", "--delete", "--dry-run"],
            ["sync", "", "obs://bkt/"],
        ]
        let before = sb.files()
        for args in commands where args != ["cat", "obs://bkt/-"] {
            let r = try sb.run(args)
            expectError(r, 2, contains: ["empty string is no local path"])
            #expect(r.stdout.isEmpty, "\(args): nothing on stdout: \(r)")
        }
        #expect(sb.files() == before, "no file written or removed")
        let keys = try sb.json(["ls", "obs://bkt", "-r"])
        let listed = (keys["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
        #expect(listed == ["-", "keep", "sub/-"], "no object deleted: \(keys)")
        // A key named `-` below a real directory is a file of that name, never stdout.
        try sb.ok(["download", "obs://bkt/", "out", "-r"])
        #expect(sb.read("out/-") == Data("precious".utf8) && sb.read("out/sub/-") == Data("precious".utf8))
    }

    @Test("upload -r and sync pass over a download's temporary file (named so, 0600, ours), saying so")
    func uploadsPassOverDownloadTemporaries() throws {
        let sb = try Sandbox("pass-over-temps")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("src/a", Data("a".utf8))
        let temporary = ".a.obsctl-99999-abcdef01.part"
        try sb.write("src/" + temporary, Data("partial".utf8), mode: 0o600)
        try sb.write("src/sub/" + temporary, Data("partial".utf8), mode: 0o600)
        for args in [["upload", "src", "obs://bkt/u/", "-r"], ["sync", "src", "obs://bkt/s/"]] {
            let r = try sb.run(args)
            #expect(r.succeeded, "\(r)")
            #expect(r.stderr.contains("src/\(temporary) (a download's temporary file)"), "\(r)")
        }
        let listed = try sb.json(["ls", "obs://bkt", "-r"])
        let keys = (listed["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
        #expect(keys == ["s/a", "u/a"], "\(listed)")
        // The sync back finds nothing to do and no key it cannot write.
        let back = try sb.run(["sync", "obs://bkt/s/", "back"])
        #expect(back.succeeded, "\(back)")
    }

    @Test("mv -r leaves symbolic links to files in place, the same in the dry run, whatever --jobs")
    func moveLeavesLinks() throws {
        let sb = try Sandbox("mv-links")
        try sb.ok(["bucket", "create", "obs://bkt"])
        for jobs in ["1", "16"] {
            try sb.write("src/target", Data("payload".utf8))
            try sb.write("src/a/x.log", Data("x".utf8))
            for (link, to) in [("alink", "target"), ("zlink", "target"), ("lnk.log", "a/x.log")] {
                unlink(sb.path("src/" + link))
                #expect(symlink(to, sb.path("src/" + link)) == 0)
            }
            let base = ["mv", "src", "obs://bkt/m\(jobs)/", "-r", "--jobs", jobs]
            let dry = try sb.run(base + ["--dry-run"])
            let run = try sb.run(base)
            for r in [dry, run] {
                #expect(r.succeeded, "\(r)")
                for link in ["alink", "zlink", "lnk.log"] {
                    #expect(r.stderr.contains("not moved: src/\(link) (a symbolic link to a file"), "\(r)")
                }
            }
            #expect(dry.out.components(separatedBy: "move: ").count - 1 == 2, "\(dry)")
            let listed = try sb.json(["ls", "obs://bkt/m\(jobs)/", "-r"])
            let keys = (listed["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
            #expect(keys == ["m\(jobs)/a/x.log", "m\(jobs)/target"], "\(listed)")
            #expect(!sb.exists("src/target") && !sb.exists("src/a/x.log"), "the files moved")
        }
    }

    @Test("sync --delete to a directory keeps a file whose name the source holds under a key it cannot write")
    func syncKeepsNamesOfSkippedKeys() throws {
        let sb = try Sandbox("sync-kept-unsafe")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f", Data("object".utf8))
        let temporary = ".q.obsctl-1-abcdef01.part"  // named like a download's temporary: no download writes it
        try sb.ok(["upload", "f", "obs://bkt/" + temporary])
        try sb.ok(["upload", "f", "obs://bkt/n"])
        try sb.write("dst/" + temporary, Data("mine".utf8))
        try sb.write("dst/extra", Data("extra".utf8))
        for dry in [true, false] {
            let r = try sb.run(["sync", "obs://bkt/", "dst", "--delete"] + (dry ? ["--dry-run"] : []))
            #expect(r.status == 8, "the unsafe key is reported: \(r)")
            #expect(!r.stderr.contains("delete: dst/" + temporary) && !r.out.contains("delete: dst/" + temporary))
        }
        #expect(sb.read("dst/" + temporary) == Data("mine".utf8), "the file the source holds a key for stays")
        #expect(sb.read("dst/n") == Data("object".utf8))
    }
}
