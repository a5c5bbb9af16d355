import Foundation
import OBSCore
import OBSCrypto

/// Loads the root key once, on first use (listing buckets or handling unencrypted objects never needs it), and
/// checks it against the check value stored with the data so that a different key is reported as a mismatch.
///
/// `@unchecked Sendable`: one backend serves many threads at once, and the first of them loads the key;
/// `cached` is touched only under `lock`, which is held across the load so the key is loaded once.
final class RootKeyProvider: @unchecked Sendable {
    private let paths: LocalPaths
    private let environment: [String: String]
    private let lock = NSLock()
    private var cached: SecretBytes?

    init(paths: LocalPaths, environment: [String: String]) {
        self.paths = paths
        self.environment = environment
    }

    func key() throws -> SecretBytes {
        try lock.withLock { try loadOnce() }
    }

    private func loadOnce() throws -> SecretBytes {
        if let cached { return cached }
        let key = try RootKey.load(environment: environment) { paths.holdsData ? paths.root : nil }
        let check = RootKey.checkValue(key)
        if let stored = try FileIO.readAll(paths.rootKeyCheckFile) {
            guard String(decoding: stored, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == check
            else {
                throw mismatch("is not the one \(paths.root) was created with")
            }
        } else {
            // A store that holds records gets a check value only for a key proven against them: one run with
            // another key must not lock the right key out.
            if paths.holdsData, !provenAgainstRecords(key) {
                throw mismatch("does not verify the records of \(paths.root) (and its root-key.check is missing)")
            }
            try FileIO.makeDirectories(paths.root)
            if !paths.holdsData { try StateManifest.resetForFreshStore(paths, environment: environment) }
            try FileIO.atomicWrite(Array((check + "\n").utf8), to: paths.rootKeyCheckFile)
        }
        cached = key
        return key
    }

    private func mismatch(_ what: String) -> OBSError {
        OBSError.configuration(
            "root key mismatch: the key from \(RootKey.environmentVariable) or "
                + "\(RootKey.keyFilePath(environment: environment)) \(what); restore the original key")
    }

    /// True when some bucket or key record's MAC verifies under `key` (one is enough: MACs cannot be forged).
    private func provenAgainstRecords(_ key: SecretBytes) -> Bool {
        let bucketKey = BucketRecord.macKey(root: key)
        for name in FileIO.listDirectory(paths.bucketsDir) where !name.hasPrefix(".") {
            if let bytes = try? FileIO.readAll(paths.bucketsDir + "/" + name + "/bucket.json"),
                let r = try? JSONDecoder().decode(
                    BucketRecord.self,
                    from: Data(bytes)), r.verify(macKey: bucketKey)
            {
                return true
            }
        }
        let recordKey = KeyRecord.recordKey(root: key)
        for name in FileIO.listDirectory(paths.keysDir) where name.hasSuffix(".json") && !name.hasPrefix(".") {
            if let bytes = try? FileIO.readAll(paths.keysDir + "/" + name),
                let r = try? JSONDecoder().decode(
                    KeyRecord.self,
                    from: Data(bytes)), r.verify(recordKey: recordKey)
            {
                return true
            }
        }
        return false
    }
}
