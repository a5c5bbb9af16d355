import Foundation
import OBSCore
import Testing

@testable import OBSClient

/// `PartHelpers` starts the threads that run a file's parts beside the caller's. A thread that cannot start (a
/// process at its thread limit) gives its request back to the run's budget and ends the helpers for those parts:
/// the caller and the helpers already running take the remaining parts, and nothing waits for a thread that never ran.
@Suite("part helpers: a thread that cannot start gives its request back")
struct PartHelpersTests {
    /// Counts the helpers run, and the calls to start a thread (failing the ones `failing` names, 1-based).
    final class Starter: @unchecked Sendable {  // fields only under `lock`
        private let lock = NSLock()
        private var calls = 0
        private var ran = 0
        let failing: Set<Int>

        init(failing: Set<Int>) { self.failing = failing }

        var counts: (calls: Int, ran: Int) { lock.withLock { (calls, ran) } }

        func start(_ body: @escaping () -> Void) -> Int32 {
            let call = lock.withLock {
                calls += 1
                return calls
            }
            if failing.contains(call) { return EAGAIN }
            return DetachedThread.start { [self] in
                lock.withLock { ran += 1 }  // before the body, whose end lets waitForAll return
                body()
            }
        }
    }

    @Test func firstThreadFailsNoneStartsAndTheBudgetIsWhole() throws {
        let budget = RequestBudget(4)
        let starter = Starter(failing: [1])
        let helpers = PartHelpers(limit: 3, budget: budget, startThread: starter.start)
        for _ in 0..<5 { helpers.offer {} }
        helpers.waitForAll()
        #expect(starter.counts.calls == 1, "no thread is tried again once one could not start")
        #expect(starter.counts.ran == 0)
        #expect(budget.available == 4)
    }

    @Test func secondThreadFailsTheFirstRunsAndEveryRequestComesBack() throws {
        let budget = RequestBudget(5)
        let starter = Starter(failing: [2])
        let helpers = PartHelpers(limit: 3, budget: budget, startThread: starter.start)
        let release = DispatchSemaphore(value: 0)
        helpers.offer { release.wait() }  // held until the failed start is over, so it cannot finish first
        helpers.offer {}
        #expect(budget.available == 4, "the running helper holds one request; the failed one gave its back")
        helpers.offer {}
        release.signal()
        helpers.waitForAll()
        #expect(starter.counts == (calls: 2, ran: 1))
        #expect(budget.available == 5)
    }

    @Test func helpersStartOnlyOnSpareRequests() throws {
        let budget = RequestBudget(1)
        let starter = Starter(failing: [])
        let helpers = PartHelpers(limit: 3, budget: budget, startThread: starter.start)
        let release = DispatchSemaphore(value: 0)
        helpers.offer { release.wait() }
        helpers.offer {}
        helpers.offer {}
        #expect(starter.counts.calls == 1, "one spare request, one helper")
        #expect(budget.available == 0)
        release.signal()
        helpers.waitForAll()
        #expect(budget.available == 1)
    }
}
