import Foundation

/// The key each object directory belongs to, learnt from metadata read once.
///
/// Why: an object's directory is named by its key's SHA-256 (`LocalPaths.objectDir`), so a listing, which must
/// return keys in order, cannot tell a directory's key from its name. It read every object's metadata for every page:
/// `ls -r` of 10,000 objects (ten pages) read 100,000 files and took 3.4 s, and the time grew with the square of the
/// bucket's size. With the keys known, a page reads only the metadata of the entries it returns.
/// Safety: a key is learnt only for a directory under its own `<h2>`, from metadata whose key hashes to that
/// directory's path (the listing checks both before it calls `learn`, and uses the index only for such
/// directories); such a directory holds no other key for as long as SHA-256 has no collision, whatever the bucket
/// and whatever is written, deleted or tampered with later. What the key's object now is (there, gone,
/// damaged) is still read from its metadata, each time it is listed.
///
/// `@unchecked Sendable`: `keys` is touched only under `lock`.
final class ObjectKeyIndex: @unchecked Sendable {
    private let lock = NSLock()
    /// Directory name (the key's SHA-256 in hex) to key.
    private var keys: [String: String] = [:]
    /// Bounds memory whatever the number of objects (about 150 bytes a key); past it the index starts over.
    private let limit: Int

    init(limit: Int = 1 << 19) { self.limit = limit }

    func key(ofDirectory name: String) -> String? { lock.withLock { keys[name] } }

    /// `key` belongs in the directory `name`: the caller checked that it hashes to that name.
    func learn(_ key: String, directory name: String) {
        lock.withLock {
            if keys.count >= limit { keys.removeAll(keepingCapacity: true) }
            keys[name] = key
        }
    }
}
