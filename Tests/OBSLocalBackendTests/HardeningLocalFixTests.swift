import Foundation
import Testing
import OBSCore
@testable import OBSLocalBackend

/// The review of the local-backend hardening, in process: races between the state file and its records.
@Suite("hardening: local backend review (state races)")
struct HardeningLocalFixTests {
    @Test("review 2: a deletion recorded after a concurrent re-creation of the bucket does not mark it rolled back")
    func lateDeletionMark() async throws {
        let s = try TestStore(); defer { s.cleanup() }
        let b = try await s.makeBucket("race")
        // What a `bucket delete` read before a concurrent `bucket create` re-made the bucket...
        let stale = try s.backend.loadBucket(b)
        try await s.backend.deleteBucket(b)
        try await s.makeBucket("race")
        // ...and its deletion mark, recorded only after that creation committed.
        try s.backend.state.markDeleted(StateManifest.bucketEntry("race"), current: stale.generation)
        _ = try await s.reopen().bucketInfo(b)
        try await s.reopen().setBucketEncryption(b, .obs)
        _ = try await s.reopen().bucketInfo(b)
    }

    @Test("review 4: readers racing a writer of bucket.json never see a false 'rolled back'")
    func readerRace() async throws {
        let s = try TestStore(); defer { s.cleanup() }
        let b = try await s.makeBucket("busy")
        let shared = SharedState()
        let env = s.environment
        let reader = Thread {
            defer { shared.finish(nil) }
            for _ in 0..<3000 where !shared.done {
                do { _ = try LocalBackend(environment: env).loadBucket(b) } catch { shared.finish("\(error)"); return }
            }
        }
        reader.start()
        let writer = try s.reopen()
        while !shared.done { try await writer.setBucketEncryption(b, nil) }
        #expect(shared.failure == nil, "a reader failed while a writer committed: \(shared.failure ?? "")")
    }
}

/// What the reader thread reports to the test's task.
final class SharedState: @unchecked Sendable {
    private let lock = NSLock()
    private var isDone = false
    private var firstFailure: String?
    var done: Bool { lock.lock(); defer { lock.unlock() }; return isDone }
    var failure: String? { lock.lock(); defer { lock.unlock() }; return firstFailure }
    func finish(_ failure: String?) {
        lock.lock(); defer { lock.unlock() }
        if !isDone { firstFailure = failure }
        isDone = true
    }
}
