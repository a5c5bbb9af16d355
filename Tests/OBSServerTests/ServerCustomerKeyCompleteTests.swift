import Foundation
import OBSCore
import OBSCrypto
import OBSLocalBackend
import Testing

@testable import OBSServer

/// An SSE-C multipart upload's Complete may come without the customer key, as S3 allows (botocore and older AWS
/// CLIs send none); a key that is sent must still be the upload's.
@Suite struct ServerCustomerKeyCompleteTests {
    typealias Retry = ServerCompleteRetryTests

    @Test func completeWithoutTheKey() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("ck-b")
        let key = customerKeyHeaders(pattern(32, seed: 11), prefix: "x-amz-")
        let (id, body) = try await Retry.upload(f, "/ck-b/k", headers: key)
        let wrong = try await Retry.complete(
            f, "/ck-b/k", id, body, headers: customerKeyHeaders(pattern(32, seed: 12), prefix: "x-amz-"))
        #expect(wrong.status == 403 && wrong.element("Code") == "AccessDenied", "\(wrong.text)")

        let done = try await Retry.complete(f, "/ck-b/k", id, body)
        #expect(done.status == 200, "\(done.text)")
        #expect(done.header("x-amz-server-side-encryption-customer-algorithm") == "AES256")
        // The object reads back with its key: its metadata MAC verifies, its parts decrypt.
        let got = try await f.send(f.request("GET", "/ck-b/k", headers: key, version: .v4))
        #expect(got.status == 200 && got.body == pattern(1000, seed: 1), "\(got.text)")
        let without = try await f.send(f.request("GET", "/ck-b/k", version: .v4))
        #expect(without.status == 400, "\(without.text)")
        // A retry needs no key either.
        let retry = try await Retry.complete(f, "/ck-b/k", id, body)
        #expect(retry.status == 200 && retry.element("ETag") == done.element("ETag"), "\(retry.text)")
    }

    /// What lets a Complete go without the key is kept in memory only: a process that saw no keyed request of the
    /// upload (a restart) needs the key, as before.
    @Test func anotherProcessNeedsTheKey() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("ck-b")
        let keyBytes = pattern(32, seed: 13)
        let (id, body) = try await Retry.upload(f, "/ck-b/k", headers: customerKeyHeaders(keyBytes, prefix: "x-amz-"))
        let etag = try #require(String(decoding: body, as: UTF8.self).split(separator: "\"").dropFirst().first)
        let restarted = try LocalBackend(environment: [
            "OBSCTL_LOCAL_ROOT": f.dir, "HOME": f.dir,
            "OBSCTL_LOCAL_ROOT_KEY": Base64.encode((0..<32).map { UInt8(0xA0 + $0) }),
        ])
        var target = MultipartUploadTarget(
            bucket: try BucketName("ck-b"), key: try ObjectKey("k"), uploadID: id)
        await #expect {
            _ = try await restarted.completeMultipartUpload(target, parts: [(1, String(etag))])
        } throws: { error in
            (error as? OBSError)?.code == "InvalidRequest" && (error as? OBSError)?.httpStatus == 400
        }
        target.customerKey = try CustomerKey(key: SecretBytes(copying: keyBytes))
        let info = try await restarted.completeMultipartUpload(target, parts: [(1, String(etag))])
        #expect(info.size == 1000)
    }

    /// An upload with a checksum algorithm keeps its parts' checksums sealed under the data key: its Complete
    /// needs the key, as S3 needs it then.
    @Test func checksumAlgorithmNeedsTheKey() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("ck-b")
        let key = customerKeyHeaders(pattern(32, seed: 14), prefix: "x-amz-")
        let (id, body) = try await Retry.upload(f, "/ck-b/k", headers: key + [("x-amz-checksum-algorithm", "CRC32")])
        let without = try await Retry.complete(f, "/ck-b/k", id, body)
        #expect(without.status == 400 && without.element("Code") == "InvalidRequest", "\(without.text)")
    }
}
