import Foundation
import OBSCore
import OBSSigner
import Testing

@testable import OBSServer

@Suite struct ServerPagingAndCopyTests {
    /// ListBuckets' arguments (S3's prefix, max-buckets, continuation-token, bucket-region) are applied: a listing
    /// by prefix never returns other buckets, pages follow the token to the end, and a subresource is refused.
    @Test func bucketListingArguments() async throws {
        let f = try ServerFixture()
        for name in ["lb-b1", "lb-a2", "other", "lb-a1"] { _ = try await f.makeBucket(name) }
        func names(_ query: [(String, String?)]) async throws -> (names: [String], answer: Answer) {
            let answer = try await f.send(f.request("GET", "/", query: query, version: .v4))
            #expect(answer.status == 200, "\(query): \(answer.text)")
            let names = answer.text.components(separatedBy: "<Name>").dropFirst().compactMap {
                $0.components(separatedBy: "<").first
            }
            return (names, answer)
        }
        let byPrefix = try await names([("prefix", "lb-a")])
        #expect(byPrefix.names == ["lb-a1", "lb-a2"] && byPrefix.answer.element("Prefix") == "lb-a")
        #expect(byPrefix.answer.element("ContinuationToken") == nil)
        var token: String? = nil
        var paged: [String] = []
        for _ in 0..<5 {
            let page = try await names([("max-buckets", "3")] + (token.map { [("continuation-token", $0)] } ?? []))
            #expect(page.names.count <= 3)
            paged += page.names
            token = page.answer.element("ContinuationToken")
            if token == nil { break }
        }
        #expect(paged == ["lb-a1", "lb-a2", "lb-b1", "other"])
        #expect(try await names([("prefix", "lb-"), ("max-buckets", "2")]).names == ["lb-a1", "lb-a2"])
        #expect(try await names([("bucket-region", "elsewhere")]).names.isEmpty)
        #expect(try await names([("bucket-region", "local")]).names.count == 4)
        for bad in ["0", "10001", "x"] {
            let refused = try await f.send(f.request("GET", "/", query: [("max-buckets", bad)], version: .v4))
            #expect(refused.status == 400 && refused.text.contains("max-buckets"), "\(bad): \(refused.text)")
        }
        let acl = try await f.send(f.request("GET", "/", query: [("acl", nil)], version: .v4))
        #expect(acl.status == 501, "\(acl.text)")
        // A damaged bucket record leaves that bucket out, not the listing.
        try Data("{\"x\":1}".utf8).write(to: URL(fileURLWithPath: f.dir + "/buckets/other/bucket.json"))
        #expect(try await names([]).names == ["lb-a1", "lb-a2", "lb-b1"])
    }

    /// ListMultipartUploads with a delimiter, one entry a page: following NextKeyMarker visits each rolled-up prefix
    /// once and ends (a marker that is a prefix skips every upload under it).
    @Test func uploadListingPagesEnd() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("lst1")
        for (i, dir) in ["0", "1", "0", "1", "0"].enumerated() {
            _ = try await f.send(f.request("POST", "/lst1/up/\(dir)/k\(i)", query: [("uploads", nil)], version: .v4))
        }
        var marker = "", seen: [String] = []
        for _ in 0..<10 {
            let page = try await f.send(
                f.request(
                    "GET", "/lst1",
                    query: [
                        ("uploads", nil), ("delimiter", "/"), ("prefix", "up/"), ("max-uploads", "1"),
                        ("key-marker", marker),
                    ], version: .v4))
            seen += page.text.components(separatedBy: "<CommonPrefixes><Prefix>").dropFirst().compactMap {
                $0.components(separatedBy: "<").first
            }
            guard page.element("IsTruncated") == "true", let next = page.element("NextKeyMarker") else { break }
            #expect(next != marker, "the same marker came back: \(page.text)")
            marker = next
        }
        #expect(seen == ["up/0/", "up/1/"])
    }

    /// A key's uploads are listed oldest first, as S3 lists them, not by upload ID; paging one upload at a time on
    /// NextKeyMarker and NextUploadIdMarker gives each once, in the same order.
    @Test func uploadsOfAKeyByInitiationTime() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("lst2")
        func initiate(_ key: String) async throws -> String {
            try #require(
                try await f.send(f.request("POST", "/lst2/\(key)", query: [("uploads", nil)], version: .v4))
                    .element("UploadId"))
        }
        let first = try await initiate("k")
        _ = try await initiate("j")
        // The store keeps the time to the second: the later uploads start in the next one, until one has an ID
        // below the first's (an order by ID would then put it first).
        let now = Date().timeIntervalSince1970
        usleep(UInt32((now.rounded(.down) + 1.05 - now) * 1_000_000))
        var later: [String] = []
        repeat { later.append(try await initiate("k")) } while later.last! > first && later.count < 64
        _ = try await initiate("l")
        func uploads(_ page: Answer) -> [(key: String, id: String, initiated: String)] {
            page.text.components(separatedBy: "<Upload>").dropFirst().map { entry in
                func field(_ name: String) -> String {
                    entry.components(separatedBy: "<\(name)>").dropFirst().first?.components(separatedBy: "<").first
                        ?? ""
                }
                return (field("Key"), field("UploadId"), field("Initiated"))
            }
        }
        let all = uploads(try await f.send(f.request("GET", "/lst2", query: [("uploads", nil)], version: .v4)))
        let ofK = all.filter { $0.key == "k" }
        #expect(all.map(\.key) == ["j"] + Array(repeating: "k", count: later.count + 1) + ["l"])
        #expect(ofK.first?.id == first, "the oldest upload of k comes first: \(ofK)")
        #expect(Set(ofK.dropFirst().map(\.id)) == Set(later))
        for (a, b) in zip(ofK, ofK.dropFirst()) {
            #expect(a.initiated < b.initiated || (a.initiated == b.initiated && a.id < b.id), "\(a) before \(b)")
        }
        var keyMarker = "", idMarker = "", paged: [String] = []
        for _ in 0..<(all.count + 2) {
            let page = try await f.send(
                f.request(
                    "GET", "/lst2",
                    query: [
                        ("uploads", nil), ("max-uploads", "1"), ("key-marker", keyMarker),
                        ("upload-id-marker", idMarker),
                    ], version: .v4))
            paged += uploads(page).map(\.id)
            guard page.element("IsTruncated") == "true" else { break }
            keyMarker = page.element("NextKeyMarker") ?? ""
            idMarker = page.element("NextUploadIdMarker") ?? ""
        }
        #expect(paged == all.map(\.id))
    }

    /// max-parts=0 and max-uploads=0: an empty page, not truncated (it has no marker a client could page on, so
    /// one that pages until the end would ask forever).
    @Test func emptyPagesAreNotTruncated() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("lst0")
        let id = try #require(
            try await f.send(f.request("POST", "/lst0/k", query: [("uploads", nil)], version: .v4)).element("UploadId"))
        let part = try await f.send(
            f.request("PUT", "/lst0/k", query: [("partNumber", "1"), ("uploadId", id)], body: [1, 2, 3], version: .v4))
        #expect(part.status == 200, "\(part.text)")
        let parts = try await f.send(
            f.request("GET", "/lst0/k", query: [("uploadId", id), ("max-parts", "0")], version: .v4))
        #expect(parts.status == 200 && parts.element("IsTruncated") == "false", "\(parts.text)")
        let uploads = try await f.send(
            f.request("GET", "/lst0", query: [("uploads", nil), ("max-uploads", "0")], version: .v4))
        #expect(uploads.status == 200 && uploads.element("IsTruncated") == "false", "\(uploads.text)")
        let one = try await f.send(
            f.request("GET", "/lst0/k", query: [("uploadId", id), ("max-parts", "1")], version: .v4))
        #expect(one.element("IsTruncated") == "false" && one.element("PartNumber") == "1", "\(one.text)")
    }

    /// A copy onto itself that names only a storage class is how S3 and OBS clients change an object's class.
    /// A copy source is bucket/key with the key percent-encoded, or the whole value encoded as one (Go's
    /// url.QueryEscape of "bucket/key"); either way the bucket ends at the first slash, literal or encoded.
    @Test(arguments: [
        ("b1xx/dir/src", "dir/src"), ("/b1xx/dir/src", "dir/src"), ("b1xx%2Fdir%2Fsrc", "dir/src"),
        ("%2Fb1xx%2Fdir%2Fsrc", "dir/src"), ("b1xx%2fa%20b", "a b"), ("b1xx/dir%2Fsrc", "dir/src"),
        ("b1xx/a%25b", "a%b"), ("b1xx/k?versionId=null", "k"),
    ])
    func copySourceForms(header: String, key: String) throws {
        let (bucket, parsed) = try S3Service.copySource(header)
        #expect(bucket.value == "b1xx" && parsed.value == key)
    }

    @Test(arguments: ["b1xx", "b1xx/", "b1xx%2F", "/", "%2F"])
    func copySourceWithoutAKey(header: String) {
        #expect(throws: (any Error).self) { try S3Service.copySource(header) }
    }

    @Test func copyOntoItselfChangesTheClass() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("cls1")
        _ = try await f.send(f.request("PUT", "/cls1/k", body: [1, 2, 3], version: .v4))
        let copy = try await f.send(
            f.request(
                "PUT", "/cls1/k", headers: [("x-amz-copy-source", "/cls1/k"), ("x-amz-storage-class", "GLACIER")],
                version: .v4))
        #expect(copy.status == 200, "\(copy.text)")
        let head = try await f.send(f.request("HEAD", "/cls1/k", version: .v4))
        #expect(head.header("x-amz-storage-class") == "GLACIER")
        let unchanged = try await f.send(
            f.request("PUT", "/cls1/k", headers: [("x-amz-copy-source", "/cls1/k")], version: .v4))
        #expect(unchanged.status == 400 && unchanged.element("Code") == "InvalidRequest", "\(unchanged.text)")
    }

    /// A GET whose client leaves mid-answer (the listener's queue cancelled: its writes throw) gets its access-log
    /// line with -1 bytes out; a finished one its length.
    @Test func abandonedDownloadsAreLogged() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("log1")
        _ = try await f.send(f.request("PUT", "/log1/big", body: pattern(1 << 20)))
        func lines() -> [[String: Any]] {
            let text = (try? String(contentsOfFile: f.dir + "/access.log", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        let before = lines().count
        let response = await f.service.handle(f.request("GET", "/log1/big"))
        guard case .stream(_, let write) = response.body else {
            Issue.record("a GET answered without a stream")
            return
        }
        let left = StreamedResponseBody(capacity: 1)
        left.cancel()  // the client is gone
        await #expect(throws: StreamedResponseCancelled.self) { try await write(left) }
        let after = lines()
        #expect(after.count == before + 1, "\(after)")
        #expect(after.last?["method"] as? String == "GET" && after.last?["bytes_out"] as? Int == -1, "\(after)")
        _ = try await f.send(f.request("GET", "/log1/big"))
        #expect(lines().last?["bytes_out"] as? Int == 1 << 20)
    }

    @Test func versionsAndExpiry() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("ver1")
        _ = try await f.send(f.request("PUT", "/ver1/k", body: [1]))
        // A copy of another version than null names none, as GET of one does.
        let copy = try await f.send(
            f.request("PUT", "/ver1/c", headers: [("x-amz-copy-source", "/ver1/k?versionId=abc")], version: .v4))
        #expect(copy.status == 404 && copy.element("Code") == "NoSuchVersion", "\(copy.text)")
        // OBS's object expiry (days) is not kept: refused, not dropped.
        let expiring = try await f.send(f.request("PUT", "/ver1/e", headers: [("x-obs-expires", "1")], body: [1]))
        #expect(expiring.status == 501 && expiring.element("Code") == "NotImplemented", "\(expiring.text)")
        #expect(try await !f.exists("ver1", "e"))
    }
}
