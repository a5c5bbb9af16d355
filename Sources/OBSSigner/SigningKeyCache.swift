import Foundation
import OBSCrypto

/// The SigV4 signing keys derived last. A key depends only on the secret, the day, the region and the service, so
/// every request of a day signs (or is verified) with the same one; deriving it anew is four HMACs, about a third of
/// the signing cost of a small object's request (measured on `download -r` of 2,000 files: 2% of the run's CPU).
/// An entry names its secret by identity, weakly: a secret no one else holds any more is not kept alive by the cache,
/// and its entry (with the derived key, wiped as `SecretBytes` are) goes at the next insertion; a new secret at the
/// same address never matches a freed one's entry. `SecretBytes` are never changed once shared.
/// `@unchecked Sendable`: `entries` is touched only under `lock`.
final class SigningKeyCache: @unchecked Sendable {
    static let shared = SigningKeyCache()

    private struct Entry {
        weak var secret: SecretBytes?
        let shortDate: String
        let region: String
        let service: String
        let key: SecretBytes
    }

    /// A few credentials at once (a server's several key pairs, a client's refreshed ones); most recent last.
    static let capacity = 8
    private let lock = NSLock()
    private var entries: [Entry] = []

    /// The signing key of `secret` for the day, region and service: the kept one, or derived and kept.
    func key(secret: SecretBytes, shortDate: String, region: String, service: String) -> SecretBytes {
        if let kept = lookup(secret: secret, shortDate: shortDate, region: region, service: service) { return kept }
        return remember(
            derive(secret: secret, shortDate: shortDate, region: region, service: service), secret: secret,
            shortDate: shortDate, region: region, service: service)
    }

    /// The kept key, if any (a verifier keeps a key only once a signature made with it matched: `remember`).
    func lookup(secret: SecretBytes, shortDate: String, region: String, service: String) -> SecretBytes? {
        lock.withLock {
            guard let i = index(secret, shortDate, region, service) else { return nil }
            let entry = entries.remove(at: i)
            entries.append(entry)
            return entry.key
        }
    }

    /// The key derived, not kept.
    func derive(secret: SecretBytes, shortDate: String, region: String, service: String) -> SecretBytes {
        var derived = RequestSigner.signingKeyV4(secret: secret, shortDate: shortDate, region: region, service: service)
        return SecretBytes(wiping: &derived)
    }

    /// Keeps `key` as the one of `secret` for the day, region and service; returns the key kept (another thread's,
    /// when it kept one first).
    @discardableResult
    func remember(_ key: SecretBytes, secret: SecretBytes, shortDate: String, region: String, service: String)
        -> SecretBytes
    {
        lock.withLock {
            if let i = index(secret, shortDate, region, service) { return entries[i].key }
            entries.removeAll { $0.secret == nil }
            entries.append(Entry(secret: secret, shortDate: shortDate, region: region, service: service, key: key))
            if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
            return key
        }
    }

    /// Under `lock`.
    private func index(_ secret: SecretBytes, _ shortDate: String, _ region: String, _ service: String) -> Int? {
        entries.lastIndex {
            $0.secret === secret && $0.shortDate == shortDate && $0.region == region && $0.service == service
        }
    }

    /// How many keys are held (tests).
    var count: Int { lock.withLock { entries.count } }
}
