import Foundation
import OBSCore
import OBSCrypto
import Testing

@testable import OBSServer

/// DeleteObjects with an `ETag` in an `Object` (S3's conditional batch delete): that key is deleted only if its
/// ETag matches (`*`: if it exists); a mismatch is that key's PreconditionFailed and the other keys go ahead.
@Suite struct ServerConditionalBatchDeleteTests {
    static func delete(_ f: ServerFixture, _ objects: String) async throws -> Answer {
        let xml = Array("<Delete>\(objects)</Delete>".utf8)
        return try await f.send(
            f.request("POST", "/cd-b", query: [("delete", nil)], headers: [md5Header(xml)], body: xml, version: .v4))
    }

    /// The `<Error>` entries as key → code.
    static func errors(_ answer: Answer) -> [String: String] {
        var out: [String: String] = [:]
        for chunk in answer.text.components(separatedBy: "<Error>").dropFirst() {
            let entry = Answer(status: 0, headers: [], body: Array(chunk.utf8))
            if let key = entry.element("Key"), let code = entry.element("Code") { out[key] = code }
        }
        return out
    }

    @Test func etagConditionsPerKey() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("cd-b")
        var etags: [String: String] = [:]
        for key in ["a", "b", "c", "d"] {
            let put = try await f.send(f.request("PUT", "/cd-b/\(key)", body: Array(key.utf8), version: .v4))
            etags[key] = try #require(put.header("ETag"))
        }
        let answer = try await Self.delete(
            f,
            "<Object><Key>a</Key><ETag>\(etags["a"]!)</ETag></Object>"
                + "<Object><Key>b</Key><ETag>\(etags["a"]!)</ETag></Object>"
                + "<Object><Key>c</Key></Object>"
                + "<Object><Key>d</Key><ETag>*</ETag></Object>"
                + "<Object><Key>missing</Key><ETag>*</ETag></Object>"
                + "<Object><Key>gone</Key></Object>")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(Self.errors(answer) == ["b": "PreconditionFailed", "missing": "NoSuchKey"], "\(answer.text)")
        for key in ["a", "c", "d", "gone"] { #expect(answer.text.contains("<Deleted><Key>\(key)</Key>")) }
        #expect(try await f.exists("cd-b", "b"))
        for key in ["a", "c", "d"] { #expect(try await !f.exists("cd-b", key)) }
    }

    /// A key named twice gets a result for each entry: the one that deleted it is `Deleted`, whichever comes first.
    @Test func aKeyNamedTwiceGetsTwoResults() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("cd-b")
        for order in [["wrong", "none"], ["right", "wrong"]] {
            let put = try await f.send(f.request("PUT", "/cd-b/dup", body: [1, 2], version: .v4))
            let right = try #require(put.header("ETag"))
            let entries = order.map { condition in
                switch condition {
                case "wrong": "<Object><Key>dup</Key><ETag>\"00000000000000000000000000000000\"</ETag></Object>"
                case "right": "<Object><Key>dup</Key><ETag>\(right)</ETag></Object>"
                default: "<Object><Key>dup</Key></Object>"
                }
            }
            let answer = try await Self.delete(f, entries.joined())
            #expect(answer.status == 200, "\(answer.text)")
            #expect(
                answer.text.components(separatedBy: "<Deleted><Key>dup</Key>").count == 2, "\(order): \(answer.text)")
            #expect(answer.text.components(separatedBy: "<Error>").count == 2, "\(order): \(answer.text)")
            #expect(try await !f.exists("cd-b", "dup"))
        }
    }

    /// S3 checks `Size` and `LastModifiedTime` in directory buckets only: refused whole, never ignored (which
    /// would delete what the client meant to keep).
    @Test func sizeAndTimeConditionsAreRefused() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("cd-b")
        #expect(try await f.send(f.request("PUT", "/cd-b/a", body: [1], version: .v4)).status == 200)
        for condition in ["<Size>1</Size>", "<LastModifiedTime>2030-01-01T00:00:00Z</LastModifiedTime>"] {
            let answer = try await Self.delete(f, "<Object><Key>a</Key>\(condition)</Object>")
            #expect(answer.status == 501 && answer.element("Code") == "NotImplemented", "\(answer.text)")
        }
        #expect(try await f.exists("cd-b", "a"))
    }
}
