import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Testing

@testable import OBSServer

/// GET and HEAD `?partNumber=N`: the Nth part's bytes, as a ranged request, with the part count.
@Suite struct ServerPartNumberTests {
    /// Uploads `parts` as a multipart object `key` and completes it.
    static func multipart(
        _ f: ServerFixture, _ path: String, _ parts: [[UInt8]], headers: [(String, String)] = []
    ) async throws {
        let initiated = try await f.send(f.request("POST", path, query: [("uploads", nil)], headers: headers))
        let id = try #require(initiated.element("UploadId"), "\(initiated.text)")
        var listed = ""
        for (i, part) in parts.enumerated() {
            let answer = try await f.send(
                f.request(
                    "PUT", path, query: [("partNumber", "\(i + 1)"), ("uploadId", id)], headers: headers, body: part))
            let etag = try #require(answer.header("ETag"), "part \(i + 1): \(answer.text)")
            listed += "<Part><PartNumber>\(i + 1)</PartNumber><ETag>\(etag)</ETag></Part>"
        }
        let body = Array("<CompleteMultipartUpload>\(listed)</CompleteMultipartUpload>".utf8)
        let done = try await f.send(f.request("POST", path, query: [("uploadId", id)], headers: headers, body: body))
        #expect(done.status == 200, "\(done.text)")
    }

    /// A multipart upload's last part may be empty: asked for by number, it is answered as a part (206, no bytes,
    /// the part count), never as the whole object; plain, SSE-OBS and SSE-C alike.
    @Test(arguments: ["plain", "obs", "c"])
    func emptyLastPart(_ encryption: String) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("ep-b", encryption: encryption == "obs" ? .obs : nil)
        let keyed = encryption == "c" ? customerKeyHeaders(pattern(32, seed: 5), prefix: "x-obs-") : []
        let first = pattern(5 << 20, seed: 2)
        try await Self.multipart(f, "/ep-b/mp", [first, []], headers: keyed)
        for method in ["GET", "HEAD"] {
            let empty = try await f.send(
                f.request(method, "/ep-b/mp", query: [("partNumber", "2")], headers: keyed))
            #expect(empty.status == 206, "\(method): \(empty.status) \(empty.headers)")
            #expect(empty.header("Content-Length") == "0", "\(method): \(empty.headers)")
            #expect(empty.header("x-obs-mp-parts-count") == "2", "\(method): \(empty.headers)")
            #expect(empty.header("Content-Range") == nil, "no byte range names no bytes: \(empty.headers)")
            #expect(empty.body.isEmpty, "\(method): \(empty.body.count) bytes")
            let part1 = try await f.send(
                f.request(method, "/ep-b/mp", query: [("partNumber", "1")], headers: keyed))
            #expect(part1.status == 206 && part1.header("Content-Range") == "bytes 0-5242879/5242880")
            #expect(part1.header("Content-Length") == "5242880" && part1.header("x-obs-mp-parts-count") == "2")
            if method == "GET" { #expect(part1.body == first) }
            let past = try await f.send(f.request(method, "/ep-b/mp", query: [("partNumber", "3")], headers: keyed))
            #expect(past.status == 416, "\(method): \(past.status)")
        }
    }

    /// An object of one empty part: its part 1 is that part. An empty object written whole: part 1 is the object
    /// (200, as before), with no part count.
    @Test func emptyObjects() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("eo-b")
        try await Self.multipart(f, "/eo-b/mp", [[]])
        _ = try await f.send(f.request("PUT", "/eo-b/whole", body: [], version: .v4))
        for method in ["GET", "HEAD"] {
            let part = try await f.send(f.request(method, "/eo-b/mp", query: [("partNumber", "1")], version: .v4))
            #expect(part.status == 206 && part.header("Content-Length") == "0", "\(method): \(part.headers)")
            #expect(part.header("x-amz-mp-parts-count") == "1", "\(method): \(part.headers)")
            let whole = try await f.send(f.request(method, "/eo-b/whole", query: [("partNumber", "1")], version: .v4))
            #expect(whole.status == 200 && whole.header("Content-Length") == "0", "\(method): \(whole.headers)")
            #expect(whole.header("x-amz-mp-parts-count") == nil && whole.body.isEmpty)
        }
    }
}
