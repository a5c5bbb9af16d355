import Foundation

/// Small store files (key records, bucket records, the KMS policy) parsed and verified once and reused while the
/// file on disk keeps its version (`FileVersion`: device, inode, size, mtime, ctime).
///
/// Why: one SSE-KMS upload asks the KMS several times, and each ask re-reads and re-MACs every key record (the
/// keystore fails closed on any damaged record). In `obsctl serve` that was a tenth of a small PUT's CPU.
/// Safety: `parse` verifies (MAC, names) before a value is kept, and a kept value is used only while a `stat`
/// still shows the version it was read from. Any write (atomic rename: a new inode; an edit in place: a new ctime)
/// makes the next read parse and verify again, so tampering is caught exactly as without the cache. A file changed
/// in the last seconds is read again every time (see `value`): file times tick too coarsely to tell its versions
/// apart. Its parse is reused only when the bytes read are the very bytes parsed and verified before: a bucket
/// record or key just made (a CI step's bucket, the default key made on first use) is otherwise parsed and MAC'd
/// again by every request of its first seconds, which is all of a short run's.
/// Checks that depend on more than the file (the state file's generations) stay with the caller, on every read.
///
/// `@unchecked Sendable`: `entries` is touched only under `lock`.
final class ParsedFileCache<Value>: @unchecked Sendable {
    private struct Entry {
        var version: FileVersion
        /// The version was settled when read (`FileVersion.isSettled`): a `stat` showing it again means the same bytes.
        var settled: Bool
        /// The bytes parsed, kept only while the version is not settled (then the version alone tells).
        var bytes: [UInt8]?
        var value: Value
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    /// Bounds memory whatever the number of files read (buckets, keys); past it the cache starts over.
    private let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    /// The parsed value of the file at `path`; nil when there is no file. `parse` runs only when the file is new to
    /// the cache or changed since; what it throws is rethrown and nothing is kept.
    ///
    /// `fresh`: read the file whatever the cache holds, for a read-modify-write under the file's lock. A stale
    /// read there would undo another writer's change; the settling rule already prevents one, unless the clock was
    /// set back, so the writers do not depend on clocks at all.
    func value(at path: String, fresh: Bool = false, parse: ([UInt8]) throws -> Value) throws -> Value? {
        if !fresh, let now = FileIO.version(path), let kept = lock.withLock({ entries[path] }), kept.settled,
            kept.version == now
        {
            return kept.value
        }
        let readFrom = Int64(time(nil))
        guard let (bytes, version) = try FileIO.readAllWithVersion(path) else {
            lock.withLock { entries[path] = nil }
            return nil
        }
        let value: Value
        if let kept = lock.withLock({ entries[path] }), kept.bytes == bytes {
            value = kept.value  // these very bytes were parsed and verified before
        } else {
            do { value = try parse(bytes) } catch {
                lock.withLock { entries[path] = nil }
                throw error
            }
        }
        lock.withLock {
            if entries[path] == nil && entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            // Settled only once its change time is a few seconds past (git's "racily clean" rule): file times tick
            // coarsely, so a same-size edit in place (or a new file on a reused inode) within the same tick would
            // show the same version. After the settling time any later change shows a later ctime.
            let settled = version.isSettled(readFrom: readFrom)
            entries[path] = Entry(version: version, settled: settled, bytes: settled ? nil : bytes, value: value)
        }
        return value
    }
}
