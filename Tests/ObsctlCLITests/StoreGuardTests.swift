import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// On the local backend, no transfer reads, writes or removes the store's own files: its data directory
/// (`<sandbox>/root`), root key file and state directory (`<sandbox>/cfg/obsctl/`). They were moved into the store
/// itself (`mv ~ obs://b/ -r`: every object lost with the key), or deleted by a `sync --delete` of a directory
/// holding them.
@Suite("the local store guards its own files")
struct StoreGuardTests {
    private func sandbox(_ name: String) throws -> Sandbox {
        let sb = try Sandbox(name)
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("notes.txt", Data("important".utf8))
        try sb.ok(["upload", "notes.txt", "obs://bkt/notes.txt", "--sse", "kms"])
        return sb
    }

    @Test("a walk over a directory holding them passes them over: mv, cp -r, sync, and their dry runs")
    func walksPassThemOver() throws {
        let sb = try sandbox("guard-walk")
        for command in [
            ["mv", "cfg", "obs://bkt/cfg/", "-r", "--sse", "kms"], ["cp", "-r", ".", "obs://bkt/home/"],
            ["sync", ".", "obs://bkt/synced/"], ["mv", ".", "obs://bkt/all/", "-r", "--dry-run"],
        ] {
            let r = try sb.run(command)
            #expect(r.status == 0 && r.stderr.contains("obsctl's local store"), "\(command): \(r)")
            #expect(!r.out.contains("local-root.key") && !r.out.contains("root/"), "\(command): \(r)")
        }
        #expect(sb.exists("cfg/obsctl/local-root.key"))
        #expect(try sb.ok(["cat", "obs://bkt/notes.txt"]).out == "important", "the store still reads")
    }

    @Test("a path inside them is refused (exit 2), as a source or a destination, and nothing changes")
    func pathsInsideRefused() throws {
        let sb = try sandbox("guard-inside")
        let commands = [
            ["mv", "root", "obs://bkt/x/", "-r"], ["upload", "cfg/obsctl/local-root.key", "obs://bkt/k"],
            ["download", "obs://bkt/notes.txt", "cfg/obsctl/local-root.key"],
            ["download", "-r", "obs://bkt/", "root/new/"], ["sync", "obs://bkt/", "root", "--delete"],
            ["sync", "root", "obs://bkt/r/"],
        ]
        // Through a directory still to be made and `..`: where the path leads once it is made.
        let detours = [
            ["cp", "obs://bkt/notes.txt", "nd/../root/kms/keys/evil.json"],
            ["download", "-r", "obs://bkt/", "nd/../../\(sb.dir.lastPathComponent)/cfg/obsctl/local-state/x/"],
        ]
        for command in commands + detours {
            let r = try sb.run(command)
            #expect(r.status == 2 && r.stderr.contains("lies in obsctl's local store"), "\(command): \(r)")
        }
        #expect(!sb.exists("nd") && !sb.exists("root/kms/keys/evil.json"))
        #expect(try sb.ok(["cat", "obs://bkt/notes.txt"]).out == "important")
    }

    @Test("a download or sync --delete into a directory holding them writes and deletes nothing of theirs")
    func downloadsAndDeletions() throws {
        let sb = try sandbox("guard-down")
        try sb.ok(["upload", "notes.txt", "obs://bkt/d/root/FORMAT"])
        try sb.ok(["upload", "notes.txt", "obs://bkt/d/other.txt"])
        let format = try #require(FileManager.default.contents(atPath: sb.root + "/FORMAT"))
        let down = try sb.run(["download", "-r", "obs://bkt/d/", "."])
        #expect(down.status == 8 && down.stderr.contains("in obsctl's local store"), "\(down)")
        #expect(FileManager.default.contents(atPath: sb.root + "/FORMAT") == format && sb.exists("other.txt"))
        let detour = try sb.run(["download", "-r", "obs://bkt/d/", "nd/.."])
        #expect(detour.status == 8 && detour.stderr.contains("in obsctl's local store"), "\(detour)")
        #expect(FileManager.default.contents(atPath: sb.root + "/FORMAT") == format)
        let sync = try sb.run(["sync", "obs://bkt/d/", ".", "--delete"])
        #expect(sync.status == 8, "\(sync)")
        #expect(sb.exists("cfg/obsctl/local-root.key") && sb.exists("root/FORMAT"))
        #expect(try sb.ok(["cat", "obs://bkt/notes.txt"]).out == "important")
    }

    @Test("sync: what the destination's listing did not show (a FIFO) is not replaced; --delete holds back")
    func syncDoesNotReplaceWhatItDidNotList() throws {
        let sb = try sandbox("guard-fifo")
        try sb.ok(["upload", "notes.txt", "obs://bkt/s/pipe"])
        try sb.write("dst/extra", Data("x".utf8))
        #expect(mkfifo(sb.path("dst/pipe"), 0o644) == 0)
        for dry in [true, false] {
            let r = try sb.run(["sync", "obs://bkt/s/", "dst", "--delete"] + (dry ? ["--dry-run"] : []))
            #expect(r.status == 1 && r.stderr.contains("was not there when it was planned"), "\(r)")
        }
        var st = stat()
        #expect(lstat(sb.path("dst/pipe"), &st) == 0 && st.st_mode & S_IFMT == S_IFIFO && sb.exists("dst/extra"))
    }
}
