import Foundation
import OBSCore

#if canImport(Glibc)
import Glibc
#endif

/// Making an object's directories (`objects/<h2>/<h>`) for a write that syncs their new entries in its own round,
/// with its data and record, rather than one round per directory made.
///
/// A directory found already there may be one another write of this process made a moment ago and has not synced
/// yet (its round comes after its upload): a write that found it then syncs its parent too, so that no write is
/// answered before the directories its object lives in are durable, whichever write made them. The shared prefix
/// directory `<h2>` (256 a bucket, made rarely) is synced by its maker at once, as before, so that a write of
/// another process, which cannot see this registry, finds it durable.
final class ObjectDirectories: @unchecked Sendable {  // `unsynced` is touched only under `lock`
    static let shared = ObjectDirectories()

    private let lock = NSLock()
    private var unsynced: Set<String> = []

    /// What `make` did: the directories whose entries the write must sync before it renames anything into place.
    struct Made {
        /// Directories this write made, or found made and not yet synced.
        fileprivate(set) var pending: [String] = []
        /// Their parents: what the write's round syncs.
        var parents: [String] { pending.map(LocalPath.parent) }
    }

    /// Makes `dirs` (each inside the one before, the first inside an existing directory) as needed. `ENOENT`:
    /// the first one's parent is gone (the caller's bucket was deleted). `syncedAtOnce`: directories whose
    /// parent is synced here when made.
    func make(_ dirs: [String], syncedAtOnce: Set<String>) throws(MakeFailure) -> Made {
        var made = Made()
        for d in dirs {
            // Made and registered under the lock: a write that finds it there also finds it registered.
            let e: Int32 = lock.withLock {
                if mkdir(d, 0o700) == 0 {
                    unsynced.insert(d)
                    return 0
                }
                let e = errno
                return e == EEXIST && !unsynced.contains(d) ? -1 : e
            }
            switch e {
            case -1: continue  // there, and durable
            case 0, EEXIST:
                if syncedAtOnce.contains(d) {
                    let s = DirectorySync.sync(LocalPath.parent(d))
                    guard s == 0 else { throw MakeFailure(path: LocalPath.parent(d), errno: s, synced: true) }
                    synced([d])
                } else {
                    made.pending.append(d)
                }
            default: throw MakeFailure(path: d, errno: e, synced: false)
            }
        }
        return made
    }

    /// The entries of `made`'s directories are durable (the write's round synced their parents).
    func synced(_ made: Made) { synced(made.pending) }

    private func synced(_ dirs: [String]) { lock.withLock { for d in dirs { unsynced.remove(d) } } }

    struct MakeFailure: Error {
        let path: String
        let errno: Int32
        /// The failure was the parent's fsync, not the mkdir.
        let synced: Bool
    }
}
