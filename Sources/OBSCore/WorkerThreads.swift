import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Threads of their own for the transfer executor's workers, one per worker (`--jobs`), each a Swift task executor.
/// A worker's task runs on its thread, and blocking work it asks of `BlockingPool` (a libcurl transfer, an fsync)
/// runs there in place: a small file's whole transfer is then one thread's straight-line work, instead of a hand-off
/// to a pool thread and back for every request (two thread wake-ups; `upload -r` of 2,000 small files made 8,285
/// context switches before, 5,194 after).
/// Only that worker's task prefers its thread, so blocking it holds up nothing else; a transfer's parts or ranges run
/// there too, and beside it on threads of their own started on the run's spare requests (`RequestBudget`).
///
/// Threads are lent to one run at a time (two runs at once, as tests do, never share one) and kept when given
/// back, like the blocking pool's: a command's second run (sync's deletions) starts none.
public enum WorkerThreads {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var idle: [WorkerThread] = []  // under `lock`
    nonisolated(unsafe) private static var made = 0  // under `lock`

    /// `count` threads for the caller alone, until it gives them back.
    public static func lend(_ count: Int) -> [WorkerThread] {
        lock.withLock {
            while idle.count < count {
                made += 1
                idle.append(WorkerThread(number: made))
            }
            defer { idle.removeLast(count) }
            return Array(idle.suffix(count))
        }
    }

    /// Threads from `lend`, once no task of the caller runs on them any more.
    public static func giveBack(_ threads: [WorkerThread]) { lock.withLock { idle += threads } }

    /// True on a worker thread: blocking work may run in place.
    static var isCurrent: Bool { pthread_getspecific(WorkerThread.marker) != nil }
}

/// One thread running the jobs of the tasks that prefer it, in the order they come. `@unchecked Sendable`: `jobs`
/// is touched only under `condition`.
public final class WorkerThread: TaskExecutor, @unchecked Sendable {
    /// Set on each worker thread (its value is the thread's executor), read by `WorkerThreads.isCurrent`.
    fileprivate static let marker: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    fileprivate init(number: Int) {
        let thread = Thread { [self] in run() }
        thread.name = "obsctl-worker-\(number)"
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.unlock()
        // After the unlock: a thread woken while the lock is held would at once block on it again.
        condition.signal()
    }

    private func run() {
        pthread_setspecific(Self.marker, Unmanaged.passUnretained(self).toOpaque())
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
