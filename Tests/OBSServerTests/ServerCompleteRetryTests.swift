import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Testing

@testable import OBSServer

/// A CompleteMultipartUpload retried after it succeeded (the client lost the answer) is answered as the first was,
/// as S3 answers it, while the object at the key is still the one that upload produced.
@Suite struct ServerCompleteRetryTests {
    /// A one-part upload to `path`, not completed: its id and the Complete body that lists its part.
    static func upload(_ f: ServerFixture, _ path: String, headers: [(String, String)] = [], seed: UInt8 = 1)
        async throws -> (id: String, body: [UInt8])
    {
        let initiated = try await f.send(
            f.request("POST", path, query: [("uploads", nil)], headers: headers, version: .v4))
        let id = try #require(initiated.element("UploadId"), "\(initiated.text)")
        let part = try await f.send(
            f.request(
                "PUT", path, query: [("partNumber", "1"), ("uploadId", id)], headers: headers,
                body: pattern(1000, seed: seed), version: .v4))
        let etag = try #require(part.header("ETag"), "\(part.text)")
        let body = Array(
            ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\(etag)</ETag></Part>"
                + "</CompleteMultipartUpload>").utf8)
        return (id, body)
    }

    static func complete(
        _ f: ServerFixture, _ path: String, _ id: String, _ body: [UInt8], headers: [(String, String)] = []
    ) async throws -> Answer {
        try await f.send(f.request("POST", path, query: [("uploadId", id)], headers: headers, body: body, version: .v4))
    }

    /// `x-amz-mp-object-size` is checked, never dropped: another size than the parts hold is 400 and no object.
    @Test func declaredObjectSizeIsChecked() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("rt-s")
        let (id, body) = try await Self.upload(f, "/rt-s/k")
        for (declared, code) in [
            ("999", "InvalidRequest"), ("-1", "InvalidArgument"), ("x", "InvalidArgument"),
            ("+1000", "InvalidArgument"),
            ("", "InvalidArgument"),
        ] {
            let refused = try await Self.complete(f, "/rt-s/k", id, body, headers: [("x-amz-mp-object-size", declared)])
            #expect(refused.status == 400 && refused.element("Code") == code, "\(declared): \(refused.text)")
            #expect(try await !f.exists("rt-s", "k"))
        }
        let done = try await Self.complete(f, "/rt-s/k", id, body, headers: [("x-amz-mp-object-size", "1000")])
        #expect(done.status == 200, "\(done.text)")
        #expect(try await f.exists("rt-s", "k"))
    }

    @Test func retryAnswersTheSameETagUntilTheObjectChanges() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("rt-b")
        let (id, body) = try await Self.upload(f, "/rt-b/k")
        let first = try await Self.complete(f, "/rt-b/k", id, body)
        #expect(first.status == 200, "\(first.text)")
        let etag = try #require(first.element("ETag"))
        let retry = try await Self.complete(f, "/rt-b/k", id, body)
        #expect(retry.status == 200 && retry.element("ETag") == etag, "\(retry.text)")
        #expect(retry.element("Key") == "k" && retry.element("Bucket") == "rt-b")

        // Other parts listed: not the completion that succeeded.
        let other = Array(
            ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"\(String(repeating: "0", count: 32))"
                + "\"</ETag></Part></CompleteMultipartUpload>").utf8)
        let otherParts = try await Self.complete(f, "/rt-b/k", id, other)
        #expect(otherParts.status == 404 && otherParts.element("Code") == "NoSuchUpload", "\(otherParts.text)")

        // Overwritten since: the upload's object is gone, and so is the retry's answer.
        #expect(try await f.send(f.request("PUT", "/rt-b/k", body: [1, 2, 3], version: .v4)).status == 200)
        let afterPut = try await Self.complete(f, "/rt-b/k", id, body)
        #expect(afterPut.status == 404 && afterPut.element("Code") == "NoSuchUpload", "\(afterPut.text)")

        // Deleted since: likewise.
        let (id2, body2) = try await Self.upload(f, "/rt-b/k", seed: 2)
        #expect(try await Self.complete(f, "/rt-b/k", id2, body2).status == 200)
        #expect(try await f.send(f.request("DELETE", "/rt-b/k", version: .v4)).status == 204)
        let afterDelete = try await Self.complete(f, "/rt-b/k", id2, body2)
        #expect(afterDelete.status == 404 && afterDelete.element("Code") == "NoSuchUpload", "\(afterDelete.text)")

        // Aborted, never completed: NoSuchUpload as before.
        let (id3, body3) = try await Self.upload(f, "/rt-b/k", seed: 3)
        #expect(
            try await f.send(f.request("DELETE", "/rt-b/k", query: [("uploadId", id3)], version: .v4)).status == 204)
        let afterAbort = try await Self.complete(f, "/rt-b/k", id3, body3)
        #expect(afterAbort.status == 404 && afterAbort.element("Code") == "NoSuchUpload", "\(afterAbort.text)")
    }

    /// An SSE-C upload's retry takes the key as its first Complete did: the right one answers, a wrong one is
    /// refused as a wrong key is.
    @Test func customerKeyRetryChecksTheKey() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("rt-c")
        let key = customerKeyHeaders(pattern(32, seed: 5), prefix: "x-amz-")
        let (id, body) = try await Self.upload(f, "/rt-c/k", headers: key)
        let first = try await Self.complete(f, "/rt-c/k", id, body, headers: key)
        #expect(first.status == 200, "\(first.text)")
        let retry = try await Self.complete(f, "/rt-c/k", id, body, headers: key)
        #expect(retry.status == 200 && retry.element("ETag") == first.element("ETag"), "\(retry.text)")
        let wrong = try await Self.complete(
            f, "/rt-c/k", id, body, headers: customerKeyHeaders(pattern(32, seed: 6), prefix: "x-amz-"))
        #expect(wrong.status == 403 && wrong.element("Code") == "AccessDenied", "\(wrong.text)")
    }
}
