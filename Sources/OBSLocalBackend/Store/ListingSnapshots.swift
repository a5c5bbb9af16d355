import Foundation
import OBSCore

/// A bucket's object directories in key order, as the last listing found them, kept for the next page.
///
/// Why: with every key known (`ObjectKeyIndex`), a page still read all of the bucket's directories and sorted all
/// of its keys: `ls -r` of 30,000 objects (30 pages) took 5.2 s, most of it in those sorts.
/// When it holds: a new object's directory is a new entry of `objects/<h2>`, and a new `<h2>` one of `objects`,
/// so a snapshot stays true while those directories keep the versions they had when it was taken (each version is
/// read before its directory is). Overwrites and deletes change no directory: a page reads each entry's metadata
/// when it reaches it, and sees them then. A directory whose key was unknown (no metadata, or unreadable metadata)
/// is read again by every listing (`unresolved`); one that now holds an object makes the snapshot stale.
/// Safety: a version taken within the last seconds is not trusted, as in `ParsedFileCache`: a directory changed
/// again within the same clock tick would show the same version.
///
/// `@unchecked Sendable`: `snapshots` and `reuses` are touched only under `lock`.
final class ListingSnapshots: @unchecked Sendable {
    struct Snapshot {
        /// `objects` and every `objects/<h2>`, each with its version, read before its listing.
        var versions: [(path: String, version: FileVersion)]
        /// Every directory whose key is known, in the keys' byte order.
        var entries: [(key: String, dir: String)]
        /// Directories whose key is unknown.
        var unresolved: [String]
    }

    private let lock = NSLock()
    private var snapshots: [String: Snapshot] = [:]
    private var reuses = 0
    /// How many buckets' snapshots are kept at most; past it they start over.
    private let limit: Int
    /// How many keys all kept snapshots hold together at most (about 150 bytes each): memory stays bounded whatever
    /// the buckets (`obsctl serve` keeps them for as long as it runs). A bucket with more is listed as without
    /// snapshots, each page reading its directories and sorting its keys.
    private let maxEntries: Int

    init(limit: Int = 8, maxEntries: Int = 1 << 19) { (self.limit, self.maxEntries) = (limit, maxEntries) }

    /// The bucket's snapshot, if its directories still have the versions it recorded.
    func current(_ bucket: String) -> Snapshot? {
        guard let s = lock.withLock({ snapshots[bucket] }) else { return nil }
        guard s.versions.allSatisfy({ FileIO.version($0.path) == $0.version }) else {
            lock.withLock { snapshots[bucket] = nil }
            return nil
        }
        return s
    }

    /// The snapshot served a listing; `reused` counts them, for tests.
    func noteReuse() { lock.withLock { reuses += 1 } }
    var reused: Int { lock.withLock { reuses } }

    func drop(_ bucket: String) { lock.withLock { snapshots[bucket] = nil } }

    /// Kept only when every directory's last change was a few seconds past when the listing began (`listedFrom`,
    /// taken before any version was read), and the bucket is not too large to keep; others go when it would not
    /// fit beside them.
    func keep(_ s: Snapshot, for bucket: String, listedFrom: Int64) {
        guard s.entries.count <= maxEntries, s.versions.allSatisfy({ $0.version.isSettled(readFrom: listedFrom) })
        else { return drop(bucket) }
        lock.withLock {
            snapshots[bucket] = nil
            let held = snapshots.values.reduce(0) { $0 + $1.entries.count }
            if snapshots.count >= limit || held + s.entries.count > maxEntries { snapshots.removeAll() }
            snapshots[bucket] = s
        }
    }
}
