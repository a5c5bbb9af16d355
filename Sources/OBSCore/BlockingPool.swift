import Foundation

/// A fixed set of threads for work that blocks (libcurl transfers, encryption of a whole object, fsync): Swift's
/// cooperative pool has one thread per core (two on small machines), and one blocked call there stalls every task.
/// Callers await a job; jobs beyond the thread count wait in a FIFO queue, never holding a cooperative thread,
/// so any number of async callers can wait without deadlock. A job must not wait on another job of the same pool
/// (that could exhaust the threads): nested parallel work uses threads of its own.
///
/// Size: threads start on demand, when a job finds none idle, up to `threads`; they then stay. Blocking work here
/// is mostly network round trips (idle CPU), and what bounds it is the caller (`--jobs` files, each request one
/// job): a pool smaller than that would be a second, hidden bound (a fixed 4 threads made `--jobs 16` run four
/// requests at once). The shared pool's bound is 256, `--jobs`' maximum; a one-file command starts one thread.
public final class BlockingPool: Sendable {
    public static let shared = BlockingPool(threads: BlockingPool.defaultSize)

    public static var defaultSize: Int { 256 }

    public let threads: Int
    private let queue: JobQueue

    public init(threads: Int) {
        self.threads = max(1, threads)
        queue = JobQueue(maxThreads: self.threads)
    }

    /// Runs `body` on one of the pool's threads and resumes the caller with its result. The caller stays suspended
    /// until `body` has returned, so what `body` captures is used by one thread at a time, as if the task itself
    /// had moved to the pool's thread for the call.
    public func run<R>(_ body: @escaping () throws -> R) async throws -> R {
        // A transfer worker's own thread may block: no hand-off (`WorkerThreads`).
        if WorkerThreads.isCurrent { return try body() }
        let job = Job(body)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            job.continuation = continuation
            queue.push(job)
        }
        return try job.take()
    }

    /// Queues `body` without waiting for it: for tests, which must fill the pool without relying on when the
    /// cooperative pool schedules their tasks.
    func start(_ body: @escaping @Sendable () -> Void) { queue.push(DetachedJob(body)) }

    /// Jobs started and not finished, and jobs waiting: for tests and diagnostics.
    public var load: (running: Int, waiting: Int) { queue.load }
}

/// One call and its result. `@unchecked Sendable`: its caller is suspended while the worker runs the body (see
/// `run`); the result is written by the worker and read by the caller after `resume`, both under `handOff`.
/// The lock makes the hand-over explicit: everything the body wrote (into buffers and objects the caller owns)
/// happens before the caller reads it, without relying on the continuation's own ordering, which
/// ThreadSanitizer does not see (it reported the caller's next use of a sink filled by the body as a race).
private final class Job<R>: PoolJob, @unchecked Sendable {
    private var body: (() throws -> R)?
    var continuation: CheckedContinuation<Void, Never>?
    private let handOff = NSLock()
    private var result: Result<R, Error>?

    init(_ body: @escaping () throws -> R) { self.body = body }

    func run() {
        let outcome = Result { try body!() }
        body = nil  // what the body captured is released on this thread, before the caller resumes
        handOff.withLock { result = outcome }
        continuation!.resume()
    }

    func take() throws -> R { try handOff.withLock { result! }.get() }
}

private protocol PoolJob: AnyObject, Sendable { func run() }

/// A job nobody awaits (`start`).
private final class DetachedJob: PoolJob {
    private let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    func run() { body() }
}

/// FIFO of jobs under a condition lock. `@unchecked Sendable`: every field is read and written under `condition`.
private final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [PoolJob] = []
    private var head = 0
    private var running = 0
    private var started = 0
    private var idle = 0
    private let maxThreads: Int

    init(maxThreads: Int) { self.maxThreads = maxThreads }

    func push(_ job: PoolJob) {
        condition.lock()
        jobs.append(job)
        // A thread for this job if none is idle (jobs already queued have their threads on the way).
        let waiting = jobs.count - head
        let spawn = waiting > idle && started < maxThreads
        if spawn { started += 1 }
        let number = started
        condition.signal()
        condition.unlock()
        if spawn {
            let thread = Thread { [self] in workLoop() }
            thread.name = "obsctl-blocking-\(number)"
            thread.start()
        }
    }

    var load: (running: Int, waiting: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (running, jobs.count - head)
    }

    func workLoop() {
        while true {
            condition.lock()
            idle += 1
            while head == jobs.count { condition.wait() }
            idle -= 1
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            running += 1
            condition.unlock()
            job.run()
            condition.lock()
            running -= 1
            condition.unlock()
        }
    }
}
