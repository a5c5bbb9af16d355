import CLinuxSystem
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// fsync(2) for many files at once. A download of 2,000 small files, or a server taking puts from many clients,
/// spent a fifth of its CPU in per-file fsyncs (each one writes its inode and flushes the disk's cache on its own).
/// Callers that would fsync at the same time join one round instead: a single syncfs(2) of their file system,
/// started after each of them finished writing, covers every one's bytes, metadata and new directory entries, as
/// its own fsync would have (group commit, as databases do it for their logs).
///
/// Only where syncfs is known to say so when write-back fails: Linux 5.8 and later, on local file systems
/// (`groupsFileSystem`). Elsewhere (NFS, FUSE, CIFS, older kernels) each file gets its own fsync. When a round's
/// syncfs fails, each of its files is fsynced on its own, so a write-back error is told to the file it concerns,
/// not to every file that shared the round.
///
/// The price: a round waits for whatever else is dirty on that file system, written by any process.
/// `@unchecked Sendable`: every field is read and written under `lock`.
public final class GroupSync: @unchecked Sendable {
    public static let shared = GroupSync()

    private let lock = NSLock()
    private var waiting: [Waiter] = []  // for the next round
    private var roundRunning = false
    private var grouping: [dev_t: Bool] = [:]
    private var roundsRun = 0
    private let syncFileSystem: (Int32) -> Int32
    private let syncFile: (Int32) -> Int32
    private let kernelReportsErrors: Bool

    /// `syncFileSystem` and `syncFile` return 0 or an errno; the defaults are syncfs(2) and fsync(2). Tests pass
    /// others to cause a write-back failure, which no real file system here can be made to have.
    public init(
        syncFileSystem: @escaping (Int32) -> Int32 = { cs_syncfs($0) == 0 ? 0 : errno },
        syncFile: @escaping (Int32) -> Int32 = { fsync($0) == 0 ? 0 : errno },
        kernelReportsErrors: Bool = GroupSync.kernelReportsSyncfsErrors
    ) {
        self.syncFileSystem = syncFileSystem
        self.syncFile = syncFile
        self.kernelReportsErrors = kernelReportsErrors
    }

    /// Blocks until what was written to `fd` before the call (bytes, metadata, and for a directory its entries) is
    /// on stable storage, as fsync(2) does. Returns 0 or the errno of the failure. Blocking: call it where a thread
    /// may wait (a transfer worker, the blocking pool), never on the cooperative pool.
    public func sync(_ fd: Int32) -> Int32 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return errno }
        guard groups(st.st_dev, fd) else { return syncFile(fd) }
        let me = Waiter(fd: fd, device: st.st_dev)
        let leads = lock.withLock {
            waiting.append(me)
            defer { roundRunning = true }
            return !roundRunning
        }
        // With a round running, this caller waits for the next one: its syncfs starts after this call. Each
        // waiter is woken on its own (a broadcast would wake every thread at every round): with its result, or to
        // run that next round for everyone waiting then, itself included.
        if !leads { me.woken.wait() }
        while lock.withLock({ me.result == nil }) { runRound() }
        return lock.withLock { me.result! }
    }

    private func runRound() {
        let round = lock.withLock {
            defer { waiting = [] }
            return waiting
        }
        let results = flush(round)
        let next: Waiter? = lock.withLock {
            for (waiter, result) in zip(round, results) { waiter.result = result }
            roundsRun += 1
            roundRunning = !waiting.isEmpty
            return waiting.first
        }
        for waiter in round { waiter.woken.signal() }
        next?.woken.signal()
    }

    /// Rounds run so far (each one syncfs per file system in it): for tests.
    public var rounds: Int { lock.withLock { roundsRun } }

    /// One syncfs per file system of the round; when it fails, each of that file system's files on its own.
    private func flush(_ round: [Waiter]) -> [Int32] {
        var outcome: [dev_t: Int32] = [:]
        for waiter in round where outcome[waiter.device] == nil {
            outcome[waiter.device] = syncFileSystem(waiter.fd)
        }
        return round.map { outcome[$0.device] == 0 ? 0 : syncFile($0.fd) }
    }

    private func groups(_ device: dev_t, _ fd: Int32) -> Bool {
        guard kernelReportsErrors else { return false }
        if let known = lock.withLock({ grouping[device] }) { return known }
        let answer = Self.groupsFileSystem(type: cs_file_system_type(fd))
        lock.withLock { grouping[device] = answer }
        return answer
    }

    /// Local file systems whose syncfs writes back every dirty file and reports its failure: ext2/3/4, XFS,
    /// Btrfs, F2FS, tmpfs (nothing to write) and overlayfs (syncs its upper file system: containers).
    public static func groupsFileSystem(type: Int64) -> Bool {
        [0xEF53, 0x5846_5342, 0x9123_683E, 0xF2F5_2010, 0x0102_1994, 0x794C_7630].contains(type)
    }

    /// syncfs(2) reports write-back errors from Linux 5.8 on; before, it returned 0 whatever happened.
    public static let kernelReportsSyncfsErrors: Bool = {
        var name = utsname()
        guard uname(&name) == 0 else { return false }
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return kernelAtLeast(release, major: 5, minor: 8)
    }()

    /// Whether a kernel release such as "6.18.44-fc-v1272" is at least major.minor.
    public static func kernelAtLeast(_ release: String, major: Int, minor: Int) -> Bool {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2 else { return false }
        return (numbers[0], numbers[1]) >= (major, minor)
    }

    private final class Waiter {
        let fd: Int32
        let device: dev_t
        var result: Int32?  // under the lock
        let woken = DispatchSemaphore(value: 0)
        init(fd: Int32, device: dev_t) { self.fd = fd; self.device = device }
    }
}
