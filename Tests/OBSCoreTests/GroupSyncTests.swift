import Foundation
import Testing

@testable import OBSCore

/// Group commit of fsyncs: callers at the same time share one syncfs, each covered by one that started after its
/// call; a failed round is told only to the files whose own fsync fails; where syncfs cannot be trusted, each
/// file gets its own fsync.
struct GroupSyncTests {
    @Test("24 threads at once: fewer rounds than callers, each caller covered by a sync begun after its call")
    func callersShareRounds() throws {
        let dir = try TemporaryFiles(count: 24)
        let clock = Ticks()
        let syncfsBegan = Guarded<[Int]>([])  // the tick at which each syncfs began
        let fsyncsBegan = Guarded<[(tick: Int, fd: Int32)]>([])
        let checks = Guarded(0)
        // A slow disk (20 ms a sync): callers arriving meanwhile wait for the next round.
        let group = GroupSync(
            syncFileSystem: { _ in
                syncfsBegan.withValue { $0.append(clock.next()) }
                usleep(20_000)
                return 0
            },
            syncFile: { fd in
                fsyncsBegan.withValue { $0.append((clock.next(), fd)) }
                usleep(20_000)
                return 0
            },
            checkFile: { _ in
                checks.withValue { $0 += 1 }; return 0
            },
            kernelReportsErrors: true)
        let spans = Guarded<[(fd: Int32, start: Int, end: Int, result: Int32)]>([])
        try runAtOnce(dir.fds.count) { i in
            let start = clock.next()
            let result = group.sync(dir.fds[i])
            spans.withValue { $0.append((dir.fds[i], start, clock.next(), result)) }
        }
        let shared = syncfsBegan.value, fsyncs = fsyncsBegan.value
        let alone = group.rounds - shared.count  // rounds of one file: its own fsync, no syncfs
        #expect(spans.value.count == dir.fds.count && spans.value.allSatisfy { $0.result == 0 })
        #expect(group.rounds < dir.fds.count / 2, "callers at the same time share rounds: \(group.rounds) rounds")
        #expect(!shared.isEmpty, "no round of several files")
        #expect(fsyncs.count == group.rounds, "one fsync per round: a lone file's own, or one for the disk's cache")
        #expect(checks.value == dir.fds.count - alone, "each grouped file's own write-back errors read once")
        for span in spans.value {
            let coveredBySyncfs = shared.contains { span.start < $0 && $0 < span.end }
            let ownFsync = fsyncs.contains { $0.fd == span.fd && span.start < $0.tick && $0.tick < span.end }
            #expect(coveredBySyncfs || ownFsync, "no sync began within \(span)")
        }
    }

    @Test("a file alone in its round: its own fsync, no syncfs (which would wait for everything dirty)")
    func loneFileGetsItsOwnFsync() throws {
        let dir = try TemporaryFiles(count: 1)
        let syncfs = Guarded(0), fsyncs = Guarded<[Int32]>([])
        let group = GroupSync(
            syncFileSystem: { _ in
                syncfs.withValue { $0 += 1 }; return 0
            },
            syncFile: { fd in
                fsyncs.withValue { $0.append(fd) }; return fd == dir.fds[0] ? EIO : 0
            },
            checkFile: { _ in
                Issue.record("no error check after a file's own fsync"); return 0
            },
            kernelReportsErrors: true)
        #expect(group.sync(dir.fds[0]) == EIO, "its fsync's error is its answer")
        #expect(syncfs.value == 0)
        #expect(fsyncs.value == [dir.fds[0]])
    }

    @Test("one caller's several files: one round; alone, each file its own fsync and its own answer, no syncfs")
    func loneCallersFilesShareOneRound() throws {
        let dir = try TemporaryFiles(count: 3)
        let syncfs = Guarded(0), fsyncs = Guarded<[Int32]>([])
        let group = GroupSync(
            syncFileSystem: { _ in
                syncfs.withValue { $0 += 1 }; return 0
            },
            syncFile: { fd in
                fsyncs.withValue { $0.append(fd) }; return fd == dir.fds[1] ? EIO : 0
            },
            checkFile: { _ in
                Issue.record("no error check after a file's own fsync"); return 0
            },
            kernelReportsErrors: true)
        #expect(group.sync([dir.fds[0], dir.fds[1], -1, dir.fds[2]]) == [0, EIO, EBADF, 0])
        #expect(group.rounds == 1, "the caller's files went in \(group.rounds) rounds")
        #expect(syncfs.value == 0)
        #expect(fsyncs.value.sorted() == dir.fds.sorted())
        #expect(group.sync([]) == [])
    }

    @Test("callers with several files each: every caller's files in one round, each file's own error check")
    func callersWithSeveralFiles() throws {
        let dir = try TemporaryFiles(count: 16)
        let round = Guarded(0)  // the syncfs rounds begun so far
        let checkedIn = Guarded<[Int32: Int]>([:])  // each file: the round whose check covered it
        let group = GroupSync(
            syncFileSystem: { _ in
                round.withValue { $0 += 1 }
                usleep(20_000)  // a slow disk: callers arriving meanwhile wait for the next round
                return 0
            },
            syncFile: { _ in 0 },
            checkFile: { fd in
                let r = round.value
                checkedIn.withValue { $0[fd] = r }
                return fd == dir.fds[5] ? EIO : 0
            },
            kernelReportsErrors: true, loneFileFsyncs: false)
        let answers = Guarded<[Int: [Int32]]>([:])
        try runAtOnce(8) { i in
            let mine = [dir.fds[2 * i], dir.fds[2 * i + 1]]
            let result = group.sync(mine)
            answers.withValue { $0[i] = result }
        }
        #expect(group.rounds < 8, "callers at the same time share rounds: \(group.rounds) rounds")
        #expect(checkedIn.value.count == dir.fds.count, "each file's own write-back errors read once")
        for i in 0..<8 {
            let (a, b) = (dir.fds[2 * i], dir.fds[2 * i + 1])
            #expect(checkedIn.value[a] != nil && checkedIn.value[a] == checkedIn.value[b], "caller \(i) split")
            #expect(answers.value[i] == (i == 2 ? [0, EIO] : [0, 0]), "caller \(i): \(answers.value[i] ?? [])")
        }
    }

    @Test("a failed syncfs: every file of the round fsynced alone, the error told only to the one that fails")
    func failedRoundIsAttributedPerFile() throws {
        let dir = try TemporaryFiles(count: 6)
        let failing = dir.fds[3]
        let alone = Guarded<[Int32]>([])
        let group = GroupSync(
            syncFileSystem: { _ in EIO },
            syncFile: { fd in
                alone.withValue { $0.append(fd) }
                return fd == failing ? EIO : 0
            },
            checkFile: { _ in
                Issue.record("no error check after a failed syncfs"); return 0
            },
            kernelReportsErrors: true, loneFileFsyncs: false)
        let results = try syncAtOnce(group, dir.fds)
        #expect(results[failing] == EIO)
        #expect(results.filter { $0.key != failing }.values.allSatisfy { $0 == 0 })
        #expect(alone.value.sorted() == dir.fds.sorted(), "each file of a failed round gets its own fsync, once")
    }

    @Test("syncfs succeeds but one file's pages failed to write: that file gets the error, the others none")
    func ownWriteBackErrorAfterAGoodSyncfs() throws {
        let dir = try TemporaryFiles(count: 6)
        let failing = dir.fds[4], unsupported = dir.fds[2]
        // As the kernel keeps it: the file's error is told once through its descriptor, by whichever call reads it
        // first (its fsync or the check); a second read finds nothing.
        let unread = Guarded<Set<Int32>>([failing])
        func told(_ fd: Int32) -> Int32 {
            var e: Int32 = 0
            unread.withValue { if $0.remove(fd) != nil { e = EIO } }
            return e
        }
        let alone = Guarded<[Int32]>([])
        let group = GroupSync(
            syncFileSystem: { _ in 0 },
            syncFile: { fd in
                alone.withValue { $0.append(fd) }
                return told(fd)
            },
            checkFile: { fd in fd == unsupported ? EPERM : told(fd) },
            kernelReportsErrors: true, loneFileFsyncs: false)
        let results = try syncAtOnce(group, dir.fds)
        #expect(results[failing] == EIO)
        #expect(results.filter { $0.key != failing }.values.allSatisfy { $0 == 0 })
        #expect(alone.value.contains(unsupported), "where the check is not allowed, the file's own fsync")
    }

    @Test("the round's fsync for the disk's cache fails: its file gets that error once, the others fsync alone")
    func cacheFlushFails() throws {
        let dir = try TemporaryFiles(count: 1)
        let calls = Guarded(0)
        let group = GroupSync(
            syncFileSystem: { _ in 0 },
            syncFile: { _ in
                calls.withValue { $0 += 1 }; return EIO
            },
            checkFile: { _ in 0 },
            kernelReportsErrors: true, loneFileFsyncs: false)
        #expect(group.sync(dir.fds[0]) == EIO)
        #expect(calls.value == 1, "not fsynced again: the error was told by the first fsync")
    }

    @Test("a kernel whose syncfs hides write-back errors: each file its own fsync, no syncfs")
    func oldKernelSyncsEachFile() throws {
        let dir = try TemporaryFiles(count: 3)
        let alone = Guarded(0)
        let group = GroupSync(
            syncFileSystem: { _ in
                Issue.record("syncfs used on a kernel that hides its errors"); return 0
            },
            syncFile: { _ in
                alone.withValue { $0 += 1 }; return 0
            },
            kernelReportsErrors: false)
        for fd in dir.fds { #expect(group.sync(fd) == 0) }
        #expect(alone.value == 3)
        #expect(group.rounds == 0)
    }

    @Test("the real calls on this machine's temporary directory: written files synced, a bad descriptor refused")
    func realFileSystem() throws {
        let dir = try TemporaryFiles(count: 2)
        let group = GroupSync()
        for fd in dir.fds { #expect(group.sync(fd) == 0) }
        #expect(group.sync(-1) == EBADF)
    }

    @Test(
        "kernel releases: syncfs reports every error from 5.17 on",
        arguments: [
            ("5.17.0", true), ("5.19.0-50-generic", true), ("6.18.44-fc-v1272", true), ("5.16.20", false),
            ("5.8.0", false), ("5.10.0-28-amd64", false), ("4.19.0", false), ("", false), ("garbage", false),
        ])
    func kernelReleases(release: String, reports: Bool) {
        #expect(GroupSync.kernelAtLeast(release, major: 5, minor: 17) == reports)
    }

    @Test("file systems grouped: local ones (ext4, XFS, Btrfs, tmpfs); not overlayfs, NFS, FUSE or CIFS")
    func fileSystemTypes() {
        for local: Int64 in [0xEF53, 0x5846_5342, 0x9123_683E, 0x0102_1994] {
            #expect(GroupSync.groupsFileSystem(type: local))
        }
        for remote: Int64 in [0x794C_7630, 0x6969, 0x6573_5546, 0xFF53_4D42, 0x0102_1997, 0] {
            #expect(!GroupSync.groupsFileSystem(type: remote))
        }
    }
}

/// Runs `body(0..<count)` on `count` threads of their own, released together (a barrier), and waits for them all:
/// DispatchQueue.concurrentPerform runs only as many at once as there are processors.
private func runAtOnce(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) throws {
    let ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
    for i in 0..<count {
        Thread {
            ready.signal()
            go.wait()
            body(i)
            done.signal()
        }.start()
    }
    for _ in 0..<count { ready.wait() }
    for _ in 0..<count { go.signal() }
    for _ in 0..<count {
        try #require(done.wait(timeout: .now() + 30) == .success, "a caller never returned")
    }
}

/// Each descriptor synced on a thread of its own, all at once; the result of each.
private func syncAtOnce(_ group: GroupSync, _ fds: [Int32]) throws -> [Int32: Int32] {
    let results = Guarded<[Int32: Int32]>([:])
    try runAtOnce(fds.count) { i in
        let r = group.sync(fds[i])
        results.withValue { $0[fds[i]] = r }
    }
    return results.value
}

/// Files written in a fresh temporary directory, open for writing; closed and removed on deinit. Immutable.
private final class TemporaryFiles: Sendable {
    let path: String
    let fds: [Int32]

    init(count: Int) throws {
        let path = NSTemporaryDirectory() + "/groupsync-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
        fds = (0..<count).map { n in
            let fd = open("\(path)/f\(n)", O_CREAT | O_RDWR, 0o600)
            _ = write(fd, "x", 1)
            return fd
        }
        try #require(fds.allSatisfy { $0 >= 0 })
    }

    deinit {
        for fd in fds { close(fd) }
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A value shared by threads, under a lock.
private final class Guarded<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.withLock { stored } }
    func withValue(_ change: (inout T) -> Void) { lock.withLock { change(&stored) } }
}

/// A counter that orders events across threads.
private final class Ticks: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int {
        lock.withLock {
            n += 1; return n
        }
    }
}
