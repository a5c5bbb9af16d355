import Foundation
import OBSCore
import OBSTransfer
import Testing

/// How many bodies run at once, and the most that ever did; which started, and how many had finished by then.
final class Gauge: @unchecked Sendable {  // every field is touched under `lock`
    private let lock = NSLock()
    private var now = 0, peak = 0, done = 0
    private var log: [Int] = []
    private var doneAtStart: [Int: Int] = [:]
    func enter(_ i: Int) {
        lock.lock(); now += 1; peak = max(peak, now); log.append(i); doneAtStart[i] = done; lock.unlock()
    }
    func leave() { lock.lock(); now -= 1; done += 1; lock.unlock() }
    var maximum: Int { lock.lock(); defer { lock.unlock() }; return peak }

    /// Waits (an hour at most) until `count` bodies have begun. The first `jobs` items call it so that they are all in
    /// flight at once, whatever a busy machine does to the threads' start: without it, one worker starting late lets
    /// the others finish their first items before it, and the bound is never reached although nothing is wrong.
    func awaitStarted(_ count: Int) async { await waitUntil { self.started.count >= count } }

    /// In the order the bodies began: items dispatched together run on threads of their own and race to begin.
    var started: [Int] { lock.lock(); defer { lock.unlock() }; return log }

    /// True when items were dispatched in input order, `jobs` at a time: item i began only once i - jobs + 1 items
    /// had finished (it waited for a free worker, and every earlier item had one first).
    func dispatchedInOrder(jobs: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return doneAtStart.allSatisfy { item, done in done >= item - jobs + 1 }
    }
}

struct Failure: Error {}

/// Polls `done` every millisecond, suspended in between, until it holds or an hour has passed (a hang-breaker: in a
/// full test run on two cores, a task has waited over ten minutes for a thread).
func waitUntil(_ done: () -> Bool) async {
    let deadline = Date(timeIntervalSinceNow: 3_600)
    while !done() && Date() < deadline { try? await Task.sleep(nanoseconds: 1_000_000) }
}

@Suite("transfer executor")
struct ExecutorTests {
    @Test("results keep the input order although items finish in another")
    func inputOrder() async throws {
        var completion: [Int] = []
        let outcome = try await TransferExecutor(jobs: 8).run(
            Array(0..<24),
            completed: { i, _ in completion.append(i) }
        ) { work in
            // Earlier items take longer, so they finish after later ones.
            try await Task.sleep(nanoseconds: UInt64(24 - work.item) * 2_000_000)
            return work.item * 10
        }
        #expect(outcome.successes.map(\.index) == Array(0..<24))
        #expect(outcome.successes.map(\.value) == (0..<24).map { $0 * 10 })
        #expect(completion != Array(0..<24), "the items must have finished out of order for this test to mean anything")
        #expect(completion.sorted() == Array(0..<24))
    }

    /// The workers deliver the callbacks themselves: the run's lock is what keeps these plain variables safe.
    @Test("callbacks come one at a time; started in input order, each item's before its end and its completion")
    func callbacksOneAtATime() async throws {
        var inside = 0, overlapped = false
        var started: [Int] = [], ends: [Int] = [], completions: [Int] = []
        var endBeforeStart = false, completionBeforeEnd = false
        let outcome = try await TransferExecutor(jobs: 8).run(
            Array(0..<500),
            events: { event in
                inside += 1
                if inside > 1 { overlapped = true }
                defer { inside -= 1 }
                switch event {
                case .started(let s): started.append(s.index)
                case .finished(let f):
                    if started.last.map({ $0 < f.index }) ?? true { endBeforeStart = true }
                    ends.append(f.index)
                case .failed(let f): ends.append(f.index)
                default: break
                }
            },
            completed: { index, _ in
                inside += 1
                if inside > 1 { overlapped = true }
                defer { inside -= 1 }
                if ends.last != index { completionBeforeEnd = true }
                completions.append(index)
            }
        ) { work in
            if work.item % 7 == 0 { throw Failure() }
            return work.item
        }
        #expect(!overlapped)
        #expect(started == Array(0..<500))
        #expect(!endBeforeStart && !completionBeforeEnd)
        #expect(ends.sorted() == Array(0..<500) && completions.sorted() == Array(0..<500))
        #expect(outcome.failures.map(\.index) == Array(stride(from: 0, to: 500, by: 7)))
    }

    @Test("never more than `jobs` bodies at once, and the bound is reached", arguments: [1, 4, 16])
    func bound(jobs: Int) async throws {
        let gauge = Gauge()
        let outcome = try await TransferExecutor(jobs: jobs).run(Array(0..<40)) { work in
            gauge.enter(work.item)
            defer { gauge.leave() }
            if work.item < jobs { await gauge.awaitStarted(jobs) }
            try await Task.sleep(nanoseconds: 3_000_000)
            return work.item
        }
        #expect(outcome.successes.count == 40)
        #expect(gauge.maximum == jobs)
        #expect(gauge.started.sorted() == Array(0..<40))
        #expect(gauge.dispatchedInOrder(jobs: jobs), "items start in input order, each when a worker is free")
    }

    @Test("a pool of the default size runs --jobs' maximum of blocking bodies at once: it is no hidden bound")
    func poolHoldsTheMostJobs() async throws {
        let jobs = TransferExecutor.jobRange.upperBound
        let pool = BlockingPool(threads: BlockingPool.defaultSize)
        // Each body waits until every other one has started: a pool with fewer threads never lets them all in.
        let started = DispatchGroup()
        for _ in 0..<jobs { started.enter() }
        let together = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<jobs {
                group.addTask {
                    (try? await pool.run {
                        started.leave()
                        return started.wait(timeout: .now() + 3_600) == .success
                    }) ?? false
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(together == jobs)
    }

    @Test("a failure in the middle is reported and the others go on")
    func failureInTheMiddle() async throws {
        var failed: [TransferEvent.Failed] = [], finished: [Int] = [], started: [Int] = []
        let outcome = try await TransferExecutor(jobs: 4).run(
            Array(0..<12), describe: { "item-\($0)" },
            events: { event in
                switch event {
                case .failed(let f): failed.append(f)
                case .finished(let f): finished.append(f.index)
                case .started(let s): started.append(s.index)
                default: break
                }
            }
        ) { work in
            if work.item == 5 || work.item == 6 {
                throw OBSError(code: "AccessDenied", message: "no", httpStatus: 403, category: .accessDenied)
            }
            work.counter.add(Int64(work.item))
            return work.item
        }
        #expect(outcome.failures.map(\.index) == [5, 6])
        #expect(outcome.successes.map(\.index) == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11])
        #expect(outcome.notStarted.isEmpty)
        #expect(Set(failed.map(\.item)) == ["item-5", "item-6"])
        #expect(failed.allSatisfy { $0.code == "AccessDenied" })
        #expect(finished.sorted() == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11])
        #expect(started == Array(0..<12))
    }

    @Test("cancelling the caller's task stops new items from starting")
    func cancellation() async throws {
        let gauge = Gauge()
        let task = Task {
            try await TransferExecutor(jobs: 2).run(Array(0..<50)) { work in
                gauge.enter(work.item)
                defer { gauge.leave() }
                // Runs on even when cancelled: in-flight items finish; only new ones are held back.
                while !Task.isCancelled { try? await Task.sleep(nanoseconds: 1_000_000) }
                try? await Task.sleep(nanoseconds: 5_000_000)
                return work.item
            }
        }
        while gauge.started.count < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
        task.cancel()
        let outcome = try await task.value
        #expect(gauge.started.sorted() == [0, 1])
        #expect(outcome.successes.map(\.index) == [0, 1])
        #expect(outcome.notStarted == Array(2..<50))
    }

    @Test("shouldStart saying no (an interruption) stops new items; those in flight finish")
    func shouldStart() async throws {
        let gauge = Gauge(), asked = Gauge()
        // Says yes seven times, then no (as once SIGINT arrived).
        let outcome = try await TransferExecutor(jobs: 3).run(
            Array(0..<30),
            shouldStart: {
                asked.enter(0)
                return asked.started.count <= 7
            }
        ) {
            work in
            gauge.enter(work.item)
            defer { gauge.leave() }
            try await Task.sleep(nanoseconds: 2_000_000)
            return work.item
        }
        #expect(outcome.successes.map(\.index) == Array(0..<7))
        #expect(outcome.notStarted == Array(7..<30))
        #expect(gauge.started.sorted() == Array(0..<7))
    }

    @Test("an error thrown by the event handler stops the run and is rethrown")
    func eventHandlerStops() async throws {
        let gauge = Gauge(), thrown = Gauge()
        await #expect(throws: Failure.self) {
            _ = try await TransferExecutor(jobs: 2).run(
                Array(0..<20),
                events: { event in
                    guard case .failed = event else { return }
                    thrown.enter(0)
                    throw Failure()
                }
            ) { work in
                gauge.enter(work.item)
                defer { gauge.leave() }
                if work.item == 3 { throw OBSError.localIO("broken pipe") }
                // The items after the failure wait for the handler to throw, then take a while: the other worker
                // cannot run through them all while the failing one is off the CPU (as in a loaded test run).
                if work.item > 3 {
                    for _ in 0..<10_000 where thrown.started.isEmpty { try await Task.sleep(nanoseconds: 1_000_000) }
                    try await Task.sleep(nanoseconds: 20_000_000)
                }
                return work.item
            }
        }
        #expect(gauge.started.count < 20)
    }

    @Test("an event handler's error cancels the items in flight at once")
    func eventHandlerCancelsInFlight() async throws {
        let cancelledSeen = Gauge(), running = Gauge()
        // The run's own task on a thread of its own: in a full test run the shared pool's threads can be busy for
        // minutes, and the run could not cancel anything before the other item ended by itself.
        let thread = WorkerThreads.lend(1)
        defer { WorkerThreads.giveBack(thread) }
        let run = Task(executorPreference: thread[0]) {
            _ = try await TransferExecutor(jobs: 2).run(
                Array(0..<2),
                events: { event in
                    if case .failed = event { throw Failure() }
                }
            ) { work in
                if work.item == 0 {
                    // Fails once the other item is under way.
                    while running.started.isEmpty { try? await Task.sleep(nanoseconds: 1_000_000) }
                    throw OBSError.localIO("broken pipe")
                }
                running.enter(work.item)
                // The other item would run for 30 s unless cancelled.
                for _ in 0..<3000 {
                    if Task.isCancelled {
                        cancelledSeen.enter(work.item)
                        break
                    }
                    try? await Task.sleep(nanoseconds: 10_000_000)
                }
                return work.item
            }
        }
        await #expect(throws: Failure.self) { try await run.value }
        // Cancelled before its 30 s were over (as it is, it would have ended without seeing it).
        #expect(cancelledSeen.started == [1], "the item in flight was not cancelled")
    }

    @Test("events encode as flat snake_case objects with a type")
    func eventEncoding() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = { (e: TransferEvent) in String(decoding: try encoder.encode(e), as: UTF8.self) }
        #expect(
            try text(.started(.init(index: 2, item: "a.txt", size: 10)))
                == #"{"index":2,"item":"a.txt","size":10,"type":"started"}"#)
        #expect(
            try text(.failed(.init(index: 1, item: "b", error: OBSError.localIO("gone"))))
                == #"{"code":"LocalIOError","index":1,"item":"b","message":"gone","type":"failed"}"#)
        #expect(
            try text(.deleted(.init(item: "obs://b/k", bucket: "b", key: "k")))
                == #"{"bucket":"b","item":"obs:\/\/b\/k","key":"k","type":"deleted"}"#)
        #expect(
            try text(.skipped(.init(item: "x", reason: "unsafe key")))
                == #"{"item":"x","reason":"unsafe key","type":"skipped"}"#)
    }

    @Test("deletions run in batches, several at once; failures keep the keys' order")
    func deleteBatches() async throws {
        let keys = try (0..<2_500).map { try ObjectKey(String(format: "k%04d", $0)) }
        let gauge = Gauge()
        var deletedEvents = 0, failedEvents: [Int] = []
        let bad: Set<String> = ["k0004", "k0002", "k1500"]
        let outcome = try await TransferExecutor(jobs: 2).deleteInBatches(
            bucket: try BucketName("bkt"), keys: keys, batchSize: 1_000,
            events: { event in
                if case .deleted = event { deletedEvents += 1 }
                if case .failed(let f) = event { failedEvents.append(f.index) }
            }
        ) { batch in
            gauge.enter(batch.count)
            defer { gauge.leave() }
            if gauge.started.count <= 2 { await gauge.awaitStarted(2) }  // the first two batches in flight together
            try await Task.sleep(nanoseconds: 5_000_000)
            if batch.first?.value == "k2000" { throw OBSError.localIO("batch refused") }
            return batch.filter { bad.contains($0.value) }.reversed().map { ($0, OBSError.localIO("denied")) }
        }
        #expect(gauge.started == [1_000, 1_000, 500])
        #expect(gauge.maximum == 2)
        #expect(outcome.failures.map(\.key.value).prefix(3) == ["k0002", "k0004", "k1500"])
        #expect(outcome.failures.count == 503)
        #expect(outcome.deleted.count == 1_997)
        #expect(outcome.deleted == keys.filter { !bad.contains($0.value) && $0.value < "k2000" })
        #expect(deletedEvents == 1_997)
        #expect(failedEvents.sorted().prefix(3) == [2, 4, 1_500])
    }
}

@Suite("requests in flight: the executor's budget")
struct RequestBudgetExecutorTests {
    @Test("each worker holds one of --jobs requests while it has items, and gives it back when none is left")
    func workersHoldAndGiveBack() async throws {
        let executor = TransferExecutor(jobs: 5)
        let requests = executor.requests
        let seen = try await executor.run([0, 1]) { work -> Int in
            if work.item == 0 { return requests.available }
            // Item 1 outlives item 0: its worker, with nothing left to take, gives its request back (30 s at most,
            // so that a request never given back fails the test rather than hanging it).
            let deadline = Date(timeIntervalSinceNow: 30)
            while requests.available != 4 && Date() < deadline { try await Task.sleep(nanoseconds: 1_000_000) }
            return requests.available
        }
        // Two workers for two items: three spare while both run.
        let first = try #require(seen.successes.first { $0.index == 0 }?.value, "item 0 failed")
        #expect(first == 3)
        #expect(seen.successes.first { $0.index == 1 }?.value == 4)
        #expect(requests.available == 5, "every request is back once the run is over")
    }

    @Test("spare requests are taken one at a time and never below zero")
    func spareOnly() {
        let budget = RequestBudget(2)
        budget.withdraw(1)
        #expect(budget.take())
        #expect(!budget.take(), "no spare request is left: the part must wait for a runner it has")
        budget.giveBack()
        #expect(budget.available == 1)
        let options = TransferExecutor(jobs: 3).bounding(TransferOptions(parallelism: 8))
        #expect(options.requests != nil && options.parallelism == 8)
    }
}
