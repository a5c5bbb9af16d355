import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// Items removed and items that could not be, each in input order, by their description (`Location`).
public struct RemovalOutcome: Sendable {
    public var deleted: [String] = []
    public var failures: [(item: String, error: OBSError)] = []
    /// The failure every other batch would repeat that stopped new ones (`DeletionOutcome.stoppedBy`).
    public var stoppedBy: OBSError?
    /// Items not started after it, in input order (also among `failures`, with no event of their own).
    public var notStarted: [String] = []
    public init() {}
}

extension TransferEngine {
    /// The local backend deletes one key after another: smaller batches let --jobs spread them.
    public static let localDeleteBatchSize = 100

    /// Removes `locations` (objects of one bucket, or local files), `executor.jobs` at once: objects in batch
    /// deletes (1,000 keys a request remotely; a batch refused as a whole fails each of its keys), files one by
    /// one. `events` gets a `deleted` or `failed` event per item as they complete, on the caller's task; the
    /// outcome keeps the input order. A bucket's batch refused for a reason every batch would repeat starts no new
    /// one (`deleteInBatches`).
    public func delete(
        _ locations: [Location], executor: TransferExecutor, events: (TransferEvent) throws -> Void = { _ in }
    ) async throws -> RemovalOutcome {
        var out = RemovalOutcome()
        let files = locations.compactMap(\.path)
        if !files.isEmpty {
            let run = try await executor.run(
                files, describe: { $0 }, events: { if case .failed = $0 { try events($0) } },
                completed: { i, result in
                    if case .success = result { try events(.deleted(.init(item: files[i]))) }
                }
            ) { work in
                try written.refuseReplacing(work.item, "remove")
                guard unlink(work.item) == 0 else {
                    let e = errno
                    throw OBSError.localIO(
                        "cannot remove \(work.item): \(OBSError.reason(e)); check the permissions of its directory",
                        errno: e)
                }
            }
            out.deleted += run.successes.map { files[$0.index] }
            out.failures += run.failures.map { (files[$0.index], TransferEvent.Failed.obsError($0.error)) }
        }
        var byBucket: [BucketName: [ObjectKey]] = [:]
        var buckets: [BucketName] = []
        for case .object(let bucket, let key) in locations {
            if byBucket[bucket] == nil { buckets.append(bucket) }
            byBucket[bucket, default: []].append(key)
        }
        for bucket in buckets {
            let run = try await executor.deleteInBatches(
                bucket: bucket, keys: byBucket[bucket] ?? [],
                batchSize: isRemote ? TransferExecutor.deleteBatchSize : Self.localDeleteBatchSize, events: events
            ) { batch in try await self.storage.deleteObjects(bucket: bucket, keys: batch) }
            out.deleted += run.deleted.map { Location.object(bucket, $0).description }
            out.failures += run.failures.map { (Location.object(bucket, $0.key).description, $0.error) }
            out.stoppedBy = out.stoppedBy ?? run.stoppedBy
            out.notStarted += run.notStarted.map { Location.object(bucket, $0).description }
        }
        return out
    }
}
