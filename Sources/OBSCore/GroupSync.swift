import CLinuxSystem
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// fsync(2) for many files at once. A download of 2,000 small files spent a fifth of its CPU in per-file fsyncs
/// (each one writes its inode and flushes the disk's cache on its own); a server taking puts from many clients
/// synced each object's data, record and directory one by one.
/// Callers that would fsync at the same time join one round instead (group commit, as databases do it for their
/// logs). A round, per file system with more than one of its files:
/// 1. one syncfs(2), begun after each of its callers finished writing: every dirty file's bytes and metadata, and
///    directories' entries, are written and waited for;
/// 2. one fsync of one of its files, which flushes the disk's cache after the metadata syncfs wrote last (on ext2
///    and on ext4 without a journal, syncfs flushes the cache before it writes the inode and directory blocks);
/// 3. for each file, a check of its own write-back errors (`sync_file_range` with WAIT_BEFORE reads the file's
///    error record, no disk I/O): a file whose pages failed to write gets that error, as its fsync would have told
///    it, even when another process's syncfs already reported the file system's copy of the error.
/// When step 1 or 2 fails, each file is fsynced on its own, so an error is told to the file it concerns.
///
/// Only where syncfs says so when anything fails: Linux 5.17 and later (before, syncfs ignored the file system's
/// own sync step: a failed journal commit or cache flush returned 0), on local file systems (`groupsFileSystem`).
/// Elsewhere (overlayfs, NFS, FUSE, CIFS, older kernels) each file gets its own fsync.
///
/// A caller alone in its round (on its file system) gets its own fsync for each of its files: nothing to share, and a
/// syncfs would wait for whatever else is dirty there. A round of several callers pays that price once for all.
/// A caller with several files to sync (an object's data and its record) passes them together: one round, one
/// wait, where one after the other cost a round and a thread wake-up each.
/// `@unchecked Sendable`: every field is read and written under `lock`.
public final class GroupSync: @unchecked Sendable {
    public static let shared = GroupSync()

    private let lock = NSLock()
    private var waiting: [Waiter] = []  // for the next round
    private var roundRunning = false
    private var roundsRun = 0
    private var callers = 0  // numbers each call's files, to tell a lone caller's round
    private let syncFileSystem: (Int32) -> Int32
    private let syncFile: (Int32) -> Int32
    private let checkFile: (Int32) -> Int32
    private let kernelReportsErrors: Bool
    private let loneFileFsyncs: Bool

    /// `syncFileSystem`, `syncFile` and `checkFile` return 0 or an errno; the defaults are syncfs(2), fsync(2) and
    /// the write-back error check (`cs_check_writeback`). Tests pass others to cause write-back failures, which no
    /// real file system here can be made to have. `loneFileFsyncs`: a caller alone in its round gets its own fsyncs
    /// (tests of a round's steps turn it off, so that a round of one file takes them all).
    public init(
        syncFileSystem: @escaping (Int32) -> Int32 = { cs_syncfs($0) == 0 ? 0 : errno },
        syncFile: @escaping (Int32) -> Int32 = { fsync($0) == 0 ? 0 : errno },
        checkFile: @escaping (Int32) -> Int32 = { cs_check_writeback($0) == 0 ? 0 : errno },
        kernelReportsErrors: Bool = GroupSync.kernelReportsSyncfsErrors,
        loneFileFsyncs: Bool = true
    ) {
        self.syncFileSystem = syncFileSystem
        self.syncFile = syncFile
        self.checkFile = checkFile
        self.kernelReportsErrors = kernelReportsErrors
        self.loneFileFsyncs = loneFileFsyncs
    }

    /// Blocks until what was written to `fd` before the call (bytes, metadata, and for a directory its entries) is
    /// on stable storage, as fsync(2) does. Returns 0 or the errno of the failure. Blocking: call it where a thread
    /// may wait (a transfer worker, the blocking pool), never on the cooperative pool.
    public func sync(_ fd: Int32) -> Int32 { sync([fd])[0] }

    /// `sync(_:)` for several descriptors at once, all in the same round; returns each one's 0 or errno, in order.
    public func sync(_ fds: [Int32]) -> [Int32] {
        var results = [Int32](repeating: 0, count: fds.count)
        var mine: [(index: Int, waiter: Waiter)] = []
        for (i, fd) in fds.enumerated() {
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                results[i] = errno
                continue
            }
            // The type is looked up every time, not kept per device: a device number freed by an unmount can come
            // back for a file system of another type (a FUSE mount where a tmpfs was).
            guard kernelReportsErrors, Self.groupsFileSystem(type: cs_file_system_type(fd)) else {
                results[i] = syncFile(fd)
                continue
            }
            mine.append((i, Waiter(fd: fd, device: st.st_dev)))
        }
        guard let me = mine.first?.waiter else { return results }
        // Appended together, so they are taken by the same round, and `me` (the first) stands for all of them.
        let leads = lock.withLock {
            callers += 1
            for entry in mine { entry.waiter.caller = callers }
            waiting += mine.map(\.waiter)
            defer { roundRunning = true }
            return !roundRunning
        }
        // With a round running, this caller waits for the next one: its syncfs starts after this call. Each
        // waiter is woken on its own (a broadcast would wake every thread at every round): with its result, or to
        // run that next round for everyone waiting then, itself included.
        if !leads { me.woken.wait() }
        while lock.withLock({ me.result == nil }) { runRound() }
        return lock.withLock {
            for entry in mine { results[entry.index] = entry.waiter.result! }
            return results
        }
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

    /// Each file system's files of the round as the type's documentation says: one syncfs, one fsync for the disk's
    /// cache, then each file's own error check; each file fsynced alone when the first two fail.
    private func flush(_ round: [Waiter]) -> [Int32] {
        var results = [Int32](repeating: 0, count: round.count)
        let byDevice = Dictionary(grouping: round.indices, by: { round[$0].device })
        for indices in byDevice.values {
            let first = indices[0]
            guard Set(indices.map { round[$0].caller }).count > 1 || !loneFileFsyncs else {
                // One caller alone on its file system: its own fsyncs wait for its files only, where a syncfs would
                // wait for everything any process left dirty there (one small upload behind another's gigabytes).
                for i in indices { results[i] = syncFile(round[i].fd) }
                continue
            }
            var shared = syncFileSystem(round[first].fd)
            var firstOwn: Int32? = nil  // that fsync read the first file's own error record: its answer is the file's
            if shared == 0 {
                let e = syncFile(round[first].fd)
                if e != 0 { (shared, firstOwn) = (e, e) }
            }
            for i in indices {
                if shared == 0 {
                    results[i] = ownError(round[i].fd)
                } else if i == first, let firstOwn {
                    results[i] = firstOwn
                } else {
                    results[i] = syncFile(round[i].fd)
                }
            }
        }
        return results
    }

    /// The file's write-back error since it was opened, read after a round's syncfs; where the check does not apply
    /// or is not allowed (EINVAL, ESPIPE, ENOSYS, EPERM: a seccomp filter), the file's own fsync.
    private func ownError(_ fd: Int32) -> Int32 {
        let e = checkFile(fd)
        return [EINVAL, ESPIPE, ENOSYS, EPERM].contains(e) ? syncFile(fd) : e
    }

    /// Local file systems whose syncfs writes back every dirty file and reports its failure, and whose files keep
    /// their own write-back errors: ext2/3/4, XFS, Btrfs, F2FS, tmpfs (nothing to write). Not overlayfs (containers):
    /// its syncfs does not report the upper file system's data errors, and its files' pages, and errors, are the
    /// upper files', which the check through an overlay descriptor does not see.
    public static func groupsFileSystem(type: Int64) -> Bool {
        [0xEF53, 0x5846_5342, 0x9123_683E, 0xF2F5_2010, 0x0102_1994].contains(type)
    }

    /// syncfs(2) reports write-back errors from Linux 5.8 on, and the file system's own sync step's (journal commit,
    /// cache flush) from 5.17 ("vfs: make sync_filesystem return errors from ->sync_fs").
    public static let kernelReportsSyncfsErrors: Bool = {
        var name = utsname()
        guard uname(&name) == 0 else { return false }
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return kernelAtLeast(release, major: 5, minor: 17)
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
        var caller = 0  // set under the lock before the waiter joins `waiting`
        let woken = DispatchSemaphore(value: 0)
        init(fd: Int32, device: dev_t) { self.fd = fd; self.device = device }
    }
}
