import Foundation
import OBSCrypto

#if canImport(Glibc)
import Glibc
#endif

/// Reads a small file whole (an SSE-C key, a credentials or config file, a PEM), into memory that is wiped after
/// use. Bounded: a path naming /dev/zero or a huge file fails instead of filling memory. A named pipe is read as it
/// comes, so `--sse-c-key-file <(pass show key)` works; directories, devices and sockets are refused.
public enum SmallFile {
    /// Why a file could not be read, as a phrase that follows its name in a message ("does not exist").
    public enum Failure: Error, Equatable {
        case missing
        case unreadable(String)
        case notAFile(String)
        case empty
        case tooLarge(limit: Int)
        /// `privateOnly` was asked and group or others may read the file.
        case exposed(mode: String)

        private static func words(_ bytes: Int) -> String {
            bytes >= 1 << 20 && bytes % (1 << 20) == 0
                ? "\(bytes >> 20) MiB" : bytes >= 1024 && bytes % 1024 == 0 ? "\(bytes >> 10) KiB" : "\(bytes) bytes"
        }

        public var phrase: String {
            switch self {
            case .missing: return "does not exist"
            case .unreadable(let why): return "cannot be read (\(why))"
            case .notAFile(let kind): return "is \(kind), not a file"
            case .empty: return "is empty"
            case .tooLarge(let limit): return "is larger than \(Self.words(limit))"
            case .exposed(let mode): return "is readable by group or others (mode \(mode))"
            }
        }
    }

    /// The file's bytes, at most `limit` of them. `privateOnly`: refuse a file group or others may read (a secret's
    /// file must be 0600 or stricter). `pipes`: false for files found rather than named (another tool's settings),
    /// where a pipe without a writer must not stall every command.
    public static func read(_ path: String, limit: Int, privateOnly: Bool = false, pipes: Bool = true)
        throws(Failure) -> SecretBytes
    {
        // Blocking open where pipes are welcome: their writer may come a moment later (process substitution).
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC | (pipes ? 0 : O_NONBLOCK)) } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw .missing }
            throw .unreadable(OBSError.reason(errno))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(OBSError.reason(errno)) }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG || (pipes && type == S_IFIFO) else {
            throw .notAFile(FileKind.describe(st.st_mode) ?? "")
        }
        if privateOnly && st.st_mode & 0o077 != 0 {
            let octal = String(Int(st.st_mode & 0o777), radix: 8)
            throw .exposed(mode: String(repeating: "0", count: max(0, 4 - octal.count)) + octal)
        }
        // One byte more than the limit tells a file of exactly `limit` bytes from a larger one.
        let buffer = SecretBytes(count: limit + 1)
        var filled = 0
        let failure: Int32? = buffer.withUnsafeMutableBytes { space in
            while filled < space.count {
                let n = Glibc.read(fd, space.baseAddress! + filled, space.count - filled)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return errno }
                if n == 0 { break }
                filled += n
            }
            return nil
        }
        if let failure { throw .unreadable(OBSError.reason(failure)) }
        guard filled <= limit else { throw .tooLarge(limit: limit) }
        guard filled > 0 else { throw .empty }
        return buffer.withUnsafeBytes { SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<filled])) }
    }
}

/// What a file that is not a regular file is, in words.
public enum FileKind {
    /// nil for a regular file.
    public static func describe(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "a special file"
        }
    }
}

/// Secret files (an SSE-C key, a TLS private key) that group or others can read are used, with a warning: a mounted
/// secret is often 0644. One check for every such file.
public enum SecretFileExposure {
    /// The file's mode in octal (`0644`) when it is a regular file its group or others can read; nil otherwise.
    public static func readableMode(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_mode & 0o044 != 0 else { return nil }
        return "0" + String(Int(st.st_mode & 0o777), radix: 8)
    }
}
