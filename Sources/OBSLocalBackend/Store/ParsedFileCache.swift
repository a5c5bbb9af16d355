import Foundation

/// Small store files (key records, bucket records, the KMS policy) parsed and verified once and reused while the
/// file on disk keeps its version (`FileVersion`: device, inode, size, mtime, ctime).
///
/// Why: one SSE-KMS upload asks the KMS several times, and each ask re-reads and re-MACs every key record (the
/// keystore fails closed on any damaged record). In `obsctl serve` that was a tenth of a small PUT's CPU.
/// Safety: `parse` verifies (MAC, names) before a value is kept, and a kept value is used only while a `stat`
/// still shows the version it was read from. Any write (atomic rename: a new inode; an edit in place: a new ctime)
/// makes the next read parse and verify again, so tampering is caught exactly as without the cache. A file changed
/// in the last seconds is not kept at all (see `value`): file times tick too coarsely to tell its versions apart.
/// Checks that depend on more than the file (the state file's generations) stay with the caller, on every read.
///
/// `@unchecked Sendable`: `entries` is touched only under `lock`.
final class ParsedFileCache<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (version: FileVersion, value: Value)] = [:]
    /// Bounds memory whatever the number of files read (buckets, keys); past it the cache starts over.
    private let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    /// The parsed value of the file at `path`; nil when there is no file. `parse` runs only when the file is new to
    /// the cache or changed since; what it throws is rethrown and nothing is kept.
    ///
    /// `fresh`: read and parse whatever the cache holds, for a read-modify-write under the file's lock. A stale
    /// read there would undo another writer's change; the settling rule already prevents one, unless the clock was
    /// set back, so the writers do not depend on clocks at all.
    func value(at path: String, fresh: Bool = false, parse: ([UInt8]) throws -> Value) throws -> Value? {
        if !fresh, let now = FileIO.version(path), let kept = lock.withLock({ entries[path] }), kept.version == now {
            return kept.value
        }
        let readFrom = Int64(time(nil))
        guard let (bytes, version) = try FileIO.readAllWithVersion(path) else {
            lock.withLock { entries[path] = nil }
            return nil
        }
        let value: Value
        do { value = try parse(bytes) } catch {
            lock.withLock { entries[path] = nil }
            throw error
        }
        lock.withLock {
            // Kept only once its change time is a few seconds past (git's "racily clean" rule): file times tick
            // coarsely, so a same-size edit in place (or a new file on a reused inode) within the same tick would
            // show the same version. After the settling time any later change shows a later ctime.
            guard version.isSettled(readFrom: readFrom) else {
                entries[path] = nil
                return
            }
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[path] = (version, value)
        }
        return value
    }
}
