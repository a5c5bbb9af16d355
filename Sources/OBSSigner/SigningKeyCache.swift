import Foundation
import OBSCrypto

/// The SigV4 signing keys derived last. A key depends only on the secret, the day, the region and the service, so
/// every request of a day signs (or is verified) with the same one; deriving it anew is four HMACs, about a third of
/// the signing cost of a small object's request (measured on `download -r` of 2,000 files: 2% of the run's CPU).
/// An entry names its secret by identity and holds it, so the address cannot be reused by another secret while the
/// entry lives; `SecretBytes` are never changed once shared. The derived keys are secrets too: held as
/// `SecretBytes`, wiped when evicted.
/// `@unchecked Sendable`: `entries` is touched only under `lock`.
final class SigningKeyCache: @unchecked Sendable {
    static let shared = SigningKeyCache()

    private struct Entry {
        let secret: SecretBytes
        let shortDate: String
        let region: String
        let service: String
        let key: SecretBytes
    }

    /// A few credentials at once (a server's several key pairs, a client's refreshed ones); most recent last.
    static let capacity = 8
    private let lock = NSLock()
    private var entries: [Entry] = []

    /// The signing key of `secret` for the day, region and service: the cached one, or derived and remembered.
    func key(secret: SecretBytes, shortDate: String, region: String, service: String) -> SecretBytes {
        lock.lock()
        if let i = entries.lastIndex(where: {
            $0.secret === secret && $0.shortDate == shortDate && $0.region == region && $0.service == service
        }) {
            let entry = entries[i]
            if i != entries.count - 1 { entries.remove(at: i); entries.append(entry) }
            lock.unlock()
            return entry.key
        }
        lock.unlock()
        let derived = RequestSigner.signingKeyV4(
            secret: secret, shortDate: shortDate, region: region, service: service)
        let key = SecretBytes(copying: derived)
        lock.lock()
        entries.append(Entry(secret: secret, shortDate: shortDate, region: region, service: service, key: key))
        if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
        lock.unlock()
        return key
    }

    /// How many keys are held (tests).
    var count: Int { lock.withLock { entries.count } }
}
