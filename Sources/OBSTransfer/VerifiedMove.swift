import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// What identifies a file's content for a move: the file is removed only if this is unchanged after the upload.
public struct FileSnapshot: Equatable, Sendable {
    public var device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int, modifiedNanoseconds: Int

    /// The snapshot of a regular file (links followed); anything else cannot be moved.
    public init(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let e = errno
            throw OBSError.localIO(TransferEngine.unreadableSource(path, e), errno: e)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw OBSError.invalidArgument("\(path) is not a regular file; only files can be moved (use cp)")
        }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        modifiedSeconds = Int(st.st_mtim.tv_sec)
        modifiedNanoseconds = Int(st.st_mtim.tv_nsec)
    }
}

// A move's source goes only after its copy is written and verified, and only if it is still what was read: a
// file written to meanwhile (a growing log, an editor's save) or an object overwritten is kept, and the move
// reported as failed. Nothing is lost either way.
extension TransferEngine {
    /// A file to be moved must be removable once copied: its directory must let this user remove entries (write
    /// and search; in a sticky directory such as /tmp, also own the file or the directory). Asked before the copy
    /// (and by a dry run), so a move that could not finish copies nothing. (The unlink after the copy still
    /// decides: a directory's permissions can change meanwhile.)
    public static func checkRemovable(_ path: String, removing: Bool = false) throws {
        let dir = LocalPath.parent(path)
        let parent = dir.isEmpty ? "." : dir
        var why: Int32 = 0
        if access(parent, W_OK | X_OK) != 0 {
            why = errno
        } else if geteuid() != 0 {
            var d = stat(), f = stat()
            if stat(parent, &d) == 0, d.st_mode & S_ISVTX != 0, lstat(path, &f) == 0,
                f.st_uid != geteuid(), d.st_uid != geteuid()
            {
                why = EPERM
            }
        }
        guard why != 0 else { return }
        let instead = removing ? "" : "copy it with cp, or "
        throw OBSError.localIO(
            "cannot \(removing ? "remove" : "move") \(path): its directory \(parent) does not let it be removed "
                + "(\(OBSError.reason(why))); \(instead)fix the directory's permissions", errno: why)
    }

    /// Removes the local file an upload came from, if it is unchanged since `before`.
    public func removeLocalSource(_ path: String, unchangedSince before: FileSnapshot, movedTo destination: String)
        throws
    {
        guard (try? FileSnapshot(path)) == before else {
            throw OBSError(
                code: "SourceChanged",
                message: "\(path) changed while it was moved to \(destination); the object holds what was read, "
                    + "and the file is kept",
                httpStatus: 0, category: .conflict)
        }
        guard unlink(path) == 0 else {
            let e = errno
            throw OBSError.localIO(
                "\(path) was copied to \(destination), but cannot be removed: \(OBSError.reason(e)); check the "
                    + "permissions of its directory", errno: e)
        }
    }

    /// Deletes the object a download or copy came from, if it is still the version that was read (`etag`).
    public func removeObjectSource(_ source: GetObjectRequest, etag: String, movedTo destination: String)
        async throws
    {
        let name = "obs://\(source.bucket)/\(source.key)"
        let changed = OBSError(
            code: "SourceChanged",
            message: "\(name) changed while it was moved to \(destination); the copy holds the version read, "
                + "and the object is kept",
            httpStatus: 0, category: .conflict)
        func cannotDelete(_ e: OBSError) -> OBSError {
            OBSError(
                code: e.code, message: "\(name) was copied to \(destination), but cannot be deleted: \(e.message)",
                httpStatus: e.httpStatus, category: e.category)
        }
        // Where the backend can, the version is checked where the delete happens: no write slips in between.
        if let conditional = storage as? ConditionalDeletes {
            do {
                try await conditional.deleteObject(bucket: source.bucket, key: source.key, precondition: .etag(etag))
            } catch let e as OBSError where e.code == "PreconditionFailed" {
                throw changed
            } catch let e as OBSError where e.category != .notFound {
                throw cannotDelete(e)
            }
            return
        }
        guard try await storage.headObject(source).etag == etag else { throw changed }
        do { try await storage.deleteObject(bucket: source.bucket, key: source.key) } catch let e as OBSError {
            throw cannotDelete(e)
        }
    }
}
