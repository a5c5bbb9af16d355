import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What a download writes to when its destination already exists: a FIFO (or a device such as /dev/null) is
/// written in place, never replaced by a file; a symbolic link is followed, its target replaced and the link kept;
/// a replaced file keeps its mode; a link to nothing is refused with nothing made. A failure names the
/// destination, not the temporary file.
@Suite("download targets")
struct DownloadTargetTests {
    static func fileType(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : 0
    }

    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
    }

    func sandbox(_ name: String) throws -> (Sandbox, Data) {
        let sb = try Sandbox(name)
        let data = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        try sb.write("src.bin", data)
        try sb.ok(["bucket", "create", "obs://\(name)"])
        try sb.ok(["upload", "src.bin", "obs://\(name)/k"])
        return (sb, data)
    }

    @Test("a FIFO gets the bytes through it and stays a FIFO (as /dev/null stays a device)")
    func fifo() throws {
        let (sb, data) = try sandbox("dl-fifo")
        let fifo = sb.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = LockedData()
        let reader = Thread {
            guard let h = FileHandle(forReadingAtPath: fifo) else { return }
            received.set(h.readDataToEndOfFile())
        }
        reader.start()
        try sb.ok(["download", "obs://dl-fifo/k", fifo])
        for _ in 0..<500 where received.value == nil { usleep(10_000) }
        #expect(received.value == data, "the reader got \(received.value?.count ?? -1) bytes")
        #expect(Self.fileType(fifo) == S_IFIFO, "the FIFO was replaced")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sb.dir.path).allSatisfy { !$0.hasSuffix(".part") })
    }

    @Test("/dev/stdout and /dev/fd/1 into a pipe: the bytes alone on stdout, the JSON summary on stderr, as for -")
    func otherNamesOfStdout() throws {
        let (sb, data) = try sandbox("dl-stdout")
        for (name, extra) in [("/dev/stdout", [String]()), ("/dev/fd/1", ["--output", "json"])] {
            for command in [["download", "obs://dl-stdout/k", name], ["cp", "obs://dl-stdout/k", name]] {
                let out = sb.path("piped")
                let r = try sb.runWrapped("\"$@\" | cat > '\(out)'", command + extra)
                #expect(r.status == 0, "\(command) \(extra): \(r)")
                #expect(sb.read("piped") == data, "\(command) \(extra): \(sb.read("piped")?.count ?? -1) bytes")
                #expect(extra.isEmpty || r.stderr.contains("\"transfers\""), "the summary on stderr: \(r)")
            }
        }
    }

    @Test("a symbolic link is followed: its target replaced, the link kept; the target keeps its mode")
    func symlinkAndMode() throws {
        let (sb, data) = try sandbox("dl-link")
        try sb.write("priv.txt", Data("old".utf8), mode: 0o600)
        #expect(symlink("priv.txt", sb.path("link")) == 0)
        try sb.ok(["download", "obs://dl-link/k", "link"])
        #expect(Self.fileType(sb.path("link")) == S_IFLNK, "the link was replaced by a file")
        #expect(sb.read("priv.txt") == data)
        #expect(Self.mode(sb.path("priv.txt")) == 0o600, "mode \(String(Self.mode(sb.path("priv.txt")), radix: 8))")

        try sb.write("ro.txt", Data("old".utf8), mode: 0o444)
        try sb.ok(["download", "obs://dl-link/k", "ro.txt"])
        #expect(sb.read("ro.txt") == data && Self.mode(sb.path("ro.txt")) == 0o444)
    }

    @Test("a link to nothing is refused, naming it, and nothing is made")
    func danglingLink() throws {
        let (sb, _) = try sandbox("dl-dangle")
        #expect(symlink("absent/file", sb.path("dangling")) == 0)
        let r = try sb.run(["download", "obs://dl-dangle/k", "dangling"])
        expectError(r, 1, contains: ["dangling", "symbolic link", "does not exist"])
        #expect(!FileManager.default.fileExists(atPath: sb.path("absent")), "its target's directory was made")
    }
}

/// Planned paths (download -r, sync) are never followed: what is found there is replaced, so nothing planted in a
/// shared directory can send a download elsewhere or read it.
@Suite("download targets: planned paths")
struct PlannedDownloadTargetTests {
    @Test("a link, a FIFO or another user's file under a planned path is replaced; the link's target is untouched")
    func plantedEntries() throws {
        let sb = try Sandbox("dl-planted")
        try sb.ok(["bucket", "create", "obs://dl-planted"])
        for key in ["link", "fifo", "theirs", "mine"] {
            try sb.write("src/\(key)", Data("new \(key)".utf8))
            try sb.ok(["upload", "src/\(key)", "obs://dl-planted/\(key)"])
        }
        try sb.write("victim", Data("victim".utf8), mode: 0o644)
        try FileManager.default.createDirectory(atPath: sb.path("out"), withIntermediateDirectories: true)
        #expect(symlink(sb.path("victim"), sb.path("out/link")) == 0)
        #expect(mkfifo(sb.path("out/fifo"), 0o666) == 0)
        try sb.write("out/mine", Data("old".utf8), mode: 0o600)
        try sb.write("out/theirs", Data("old".utf8), mode: 0o666)
        let root = geteuid() == 0
        if root { #expect(chown(sb.path("out/theirs"), 65534, 65534) == 0) }
        let r = try sb.run(["download", "obs://dl-planted/", "out", "--recursive"])
        #expect(r.succeeded, "\(r)")
        #expect(sb.read("victim") == Data("victim".utf8), "a planted link sent the download to its target")
        for key in ["link", "fifo", "theirs", "mine"] {
            #expect(DownloadTargetTests.fileType(sb.path("out/\(key)")) == S_IFREG, "\(key) is no regular file")
            #expect(sb.read("out/\(key)") == Data("new \(key)".utf8), "\(key)")
        }
        #expect(DownloadTargetTests.mode(sb.path("out/mine")) == 0o600, "our own file keeps its mode")
        if root {
            var st = stat()
            #expect(stat(sb.path("out/theirs"), &st) == 0 && st.st_uid == 0, "another user's file lent its owner")
            #expect(st.st_mode & 0o777 != 0o666, "another user's file lent its mode")
        }
    }
}

/// Set on one thread, read on another.
final class LockedData: @unchecked Sendable {  // `data` is touched only under `lock`
    private let lock = NSLock()
    private var data: Data?
    func set(_ d: Data) { lock.withLock { data = d } }
    var value: Data? { lock.withLock { data } }
}

/// A symbolic link planted as a directory below the destination of a recursive download, a sync or a move: the
/// files planned under it fail, naming it, and nothing is written through it; the other files arrive. The
/// destination the user named may itself be a link, and "." works like any other name.
@Suite("planned paths: no link below the destination is followed")
struct LinkBelowDestinationTests {
    static func setUp(_ name: String) throws -> Sandbox {
        let sb = try Sandbox(name)
        try sb.ok(["bucket", "create", "obs://\(name)"])
        for key in ["plant/sub/f", "plant/sub/deeper/g", "plant/top"] {
            try sb.write("src/x", Data("bytes of \(key)".utf8))
            try sb.ok(["upload", "src/x", "obs://\(name)/\(key)"])
        }
        for dir in ["dst", "elsewhere"] {
            try FileManager.default.createDirectory(atPath: sb.path(dir), withIntermediateDirectories: true)
        }
        #expect(symlink("../elsewhere", sb.path("dst/sub")) == 0)
        return sb
    }

    static func expectRefused(_ sb: Sandbox, _ r: RunResult, _ what: String) {
        #expect(r.status == 8, "\(what): \(r)")
        #expect(r.stderr.contains("is a symbolic link"), "\(what): \(r)")
        let written = (try? FileManager.default.subpathsOfDirectory(atPath: sb.path("elsewhere"))) ?? []
        #expect(written.isEmpty, "\(what) wrote through the link: \(written)")
        #expect(sb.read("dst/top") == Data("bytes of plant/top".utf8), "\(what): the other file arrives")
    }

    @Test func downloadSyncAndMove() throws {
        let sb = try Self.setUp("link-below")
        Self.expectRefused(sb, try sb.run(["download", "-r", "obs://link-below/plant/", "dst"]), "download -r")
        try? FileManager.default.removeItem(atPath: sb.path("dst/top"))
        Self.expectRefused(sb, try sb.run(["sync", "obs://link-below/plant/", "dst/"]), "sync")
        try? FileManager.default.removeItem(atPath: sb.path("dst/top"))
        Self.expectRefused(sb, try sb.run(["mv", "-r", "obs://link-below/plant/", "dst"]), "mv -r")
        // The objects whose files could not be written are kept.
        let left = try sb.json(["ls", "obs://link-below/plant/", "--recursive"])["objects"] as? [[String: Any]]
        #expect(left?.compactMap { $0["key"] as? String }.sorted() == ["plant/sub/deeper/g", "plant/sub/f"])
        // "." as the destination: the same check.
        try? FileManager.default.removeItem(atPath: sb.path("dst/top"))
        try sb.ok(["upload", "src/x", "obs://link-below/plant/top"])
        let dot = try sb.run(
            ["download", "-r", "obs://link-below/plant/", "."], cwd: URL(fileURLWithPath: sb.path("dst")))
        Self.expectRefused(sb, dot, "download -r into .")
    }

    /// Files beyond the link at the planned names: still the link is named (it was said that something appeared
    /// there since the plan, which sent the user after the wrong cause), and those files are left as they were.
    @Test func filesBeyondTheLinkAreNotTakenForFilesAtThePath() throws {
        let sb = try Self.setUp("link-beyond")
        for (file, bytes) in [("elsewhere/f", "theirs f"), ("elsewhere/deeper/g", "theirs g")] {
            try FileManager.default.createDirectory(
                atPath: sb.path((file as NSString).deletingLastPathComponent), withIntermediateDirectories: true)
            _ = try sb.write(file, Data(bytes.utf8))
        }
        for command in [
            ["sync", "obs://link-beyond/plant/", "dst/"], ["download", "-r", "obs://link-beyond/plant/", "dst"],
            ["cp", "-r", "obs://link-beyond/plant/", "dst"],
        ] {
            try? FileManager.default.removeItem(atPath: sb.path("dst/top"))
            let r = try sb.run(command)
            #expect(r.status == 8, "\(command): \(r)")
            #expect(r.stderr.contains("is a symbolic link") && !r.stderr.contains("answers to that name"), "\(r)")
            #expect(
                sb.read("elsewhere/f") == Data("theirs f".utf8)
                    && sb.read("elsewhere/deeper/g") == Data("theirs g".utf8))
            #expect(sb.read("dst/top") == Data("bytes of plant/top".utf8), "\(command): the other file arrives")
        }
    }

    /// A "/" followed by a combining mark is one Swift Character that is not "/": paths are taken apart as bytes,
    /// so the directory before such a name is checked like any other.
    @Test func aCombiningMarkAfterTheSlash() throws {
        let sb = try Self.setUp("link-mark")
        try sb.ok(["upload", "src/x", "obs://link-mark/mark/sub/\u{301}"])
        let r = try sb.run(["download", "-r", "obs://link-mark/mark/", "dst"])
        #expect(r.status != 0 && r.stderr.contains("is a symbolic link"), "\(r)")
        let written = (try? FileManager.default.subpathsOfDirectory(atPath: sb.path("elsewhere"))) ?? []
        #expect(written.isEmpty, "written through the link: \(written)")
    }

    @Test func theNamedDestinationMayBeALink() throws {
        let sb = try Self.setUp("link-root")
        try FileManager.default.createDirectory(atPath: sb.path("real"), withIntermediateDirectories: true)
        #expect(symlink("real", sb.path("named")) == 0)
        try sb.ok(["download", "-r", "obs://link-root/plant/", "named"])
        #expect(sb.read("real/sub/deeper/g") == Data("bytes of plant/sub/deeper/g".utf8))
        // A destination that does not exist yet is made, with its parents.
        try sb.ok(["download", "-r", "obs://link-root/plant/", "new/dir"])
        #expect(sb.read("new/dir/sub/deeper/g") == Data("bytes of plant/sub/deeper/g".utf8))
        try sb.ok(["sync", "obs://link-root/plant/", "synced"])
        #expect(sb.read("synced/sub/f") == Data("bytes of plant/sub/f".utf8))
    }
}
