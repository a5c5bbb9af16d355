import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where this process's temporary files are created (`AbandonedTemp.create`, `AtomicFile`'s temporaries). An
/// interruption about to `_exit` closes it before it removes the temporaries it knows of: none is created after
/// that sweep (a worker that gets here meanwhile waits for the exit), so none is left behind.
public enum TemporaryFileGate {
    private static let lock = ReadWriteLock()
    private static let closed = Atomic<Bool>(false)

    /// Runs `body`, which creates a temporary file, unless the gate is closed: then waits for the exit.
    public static func whileOpen<T>(_ body: () throws -> T) rethrows -> T {
        lock.lockShared()
        if closed.load(ordering: .sequentiallyConsistent) {
            lock.unlock()
            while true { pause() }
        }
        defer { lock.unlock() }
        return try body()
    }

    /// Waits for the creations under way, then closes the gate for the rest of the process's life.
    public static func close() {
        lock.lockExclusive()
        closed.store(true, ordering: .sequentiallyConsistent)
        lock.unlock()
    }
}

/// A pthread read-write lock. `@unchecked Sendable`: the lock is the synchronisation.
public final class ReadWriteLock: @unchecked Sendable {
    private let rw: UnsafeMutablePointer<pthread_rwlock_t> = {
        let p = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        pthread_rwlock_init(p, nil)
        return p
    }()
    public init() {}
    public func lockShared() { pthread_rwlock_rdlock(rw) }
    public func lockExclusive() { pthread_rwlock_wrlock(rw) }
    public func unlock() { pthread_rwlock_unlock(rw) }
    // Never deinitialised: each one lives as long as the process.
}
