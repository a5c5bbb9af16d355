import Foundation
import Testing

@testable import OBSCore

/// The shared pool for blocking work: bounded, never deadlocked by many waiting callers, and off the cooperative
/// pool (a job that blocks does not stop async tasks).
struct BlockingPoolTests {
    @Test("200 concurrent callers through a pool of 4: every one finishes, never more than 4 run at once")
    func manyCallersFewThreads() async throws {
        let pool = BlockingPool(threads: 4)
        let gauge = Gauge()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<200 {
                group.addTask {
                    try await pool.run {
                        // The first four jobs in wait for each other: else, with callers arriving slowly (a busy
                        // machine), the pool never has to start its fourth thread, though nothing is wrong.
                        if gauge.enter() <= 4 { gauge.awaitPeak(4) }
                        defer { gauge.leave() }
                        usleep(2_000)
                        return n
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<200))
        #expect(gauge.peak == 4, "all four threads used, none more: \(gauge.peak)")
    }

    @Test("jobs that block until an async task acts: the task still runs (jobs hold no cooperative thread)")
    func blockedJobsLeaveTheCooperativePoolFree() async throws {
        let pool = BlockingPool(threads: 8)
        let gate = DispatchSemaphore(value: 0)
        let jobs = Task {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await pool.run { gate.wait(timeout: .now() + 3_600) == .success } }
                }
                return try await group.reduce(true) { $0 && $1 }
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while pool.load.running < 8 && Date() < deadline { try await Task.sleep(nanoseconds: 1_000_000) }
        // Eight blocked jobs: more than the cooperative pool's threads on this machine. This task still runs.
        for _ in 0..<8 { gate.signal() }
        #expect(try await jobs.value, "every job was released by the async task, none timed out")
    }

    @Test("errors and results come back to the caller that asked")
    func resultsAndErrors() async throws {
        struct Boom: Error {}
        let pool = BlockingPool(threads: 2)
        #expect(try await pool.run { "value" } == "value")
        await #expect(throws: Boom.self) { try await pool.run { throw Boom() } }
    }

    @Test("threads start on demand: 16 blocked jobs run at once in a pool of 256, none queued")
    func growsToDemand() throws {
        let pool = BlockingPool(threads: 256)
        let gauge = Gauge()
        let gate = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        // Queued from this thread, not from tasks: the cooperative pool's timing cannot hide a missing thread.
        for _ in 0..<16 {
            pool.start {
                gauge.enter()
                _ = gate.wait(timeout: .now() + 60)
                gauge.leave()
                finished.signal()
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while pool.load.running < 16 && Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        #expect(pool.load.running == 16, "all 16 jobs running at once, none queued behind a fixed thread count")
        #expect(pool.load.waiting == 0)
        for _ in 0..<16 { gate.signal() }
        for _ in 0..<16 { #expect(finished.wait(timeout: .now() + 60) == .success) }
        #expect(gauge.peak == 16)
    }
}

/// How many jobs run at once, and the most there ever were. `@unchecked Sendable`: fields under `lock`.
private final class Gauge: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0
    private var entered = 0
    private(set) var peakValue = 0
    /// Returns how many jobs have entered so far, this one included.
    @discardableResult
    func enter() -> Int {
        lock.lock()
        defer { lock.unlock() }
        now += 1
        entered += 1
        peakValue = max(peakValue, now)
        return entered
    }
    /// Blocks (an hour at most: a hang-breaker) until `count` jobs have run at once.
    func awaitPeak(_ count: Int) {
        let deadline = Date().addingTimeInterval(3_600)
        while peak < count && Date() < deadline { usleep(500) }
    }
    func leave() {
        lock.lock()
        now -= 1
        lock.unlock()
    }
    var peak: Int {
        lock.lock()
        defer { lock.unlock() }
        return peakValue
    }
}
