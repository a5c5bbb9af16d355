import Foundation
import Testing
import OBSCore
@testable import OBSLocalBackend

#if canImport(Glibc)
import Glibc
#endif

/// Writers to different keys of one bucket commit side by side (each holds the bucket's lock shared and its
/// object's lock); writers to one key, and any object change against a bucket-wide change, one at a time. The test
/// plays the other writer by holding the lock files itself.
@Suite("object locks: different keys at once, one key at a time")
struct ObjectLockTests {
    /// A flock held on `path` (a file, or a directory) until `release`.
    final class HeldLock {
        private var fd: Int32
        init(_ path: String, _ operation: Int32) throws {
            var st = stat()
            let isDirectory = stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
            fd = isDirectory ? open(path, O_RDONLY | O_CLOEXEC) : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0, flock(fd, operation) == 0 else { throw TestFailure("cannot lock \(path)") }
        }
        func release() {
            if fd >= 0 { close(fd) }
            fd = -1
        }
        deinit { release() }
    }

    /// A change started in the background, and whether it has finished (done or failed).
    final class Background: @unchecked Sendable {  // `done` is read and written under `lock`
        private let lock = NSLock()
        private var done = false
        private var task: Task<Void, Error>?

        init(_ operation: @escaping @Sendable () async throws -> Void) {
            task = Task {
                defer { self.lock.withLock { self.done = true } }
                try await operation()
            }
        }

        /// A put of "new" to `key`.
        convenience init(put s: TestStore, _ b: BucketName, _ key: String) {
            let backend = s.backend
            self.init {
                let request = PutObjectRequest(bucket: b, key: try ObjectKey(key), sse: nil)
                _ = try await backend.putObject(request, body: BufferSource(Array("new".utf8)))
            }
        }

        var finished: Bool { lock.withLock { done } }

        /// Waits until the change finished (true) or some process waits for a flock on `path` (false), which the
        /// kernel shows in /proc/locks. No deadline but a hang-breaker: on a loaded machine the put's steps wait
        /// minutes for a thread, and a wall-clock bound fails a put that was only slow.
        func finishesUnblocked(by path: String) async -> Bool {
            let deadline = Date().addingTimeInterval(3_600)
            while !finished && !Self.someoneWaits(for: path) && Date() < deadline {
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
            return finished
        }

        /// Whether /proc/locks lists a waiter ("->") for the flock of `path`'s inode.
        static func someoneWaits(for path: String) -> Bool {
            var st = stat()
            guard stat(path, &st) == 0, let locks = ProcFile.text("/proc/locks")  // whole: past 4 KiB on a busy machine
            else { return false }
            // "1: -> FLOCK  ADVISORY  WRITE 4242 fe:00:1234567 0 EOF": the device (hex major:minor), then the inode.
            return locks.split(separator: "\n").contains { line in
                let fields = line.split(separator: " ")
                return fields.count > 6 && fields[1] == "->" && fields[2] == "FLOCK"
                    && fields[6].split(separator: ":").last == Substring(String(st.st_ino))
            }
        }
        func value() async throws { try await task?.value }
    }

    @Test("a write commits while another writer holds the bucket lock shared; waits while it is held exclusively")
    func bucketLockModes() async throws {
        let s = try TestStore()
        defer { s.cleanup() }
        let b = try await s.makeBucket("locks-a")
        let sharedHolder = try HeldLock(s.paths.bucketLock(b), LOCK_SH)
        let first = Background(put: s, b, "a")
        let committed = await first.finishesUnblocked(by: s.paths.bucketLock(b))
        sharedHolder.release()  // lets a put that waited for it finish, so the test ends either way
        try await first.value()
        #expect(committed, "a put waited for the bucket lock that another writer held shared")

        let exclusiveHolder = try HeldLock(s.paths.bucketLock(b), LOCK_EX)
        let second = Background(put: s, b, "b")
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(!second.finished, "a put committed while the bucket was locked for a bucket-wide change")
        exclusiveHolder.release()
        try await second.value()
        #expect(try await s.get(b, "b").0 == Array("new".utf8))
    }

    @Test("a write to one key commits while another key's object lock is held, and waits for its own")
    func objectLockPerKey() async throws {
        let s = try TestStore()
        defer { s.cleanup() }
        let b = try await s.makeBucket("locks-b")
        try await s.put(b, "held", Array("old".utf8), sse: nil)
        let holder = try HeldLock(try s.objectDir(b, "held"), LOCK_EX)

        let other = Background(put: s, b, "other")
        let committed = await other.finishesUnblocked(by: try s.objectDir(b, "held"))
        let same = Background(put: s, b, "held")
        try await Task.sleep(nanoseconds: 300_000_000)
        let sameWaited = !same.finished
        holder.release()
        try await other.value()
        try await same.value()
        #expect(committed, "a put waited for the lock of another key's object")
        #expect(sameWaited, "a put committed while its object's lock was held")
        #expect(try await s.get(b, "held").0 == Array("new".utf8))
    }

    @Test("a change to a key without a directory takes the bucket lock exclusively, as no object lock exists")
    func noObjectDirectory() async throws {
        let s = try TestStore()
        defer { s.cleanup() }
        let b = try await s.makeBucket("locks-c")
        let sharedHolder = try HeldLock(s.paths.bucketLock(b), LOCK_SH)
        let backend = s.backend
        let deletion = Background { try await backend.deleteObject(bucket: b, key: try ObjectKey("never")) }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(!deletion.finished, "a delete of a key without a directory went on beside another object change")
        sharedHolder.release()
        await #expect(throws: OBSError.self) { try await deletion.value() }
        #expect(!FileManager.default.fileExists(atPath: try s.objectDir(b, "never")))
    }

    /// A body that, once read to its end, runs `atEnd` (on the writer's thread, before the write commits).
    final class BodyThen: ByteSource {
        private let inner: BufferSource
        private var atEnd: (() -> Void)?
        init(_ bytes: [UInt8], atEnd: @escaping () -> Void) {
            inner = BufferSource(bytes)
            self.atEnd = atEnd
        }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let n = try inner.read(into: buffer)
            if n == 0, let run = atEnd {
                atEnd = nil
                run()
            }
            return n
        }
    }

    @Test("a write whose bucket is deleted and made again before it commits: NoSuchBucket, nothing stored")
    func bucketRecreatedBeforeCommit() async throws {
        let s = try TestStore()
        defer { s.cleanup() }
        let b = try await s.makeBucket("locks-d")
        let other = try s.reopen()
        let body = BodyThen(Array("new".utf8)) {
            let done = DispatchSemaphore(value: 0)
            Task {
                try? await other.deleteBucket(b)
                _ = try? await other.createBucket(
                    CreateBucketRequest(name: b, location: "local", storageClass: .standard, encryption: nil))
                done.signal()
            }
            done.wait()
        }
        let request = PutObjectRequest(bucket: b, key: try ObjectKey("k"), sse: nil)
        await expectOBSError(.notFound, code: "NoSuchBucket") { _ = try await s.backend.putObject(request, body: body) }
        let listed = try await s.backend.listObjects(bucket: b, prefix: "", delimiter: nil, marker: nil, maxKeys: 10)
        #expect(listed.objects.isEmpty)
    }
}
