import Foundation
import OBSCore
import OBSCrypto
#if canImport(Glibc)
import Glibc
#endif

/// POSIX file operations with the durability rules the store relies on: temp file in the same directory,
/// fsync, rename, directory fsync. Every failure becomes an `OBSError` naming the path.
enum FileIO {
    static func ioError(_ what: String, _ path: String, _ err: Int32 = errno) -> OBSError {
        OBSError.localIO("cannot \(what) \(path): \(OBSError.reason(err))", failedWith: err)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `mkdir -p` with mode 0700 for directories the store creates.
    static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws {
        if isDirectory(path) { return }
        let parent = LocalPath.parent(path)
        if !parent.isEmpty && parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) == 0 {
            // A new directory is durable only once its parent's entry is: fsync the parent.
            if !parent.isEmpty { try fsyncDirectory(parent) }
        } else if errno != EEXIST {
            throw ioError("create directory", path)
        }
    }

    /// Opens a store file for reading; nil when it does not exist. O_NONBLOCK and the type check make a FIFO (or a
    /// device, a socket, a directory) put in its place an error naming it, never a hang or a strange read.
    static func openRegular(_ path: String) throws -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw ioError("open", path)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { let e = errno; close(fd); throw ioError("stat", path, e) }
        if let kind = FileKind.describe(st.st_mode) {
            close(fd)
            throw OBSError.integrity(
                "\(path) is \(kind), not a regular file; move it away and restore the file "
                    + "from your backup")
        }
        return fd
    }

    static func readAll(_ path: String) throws -> [UInt8]? { try readAllWithVersion(path)?.bytes }

    /// The whole file and the version it was read from (taken from the open descriptor, so it names these bytes).
    static func readAllWithVersion(_ path: String) throws -> (bytes: [UInt8], version: FileVersion)? {
        guard let fd = try openRegular(path) else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ioError("stat", path) }
        // Sized from fstat, one byte over to see the end in one read, and not zero-filled first; a file that grows
        // meanwhile still reads whole.
        var out = [UInt8]()
        var capacity = max(Int(st.st_size) + 1, 256)
        while true {
            var failure: Int32 = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = 0
                while count < buffer.count {
                    let n = read(fd, buffer.baseAddress! + count, buffer.count - count)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failure = errno }
                    if n <= 0 { return }
                    count += n
                }
            }
            if failure != 0 { throw ioError("read", path, failure) }
            if out.isEmpty { out = chunk } else { out += chunk }
            if chunk.count < capacity { break }
            capacity = max(capacity, 65536)
        }
        return (out, FileVersion(st))
    }

    /// The version of the file at `path` now; nil when there is none (or it cannot be stat'ed: the read says why).
    static func version(_ path: String) -> FileVersion? {
        var st = stat()
        return stat(path, &st) == 0 ? FileVersion(st) : nil
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        try FileDescriptorSink.writeAll(fd, bytes, path: path)
    }

    static func fsyncDirectory(_ dir: String) throws {
        let e = DirectorySync.sync(dir)
        if e != 0 { throw ioError("fsync directory", dir, e) }
    }

    /// Syncs open files and directories (by path) in one `GroupSync` round; throws for the first that failed.
    static func syncTogether(_ files: [(fd: Int32, path: String)], directories: [String] = []) throws {
        var entries = files.map { (fd: $0.fd, path: $0.path, step: "fsync") }
        defer { for d in entries.dropFirst(files.count) { close(d.fd) } }
        for dir in directories {
            let fd = DirectorySync.open(dir)
            guard fd >= 0 else { throw ioError("fsync directory", dir) }
            entries.append((fd, dir, "fsync directory"))
        }
        for (entry, e) in zip(entries, GroupSync.shared.sync(entries.map(\.fd))) where e != 0 {
            throw ioError(entry.step, entry.path, e)
        }
    }

    /// A temporary `tmp` holding `bytes`, open (the caller closes it), not synced, for `install` once synced. Made
    /// as the store makes its data temporaries (`AbandonedTemp.create`: 0600, flock'd while open), since it is
    /// written outside the object's lock, where another writer's sweep may look at it.
    static func writeTemporary(_ bytes: [UInt8], _ tmp: String) throws -> Int32 {
        do {
            return try AtomicFile.writeTemporary(bytes, tmp) { AbandonedTemp.create($0, flags: O_WRONLY) }
        } catch {
            throw ioError(error.step, error.path, error.errno)
        }
    }

    /// `AtomicFile.install` with the store's errors; `renamed` runs between the rename and the directory's fsync.
    static func install(_ tmp: String, at path: String, renamed: () -> Void = {}) throws {
        do { try AtomicFile.install(tmp, at: path, renamed: renamed) } catch {
            throw ioError(error.step, error.path, error.errno)
        }
    }

    /// A unique temp name in `dir` that records the writer's pid, so a sweep can tell live temps from leftovers.
    static func tempPath(in dir: String, suffix: String = "") -> String {
        "\(dir)/.tmp-\(getpid())-\(Hex.encode(Random.bytes(6)))\(suffix)"
    }

    /// Atomically replaces `path` with `bytes`: temp file, fsync, rename, directory fsync (`AtomicFile`), the
    /// temporary named as the store's sweep recognises (`tempPath`).
    static func atomicWrite(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600, crashPointPrefix: String? = nil)
        throws
    {
        do {
            try AtomicFile.write(bytes, to: path, mode: mode, temporary: tempPath(in: LocalPath.parent(path))) { step in
                if let p = crashPointPrefix { CrashPoint.hit("\(p)-\(step)") }
            }
        } catch {
            throw ioError(error.step, error.path, error.errno)
        }
    }

    static func listDirectory(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `listDirectory` for listings whose answer matters: a directory that exists but cannot be read is an
    /// error, not an empty listing. A missing directory is empty.
    static func listExistingDirectory(_ path: String) throws -> [String] {
        guard let d = opendir(path) else {
            if errno == ENOENT { return [] }
            throw ioError("list directory", path)
        }
        closedir(d)
        return listDirectory(path)
    }

    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes the `.tmp-*` / `.trash-*` files of dead writers from `dir` (a crash between create and rename).
    static func sweepAbandonedTemps(_ dir: String) {
        for name in listDirectory(dir) where isAbandonedTemp(name, in: dir) { unlink(dir + "/" + name) }
    }

    /// True when `name` in `dir` is a `.tmp-<pid>-...` (or `.trash-<pid>-...`) file or directory whose writer is
    /// gone: see `AbandonedTemp` (a reused pid or another pid namespace does not keep a leftover alive).
    static func isAbandonedTemp(_ name: String, in dir: String) -> Bool {
        let rest: Substring
        if name.hasPrefix(".tmp-") {
            rest = name.dropFirst(5)
        } else if name.hasPrefix(".trash-") {
            rest = name.dropFirst(7)
        } else {
            return false
        }
        guard let pid = Int32(rest.prefix { $0 != "-" }) else { return true }
        return AbandonedTemp.check(dir + "/" + name, pid: pid)
    }
}

/// One version of a file on disk. A rewrite by rename brings a new inode, an edit in place a new ctime (which
/// nobody can set back), so an unchanged version means unchanged bytes.
struct FileVersion: Equatable, Sendable {
    let device: UInt64, inode: UInt64, size: Int64
    let modified: Int64, modifiedNanoseconds: Int, changed: Int64, changedNanoseconds: Int

    init(_ st: stat) {
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec); modifiedNanoseconds = Int(st.st_mtim.tv_nsec)
        changed = Int64(st.st_ctim.tv_sec); changedNanoseconds = Int(st.st_ctim.tv_nsec)
    }

    /// How old a change must be before its version is trusted to tell the file's states apart (git's "racily
    /// clean" rule): file times tick coarsely, so another change within the same tick can keep the version.
    static let settlingSeconds: Int64 = 2
    /// Whether the version, read no earlier than `readFrom` (a `time(nil)` taken before the read), was settled then:
    /// any change after the read shows a later ctime. The time must be the read's, not a later one: a read that
    /// took seconds (a long listing, a thread held back) could otherwise trust a version changed just before it.
    func isSettled(readFrom: Int64) -> Bool { changed + Self.settlingSeconds <= readFrom }
}

/// A `flock` on a dedicated lock file, held until `unlock` or deinit: exclusive, or `shared` with other shared
/// holders. flock (not fcntl) locks belong to the open file, so closing another descriptor of the same file cannot
/// drop them, and two opens in one process (the threads of `obsctl serve`) exclude each other as two processes do.
final class FileLock {
    private var fd: Int32

    /// `missing`: the error to throw when the lock file's directory is gone (a bucket deleted meanwhile).
    init(path: String, shared: Bool = false, missing: OBSError? = nil) throws {
        while true {
            fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                if errno == ENOENT, let missing { throw missing }
                throw FileIO.ioError("open lock file", path)
            }
            try Self.wait(fd, shared ? LOCK_SH : LOCK_EX, path)
            // The lock file may have been renamed away (bucket deleted, maybe re-created) while we waited: a lock
            // on the old file excludes nobody. Lock again unless the path still names the file we hold.
            var held = stat(), current = stat()
            if fstat(fd, &held) == 0, stat(path, &current) == 0, held.st_ino == current.st_ino,
                held.st_dev == current.st_dev
            {
                return
            }
            close(fd)
            if !FileIO.exists(LocalPath.parent(path)), let missing { throw missing }
        }
    }

    /// An exclusive lock on the directory `path` itself (flock works on any open file): nil when it does not exist.
    /// For directories that are never removed or renamed on their own, so no check that the path still names it.
    init?(directory path: String) throws {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw FileIO.ioError("open directory", path)
        }
        try Self.wait(fd, LOCK_EX, path)
    }

    /// flock(2) until it is granted; on a failure `fd` is closed.
    private static func wait(_ fd: Int32, _ operation: Int32, _ path: String) throws {
        while flock(fd, operation) != 0 {
            if errno == EINTR { continue }
            let e = errno; close(fd); throw FileIO.ioError("lock", path, e)
        }
    }

    func unlock() { if fd >= 0 { flock(fd, LOCK_UN); close(fd); fd = -1 } }
    deinit { unlock() }

    static func withLock<R>(
        _ path: String, shared: Bool = false, missing: OBSError? = nil, _ body: () throws -> R
    ) throws -> R {
        let lock = try FileLock(path: path, shared: shared, missing: missing)
        defer { lock.unlock() }
        return try body()
    }
}

/// Test-only fault injection: `OBSCTL_TEST_CRASH_AT=<point>` makes the process SIGKILL itself at that point, so the
/// crash tests can prove every commit step leaves the old or the new state.
enum CrashPoint {
    private static let target: String? = ProcessInfo.processInfo.environment["OBSCTL_TEST_CRASH_AT"]

    static func hit(_ name: String) {
        if let t = target, t == name { kill(getpid(), SIGKILL) }
    }
}

/// `mkdir -p` with mode 0700 (whatever the umask), for what others put beside the store: `obsctl serve`'s credentials
/// may be the first thing written under a new store root.
public enum PrivateDirectories {
    public static func make(_ path: String) throws { try FileIO.makeDirectories(path) }
}
