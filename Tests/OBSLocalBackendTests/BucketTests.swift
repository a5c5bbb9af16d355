import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

/// Bucket rules: OBS bucket names, create/delete, listing with prefix, delimiter and marker paging.
@Suite("Buckets and listing")
struct BucketTests {
    @Test(
        "valid bucket names",
        arguments: [
            "abc", "a-b", "a.b", "my.bucket-1", "123", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.a",
            String(repeating: "a", count: 63), "a" + String(repeating: "0", count: 62),
        ])
    func validNames(name: String) throws {
        #expect(try BucketName(name).value == name)
    }

    @Test(
        "invalid bucket names",
        arguments: [
            "", "ab", String(repeating: "a", count: 64), "ABC", "aBc", "a_b", "a b", "-abc", "abc-", ".abc", "abc.",
            "a..b", "a.-b", "a-.b", "192.168.1.1", "0.0.0.0", "255.255.255.255", "ab\u{e9}c", "a/b", "a:b",
        ])
    func invalidNames(name: String) async throws {
        await expectOBSError(.usage, code: "InvalidBucketName") { _ = try BucketName(name) }
    }

    @Test("creating a bucket twice is a conflict; a bad location is refused")
    func createTwice() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("twice")
            let bucketJSON = readFile(s.paths.bucketFile(b))
            let e = await expectOBSError(.conflict) { try await s.makeBucket("twice", encryption: .obs) }
            #expect(e?.httpStatus == 409)
            #expect(readFile(s.paths.bucketFile(b)) == bucketJSON, "the second create changed the bucket")
            #expect(try await s.backend.bucketEncryption(b) == nil)

            for loc in ["", "CN-NORTH", "a b", String(repeating: "a", count: 65)] {
                await expectOBSError(.usage, code: "InvalidLocationConstraint") {
                    _ = try await s.backend.createBucket(
                        CreateBucketRequest(
                            name: try BucketName("loc-test"), location: loc,
                            storageClass: .standard, encryption: nil))
                }
            }
            await expectOBSError(.notFound) { _ = try await s.backend.bucketInfo(try BucketName("loc-test")) }
            let info = try await s.backend.createBucket(
                CreateBucketRequest(
                    name: try BucketName("loc-test"), location: "cn-north-4",
                    storageClass: .cold, encryption: nil))
            #expect(info.location == "cn-north-4" && info.storageClass == .cold)
            let again = try await s.backend.bucketInfo(try BucketName("loc-test"))
            #expect(again.location == "cn-north-4" && again.storageClass == .cold)
        }
    }

    @Test("deleting a non-empty bucket is BucketNotEmpty; an empty one goes away")
    func deleteBucket() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("full")
            try await s.put(b, "obj", [1, 2, 3], sse: .obs)
            await expectOBSError(.conflict, code: "BucketNotEmpty") { try await s.backend.deleteBucket(b) }
            #expect(try await s.get(b, "obj").0.fp == [1, 2, 3].fp)

            try await s.backend.deleteObject(bucket: b, key: try ObjectKey("obj"))
            try await s.backend.deleteBucket(b)
            await expectOBSError(.notFound, code: "NoSuchBucket") { _ = try await s.backend.bucketInfo(b) }
            await expectOBSError(.notFound, code: "NoSuchBucket") { try await s.backend.deleteBucket(b) }
            #expect(try await s.backend.listBuckets().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: s.paths.bucketDir(b)))
            // The name is free again.
            try await s.makeBucket("full")
        }
    }

    /// Keys chosen to probe byte order ('/' 0x2F < '0' 0x30, 'Z' < 'a', multi-byte UTF-8 last) and prefixes.
    static let keys = ["a", "a/", "a/1", "a/2", "a/b/3", "a0", "b", "c/x", "c/y", "d", "Z", "é", "é/1", "~"]
    static var byteOrder: [String] { keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }

    static func fill(_ s: TestStore) async throws -> BucketName {
        let b = try await s.makeBucket("listing")
        for k in keys.shuffled() { try await s.put(b, k, Array(k.utf8), sse: nil) }
        return b
    }

    @Test("listing without delimiter returns every key in byte order")
    func listAll() async throws {
        try await withStore { s in
            let b = try await Self.fill(s)
            let page = try await s.backend.listObjects(
                bucket: b, prefix: "", delimiter: nil, marker: nil, maxKeys: 1000)
            #expect(page.objects.map(\.key.value) == Self.byteOrder)
            #expect(page.commonPrefixes.isEmpty && page.nextMarker == nil)
            let a = try await s.backend.listObjects(bucket: b, prefix: "a/", delimiter: nil, marker: nil, maxKeys: 1000)
            #expect(a.objects.map(\.key.value) == ["a/", "a/1", "a/2", "a/b/3"])
        }
    }

    @Test("delimiter '/' rolls keys up into common prefixes, with and without a prefix")
    func delimiter() async throws {
        try await withStore { s in
            let b = try await Self.fill(s)
            let top = try await s.backend.listObjects(bucket: b, prefix: "", delimiter: "/", marker: nil, maxKeys: 1000)
            #expect(
                top.objects.map(\.key.value)
                    == ["Z", "a", "a0", "b", "d", "~", "é"].sorted {
                        Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
                    })
            #expect(top.commonPrefixes == ["a/", "c/", "é/"])
            let a = try await s.backend.listObjects(bucket: b, prefix: "a/", delimiter: "/", marker: nil, maxKeys: 1000)
            #expect(a.objects.map(\.key.value) == ["a/", "a/1", "a/2"])
            #expect(a.commonPrefixes == ["a/b/"])
            let none = try await s.backend.listObjects(
                bucket: b, prefix: "zz", delimiter: "/", marker: nil, maxKeys: 1000)
            #expect(none.objects.isEmpty && none.commonPrefixes.isEmpty && none.nextMarker == nil)
        }
    }

    /// Pages through with maxKeys 2 and returns every entry (objects and prefixes) in the order returned.
    static func pageAll(_ s: TestStore, _ b: BucketName, prefix: String, delimiter: String?) async throws -> [String] {
        var out: [String] = []
        var marker: String? = nil
        var pages = 0
        repeat {
            let page = try await s.backend.listObjects(
                bucket: b, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: 2)
            #expect(page.objects.count + page.commonPrefixes.count <= 2)
            // Merge one page's objects and prefixes in byte order, as they interleave in the listing.
            out += (page.objects.map(\.key.value) + page.commonPrefixes).sorted {
                Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
            }
            marker = page.nextMarker
            pages += 1
            if pages > 50 { Issue.record("paging does not terminate"); break }
        } while marker != nil
        return out
    }

    @Test("marker paging with maxKeys 2 returns every key exactly once, in byte order")
    func pagingNoDelimiter() async throws {
        try await withStore { s in
            let b = try await Self.fill(s)
            let all = try await Self.pageAll(s, b, prefix: "", delimiter: nil)
            #expect(all == Self.byteOrder)
            let a = try await Self.pageAll(s, b, prefix: "a", delimiter: nil)
            #expect(a == ["a", "a/", "a/1", "a/2", "a/b/3", "a0"])
        }
    }

    @Test("marker paging with a delimiter returns every key and prefix exactly once, in byte order")
    func pagingWithDelimiter() async throws {
        try await withStore { s in
            let b = try await Self.fill(s)
            let expected = ["Z", "a", "a/", "a0", "b", "c/", "d", "~", "é", "é/"]
            let top = try await Self.pageAll(s, b, prefix: "", delimiter: "/")
            #expect(top == expected)
            let dupes = Dictionary(grouping: top, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            #expect(dupes == [], "entries listed on more than one page")
            let under = try await Self.pageAll(s, b, prefix: "a/", delimiter: "/")
            #expect(under == ["a/", "a/1", "a/2", "a/b/"])
        }
    }

    @Test("listing is scoped to its bucket")
    func listingScoped() async throws {
        try await withStore { s in
            let b1 = try await s.makeBucket("one")
            let b2 = try await s.makeBucket("two")
            try await s.put(b1, "k1", [1], sse: nil)
            try await s.put(b2, "k2", [2], sse: .obs)
            #expect(try await s.backend.listAllObjects(bucket: b1, prefix: "").objects.map(\.key.value) == ["k1"])
            #expect(try await s.backend.listAllObjects(bucket: b2, prefix: "").objects.map(\.key.value) == ["k2"])
            await expectOBSError(.notFound, code: "NoSuchBucket") {
                _ = try await s.backend.listObjects(
                    bucket: try BucketName("three"), prefix: "", delimiter: nil, marker: nil, maxKeys: 10)
            }
        }
    }

    @Test("a store with an unknown FORMAT is refused")
    func unknownFormat() async throws {
        try await withStore { s in
            try await s.makeBucket("fmt")
            #expect(String(decoding: readFile(s.paths.formatFile), as: UTF8.self) == "obsctl-local 1\n")
            try writeFile(Array("obsctl-local 2\n".utf8), to: s.paths.formatFile)
            await expectOBSError(.configuration, messageContains: "obsctl-local 2") { _ = try s.reopen() }
        }
    }
}
