import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Testing

@testable import OBSClient

/// 507 (a server whose disk is full, as serve and MinIO answer it) is not retried: sent again at once, the request
/// would fill the disk again. The error says what happened.
struct StorageFullAnswerTests {
    @Test func fullServerIsNotRetried() async throws {
        let script = FaultScript([.answer(507, [], errorBody("InsufficientStorage", "disk full"))])
        let client = try faultClient(script, retries: 3)
        let error = await #expect(throws: OBSError.self) {
            _ = try await client.listObjects(
                bucket: try BucketName("bkt"), prefix: "", delimiter: nil, marker: nil, maxKeys: 10)
        }
        #expect(script.requests.count == 1, "507 was retried")
        #expect(
            error?.message.contains("no room") == true && error?.category != .transient, "\(String(describing: error))")
        #expect(!RetryPolicy.isTransient(status: 507, category: .general))
        #expect(RetryPolicy.isTransient(status: 503, category: .general))
    }
}
