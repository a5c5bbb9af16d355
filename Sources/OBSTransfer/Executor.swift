import Foundation
import OBSCore

/// Runs many transfers at once, at most `jobs` in flight: `jobs` workers, each on a thread of its own
/// (`WorkerThreads`), take the next item in input order as soon as their last one is done, so a slow item never
/// holds up the others and the bound is never exceeded.
///
/// A failure is reported and the others go on. The worker that ran an item delivers its events and completion
/// itself, under the run's lock: one callback at a time, each item's `started` (in input order) before its end. No
/// task per item and no trip through the caller's task between items: those were two thread wake-ups a file, the
/// largest per-file cost once requests are cheap. The outcome lists every item in input order, whatever order they
/// finished in. Cancellation (the caller's task cancelled, or `shouldStart` saying no) stops new items from
/// starting; those in flight run on (their own code decides whether a cancelled task stops) and items never started
/// are listed as such. `jobs` is also the bound on requests in flight (`requests`): each worker holds one while it has
/// an item and gives it back when none is left, and an item's extra parts or ranges (up to `--parallel`) run only on
/// requests no worker holds, when its transfer options carry `requests`.
public struct TransferExecutor: Sendable {
    /// What `--jobs` accepts.
    public static let jobRange = 1...256

    public let jobs: Int
    /// The run's requests in flight, for its items' `TransferOptions.requests`.
    public let requests: RequestBudget

    public init(jobs: Int) {
        precondition(Self.jobRange.contains(jobs), "jobs must lie in \(Self.jobRange)")
        self.jobs = jobs
        self.requests = RequestBudget(jobs)
    }

    /// `options` with their parts bounded by this executor's requests in flight.
    public func bounding(_ options: TransferOptions) -> TransferOptions {
        var bounded = options
        bounded.requests = requests
        return bounded
    }

    public func bounding(_ options: StepOptions) -> StepOptions {
        var bounded = options
        bounded.transfer = bounding(options.transfer)
        return bounded
    }

    /// One item as its body sees it: where it stands in the input, the item, and the counter its bytes go to.
    public struct Work<Item: Sendable>: Sendable {
        public let index: Int
        public let item: Item
        public let counter: TransferCounter
    }

    /// Runs `body` for every item. `events` gets started/finished/failed for each item; `completed` the item's
    /// result with its index. Both are called from the workers, one call at a time and never after `run` returns
    /// (so they may keep state of the caller's without a lock of their own); an error either throws stops the run
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
        // The callbacks do not outlive this call: the task group below waits for every worker before it returns.
        try await withoutActuallyEscaping(events) { events in
            try await withoutActuallyEscaping(completed) { completed in
                let run = RunState<Item, Value>(
                    items: items, describe: describe, size: size,
                    callbacks: .init(events: events, completed: completed))
                let workers = WorkerThreads.lend(min(jobs, items.count))
                defer { WorkerThreads.giveBack(workers) }
                // Taken before any worker starts, so that no item's parts take what another worker is owed.
                requests.withdraw(workers.count)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in workers {
                        group.addTask(executorPreference: worker) { [requests] in
                            defer { requests.giveBack() }  // no item left for this worker: its request is spare
                            while let index = try run.claim(shouldStart: { !Task.isCancelled && shouldStart() }) {
                                let counter = TransferCounter()
                                let result: Result<Value, any Error>
                                do {
                                    let work = Work(index: index, item: items[index], counter: counter)
                                    result = .success(try await body(work))
                                } catch {
                                    result = .failure(error)
                                }
                                try run.end(index, bytes: counter.value, result)
                            }
                        }
                    }
                    // Not waitForAll, which waits for every worker before it throws: the first error leaves the
                    // group's body at once, and the group cancels the items still in flight.
                    for try await _ in group {}
                }
                return run.outcome
            }
        }
    }
}

/// The caller's callbacks as the workers call them. `@unchecked Sendable`: `RunState` calls them only under its
/// lock, one call at a time, and only while `run` waits for the workers.
private struct Callbacks<Value: Sendable>: @unchecked Sendable {
    let events: (TransferEvent) throws -> Void
    let completed: (Int, Result<Value, any Error>) throws -> Void
}

/// What the workers of one run share, under one lock: the next item to claim, the results, and the callbacks.
private final class RunState<Item: Sendable, Value: Sendable>: @unchecked Sendable {  // every var under `lock`
    private let lock = NSLock()
    private let items: [Item]
    private let describe: @Sendable (Item) -> String
    private let size: @Sendable (Item) -> Int64?
    private let callbacks: Callbacks<Value>
    private var next = 0
    private var results: [ExecutionOutcome<Value>.Slot]

    init(
        items: [Item], describe: @escaping @Sendable (Item) -> String, size: @escaping @Sendable (Item) -> Int64?,
        callbacks: Callbacks<Value>
    ) {
        self.items = items
        self.describe = describe
        self.size = size
        self.callbacks = callbacks
        results = Array(repeating: .notStarted, count: items.count)
    }

    var outcome: ExecutionOutcome<Value> { lock.withLock { ExecutionOutcome(results: results) } }

    /// The next item's index, with its `started` event delivered; nil when every item is taken or `shouldStart`
    /// says no, which also ends the other workers' claims. A callback's error stops all claims and is rethrown.
    func claim(shouldStart: () -> Bool) throws -> Int? {
        try locked {
            guard next < items.count, shouldStart() else {
                next = items.count
                return nil
            }
            let index = next
            next += 1
            let item = items[index]
            try callbacks.events(.started(.init(index: index, item: describe(item), size: size(item))))
            return index
        }
    }

    /// Records an item's result and delivers its end: `finished` or `failed`, then `completed`.
    func end(_ index: Int, bytes: Int64, _ result: Result<Value, any Error>) throws {
        try locked {
            let item = describe(items[index])
            switch result {
            case .success(let value):
                results[index] = .done(value)
                try callbacks.events(.finished(.init(index: index, item: item, bytes: bytes)))
            case .failure(let error):
                results[index] = .failed(error)
                try callbacks.events(.failed(.init(index: index, item: item, error: error)))
            }
            try callbacks.completed(index, result)
        }
    }

    /// `body` under the lock; an error it throws also ends every claim.
    private func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do { return try body() } catch {
            next = items.count
            throw error
        }
    }
}

/// What a run did, item by item in input order.
public struct ExecutionOutcome<Value: Sendable>: Sendable {
    public enum Slot: Sendable {
        case done(Value)
        case failed(any Error)
        /// Never started: the run was cancelled first, or `shouldStart` said no.
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
