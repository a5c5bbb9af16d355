import CLinuxSystem
#if canImport(Glibc)
import Glibc
#endif

/// A file or directory by device and inode: the same one whatever path reaches it (a link, `..`, a name in another
/// case on a file system that folds case).
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    public init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    /// rename(2) that never replaces `to`: -1 with errno EEXIST when something is there. Where the file system
    /// cannot tell (renameat2 EINVAL), a look first, then rename: only a writer racing between the two is missed.
    public static func renameWithoutReplacing(_ from: String, _ to: String) -> Int32 {
        if cs_rename_noreplace(from, to) == 0 { return 0 }
        guard errno == EINVAL else { return -1 }
        var st = stat()
        if lstat(to, &st) == 0 {
            errno = EEXIST
            return -1
        }
        return rename(from, to)
    }
}
