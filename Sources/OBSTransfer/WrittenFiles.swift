import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// The files one run wrote, by identity. On a file system that folds case (vfat, exFAT, CIFS, casefold ext4), keys
/// that differ only in case (`Report.txt`, `report.txt`) name one file: the second download would replace the first,
/// whose object `mv` had already deleted, and `sync --delete` would remove as extra the file it had just written
/// under another spelling. Both are refused: a run replaces or removes no file it wrote itself.
/// `@unchecked Sendable`: `identities` is touched only under `lock`.
public final class WrittenFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var identities: Set<FileIdentity> = []

    public init() {}

    func record(_ fd: Int32) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return }
        _ = lock.withLock { identities.insert(FileIdentity(st)) }
    }

    /// Refuses to replace or remove `path` when it is a file this run wrote (found under whatever spelling).
    func refuseReplacing(_ path: String, _ what: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0, lock.withLock({ identities.contains(FileIdentity(st)) }) else { return }
        throw OBSError.localIO(
            "cannot \(what) \(path): it is the file this run just wrote under another name (the file system folds "
                + "case, so names that differ only in case are one file); download these objects to a file system "
                + "that tells them apart", errno: EEXIST)
    }
}
