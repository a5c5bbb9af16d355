import Foundation
import OBSClient
import OBSCore
import OBSLocalBackend
import OBSTransfer
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM: run registered cleanup actions (abort multipart uploads in flight), remove registered
/// temporary files (half-written downloads) and the directories made for them, then exit 130 / 143. Cleanup
/// actions run in parallel and get at most `cleanupDeadline` seconds in all: an unreachable endpoint cannot keep an
/// interrupted obsctl alive.
enum Interrupts {
    private static let lock = NSLock()
    // `nonisolated(unsafe)`: each of these is touched only under `lock`.
    nonisolated(unsafe) private static var tempFiles: Set<String> = []
    /// Each single download's new directories, outermost first (`LocalDirectories.makeNamed`).
    nonisolated(unsafe) private static var madeDirectories: [[String]] = []
    /// The directories recursive downloads made below their destination, as registered (`makeTreeDirectories`).
    nonisolated(unsafe) private static var treeDirectories: [String] = []
    nonisolated(unsafe) private static var cleanups: [Int: @Sendable () -> String?] = [:]
    /// Set once, under `lock`; read without it (every transfer asks before it starts).
    private static let interrupting = Atomic<Bool>(false)
    /// Held shared while a temporary file is created and registered, exclusively by the interruption before it
    /// takes the list: downloads create their files at once, and none is created unregistered.
    private static let creating = ReadWriteLock()
    nonisolated(unsafe) private static var nextCleanup = 0
    /// Held for the process's life: a source released is cancelled.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    static let cleanupDeadline: Double = 5

    /// `signalSources`: false when the program takes the signals itself and calls `interrupt` (obsctl-serve).
    static func install(signalSources: Bool = true) {
        // Multipart uploads register their abort here for as long as they are in flight.
        RemoteBackend.multipartUploadStarted = { abort in
            let id = registerCleanup(abort)
            return { unregisterCleanup(id) }
        }
        guard signalSources else { return }
        for (sig, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            // The default action until libdispatch's handler for the source is installed (by its manager thread, a
            // little later): a signal in between ends the process, which has started nothing yet. Ignored instead
            // (as a script's `cmd &` inherits SIGINT), it would be lost.
            signal(sig, SIG_DFL)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { interrupted(code) }
            source.resume()
            lock.lock(); sources.append(source); lock.unlock()
        }
    }

    /// SIGINT or SIGTERM taken by the program itself (obsctl-serve's signal thread) for a one-shot command: the
    /// same cleanup and exit (130, 143) as through the signal sources.
    static func interrupt(signal: Int32) -> Never { interrupted(signal == SIGINT ? 130 : 143) }

    private static func interrupted(_ code: Int32) -> Never {
        lock.lock()
        if interrupting.load(ordering: .sequentiallyConsistent) {
            lock.unlock()  // a second signal while cleaning up: the first handler finishes the job
            while true { pause() }
        }
        interrupting.store(true, ordering: .sequentiallyConsistent)
        lock.unlock()
        // Temporaries being created now are registered before this returns; later ones are never created.
        creating.lockExclusive()
        lock.lock()
        let actions = Array(cleanups.values), files = tempFiles, directories = madeDirectories, tree = treeDirectories
        cleanups = [:]
        lock.unlock()
        let results = CleanupResults()
        var finished = true
        if !actions.isEmpty {
            let group = DispatchGroup()
            for action in actions {
                group.enter()
                Thread {
                    results.add(action()); group.leave()
                }.start()
            }
            finished = group.wait(timeout: .now() + cleanupDeadline) == .success
        }
        for path in files { unlink(path) }
        LocalBackend.removeTemporariesOfInterruptedWrites()
        // Emptied by the unlinks; a download that finished meanwhile keeps its file, and so its directories.
        LocalDirectories.removeMade(directories.flatMap { $0 } + tree)
        var message = "obsctl: interrupted; temporary files removed"
        let failed = results.failures
        if !actions.isEmpty {
            let n = actions.count, plural = actions.count == 1 ? "" : "s"
            if !finished {
                message +=
                    "; aborting \(n) multipart upload\(plural) did not finish within \(Int(cleanupDeadline)) s "
                    + "(list them with 'obsctl multipart list' and abort them with 'obsctl multipart abort')"
            } else if failed.isEmpty {
                message += ", \(n) multipart upload\(plural) aborted"
            } else {
                message +=
                    "; could not abort \(failed.joined(separator: ", ")): their parts stay stored until "
                    + "aborted ('obsctl multipart abort')"
            }
        }
        Output.stderr(message)
        _exit(code)
    }

    /// Creates a download's temporary file (`AbandonedTemp.create`) and registers it, under the lock: a file either
    /// exists registered before an interruption takes its list, or is never created. A transfer that starts one
    /// while the interruption is cleaning up waits for the exit. Returns the descriptor, or -1 with errno set.
    static func createTemp(_ path: String) -> Int32 {
        whileCreating {
            let fd = AbandonedTemp.create(path)  // outside `lock`: many downloads create their files at once
            if fd >= 0 { lock.withLock { _ = tempFiles.insert(path) } }
            return fd
        }
    }

    /// Runs `body`, which creates something on disk and registers it, while holding `creating` shared: an
    /// interruption takes its lists only once no creation is half done. Once one began, it waits for the exit.
    private static func whileCreating<T>(_ body: () throws -> T) rethrows -> T {
        creating.lockShared()
        if isInterrupting { creating.unlock(); while true { pause() } }
        defer { creating.unlock() }
        return try body()
    }

    /// True once SIGINT or SIGTERM arrived: no new transfer starts.
    static var isInterrupting: Bool { interrupting.load(ordering: .sequentiallyConsistent) }

    static func unregisterTemp(_ path: String) { lock.lock(); tempFiles.remove(path); lock.unlock() }

    /// Makes a single download's directories (`LocalDirectories.makeNamed`) and registers those it made, under the
    /// same lock as `createTemp`: they exist registered, or are never made.
    static func makeDirectories(_ dir: String) throws -> [String] {
        try whileCreating {
            let made = try LocalDirectories.makeNamed(dir)
            if !made.isEmpty { lock.withLock { madeDirectories.append(made) } }
            return made
        }
    }

    /// Makes a recursive download's directories below `root` (`LocalDirectories.make`) and registers each one it
    /// makes, under the same lock as `createTemp`.
    static func makeTreeDirectories(_ dir: String, below root: String) throws {
        try whileCreating {
            try LocalDirectories.make(dir, below: root) { made in lock.withLock { treeDirectories.append(made) } }
        }
    }

    /// Once a run is over: the directories its downloads made that hold nothing (each of its files failed) go,
    /// deepest first; the others hold downloads and stay.
    static func removeEmptyTreeDirectories() {
        let made = lock.withLock {
            defer { treeDirectories = [] }
            return treeDirectories
        }
        LocalDirectories.removeMade(made)
    }

    static func unregisterDirectories(_ made: [String]) {
        guard !made.isEmpty else { return }
        lock.withLock {
            if let i = madeDirectories.firstIndex(of: made) { madeDirectories.remove(at: i) }
        }
    }

    /// Registers an action for an interruption (for example aborting a multipart upload); returns its id.
    /// The action returns nil on success, else what it could not clean up. Registered after an interruption
    /// began (an upload initiated during the cleanup), it runs at once instead.
    @discardableResult
    static func registerCleanup(_ action: @escaping @Sendable () -> String?) -> Int {
        lock.lock()
        if isInterrupting { lock.unlock(); _ = action(); return 0 }
        defer { lock.unlock() }
        nextCleanup += 1
        cleanups[nextCleanup] = action
        return nextCleanup
    }

    static func unregisterCleanup(_ id: Int) { lock.lock(); cleanups[id] = nil; lock.unlock() }

    /// What the cleanup threads could not do, collected under a lock.
    /// `@unchecked Sendable`: `list` is touched only under `lock`.
    private final class CleanupResults: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ failure: String?) { if let failure { lock.lock(); list.append(failure); lock.unlock() } }
        var failures: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }

    /// A pthread read-write lock. `@unchecked Sendable`: the lock is the synchronisation.
    private final class ReadWriteLock: @unchecked Sendable {
        private let rw: UnsafeMutablePointer<pthread_rwlock_t> = {
            let p = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
            pthread_rwlock_init(p, nil)
            return p
        }()
        func lockShared() { pthread_rwlock_rdlock(rw) }
        func lockExclusive() { pthread_rwlock_wrlock(rw) }
        func unlock() { pthread_rwlock_unlock(rw) }
        // Never deinitialised: one lives as long as the process.
    }

    static func finish(_ code: Int32) -> Never {
        // An interruption in progress exits itself (130, 143) once it has cleaned up: a command failing because of
        // that cleanup (an upload whose parts it aborted) must not exit first with its own code.
        if isInterrupting { while true { pause() } }
        fflush(nil)
        exit(StandardStreams.exitStatus(code))
    }
}
