import Foundation
import Testing

@testable import OBSCore

/// Group commit of fsyncs: callers at the same time share one syncfs, each covered by one that started after its
/// call; a failed round is told only to the files whose own fsync fails; where syncfs cannot be trusted, each
/// file gets its own fsync.
struct GroupSyncTests {
    @Test("24 threads at once: fewer rounds than callers, each caller covered by a syncfs begun after its call")
    func callersShareRounds() throws {
        let dir = try TemporaryFiles(count: 24)
        let clock = Ticks()
        let rounds = Guarded<[Int]>([])  // the tick at which each syncfs began
        let group = GroupSync(
            syncFileSystem: { _ in
                rounds.withValue { $0.append(clock.next()) }
                usleep(20_000)  // a slow disk: callers arriving meanwhile wait for the next round
                return 0
            },
            syncFile: { _ in
                Issue.record("no file needs its own fsync when syncfs succeeds"); return 0
            },
            kernelReportsErrors: true)
        let spans = Guarded<[(start: Int, end: Int, result: Int32)]>([])
        DispatchQueue.concurrentPerform(iterations: dir.fds.count) { i in
            let start = clock.next()
            let result = group.sync(dir.fds[i])
            spans.withValue { $0.append((start, clock.next(), result)) }
        }
        let began = rounds.value
        #expect(spans.value.allSatisfy { $0.result == 0 })
        #expect(began.count < dir.fds.count, "callers at the same time share rounds: \(began.count) rounds")
        #expect(group.rounds == began.count)
        for span in spans.value {
            #expect(began.contains { span.start < $0 && $0 < span.end }, "no syncfs began within \(span)")
        }
    }

    @Test("a failed syncfs: every file of the round fsynced alone, the error told only to the one that fails")
    func failedRoundIsAttributedPerFile() throws {
        let dir = try TemporaryFiles(count: 6)
        let failing = dir.fds[3]
        let alone = Guarded<Set<Int32>>([])
        let group = GroupSync(
            syncFileSystem: { _ in EIO },
            syncFile: { fd in
                alone.withValue { _ = $0.insert(fd) }
                return fd == failing ? EIO : 0
            },
            kernelReportsErrors: true)
        let results = Guarded<[Int32: Int32]>([:])
        DispatchQueue.concurrentPerform(iterations: dir.fds.count) { i in
            let fd = dir.fds[i]
            let r = group.sync(fd)
            results.withValue { $0[fd] = r }
        }
        #expect(results.value[failing] == EIO)
        #expect(results.value.filter { $0.key != failing }.values.allSatisfy { $0 == 0 })
        #expect(alone.value == Set(dir.fds), "each file of a failed round gets its own fsync")
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
        "kernel releases: syncfs reports errors from 5.8 on",
        arguments: [
            ("5.8.0", true), ("5.10.0-28-amd64", true), ("6.18.44-fc-v1272", true), ("5.7.19", false),
            ("4.19.0", false), ("", false), ("garbage", false),
        ])
    func kernelReleases(release: String, reports: Bool) {
        #expect(GroupSync.kernelAtLeast(release, major: 5, minor: 8) == reports)
    }

    @Test("file systems grouped: local ones (ext4, XFS, Btrfs, tmpfs, overlayfs); not NFS, FUSE or CIFS")
    func fileSystemTypes() {
        for local: Int64 in [0xEF53, 0x5846_5342, 0x9123_683E, 0x0102_1994, 0x794C_7630] {
            #expect(GroupSync.groupsFileSystem(type: local))
        }
        for remote: Int64 in [0x6969, 0x6573_5546, 0xFF53_4D42, 0x0102_1997, 0] {
            #expect(!GroupSync.groupsFileSystem(type: remote))
        }
    }
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
