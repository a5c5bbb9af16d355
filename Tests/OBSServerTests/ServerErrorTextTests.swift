import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
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
            // The server's own set-up and store: neither its paths nor its operator's fixes go to a client.
            (
                .configuration("KMS policy /srv/store/kms/policy.json: bad; fix it (see 'obsctl kms policy --help')"),
                "InternalError", "internal error"
            ),
            (.integrity("KMS audit log is damaged"), "InternalError", "internal error"),
            (
                .invalidCustomerKey("SSE-C key must be 32 bytes, got 3; generate one with 'head -c 32 /dev/urandom'"),
                "InvalidArgument", "SSE-C key must be 32 bytes, got 3"
            ),
            (.invalidArgument("a part is too small; pass --part-size 5MiB"), "InvalidArgument", "a part is too small"),
            (
                OBSError(
                    code: "KeyTooLongError", message: "object key is 1025 bytes", httpStatus: 400, category: .usage),
                "KeyTooLongError", "Your key is too long"
            ),
            (
                OBSError(code: "InvalidPartOrder", message: "part 1 follows 2", httpStatus: 400, category: .usage),
                "InvalidPartOrder", "The list of parts was not in ascending order"
            ),
        ]
        for (error, code, text) in cases {
            let failure = S3Failure(error)
            #expect(failure.code == code, "\(error.code)")
            #expect(failure.message.contains(text), "\(failure.message)")
            for advice in ["obsctl", "--", "/srv", "head -c"] {
                #expect(!failure.message.contains(advice), "\(failure.message)")
            }
            #expect(
                failure.status
                    == (error.httpStatus < 400
                        ? 500 : error.code == "MultipartUploadsInProgress" ? 409 : error.httpStatus))
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

/// A header under the other dialect's prefix is never acted on: no signature covers it, so one added to a presigned
/// or signed request could otherwise turn a PUT into a copy of any object, or change its encryption or metadata.
@Suite struct ServerOtherPrefixTests {
    @Test(arguments: [SignatureVersion.v4, .v2, .obs])
    func otherPrefixIgnored(_ version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        _ = try await f.send(f.request("PUT", "/b1xx/secret", body: Array("the secret".utf8)))
        let other = version == .obs ? "x-amz-" : "x-obs-"
        let put = try await f.send(
            f.request(
                "PUT", "/b1xx/mine",
                headers: [
                    (other + "copy-source", "/b1xx/secret"), (other + "meta-evil", "1"),
                    (other + "server-side-encryption", "AES256"), (other + "storage-class", "GLACIER"),
                ], body: Array("my bytes".utf8), version: version))
        #expect(put.status == 200, "\(put.text)")
        let got = try await f.send(f.request("GET", "/b1xx/mine", version: version))
        #expect(got.body == Array("my bytes".utf8), "the other prefix's copy-source was acted on")
        #expect(got.headers.allSatisfy { !$0.name.lowercased().contains("meta-evil") })
        #expect(got.header("x-obs-storage-class") == nil && got.header("x-amz-storage-class") == nil)
        #expect(got.header("x-obs-server-side-encryption") == nil && got.header("x-amz-server-side-encryption") == nil)
    }
}

/// A request body's XML refusals speak of a request: a DTD is refused as the client's to remove, never as
/// something "responses never do" (the client's own reading of responses keeps those words).
@Suite struct ServerRequestXMLWordingTests {
    @Test func dtdInARequestBody() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("dtd-b")
        let body = Array(
            "<!DOCTYPE Delete><Delete><Object><Key>k</Key></Object></Delete>".utf8)
        let r = try await f.send(
            f.request("POST", "/dtd-b", query: [("delete", nil)], headers: [md5Header(body)], body: body, version: .v4))
        let message = try #require(r.element("Message"), "\(r.text)")
        #expect(r.status == 400 && r.element("Code") == "MalformedXML", "\(r.text)")
        #expect(message.contains("DTD") && message.contains("send the XML without it"), "\(message)")
        #expect(!message.contains("response"), "a request body is no response: \(message)")
    }
}

/// A store write that found no room is 507 InsufficientStorage for an SDK (its path stays in the operator's log), which
/// the clients do not retry; obsctl's client says so in a line of its own.
@Suite struct StorageFullAnswerTests {
    @Test func fullDiskIs507AndNotRetried() throws {
        var error = OBSError.localIO("cannot write /srv/store/buckets/b/x: No space left on device")
        error.code = OBSError.storageFullCode
        let failure = S3Failure(error)
        #expect(failure.status == 507 && failure.code == "InsufficientStorage", "\(failure)")
        #expect(!failure.message.contains("/srv"), "\(failure.message)")
    }
}
