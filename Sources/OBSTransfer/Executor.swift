import OBSCore

/// Runs many transfers at once, at most `jobs` in flight: a task group starts the first `jobs` items, then one
/// more each time one finishes, so a slow item never holds up the others and the bound is never exceeded.
///
/// A failure is reported and the others go on. Events and completions are delivered on the caller's task, one at a
/// time, in completion order; the outcome lists every item in input order, whatever order they finished in.
/// Cancellation (the caller's task cancelled, or `shouldStart` saying no) stops new items from starting; those
/// in flight run on (their own code decides whether a cancelled task stops) and items never started are listed
/// as such. How `jobs` combines with the parts of one large file: each item may itself run `--parallel` requests
/// (parts of an upload, ranges of a download), so at most `jobs` × parallel requests are in flight.
public struct TransferExecutor: Sendable {
    /// What `--jobs` accepts.
    public static let jobRange = 1...256

    public let jobs: Int

    public init(jobs: Int) {
        precondition(Self.jobRange.contains(jobs), "jobs must lie in \(Self.jobRange)")
        self.jobs = jobs
    }

    /// One item as its body sees it: where it stands in the input, the item, and the counter its bytes go to.
    public struct Work<Item: Sendable>: Sendable {
        public let index: Int
        public let item: Item
        public let counter: TransferCounter
    }

    /// Runs `body` for every item. `events` gets started/finished/failed for each item; `completed` the item's
    /// result with its index. Both run on the caller's task, never at once; an error either throws stops the run
    /// (no new item starts, those in flight are cancelled) and is rethrown.
    public func run<Item: Sendable, Value: Sendable>(
        _ items: [Item],
        describe: @escaping @Sendable (Item) -> String = { "\($0)" },
        size: @escaping @Sendable (Item) -> Int64? = { _ in nil },
        shouldStart: @escaping @Sendable () -> Bool = { true },
        events: (TransferEvent) throws -> Void = { _ in },
        completed: (Int, Result<Value, any Error>) throws -> Void = { _, _ in },
        _ body: @escaping @Sendable (Work<Item>) async throws -> Value
    ) async throws -> ExecutionOutcome<Value> {
        var results = [ExecutionOutcome<Value>.Slot](repeating: .notStarted, count: items.count)
        // Each item runs on a worker thread of its own (`WorkerThreads`), free again when the item is done.
        let workers = WorkerThreads.lend(min(jobs, items.count))
        defer { WorkerThreads.giveBack(workers) }
        var idle = workers
        try await withThrowingTaskGroup(of: (Int, TransferCounter, WorkerThread, Result<Value, any Error>).self) {
            group in
            var next = 0, running = 0
            while true {
                while running < jobs && next < items.count {
                    guard !Task.isCancelled && shouldStart() else { next = items.count; break }
                    let index = next, item = items[index], counter = TransferCounter(), worker = idle.removeLast()
                    next += 1
                    try events(.started(.init(index: index, item: describe(item), size: size(item))))
                    group.addTask(executorPreference: worker) {
                        do {
                            let value = try await body(Work(index: index, item: item, counter: counter))
                            return (index, counter, worker, .success(value))
                        } catch {
                            return (index, counter, worker, .failure(error))
                        }
                    }
                    running += 1
                }
                guard let (index, counter, worker, result) = try await group.next() else { break }
                idle.append(worker)
                running -= 1
                switch result {
                case .success(let value):
                    results[index] = .done(value)
                    try events(.finished(.init(index: index, item: describe(items[index]), bytes: counter.value)))
                case .failure(let error):
                    results[index] = .failed(error)
                    try events(.failed(.init(index: index, item: describe(items[index]), error: error)))
                }
                try completed(index, result)
            }
        }
        return ExecutionOutcome(results: results)
    }
}

/// What a run did, item by item in input order.
public struct ExecutionOutcome<Value: Sendable>: Sendable {
    public enum Slot: Sendable {
        case done(Value)
        case failed(any Error)
        /// Never started: the run was cancelled first.
        case notStarted
    }

    public let results: [Slot]

    /// The values of the items that succeeded, in input order.
    public var successes: [(index: Int, value: Value)] {
        results.enumerated().compactMap { i, slot in if case .done(let v) = slot { (i, v) } else { nil } }
    }

    /// The errors of the items that failed, in input order.
    public var failures: [(index: Int, error: any Error)] {
        results.enumerated().compactMap { i, slot in if case .failed(let e) = slot { (i, e) } else { nil } }
    }

    /// The items never started, in input order.
    public var notStarted: [Int] {
        results.enumerated().compactMap { i, slot in if case .notStarted = slot { i } else { nil } }
    }
}
