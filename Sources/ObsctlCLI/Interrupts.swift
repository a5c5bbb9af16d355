import Foundation
import OBSClient
import OBSCore
import OBSLocalBackend
import OBSTransfer
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM: abort the multipart uploads in flight, remove registered temporary files (half-written
/// downloads) and the directories made for them, then exit 130 / 143. The aborts run in parallel and get at most
/// `cleanupDeadline` seconds in all: an unreachable endpoint cannot keep an interrupted obsctl alive.
enum Interrupts {
    private static let lock = NSLock()
    // `nonisolated(unsafe)`: each of these is touched only under `lock`.
    nonisolated(unsafe) private static var tempFiles: Set<String> = []
    /// Each single download's new directories, outermost first (`LocalDirectories.makeNamed`).
    nonisolated(unsafe) private static var madeDirectories: [[String]] = []
    /// The directories recursive downloads made below their destination, as registered (`makeTreeDirectories`).
    nonisolated(unsafe) private static var treeDirectories: [String] = []
    /// The multipart uploads in flight, each registered before its Initiate was sent.
    nonisolated(unsafe) private static var uploads: [Int: UploadInFlight] = [:]
    /// Set once, under `lock`; read without it (every transfer asks before it starts).
    private static let interrupting = Atomic<Bool>(false)
    /// Held shared while a temporary file is created and registered, exclusively by the interruption before it
    /// takes the list: downloads create their files at once, and none is created unregistered.
    private static let creating = ReadWriteLock()
    nonisolated(unsafe) private static var nextUpload = 0
    /// Held for the process's life: a source released is cancelled.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    static let cleanupDeadline: Double = 5

    /// `signalSources`: false when the program takes the signals itself and calls `interrupt` (obsctl-serve).
    static func install(signalSources: Bool = true) {
        // Multipart uploads are registered here, from before their Initiate until they are over.
        RemoteBackend.multipartUploadStarting = {
            let upload = UploadInFlight()
            let id = register(upload)
            return MultipartUploadRegistration(
                initiated: { abort in
                    upload.initiated(abort: abort)
                    return !isInterrupting
                },
                ended: {
                    upload.ended()
                    lock.withLock { uploads[id] = nil }
                })
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
        RemoteBackend.stopRetrying()
        // Temporaries being created now are registered before this returns; later ones are never created.
        creating.lockExclusive()
        lock.lock()
        let inFlight = Array(uploads.values), files = tempFiles, directories = madeDirectories
        let tree = treeDirectories
        uploads = [:]
        lock.unlock()
        let results = CleanupResults()
        var finished = true
        if !inFlight.isEmpty {
            let group = DispatchGroup()
            for upload in inFlight {
                group.enter()
                Thread {
                    results.add(upload.abort()); group.leave()
                }.start()
            }
            finished = group.wait(timeout: .now() + cleanupDeadline) == .success
        }
        for path in files { unlink(path) }
        // No temporary of the local store's writes is created after this: each is made before or never.
        TemporaryFileGate.close()
        LocalBackend.removeTemporariesOfInterruptedWrites()
        // Emptied by the unlinks; a download that finished meanwhile keeps its file, and so its directories.
        LocalDirectories.removeMade(directories.flatMap { $0 } + tree)
        var message = "obsctl: interrupted; temporary files removed"
        let failed = results.failures, aborted = results.aborted
        let unresolved = inFlight.count - results.count  // Initiates unanswered, aborts unfinished
        if aborted > 0 { message += ", \(aborted) multipart upload\(aborted == 1 ? "" : "s") aborted" }
        if !failed.isEmpty {
            message +=
                "; could not abort \(failed.joined(separator: ", ")): their parts stay stored until aborted "
                + "('obsctl multipart abort')"
        }
        if !finished && unresolved > 0 {
            message +=
                "; aborting \(unresolved) multipart upload\(unresolved == 1 ? "" : "s") did not finish within "
                + "\(Int(cleanupDeadline)) s (list them with 'obsctl multipart list' and abort them with "
                + "'obsctl multipart abort')"
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

    /// Registers a multipart upload about to send its Initiate; returns its id. Once an interruption began, the
    /// upload is not started: the caller waits for the exit.
    private static func register(_ upload: UploadInFlight) -> Int {
        lock.lock()
        if isInterrupting { lock.unlock(); while true { pause() } }
        defer { lock.unlock() }
        nextUpload += 1
        uploads[nextUpload] = upload
        return nextUpload
    }

    /// A multipart upload from before its Initiate until it is over. An interruption while Initiate is in flight
    /// waits (within the cleanup deadline) for the answer, then aborts the upload it created. States only move
    /// forward: initiating, then initiated or ended.
    /// `@unchecked Sendable`: `state` is read and written under `condition`.
    private final class UploadInFlight: @unchecked Sendable {
        private enum State {
            case initiating
            case initiated(abort: @Sendable () -> MultipartAbortOutcome)
            case ended
        }
        private let condition = NSCondition()
        private var state = State.initiating

        func initiated(abort: @escaping @Sendable () -> MultipartAbortOutcome) {
            condition.withLock {
                if case .initiating = state { state = .initiated(abort: abort) }
                condition.broadcast()
            }
        }

        /// The upload is over. Once initiated, its abort action is kept: an interruption that took it in its list
        /// just before then finds it gone (NoSuchUpload), and one whose upload stopped for the interruption (which
        /// sends no part to it) still aborts it.
        func ended() {
            condition.withLock {
                if case .initiating = state { state = .ended }
                condition.broadcast()
            }
        }

        /// Aborts the upload once its Initiate answered. `.gone` when there is nothing to abort: Initiate failed,
        /// or the upload was over first.
        func abort() -> MultipartAbortOutcome {
            let action: (@Sendable () -> MultipartAbortOutcome)? = condition.withLock {
                while case .initiating = state { condition.wait() }
                if case .initiated(let abort) = state { return abort }
                return nil
            }
            return action?() ?? .gone
        }
    }

    /// What the abort threads did, collected under a lock.
    /// `@unchecked Sendable`: the fields are touched only under `lock`.
    private final class CleanupResults: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        private var abortedCount = 0, total = 0
        func add(_ outcome: MultipartAbortOutcome) {
            lock.withLock {
                total += 1
                switch outcome {
                case .aborted: abortedCount += 1
                case .failed(let what): list.append(what)
                case .gone: break
                }
            }
        }
        var failures: [String] { lock.withLock { list } }
        var aborted: Int { lock.withLock { abortedCount } }
        /// How many uploads the aborts are done with.
        var count: Int { lock.withLock { total } }
    }

    static func finish(_ code: Int32) -> Never {
        // An interruption in progress exits itself (130, 143) once it has cleaned up: a command failing because of
        // that cleanup (an upload whose parts it aborted) must not exit first with its own code.
        if isInterrupting { while true { pause() } }
        fflush(nil)
        exit(StandardStreams.exitStatus(code))
    }
}
