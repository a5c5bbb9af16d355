#if canImport(Glibc)
import Glibc
#endif

/// Replacing a file whole, so that a crash leaves the old content or the new, never a mix or a half: a temporary
/// beside it, written, renamed over it. The one implementation for every file obsctl rewrites (the store's records,
/// the config file, credentials, caches).
public enum AtomicFile {
    /// A step that failed: what it was ("create", "write", "fsync", "rename into", "fsync directory"), the path it
    /// was about, and its errno. Callers turn it into their own error (a store error, a configuration error).
    public struct Failure: Error, Sendable {
        public let step: String
        public let path: String
        public let errno: Int32
        public var reason: String { OBSError.reason(errno) }
    }

    /// Writes `bytes` to `path` through `temporary` (default: a hidden name beside it with this process's id and a
    /// random part), created new (O_EXCL: never another's file or link) with `mode`. `durable`: the bytes are
    /// fsynced before the rename and the directory after it, so the new name survives a power loss; caches skip
    /// both. `replacing` false: `path` is created only if nothing is there (link(2), not rename), else the step
    /// "create" fails with EEXIST and what is there stays (two processes making one file: the first one wins).
    /// `step` is called after the temporary is written and after the rename (the store's crash tests).
    public static func write(
        _ bytes: [UInt8], to path: String, mode: mode_t = 0o600, durable: Bool = true, replacing: Bool = true,
        temporary: String? = nil, step: (String) -> Void = { _ in }
    ) throws(Failure) {
        let tmp = temporary ?? defaultTemporary(for: path)
        let fd = try writeTemporary(bytes, tmp, mode: mode)
        step("tmp-written")
        if durable {
            let e = GroupSync.shared.sync(fd)
            if e != 0 {
                close(fd)
                unlink(tmp)
                throw Failure(step: "fsync", path: tmp, errno: e)
            }
        }
        close(fd)
        try install(tmp, at: path, replacing: replacing, durable: durable) { step("renamed") }
    }

    /// The first half of `write`: `tmp` created new with `mode` (or by `create`, which returns a descriptor or -1
    /// with errno set) and `bytes` written to it. Returns its open descriptor; nothing is left behind when this
    /// throws.
    public static func writeTemporary(
        _ bytes: [UInt8], _ tmp: String, mode: mode_t = 0o600, create: ((String) -> Int32)? = nil
    ) throws(Failure) -> Int32 {
        let fd =
            create?(tmp)
            ?? TemporaryFileGate.whileOpen { open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw Failure(step: "create", path: tmp, errno: errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = n < 0 ? errno : EIO
                close(fd)
                unlink(tmp)
                throw Failure(step: "write", path: tmp, errno: e)
            }
            written += n
        }
        return fd
    }

    /// The second half of `write`, also for a caller that writes and syncs the temporary itself (the store syncs an
    /// object's record with its data in one round): the temporary renamed to `path`, or linked there when not
    /// `replacing`, then the directory fsynced when `durable`. The temporary is gone after. `renamed` is called
    /// between the two (the store's crash tests).
    public static func install(
        _ tmp: String, at path: String, replacing: Bool = true, durable: Bool = true, renamed: () -> Void = {}
    ) throws(Failure) {
        if !replacing {
            let linked = link(tmp, path) == 0 ? 0 : errno
            unlink(tmp)
            if linked != 0 { throw Failure(step: "create", path: path, errno: linked) }
        } else if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw Failure(step: "rename into", path: path, errno: e)
        }
        renamed()
        if durable {
            let dir = LocalPath.parent(path)
            let e = DirectorySync.sync(dir)
            if e != 0 { throw Failure(step: "fsync directory", path: dir.isEmpty ? "." : dir, errno: e) }
        }
    }

    /// `.NAME.tmp-PID-RANDOM` beside `path`.
    public static func defaultTemporary(for path: String) -> String {
        let dir = LocalPath.parent(path)
        let name = String(decoding: path.utf8.split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self)
        let random = String(UInt64.random(in: 0..<(1 << 48)), radix: 16)
        return LocalPath.join(dir, ".\(name).tmp-\(getpid())-\(random)")
    }
}
