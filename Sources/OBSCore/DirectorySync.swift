#if canImport(Glibc)
import Glibc
#endif

/// Making a rename or a new directory entry survive a power loss: the file's own fsync covers its bytes, not the
/// name its directory holds for it; that takes an fsync of the directory.
public enum DirectorySync {
    /// fsyncs `dir` ("" is the current directory; through `GroupSync`); returns 0, or the errno of the open or
    /// fsync that failed.
    public static func sync(_ dir: String) -> Int32 {
        let fd = open(dir)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        return GroupSync.shared.sync(fd)
    }

    /// `dir` opened to be fsynced ("" is the current directory); -1 with errno set when it cannot be.
    public static func open(_ dir: String) -> Int32 {
        Glibc.open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }
}
