import Foundation
import OBSCore
import Testing

@testable import OBSLocalBackend

/// `deleteObjects(bucket:keys:)`: the bucket record checked once, each key deleted or reported as deleteObject
/// would, except that a key already gone is deleted (as OBS answers a batch delete) unless a condition named it.
@Suite struct BatchDeleteTests {
    @Test func deletesEveryKeyAndTakesTheMissingOnesAsDeleted() async throws {
        let store = try TestStore()
        defer { store.cleanup() }
        let b = try await store.makeBucket("bd1x")
        for k in ["a", "b", "c"] {
            _ = try await store.backend.putObject(
                PutObjectRequest(bucket: b, key: try ObjectKey(k), sse: .obs), body: BufferSource([1, 2, 3]))
        }
        let failed = try await store.backend.deleteObjects(
            bucket: b, keys: [try ObjectKey("a"), try ObjectKey("missing"), try ObjectKey("b")])
        #expect(failed.isEmpty, "\(failed)")
        let left = try await store.backend.listObjects(
            bucket: b, prefix: "", delimiter: nil, marker: nil, maxKeys: 1000)
        #expect(left.objects.map(\.key.value) == ["c"])
    }

    @Test func aConditionOnAMissingKeyFailsIt() async throws {
        let store = try TestStore()
        defer { store.cleanup() }
        let b = try await store.makeBucket("bd3x")
        _ = try await store.backend.putObject(
            PutObjectRequest(bucket: b, key: try ObjectKey("a"), sse: .obs), body: BufferSource([1, 2, 3]))
        let outcomes = try await store.backend.deleteObjects(
            bucket: b, objects: [(try ObjectKey("a"), .present), (try ObjectKey("missing"), .present)])
        #expect(outcomes.map { $0?.code } == [nil, "NoSuchKey"])
    }

    @Test func aMissingBucketFailsEveryKey() async throws {
        let store = try TestStore()
        defer { store.cleanup() }
        let b = try BucketName("bd2x")
        let failed = try await store.backend.deleteObjects(bucket: b, keys: [try ObjectKey("a"), try ObjectKey("b")])
        #expect(failed.map(\.key.value) == ["a", "b"])
        #expect(failed.allSatisfy { $0.error.code == "NoSuchBucket" })
    }
}
