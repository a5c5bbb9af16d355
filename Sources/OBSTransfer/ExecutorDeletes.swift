import OBSCore

/// Keys deleted and keys that could not be, each in input order.
public struct DeletionOutcome: Sendable {
    public var deleted: [ObjectKey] = []
    public var failures: [(key: ObjectKey, error: OBSError)] = []
    /// A batch's failure every other batch would repeat (`RunWideFailure`), after which none started.
    public var stoppedBy: OBSError?
    /// Keys of the batches not started after it, in input order: each also among `failures` ("not started: ..."),
    /// with no event of its own (the caller notes how many).
    public var notStarted: [ObjectKey] = []
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
    /// task. A batch refused for a reason every other batch would repeat (`RunWideFailure`: no such bucket, the
    /// credentials or the clock refused), as a whole or key by key, starts no new one; the keys of those never
    /// started fail with it (`DeletionOutcome.notStarted`).
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
        let stop = StopFlag()
        let run = try await run(
            batches, describe: { "\($0.count) keys" }, shouldStart: { !stop.isSet },
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
        ) { work in
            let failed: [(key: ObjectKey, error: OBSError)]
            do { failed = try await delete(work.item) } catch {
                let e = TransferEvent.Failed.obsError(error)
                if RunWideFailure.failsEveryRequest(e) { stop.set(because: e) }
                throw error
            }
            // The local backend answers a missing bucket key by key.
            if let e = failed.first?.error, failed.count == work.item.count, RunWideFailure.failsEveryRequest(e),
                failed.allSatisfy({ $0.error.code == e.code })
            {
                stop.set(because: e)
            }
            return failed
        }
        var out = DeletionOutcome()
        for done in perBatch.compactMap({ $0 }) {
            out.deleted += done.deleted
            out.failures += done.failures
        }
        // Batches are claimed in order: those never started are the last ones, so the failures keep input order.
        if let cause = stop.stoppedBy {
            out.stoppedBy = cause
            let failure = RunWideFailure.notStarted(cause)
            for batch in run.notStarted {
                for key in batches[batch] {
                    out.failures.append((key, failure))
                    out.notStarted.append(key)
                }
            }
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
