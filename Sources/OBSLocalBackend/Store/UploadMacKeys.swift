import Foundation
import OBSCore
import OBSCrypto

/// The metadata MAC keys of this process's SSE-C uploads in progress, by bucket and upload id, so that a Complete
/// without the customer key can still seal the object's meta.json: S3 does not need the key on Complete, and
/// botocore and older AWS CLIs do not send it. Only the MAC key is kept (it derives from the data key and opens no
/// byte), and only in memory: the store never holds anything that stands for an SSE-C key. A Complete without the
/// key after a restart (or one that follows no keyed request of this process) still needs the key.
///
/// `@unchecked Sendable`: `keys` is touched only under `lock`.
final class UploadMacKeys: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [String: SecretBytes] = [:]
    /// Bounds memory whatever the number of uploads left unfinished; past it the table starts over.
    private let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    func remember(_ key: SecretBytes, _ bucket: BucketName, _ uploadID: String) {
        lock.withLock {
            if keys.count >= limit { keys.removeAll() }
            keys[bucket.value + "/" + uploadID] = key
        }
    }

    func key(_ bucket: BucketName, _ uploadID: String) -> SecretBytes? {
        lock.withLock { keys[bucket.value + "/" + uploadID] }
    }

    func forget(_ bucket: BucketName, _ uploadID: String) {
        lock.withLock { keys[bucket.value + "/" + uploadID] = nil }
    }
}
