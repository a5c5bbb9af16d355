import Foundation
import OBSCore
import OBSSigner
import OBSTime
import Testing

@testable import OBSServer

/// GET's and copy's preconditions share one evaluator with S3's precedence: a present If-Match (If-None-Match)
/// decides, and the date condition beside it is ignored.
@Suite struct ServerPreconditionTests {
    static let info = ObjectInfo(
        bucket: try! BucketName("pre-bucket"), key: try! ObjectKey("k"), size: 1, etag: "abc",
        contentType: "x", lastModified: Date(timeIntervalSince1970: 1_000_000), userMetadata: [:],
        sseMode: nil, sseOrigin: nil)
    static let before = Timestamps.rfc1123(Date(timeIntervalSince1970: 999_000))
    static let after = Timestamps.rfc1123(Date(timeIntervalSince1970: 1_001_000))

    func outcome(
        match: String? = nil, noneMatch: String? = nil, modifiedSince: String? = nil, unmodifiedSince: String? = nil
    ) -> Preconditions.Outcome {
        Preconditions(
            ifMatch: match.map { ("m", $0) }, ifNoneMatch: noneMatch.map { ("n", $0) },
            ifModifiedSince: modifiedSince.map { ("ms", $0) }, ifUnmodifiedSince: unmodifiedSince.map { ("us", $0) }
        ).evaluate(Self.info)
    }

    @Test func precedence() {
        #expect(outcome() == .proceed)
        #expect(outcome(match: "\"abc\"") == .proceed)
        #expect(outcome(match: "\"zzz\", \"abc\"") == .proceed)
        #expect(outcome(match: "*") == .proceed)
        #expect(outcome(match: "\"zzz\"") == .failed("m"))
        #expect(outcome(unmodifiedSince: Self.before) == .failed("us"))
        #expect(outcome(unmodifiedSince: Self.after) == .proceed)
        // A matching If-Match wins over a failing If-Unmodified-Since (S3 copies / serves then).
        #expect(outcome(match: "\"abc\"", unmodifiedSince: Self.before) == .proceed)
        #expect(outcome(noneMatch: "\"abc\"") == .notModified("n"))
        #expect(outcome(noneMatch: "W/\"abc\"") == .notModified("n"))
        #expect(outcome(noneMatch: "\"zzz\"") == .proceed)
        #expect(outcome(modifiedSince: Self.after) == .notModified("ms"))
        #expect(outcome(modifiedSince: Self.before) == .proceed)
        // A non-matching If-None-Match wins over If-Modified-Since.
        #expect(outcome(noneMatch: "\"zzz\"", modifiedSince: Self.after) == .proceed)
        // An unreadable date is ignored, as HTTP says.
        #expect(outcome(unmodifiedSince: "yesterday") == .proceed)
        // The obsolete forms count too (RFC 9110 §5.6.7): 999,000 s is Mon, 12 Jan 1970 13:30:00 GMT.
        #expect(outcome(modifiedSince: "Thursday, 01-Jan-70 00:00:00 GMT") == .notModified("ms"), "2070, not 1970")
        #expect(outcome(unmodifiedSince: "Mon Jan 12 13:30:00 1970") == .failed("us"))
        #expect(outcome(modifiedSince: "Mon Jan 12 13:30:00 1970") == .proceed)
    }

    @Test func copyFollowsTheSamePrecedence() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("precopy")
        let put = try await f.send(f.request("PUT", "/precopy/src", body: [1, 2, 3]))
        let etag = try #require(put.header("ETag"))
        let past = Timestamps.rfc1123(Date(timeIntervalSinceNow: -86_400))
        let copied = try await f.send(
            f.request(
                "PUT", "/precopy/dst",
                headers: [
                    ("x-obs-copy-source", "/precopy/src"), ("x-obs-copy-source-if-match", etag),
                    ("x-obs-copy-source-if-unmodified-since", past),
                ]))
        #expect(copied.status == 200, "\(copied.text)")
        let refused = try await f.send(
            f.request(
                "PUT", "/precopy/dst2",
                headers: [("x-obs-copy-source", "/precopy/src"), ("x-obs-copy-source-if-none-match", etag)]))
        #expect(refused.status == 412 && refused.text.contains("copy-source-if-none-match"), "\(refused.text)")
        #expect(try await f.exists("precopy", "dst2") == false)
    }

    /// DELETE with If-Match deletes only that version: another ETag is 412 and the object stays; no object is 404,
    /// not the 204 of an unconditional delete. Conditions it does not check are 501, never dropped.
    @Test(arguments: [SignatureVersion.obs, .v4])
    func conditionalDelete(_ version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("predel")
        let put = try await f.send(f.request("PUT", "/predel/k", body: Array("keep me".utf8), version: version))
        let etag = try #require(put.header("ETag"))
        let wrong = try await f.send(
            f.request(
                "DELETE", "/predel/k", headers: [("If-Match", "\"\(String(repeating: "0", count: 32))\"")],
                version: version))
        #expect(wrong.status == 412 && wrong.element("Code") == "PreconditionFailed", "\(wrong.text)")
        #expect(try await f.exists("predel", "k"))
        let prefix = version == .obs ? "x-obs-" : "x-amz-"
        for header in [
            ("If-None-Match", etag), ("If-Unmodified-Since", Timestamps.rfc1123(Date())),
            (prefix + "if-match-size", "7"), (prefix + "if-match-last-modified-time", Timestamps.rfc1123(Date())),
        ] {
            let refused = try await f.send(f.request("DELETE", "/predel/k", headers: [header], version: version))
            #expect(refused.status == 501 && refused.element("Code") == "NotImplemented", "\(header)")
            #expect(try await f.exists("predel", "k"), "\(header)")
        }
        let right = try await f.send(f.request("DELETE", "/predel/k", headers: [("If-Match", etag)], version: version))
        #expect(right.status == 204, "\(right.text)")
        #expect(try await !f.exists("predel", "k"))
        let gone = try await f.send(f.request("DELETE", "/predel/k", headers: [("If-Match", etag)], version: version))
        #expect(gone.status == 404 && gone.element("Code") == "NoSuchKey", "\(gone.text)")
        let plain = try await f.send(f.request("DELETE", "/predel/k", version: version))
        #expect(plain.status == 204, "\(plain.text)")
        // An abort's conditions are not checked either: refused, the upload kept.
        let initiated = try await f.send(f.request("POST", "/predel/u", query: [("uploads", nil)], version: version))
        let uploadID = try #require(initiated.element("UploadId"), "\(initiated.text)")
        for header in [("If-Match", "\"x\""), (prefix + "if-match-initiated-time", Timestamps.rfc1123(Date()))] {
            let refused = try await f.send(
                f.request("DELETE", "/predel/u", query: [("uploadId", uploadID)], headers: [header], version: version))
            #expect(refused.status == 501 && refused.element("Code") == "NotImplemented", "\(header)")
        }
        let listed = try await f.send(f.request("GET", "/predel", query: [("uploads", nil)], version: version))
        #expect(listed.element("UploadId") == uploadID, "the upload is kept: \(listed.text)")
    }
}
