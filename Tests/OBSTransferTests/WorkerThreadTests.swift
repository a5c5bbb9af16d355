import Foundation
import OBSCore
import OBSTransfer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Which threads the bodies ran on: before, inside and after a blocking call.
private final class ThreadLog: @unchecked Sendable {  // every field is touched under `lock`
    private let lock = NSLock()
    private var entries: [(outer: pthread_t, inner: pthread_t, after: pthread_t)] = []
    func add(_ outer: pthread_t, _ inner: pthread_t, _ after: pthread_t) {
        lock.withLock { entries.append((outer, inner, after)) }
    }
    var all: [(outer: pthread_t, inner: pthread_t, after: pthread_t)] { lock.withLock { entries } }
    var threads: Set<pthread_t> { Set(all.map(\.outer)) }
    private var begun = 0

    /// Counts an item as begun, and for the first `jobs` items waits (30 s at most) until `jobs` have begun: they
    /// are then all in flight at once, one per worker, even when a busy machine starts a worker late (without the
    /// wait the others could take every item first, and fewer threads would show although nothing is wrong).
    func begin(jobs: Int) async {
        let n = lock.withLock {
            begun += 1; return begun
        }
        guard n <= jobs else { return }
        await waitUntil { lock.withLock { begun } >= jobs }
    }
}

/// The executor's items run on worker threads of their own (`WorkerThreads`), where blocking work runs in place.
@Suite("transfer executor: worker threads")
struct WorkerThreadTests {
    private static func record(_ log: ThreadLog, jobs: Int) async throws {
        let outer = pthread_self()
        await log.begin(jobs: jobs)
        let inner = try await BlockingPool.shared.run { pthread_self() }
        try await Task.sleep(nanoseconds: 2_000_000)  // a suspension: the task comes back to its own thread
        log.add(outer, inner, pthread_self())
    }

    @Test("an item's blocking work runs on the item's own thread, which it keeps across suspensions")
    func inPlace() async throws {
        let log = ThreadLog()
        let outcome = try await TransferExecutor(jobs: 4).run(Array(0..<24)) { _ in
            try await Self.record(log, jobs: 4)
        }
        #expect(outcome.successes.count == 24)
        #expect(log.all.count == 24)
        #expect(log.all.allSatisfy { $0.inner == $0.outer }, "blocking work was handed to another thread")
        #expect(log.all.allSatisfy { $0.after == $0.outer }, "the item moved to another thread")
        #expect(log.threads.count == 4, "one thread per job")
        #expect(!log.threads.contains(pthread_self()))
    }

    @Test("two runs at once never share a worker thread")
    func runsApart() async throws {
        let first = ThreadLog(), second = ThreadLog()
        async let a = TransferExecutor(jobs: 3).run(Array(0..<15)) { _ in try await Self.record(first, jobs: 3) }
        async let b = TransferExecutor(jobs: 5).run(Array(0..<25)) { _ in try await Self.record(second, jobs: 5) }
        let (ra, rb) = try await (a, b)
        #expect(ra.successes.count == 15 && rb.successes.count == 25)
        #expect(first.threads.count == 3 && second.threads.count == 5)
        #expect(first.threads.isDisjoint(with: second.threads))
    }

    @Test("outside a transfer, blocking work still goes to the pool's threads")
    func outside() async throws {
        let caller = pthread_self()
        let inner = try await BlockingPool.shared.run { pthread_self() }
        #expect(inner != caller)
    }
}
