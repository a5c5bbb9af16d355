import Foundation
import OBSCore
import Testing

@testable import OBSLocalBackend

/// `deleteObjects(bucket:keys:)`: the bucket record checked once, each key deleted or reported as deleteObject would.
@Suite struct BatchDeleteTests {
    @Test func deletesEveryKeyAndReportsTheMissingOnes() async throws {
        let store = try TestStore()
        defer { store.cleanup() }
        let b = try await store.makeBucket("bd1x")
        for k in ["a", "b", "c"] {
            _ = try await store.backend.putObject(
                PutObjectRequest(bucket: b, key: try ObjectKey(k), sse: .obs), body: BufferSource([1, 2, 3]))
        }
        let failed = try await store.backend.deleteObjects(
            bucket: b, keys: [try ObjectKey("a"), try ObjectKey("missing"), try ObjectKey("b")])
        #expect(failed.map(\.key.value) == ["missing"])
        #expect(failed.first?.error.code == "NoSuchKey")
        let left = try await store.backend.listObjects(
            bucket: b, prefix: "", delimiter: nil, marker: nil, maxKeys: 1000)
        #expect(left.objects.map(\.key.value) == ["c"])
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
