import Foundation
import OBSCore
import OBSCrypto

/// Loads the root key once, on first use (listing buckets or handling unencrypted objects never needs it), and
/// checks it against the check value stored with the data so that a different key is reported as a mismatch.
final class RootKeyProvider {
    private let paths: LocalPaths
    private let environment: [String: String]
    private var cached: SecretBytes?

    init(paths: LocalPaths, environment: [String: String]) {
        self.paths = paths
        self.environment = environment
    }

    func key() throws -> SecretBytes {
        if let cached { return cached }
        let key = try RootKey.load(environment: environment)
        let check = RootKey.checkValue(key)
        if let stored = try FileIO.readAll(paths.rootKeyCheckFile) {
            guard String(decoding: stored, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == check else {
                throw OBSError.configuration("root key mismatch: the key from \(RootKey.environmentVariable) or \(RootKey.keyFilePath(environment: environment)) is not the one \(paths.root) was created with; restore the original key")
            }
        } else {
            try FileIO.makeDirectories(paths.root)
            try FileIO.atomicWrite(Array((check + "\n").utf8), to: paths.rootKeyCheckFile)
        }
        cached = key
        return key
    }
}
