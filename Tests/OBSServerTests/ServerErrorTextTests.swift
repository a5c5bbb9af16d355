import Foundation
import OBSCore
import OBSCrypto
import Testing

@testable import OBSServer

/// Error answers in the API's words: the storage errors' CLI advice never reaches an SDK, and the codes are the ones
/// S3 and OBS use. (`ServerFixture.send` checks every error answer of every server test for CLI advice.)
@Suite struct ServerErrorTextTests {
    @Test func storageErrorsAnsweredInTheAPIsWords() {
        let cases: [(OBSError, String, String)] = [
            (.noSuchBucket("b"), "NoSuchBucket", "The specified bucket does not exist"),
            (.noSuchKey("b", "k"), "NoSuchKey", "The specified key does not exist."),
            (.bucketNotEmpty("b"), "BucketNotEmpty", "The bucket you tried to delete is not empty"),
            (.uploadsInProgress("b"), "BucketNotEmpty", "has multipart uploads in progress"),
            (.kmsNotFound("alias/x"), "KMS.NotFoundException", "'alias/x' does not exist"),
            (.kmsDisabled("k1", state: "pending deletion"), "KMS.DisabledException", "k1 is disabled or pending"),
            (.kmsPermissionDenied("kms:dek:create"), "AccessDenied", "'kms:dek:create' is denied"),
            (.customerKeyRequired("b", "k"), "InvalidRequest", "The correct parameters must be provided"),
            (.customerKeyNotExpected("b", "k", mode: "SSE-KMS"), "InvalidRequest", "are not applicable"),
            (.customerKeyMismatch("b", "k"), "AccessDenied", "does not match the key"),
            (.damagedObject("b", "k", "tag mismatch"), "IntegrityCheckFailed", "b/k failed its integrity check"),
            (.sourceChanged("b", "k"), "PreconditionFailed", "pre-conditions you specified did not hold"),
        ]
        for (error, code, text) in cases {
            let failure = S3Failure(error)
            #expect(failure.code == code, "\(error.code)")
            #expect(failure.message.contains(text), "\(failure.message)")
            #expect(!failure.message.contains("obsctl") && !failure.message.contains("--"), "\(failure.message)")
            #expect(failure.status == (error.code == "MultipartUploadsInProgress" ? 409 : error.httpStatus))
        }
    }

    @Test func deleteBucketWithUploadsPerDialect() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let id = try #require(
            try await f.send(f.request("POST", "/b1xx/k", query: [("uploads", nil)])).element("UploadId"))
        // OBS: the bucket is not empty while an upload is in progress, and the upload stays.
        let obs = try await f.send(f.request("DELETE", "/b1xx"))
        #expect(obs.status == 409 && obs.element("Code") == "BucketNotEmpty", "\(obs.text)")
        #expect(try await f.send(f.request("GET", "/b1xx/k", query: [("uploadId", id)])).status == 200)
        // S3: the uploads go with the bucket.
        let s3 = try await f.send(f.request("DELETE", "/b1xx", version: .v4))
        #expect(s3.status == 204, "\(s3.text)")
        #expect(try await f.send(f.request("HEAD", "/b1xx", version: .v4)).status == 404)
        // An object still makes the bucket not empty, in either dialect.
        try await f.makeBucket("b2xx")
        _ = try await f.send(f.request("PUT", "/b2xx/o", body: [1]))
        _ = try await f.send(f.request("POST", "/b2xx/k", query: [("uploads", nil)]))
        let full = try await f.send(f.request("DELETE", "/b2xx", version: .v4))
        #expect(full.status == 409 && full.element("Code") == "BucketNotEmpty", "\(full.text)")
        #expect(try await f.send(f.request("GET", "/b2xx", query: [("uploads", nil)])).element("UploadId") != nil)
    }
}
