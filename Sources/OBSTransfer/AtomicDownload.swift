import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// Where downloads create their temporary files, and the directories a single download makes for its file. The CLI
/// registers each for removal on SIGINT, under the same lock its interruption takes, so a temporary (or a made
/// directory) either exists registered or is never created.
public protocol TempFileRegistry: Sendable {
    /// Creates `path` as `AbandonedTemp.create` does and registers it; the descriptor, or -1 with errno set.
    func create(_ path: String) -> Int32
    /// The file was renamed into place or removed: nothing to clean up any more.
    func release(_ path: String)
    /// Makes `dir` with the parents it lacks (`LocalDirectories.makeNamed`), registering those it made; returns them.
    func makeDirectories(_ dir: String) throws -> [String]
    /// The directories `makeDirectories` made now hold the download, or were removed: nothing to clean up.
    func releaseDirectories(_ made: [String])
    /// Makes the directories of a recursive download's planned file below `root` (`LocalDirectories.make`) and
    /// registers those it made for the run. The run's other files share them, so they go only once it is over or
    /// interrupted, and then only those left empty: a failed file leaves no directory made for it alone.
    func makeTreeDirectories(_ dir: String, below root: String) throws
}

extension TempFileRegistry {
    public func makeDirectories(_ dir: String) throws -> [String] { try LocalDirectories.makeNamed(dir) }
    public func releaseDirectories(_ made: [String]) {}
    public func makeTreeDirectories(_ dir: String, below root: String) throws {
        try LocalDirectories.make(dir, below: root)
    }
}

/// No interruption handling (tests, library use): temporaries are only created.
public struct UnregisteredTemps: TempFileRegistry {
    public init() {}
    public func create(_ path: String) -> Int32 { AbandonedTemp.create(path) }
    public func release(_ path: String) {}
}

extension TransferEngine {
    /// Downloads one object to `path` (`standardOutput` for `-`). A file is written to a temp file beside it and
    /// renamed only after every byte verified, so a failed download leaves no file and never a partial one.
    /// `userNamed`: `path` is the one the user typed (see `DownloadTarget`); `root`: the directory the user named
    /// that a planned `path` lies below (see `LocalDirectories`); `free`: nothing was there when planned
    /// (`PlanStep.destinationWasFree`), and nothing found there is replaced. `keepModified`: the file gets the
    /// object's last-modified time (as aws s3 and rclone do), so a sync back finds it unchanged; a stream is left be.
    public func download(
        _ request: GetObjectRequest, to path: String, counter: TransferCounter? = nil, userNamed: Bool = false,
        below root: String? = nil, free: Bool = false, keepModified: Bool = false
    ) async throws -> ObjectInfo {
        func counted(_ sink: ByteSink) -> ByteSink { counter.map { CountingSink.counting(sink, $0) } ?? sink }
        if path == "-" {
            guard let standardOutput else { throw OBSError.invalidArgument("'-' names no file here") }
            return try await storage.getObject(request, into: counted(standardOutput()))
        }
        // A planned path's directories are made, each level checked (no link followed), before anything at the path
        // is looked at: through a link on the way, a file beyond it would be taken for one at the path.
        let planned = root != nil && !userNamed
        if let root, planned { try temps.makeTreeDirectories(LocalPath.parent(path), below: root) }
        let target: String
        let existing: stat?
        let occupied: Bool
        switch try DownloadTarget(path, userNamed: userNamed) {
        case .stream: return try await downloadInPlace(request, to: path, counted)
        case .file(let resolved, let st, let taken): (target, existing, occupied) = (resolved, st, taken)
        }
        if free && occupied { throw Self.appeared(target) }
        let path = target
        let dir = LocalPath.parent(path)
        // Directories made for a single download go again if it fails; a recursive one's are shared by its
        // other files, which may be writing into them.
        var made: [String] = []
        if !planned { made = try temps.makeDirectories(dir) }
        defer { temps.releaseDirectories(made) }
        do {
            return try await downloadToFile(
                request, path, dir, existing, occupied, userNamed, keepModified: keepModified, counted)
        } catch {
            LocalDirectories.removeMade(made)
            throw error
        }
    }

    /// The temporary file beside `path`, written, verified, and renamed into place; removed when anything fails.
    private func downloadToFile(
        _ request: GetObjectRequest, _ path: String, _ dir: String, _ existing: stat?, _ occupied: Bool,
        _ userNamed: Bool, keepModified: Bool, _ counted: (ByteSink) -> ByteSink
    ) async throws -> ObjectInfo {
        let tmp = DownloadTemps.name(for: path)
        try DownloadTemps.refuseTooLong(path, temporary: tmp)
        DownloadTemps.sweep(dir)
        // 0600 and locked while written (plaintext of encrypted objects); read back when a checksum is verified.
        let fd = temps.create(tmp)
        defer { temps.release(tmp) }
        guard fd >= 0 else { throw LocalDirectories.takesNoNewEntries(path, dir.isEmpty ? "." : dir, errno: errno) }
        do {
            let info: ObjectInfo
            do {
                // The sink is released (its writer stopped) at the end of this scope, before fd is closed.
                // Local objects stream in order: straight to the disk (O_DIRECT). Remote ones may come as ranges.
                let sink = PipelinedFileSink(fd: fd, path: path, directIO: !isRemote)
                info = try await storage.getObject(request, into: counted(sink))
                try sink.finish()
            }
            // The finished file gets the mode of the file it replaces (as cp, which writes into it) when that is
            // ours or the one the user named (whose owner is then kept too, where allowed), else that of any file
            // the user creates: a file another user left under a planned path lends it neither its mode nor its
            // owner. Only the temporary is private, until it is renamed: a temporary left by a kill is always one
            // the next download's sweep recognises (0600, ours). Set-id bits are never carried over to new content.
            // The fsync waits for the disk: on the blocking pool, never on one of the cooperative pool's two threads.
            try await BlockingPool.shared.run {
                if keepModified { Self.setModified(fd: fd, info.lastModified) }
                let e = GroupSync.shared.sync(fd)
                guard e == 0 else { throw OBSError.localIO("cannot write \(path): fsync: \(OBSError.reason(e))") }
                try commit(tmp, to: path, replacing: occupied)
                written.record(fd)
                if let existing, userNamed || existing.st_uid == geteuid() {
                    if userNamed { _ = fchown(fd, existing.st_uid, existing.st_gid) }
                    fchmod(fd, existing.st_mode & 0o777)
                } else {
                    fchmod(fd, DownloadTemps.defaultFileMode)
                }
            }
            close(fd)
            return info
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
    }
}

extension TransferEngine {
    /// Renames the finished temporary into place. A path that was free when the download began is never replaced:
    /// what appeared there meanwhile is another writer's, or, on a file system that folds case, the file of another
    /// key spelled in another case. A file found there at the start is replaced, unless this run wrote it.
    private func commit(_ tmp: String, to path: String, replacing: Bool) throws {
        if replacing { try written.refuseReplacing(path, "write") }
        guard (replacing ? rename(tmp, path) : FileIdentity.renameWithoutReplacing(tmp, path)) == 0 else {
            let e = errno
            if e == EEXIST && !replacing {
                try written.refuseReplacing(path, "write")
                throw Self.appeared(path)
            }
            throw OBSError.localIO("cannot write \(path): \(OBSError.reason(e))", errno: e)
        }
    }

    /// Something stands where nothing stood when the download was planned or began: another writer's file, or on
    /// a file system that folds case, the file of a name in another case.
    static func appeared(_ path: String) -> OBSError {
        OBSError.localIO(
            "cannot write \(path): something answers to that name that was not there when it was planned (a FIFO "
                + "or device, another writer's file, or on a file system that folds case, a name in another case); "
                + "nothing was replaced",
            errno: EEXIST)
    }

    /// A download to what is no regular file (a device such as /dev/null, a FIFO, /dev/stdout): written in place
    /// as cp writes it, without a temporary file, which a rename would put in the device's place. Bytes already
    /// written stay written when the download fails, as on stdout.
    private func downloadInPlace(
        _ request: GetObjectRequest, to path: String, _ counted: (ByteSink) -> ByteSink
    ) async throws -> ObjectInfo {
        // A FIFO's open waits for its reader: on the blocking pool.
        let fd = try await BlockingPool.shared.run {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let e = errno
                throw OBSError.localIO("cannot write \(path): \(OBSError.reason(e))", errno: e)
            }
            return fd
        }
        defer { close(fd) }
        return try await storage.getObject(request, into: counted(FileDescriptorSink(fd: fd, path: path)))
    }
}

/// What a download's destination is, which decides how it is written. Only the path the user named
/// (`userNamed`) is followed, as cp follows it: a symbolic link there has the file it names replaced and stays, and
/// a device or FIFO (`/dev/null`, a named pipe) is written in place. A path planned from object keys (download -r,
/// sync) is never followed: a link, FIFO or device found there is replaced by the new file, so nothing planted in a
/// shared directory can send a download elsewhere.
enum DownloadTarget {
    /// A file written beside `path` and renamed there; `existing`: the regular file it replaces; `occupied`: something
    /// is there to replace (that file, or a link, FIFO or device found at a planned path).
    case file(path: String, existing: stat?, occupied: Bool)
    /// Written in place: a device or FIFO the user named.
    case stream

    init(_ path: String, userNamed: Bool) throws {
        var entry = stat()
        guard lstat(path, &entry) == 0 else {
            self = .file(path: path, existing: nil, occupied: false)  // new (a missing directory fails the create)
            return
        }
        switch entry.st_mode & S_IFMT {
        case S_IFDIR where userNamed: throw Self.isDirectory(path)
        case S_IFDIR:  // a path planned from a key: the user named no file, so no hint about their path
            throw OBSError.localIO(
                "cannot write \(path): a directory of that name is in the way; remove it or download to another "
                    + "directory")
        case S_IFREG: self = .file(path: path, existing: entry, occupied: true)
        case S_IFLNK where userNamed: self = try Self.followed(path)
        default: self = userNamed ? .stream : .file(path: path, existing: nil, occupied: true)
        }
    }

    private static func followed(_ link: String) throws -> DownloadTarget {
        var st = stat()
        guard stat(link, &st) == 0 else {
            let why = errno == ENOENT ? "a file that does not exist" : "nothing (\(OBSError.reason(errno)))"
            throw OBSError.localIO(
                "cannot write \(link): it is a symbolic link to \(why); create its target or remove the link")
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: throw isDirectory(link)
        case S_IFREG:
            guard let resolved = realpath(link, nil) else {
                throw OBSError.localIO("cannot resolve the symbolic link \(link): \(OBSError.reason(errno))")
            }
            defer { free(resolved) }
            return .file(path: String(cString: resolved), existing: st, occupied: true)
        default: return .stream
        }
    }

    private static func isDirectory(_ path: String) -> OBSError {
        OBSError.invalidArgument("\(path) is a directory; name a file, or end the path with / to download into it")
    }
}

/// The temporary files downloads write beside their targets: `.NAME.obsctl-PID-RAND.part`, created 0600 (they
/// hold plaintext) and flock'd by their writer until renamed. One left by a killed obsctl is removed by the next
/// download into that directory (see `AbandonedTemp` for how a dead writer is told from a live one).
public enum DownloadTemps {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var swept: Set<String> = []  // touched only under `lock`

    /// A new temp name beside `path`. The name is cut to 100 bytes so it stays within NAME_MAX for long names.
    public static func name(for path: String) -> String {
        let dir = LocalPath.parent(path)
        let stem = String(decoding: KeyMapping.baseName(path).utf8.prefix(100), as: UTF8.self)
        let random = String(UInt64(UInt32.random(in: .min ... .max)) | 1 << 32, radix: 16).dropFirst()  // 8 digits
        return (dir.isEmpty ? "" : dir + "/") + ".\(stem).obsctl-\(processID)-\(random).part"
    }

    private static let processID = getpid()

    /// Refuses a download to `path` the kernel would refuse (`LocalPath.refuseTooLong`), or whose temporary file's
    /// path would be too long though its own is not (the temporary's name is up to about 30 bytes longer).
    /// `temporary`: the name the download will use, when already made (`name(for:)` once per file, not twice).
    public static func refuseTooLong(_ path: String, temporary: String? = nil) throws {
        try LocalPath.refuseTooLong(path)
        let length = (temporary ?? name(for: path)).utf8.count
        guard length > LocalPath.pathMax else { return }
        throw OBSError.localIO(
            "cannot write \(path): \(OBSError.reason(ENAMETOOLONG)), its temporary file's path would be \(length) "
                + "bytes (at most \(LocalPath.pathMax)); download into a directory with a shorter path",
            errno: ENAMETOOLONG)
    }

    /// The writer's pid of a download temp name, nil for any other name.
    public static func writerPID(_ name: String) -> Int32? {
        guard KeyBytes.hasPrefix(name, "."), KeyBytes.hasSuffix(name, ".part"),
            let r = name.range(of: ".obsctl-", options: .backwards)
        else {
            return nil
        }
        let parts = name[r.upperBound...].dropLast(5).split(separator: "-")
        guard parts.count == 2, parts[1].count == 8, parts[1].allSatisfy(\.isHexDigit) else { return nil }
        return Int32(parts[0])
    }

    /// Removes the temps of dead downloads in `dir` (once per directory and process). The directory is the user's:
    /// a file is taken for a temp only when it is one as `AbandonedTemp.create` makes them (a regular file of this
    /// user, mode 0600, one link), not for its name alone, so a file someone named so is left alone (and no key is
    /// downloaded under such a name: `KeyMapping.unsafePathReason`).
    public static func sweep(_ dir: String) {
        let key = dir.isEmpty ? "." : dir
        lock.lock()
        let first = swept.insert(key).inserted
        lock.unlock()
        guard first, let names = try? FileManager.default.contentsOfDirectory(atPath: key) else { return }
        for name in names {
            guard let pid = writerPID(name) else { continue }
            let path = key + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, isTemporary(name: name, st) else { continue }
            if AbandonedTemp.check(path, pid: pid) { unlink(path) }
        }
    }

    /// Whether the file `name` with status `st` (lstat's) is a download's temporary as `AbandonedTemp.create` makes
    /// them: the name, a regular file of this user, mode 0600, one link. A walk for an upload passes it over: its
    /// bytes are unverified (or still being written), and no download would ever take the object back.
    public static func isTemporary(name: String, _ st: stat) -> Bool {
        writerPID(name) != nil && st.st_mode & S_IFMT == S_IFREG && st.st_uid == geteuid()
            && st.st_mode & 0o7777 == 0o600 && st.st_nlink == 1
    }

    /// The mode a file created by open(2) with 0666 would have under the umask (read once).
    public static let defaultFileMode: mode_t = 0o666 & ~ProcessUmask.current()
}

/// A sink that counts what it passes on, for the progress display: one atomic add per verified chunk.
class CountingSink: ByteSink {
    fileprivate let inner: ByteSink
    fileprivate let counter: TransferCounter
    init(_ inner: ByteSink, counter: TransferCounter) { self.inner = inner; self.counter = counter }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try inner.write(bytes); counter.add(Int64(bytes.count)) }

    /// Counts what reaches `sink`, keeping its random access (a file), so a backend can still fetch ranges in
    /// parallel.
    static func counting(_ sink: ByteSink, _ counter: TransferCounter) -> ByteSink {
        if let file = sink as? RandomAccessSink { return RandomAccessCountingSink(file, counter: counter) }
        return CountingSink(sink, counter: counter)
    }
}

/// Counting in front of a file sink, keeping what it offers: random access (parallel ranges) and its own buffer.
final class RandomAccessCountingSink: CountingSink, RandomAccessSink, BufferLendingSink {
    private let file: RandomAccessSink
    init(_ file: RandomAccessSink, counter: TransferCounter) { self.file = file; super.init(file, counter: counter) }
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try file.write(bytes, at: offset); counter.add(Int64(bytes.count))
    }
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        try file.read(into: buffer, at: offset)
    }
    func writeAligned(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try file.writeAligned(bytes, at: offset); counter.add(Int64(bytes.count))
    }
    func reserve(_ size: Int64) throws { try file.reserve(size) }
    func fill(minimum: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        let n: Int
        if let lender = file as? BufferLendingSink {
            n = try lender.fill(minimum: minimum, body)
        } else {
            var buffer = [UInt8](repeating: 0, count: minimum)
            n = try buffer.withUnsafeMutableBytes { try body($0) }
            try buffer.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        counter.add(Int64(n))
        return n
    }
}

/// The directories of a planned download path below the one the user named (`root`, which may itself be a link,
/// as the user chose it). Each is made, or found, as a real directory: mkdir never follows a link in the last
/// component, and each one is checked with lstat before the next is made in it. One that is a symbolic link (or
/// anything but a directory) fails the file, naming it; nothing is written through it.
public enum LocalDirectories {
    /// A directory the user named (or the parent of a path they named), made when new with its parents: links in
    /// it are the user's choice and are followed.
    /// Returns the directories it made, outermost first, for `removeMade` when the download fails.
    @discardableResult
    public static func makeNamed(_ dir: String) throws -> [String] {
        guard !dir.isEmpty, !LocalTree.isDirectory(dir) else { return [] }
        let parent = LocalPath.parent(dir)
        let made = parent.isEmpty || parent == "/" ? [] : try makeNamed(parent)
        guard mkdir(dir, 0o777) != 0 else { return made + [dir] }
        let e = errno
        if e == EEXIST && LocalTree.isDirectory(dir) { return made }  // made meanwhile, by another download
        removeMade(made)
        if e == EEXIST || e == ENOTDIR { throw fileInTheWay(dir) }
        throw OBSError.localIO(
            "cannot create directory \(dir) (\(OBSError.reason(e))); check that \(parent.isEmpty ? "." : parent) "
                + "is writable", errno: e)
    }

    private static func fileInTheWay(_ dir: String) -> OBSError {
        OBSError.localIO(
            "cannot create directory \(dir): a file of that name is in the way; move it or name another path")
    }

    /// What `makeNamed` would meet, nothing made (a dry run): a file where a directory must be.
    public static func checkNamed(_ dir: String) throws {
        guard !dir.isEmpty, !LocalTree.isDirectory(dir) else { return }
        var st = stat()
        if lstat(dir, &st) == 0 { throw fileInTheWay(dir) }
        let parent = LocalPath.parent(dir)
        if !parent.isEmpty && parent != "/" { try checkNamed(parent) }
    }

    /// Whether `dir` (or, when it is to be made, the nearest directory there) takes new entries, as the run's
    /// temporary file of `path` (or its directories) will need; the run's error when not.
    public static func checkTakesNewEntries(_ dir: String, for path: String) throws {
        var existing = dir.isEmpty ? "." : dir
        while !LocalTree.isDirectory(existing) && existing != "." && existing != "/" {
            let parent = LocalPath.parent(existing)
            existing = parent.isEmpty ? "." : parent
        }
        guard access(existing, W_OK | X_OK) != 0 else { return }
        throw takesNoNewEntries(path, existing, errno: errno)
    }

    /// The run's error (and its dry run's) when `dir` refuses the new file of `path`.
    static func takesNoNewEntries(_ path: String, _ dir: String, errno e: Int32) -> OBSError {
        OBSError.localIO(
            "cannot write \(path): no new file can be made in \(dir) (\(OBSError.reason(e))); check that the "
                + "directory is writable", errno: e)
    }

    /// Removes what `makeNamed` or `make` made, each only while empty: a failed download leaves no trace. Deepest
    /// first by path length, not by the order made: a recursive download's files make their directories at once,
    /// and one may register the parent another made after it registered the child (a child's path is longer).
    public static func removeMade(_ made: [String]) {
        for dir in made.sorted(by: { $0.utf8.count > $1.utf8.count }) { rmdir(dir) }
    }

    /// `create` false (a dry run): the directories already there are checked as `make` checks them, and nothing is
    /// made; the first one missing ends the check (what lies below it would be new). `made` is told each directory
    /// made, outermost first, as soon as it is, so even one made before a later component fails is known.
    public static func make(
        _ dir: String, below root: String, create: Bool = true, made: (String) -> Void = { _ in }
    ) throws {
        if create { try makeNamed(root).forEach(made) }
        // Bytes, not Characters (`KeyBytes`): a "/" followed by a combining mark must still part two directories.
        let base = KeyBytes.hasSuffix(root, "/") && root.utf8.count > 1 ? String(root.utf8.dropLast())! : root
        if KeyBytes.equal(dir, base) || dir.isEmpty { return }
        let below = base == "/" ? "/" : base + "/"
        guard let relative = KeyBytes.dropPrefix(dir, below) else {
            throw OBSError.localIO("\(dir) is not below the destination \(root); nothing is written there")
        }
        var current = base == "/" ? "" : base
        for component in KeyBytes.split(relative) where !component.isEmpty {
            current = current + "/" + component
            // Looked at first (one call for a directory already there, as most are in a recursive download), made
            // only when missing, and looked at again: mkdir never follows a link in the last component.
            var st = stat()
            if lstat(current, &st) != 0 {
                if errno == ENOENT && !create { return }
                guard errno == ENOENT else { throw cannotCreate(current) }
                if mkdir(current, 0o777) == 0 {
                    made(current)
                } else if errno != EEXIST {
                    throw cannotCreate(current)
                }
                guard lstat(current, &st) == 0 else { throw cannotCreate(current) }
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK:
                throw OBSError.localIO(
                    "\(current) is a symbolic link, which obsctl does not follow below the destination \(root): "
                        + "remove it, or download to another directory")
            default:
                throw OBSError.localIO(
                    "cannot create directory \(current): a file of that name is in the way; remove it or download "
                        + "to another directory")
            }
        }
    }

    /// The error of a directory that could not be made or looked at, from `errno`.
    private static func cannotCreate(_ dir: String) -> OBSError {
        let e = errno
        return OBSError.localIO(
            "cannot create directory \(dir) (\(OBSError.reason(e))); check that \(LocalPath.parent(dir)) is writable",
            errno: e)
    }
}
