import Foundation
import OBSCore

/// The default encryption of the buckets a run writes into, asked once each, however many writes ask at once: what
/// a write naming no method gets, for `--expect-sse` to judge before anything is written.
/// `@unchecked Sendable`: `asking` is touched only under `lock`.
public final class BucketDefaults: @unchecked Sendable {
    private let lock = NSLock()
    private var asking: [BucketName: Task<BucketEncryption??, Never>] = [:]

    public init() {}

    /// nil inside: no default; nil outside: it could not be asked (a server that refuses the call), which is
    /// remembered too, so that no write asks again.
    func encryption(of bucket: BucketName, in storage: ObjectStorage) async -> BucketEncryption?? {
        let task = lock.withLock {
            if let task = asking[bucket] { return task }
            let box = UncheckedStorage(storage)
            let task = Task<BucketEncryption??, Never> {
                // Not `try?`, which would flatten "no default" into "not known".
                do { return .some(try await box.storage.bucketEncryption(bucket)) } catch { return nil }
            }
            asking[bucket] = task
            return task
        }
        return await task.value
    }
}

/// The backends are `Sendable` themselves; the protocol does not say so.
private struct UncheckedStorage: @unchecked Sendable {
    let storage: ObjectStorage
    init(_ storage: ObjectStorage) { self.storage = storage }
}

extension TransferEngine {
    /// `--expect-sse` the write cannot meet fails it before anything is written, so that no object is replaced by
    /// one the user refused (the check after the write stays, for a server that does otherwise). `mode`: the
    /// encryption the write names or a copy keeps; nil: the bucket's default decides, when it can be asked.
    func checkExpectation(_ options: StepOptions, _ bucket: BucketName, _ key: ObjectKey, mode: SSEMode?) async throws {
        guard let expected = options.expectSSE else { return }
        let predicted: SSEMode, why: String
        if let mode {
            (predicted, why) = (mode, "as its source is")
        } else {
            guard let found = await bucketDefaults.encryption(of: bucket, in: storage) else { return }
            (predicted, why) =
                found.map { ($0.mode, "by the bucket's default") }
                ?? (.unencrypted, "the bucket has no default encryption")
        }
        guard !expected.accepts(predicted) else { return }
        throw OBSError(
            code: "EncryptionMismatch",
            message:
                "obs://\(bucket)/\(key.value) would be stored with \(predicted.displayName) encryption (\(why)), but "
                + "--expect-sse \(expected.rawValue) was given; nothing was written: name the method with --sse",
            httpStatus: 0, category: .encryptionMismatch)
    }
}
