import Foundation
import OBSCore
import OBSLocalBackend
import Testing

/// A HEAD names no class for a STANDARD object (OBS and S3 leave the header out), and a copy that names none lands
/// in the bucket's default class. So `apply` states STANDARD for such an object, or one in a WARM bucket would
/// silently become WARM (billed and served as another class).
@Suite("apply keeps a standard object standard in a bucket of another class")
struct ApplyStorageClassTests {
    @Test func standardObjectInWarmBucket() async throws {
        let sb = try Sandbox("apply-class")
        try sb.ok(["bucket", "create", "obs://warmb", "--storage-class", "warm"])
        let backend = try LocalBackend(environment: sb.childEnvironment([:]))
        let bucket = try BucketName("warmb")
        for (key, storageClass) in [("standard", Optional("STANDARD")), ("default", nil), ("cold", "COLD")] {
            _ = try await backend.putObject(
                PutObjectRequest(bucket: bucket, key: try ObjectKey(key), sse: nil, storageClass: storageClass),
                body: BufferSource([1, 2, 3]))
        }
        let applied = try sb.json(["bucket", "encryption", "apply", "obs://warmb", "--sse", "obs"])
        #expect("\(applied)".contains("converted"), "\(applied)")
        for (key, expected) in [("standard", nil), ("default", Optional("WARM")), ("cold", "COLD")] {
            let info = try await backend.headObject(GetObjectRequest(bucket: bucket, key: try ObjectKey(key)))
            #expect(info.sseMode == .obs, "\(key)")
            #expect(info.storageClass == expected, "\(key): \(String(describing: info.storageClass))")
        }
    }
}
