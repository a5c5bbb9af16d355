import OBSCore

/// Keys deleted and keys that could not be, each in input order.
public struct DeletionOutcome: Sendable {
    public var deleted: [ObjectKey] = []
    public var failures: [(key: ObjectKey, error: OBSError)] = []
}

extension TransferExecutor {
    /// OBS's batch delete takes at most 1,000 keys a request.
    public static let deleteBatchSize = 1000

    /// The fewest keys a batch is cut to when keys are spread over the jobs (`batchSize`).
    public static let deleteSpreadMinimum = 100

    /// How many keys go in one batch: `limit` at most, and fewer when that leaves jobs idle. A server deletes a
    /// batch's keys one after another, so 2,000 keys as 16 batches of 125 at once finish sooner than as 2 of 1,000
    /// (through 20 ms round trips to SeaweedFS, about 20 % less wall); never below `deleteSpreadMinimum`.
    public func batchSize(for count: Int, limit: Int) -> Int {
        min(max(1, limit), max(Self.deleteSpreadMinimum, (count + jobs - 1) / jobs))
    }

    /// Deletes `keys` of `bucket` in batches of at most `batchSize` (spread over the jobs, `batchSize(for:limit:)`),
    /// at most `jobs` batches at once. `delete` deletes one batch and returns the keys it could not delete; a batch
    /// refused as a whole (it throws) fails each of its keys. `events` gets a `deleted` or `failed` event per key
    /// as each batch completes (batches in completion order, keys in input order within a batch), on the caller's
    /// task.
    public func deleteInBatches(
        bucket: BucketName, keys: [ObjectKey], batchSize: Int = deleteBatchSize,
        events: (TransferEvent) throws -> Void = { _ in },
        _ delete: @escaping @Sendable ([ObjectKey]) async throws -> [(key: ObjectKey, error: OBSError)]
    ) async throws -> DeletionOutcome {
        let batchSize = self.batchSize(for: keys.count, limit: batchSize)
        let starts = Array(stride(from: 0, to: keys.count, by: batchSize))
        let batches = starts.map { Array(keys[$0..<min($0 + batchSize, keys.count)]) }
        let name = { (key: ObjectKey) in "obs://\(bucket)/\(key.value)" }
        var perBatch = [DeletionOutcome?](repeating: nil, count: batches.count)
        _ = try await run(
            batches, describe: { "\($0.count) keys" },
            completed: { batch, result in
                let done = Self.split(batches[batch], result)
                perBatch[batch] = done
                for key in done.deleted {
                    try events(.deleted(.init(item: name(key), bucket: bucket.value, key: key.value)))
                }
                for f in done.failures {
                    let index = starts[batch] + (batches[batch].firstIndex(of: f.key) ?? 0)
                    try events(.failed(.init(index: index, item: name(f.key), error: f.error)))
                }
            }
        ) { work in try await delete(work.item) }
        var out = DeletionOutcome()
        for done in perBatch.compactMap({ $0 }) {
            out.deleted += done.deleted
            out.failures += done.failures
        }
        return out
    }

    /// One batch's result as deleted and failed keys, both in the batch's order.
    private static func split(_ batch: [ObjectKey], _ result: Result<[(key: ObjectKey, error: OBSError)], any Error>)
        -> DeletionOutcome
    {
        let failed: [(key: ObjectKey, error: OBSError)]
        switch result {
        case .success(let f): failed = f
        case .failure(let error): failed = batch.map { ($0, TransferEvent.Failed.obsError(error)) }
        }
        let errors = Dictionary(failed.map { ($0.key, $0.error) }, uniquingKeysWith: { a, _ in a })
        var out = DeletionOutcome()
        for key in batch {
            if let e = errors[key] { out.failures.append((key, e)) } else { out.deleted.append(key) }
        }
        return out
    }
}
