import Foundation
import OBSCore
import OBSCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Rollback detection for the store's state records (bucket.json, kms/keys/<id>.json).
///
/// Each record carries a `generation` bound into its MAC. The generation each record was last written with is
/// kept in a state file beside the root key, outside the data directory:
/// `$XDG_CONFIG_HOME/obsctl/local-state/<id>.json` (id: a hash of the store's path), itself MACed under the root key.
/// A record whose generation is below the recorded one is an older copy put back: exit 13 naming the file.
///
/// Commit order: the record is written first, then the state file. A crash between them leaves a record newer
/// than the state file, which is accepted (generations only go up, and an older copy cannot carry a newer one
/// without the root key). A deleted bucket's entry stays, one generation above its last record, so a restored
/// copy of a deleted bucket is caught too. Records written before this existed carry no generation; they are
/// accepted until first rewritten.
///
/// `@unchecked Sendable`: one backend serves many threads at once; `cached` and `location` are touched only
/// under `lock` (the file itself is guarded by its flock).
final class StateManifest: @unchecked Sendable {
    private let paths: LocalPaths
    let environment: [String: String]
    private let rootKey: RootKeyProvider
    /// "" for the records' state file; ".audit" for the audit log's anchor (see `AuditLog`).
    private let name: String
    private let lock = NSLock()
    private var cached: Contents?
    private var location: (root: String, base: String)?

    struct Contents {
        var generation: UInt64 = 0
        var records: [String: UInt64] = [:]
    }

    init(paths: LocalPaths, environment: [String: String], rootKey: RootKeyProvider, name: String = "") {
        self.name = name
        self.paths = paths
        self.environment = environment
        self.rootKey = rootKey
    }

    /// Resolved on first use, when the store's root exists, so a symlink in its path names one state file.
    private var resolved: (root: String, base: String) {
        lock.withLock {
            if let location { return location }
            let root = Self.resolvedRoot(paths)
            let found = (root: root, base: Self.base(root: root, environment: environment))
            location = found
            return found
        }
    }
    private var root: String { resolved.root }
    private var base: String { resolved.base }
    var path: String { base + name + ".json" }
    private var lockPath: String { base + name + ".lock" }

    private static func resolvedRoot(_ paths: LocalPaths) -> String {
        guard let p = realpath(paths.root, nil) else { return paths.root }
        defer { free(p) }
        return String(cString: p)
    }

    private static func base(root: String, environment: [String: String]) -> String {
        directory(environment: environment) + "/" + Hex.encode(Digest.sha256(Array(root.utf8)).prefix(12))
    }

    /// Where the states of every store are kept: beside the root key file.
    static func directory(environment: [String: String]) -> String {
        LocalPath.parent(RootKey.keyFilePath(environment: environment)) + "/local-state"
    }

    /// Forgets the state of an earlier store at this path, for a fresh store (one holding no data) that is about
    /// to get its root-key.check: the state is keyed by the path only, and an empty store has nothing to roll back.
    /// Checked again under the state lock, so a store that another process has just filled keeps its state.
    static func resetForFreshStore(_ paths: LocalPaths, environment: [String: String]) throws {
        let base = base(root: resolvedRoot(paths), environment: environment)
        for name in ["", ".audit"] where FileIO.exists(base + name + ".json") {
            try FileLock.withLock(base + name + ".lock") {
                guard !paths.holdsData else { return }
                let file = base + name + ".json"
                if unlink(file) != 0 && errno != ENOENT { throw FileIO.ioError("remove", file) }
            }
        }
    }

    static func bucketEntry(_ b: String) -> String { "bucket/" + b }
    static func keyEntry(_ id: String) -> String { "key/" + id }

    /// Every key id the state file has seen written (kms records are never removed, only tombstoned).
    func keyIDs() throws -> [String] {
        try contents().records.keys.filter { $0.hasPrefix("key/") }.map { String($0.dropFirst(4)) }
    }

    /// The generation `entry` was last written with. Readers take it BEFORE reading the record: a writer commits
    /// the record first and the state file second, so a record read after the state is never below it, while a
    /// record read before a concurrent commit would be (a false "rolled back").
    func expectedGeneration(_ entry: String) throws -> UInt64? { try contents().records[entry] }

    /// Refuses a record older than `expected` (from `expectedGeneration`, taken before the record was read).
    func check(_ entry: String, generation: UInt64?, expected: UInt64?, file: String) throws {
        guard let expected, (generation ?? 0) < expected else { return }
        throw OBSError.integrity(
            "\(file) is an older copy than the last one written (generation \(generation ?? 0), "
                + "expected \(expected) or later, per \(path)): it was rolled back; put the current file back "
                + "from your backup "
                + "(if you restored the whole store on purpose, remove \(path))")
    }

    /// Writes a record with a fresh generation (via `write`), then records that generation.
    /// `current`: the generation of the record being replaced, so the new one is strictly above it.
    func commit(_ entry: String, current: UInt64?, _ write: (UInt64) throws -> Void) throws {
        try prepareToLock()
        try FileLock.withLock(lockPath) {
            var c = try load()
            let gen = max(c.generation, current ?? 0, c.records[entry] ?? 0) + 1
            try write(gen)
            c.generation = gen
            c.records[entry] = gen
            try save(c)
        }
    }

    /// Raises `entry` to `value` (never lowers it), leaving the generation alone: the audit log's anchor.
    func raise(_ entry: String, to value: UInt64) throws {
        try prepareToLock()
        try FileLock.withLock(lockPath) {
            var c = try load()
            guard (c.records[entry] ?? 0) < value else { return }
            c.records[entry] = value
            try save(c)
        }
    }

    /// Records a deletion one generation above the record's last one, unless a newer record was committed since
    /// `current` was read (the bucket re-created by a concurrent `bucket create`): that record is the live one.
    func markDeleted(_ entry: String, current: UInt64?) throws {
        try prepareToLock()
        try FileLock.withLock(lockPath) {
            var c = try load()
            if let recorded = c.records[entry], recorded > (current ?? 0) { return }
            let gen = max(c.generation, current ?? 0, c.records[entry] ?? 0) + 1
            c.generation = gen
            c.records[entry] = gen
            try save(c)
        }
    }

    /// The root key is loaded before the state lock is taken: its first load may reset the state of a fresh
    /// store (`resetForFreshStore`), which takes that lock too.
    private func prepareToLock() throws {
        _ = try rootKey.key()
        let dir = LocalPath.parent(path)
        do { try FileIO.makeDirectories(dir) } catch let e as OBSError {
            throw OBSError.configuration(
                "cannot create \(dir), where the local store's state file (rollback "
                    + "detection) lives: \(e.message); make it writable, or set XDG_CONFIG_HOME to a writable directory"
            )
        }
        FileIO.sweepAbandonedTemps(dir)
    }

    // MARK: The file

    private func contents() throws -> Contents {
        if let c = lock.withLock({ cached }) { return c }
        let c = try load()
        lock.withLock { cached = c }
        return c
    }

    private func macKey() throws -> SecretBytes {
        HKDF.sha256(key: try rootKey.key(), info: Array("obsctl/v1/state-manifest".utf8))
    }

    private func mac(_ c: Contents) throws -> String {
        var w = CanonicalWriter(label: "obsctl/v1/state-manifest")
        w.append(root + name); w.appendU64(c.generation)
        w.append(c.records.mapValues { String($0) })
        return Base64.encode(HMAC.sha256(key: try macKey(), data: w.bytes))
    }

    private func load() throws -> Contents {
        guard let bytes = try FileIO.readAll(path) else { return Contents() }
        guard let obj = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let g = (obj["generation"] as? String).flatMap({ UInt64($0) }),
            let recs = obj["records"] as? [String: String],
            let storedMAC = obj["mac"] as? String
        else {
            throw damaged("does not parse")
        }
        var c = Contents(generation: g)
        for (k, v) in recs {
            guard let n = UInt64(v) else { throw damaged("does not parse") }
            c.records[k] = n
        }
        guard constantTimeEquals(Array(storedMAC.utf8), Array(try mac(c).utf8)) else { throw damaged("fails its MAC") }
        return c
    }

    private func save(_ c: Contents) throws {
        let obj: [String: Any] = [
            "root": root, "generation": String(c.generation),
            "records": c.records.mapValues { String($0) },
            "mac": try mac(c),
        ]
        let bytes = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
        try FileIO.atomicWrite(Array(bytes), to: path)
        lock.withLock { cached = c }
    }

    private func damaged(_ why: String) -> OBSError {
        OBSError.integrity(
            "the store's state file \(path) \(why); restore it from your backup (removing it "
                + "turns rollback "
                + "detection off until each record is written again)")
    }
}
