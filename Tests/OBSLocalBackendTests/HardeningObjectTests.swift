import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

// Issue 9, items 7, 10 and 12 at the backend level: unencrypted objects are verified on read, a damaged object
// does not hide its bucket, and header values are refused before anything is stored.

private func list(_ s: TestStore, _ b: BucketName, prefix: String = "") async throws -> ObjectListing {
    try await s.backend.listObjects(bucket: b, prefix: prefix, delimiter: nil, marker: nil, maxKeys: 1000)
}

private func flip(_ path: String, at offset: Int) throws {
    var bytes = readFile(path)
    bytes[offset] ^= 0x01
    try writeFile(bytes, to: path)
}

@Suite("Hardening: unencrypted objects are verified on read")
struct PlainIntegrityTests {
    @Test(
        "one flipped byte anywhere in an unencrypted object is an integrity error, and nothing is released",
        arguments: [0, 150_000, 299_999])
    func flippedByte(_ offset: Int) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("plain")
            try await s.put(b, "k", pattern(300_000), sse: .unencrypted)
            try flip(try s.dataPath(b, "k"), at: offset)
            await s.expectGetFails(b, "k", .integrity, messageContains: "obs://plain/k")
            // A copy reads the same bytes: it fails too, and stores nothing.
            await expectOBSError(.integrity) {
                _ = try await s.backend.copyObject(
                    CopyObjectRequest(
                        source: GetObjectRequest(bucket: b, key: try ObjectKey("k")),
                        destination: PutObjectRequest(bucket: b, key: try ObjectKey("copy"), sse: .unencrypted),
                        replaceMetadata: false))
            }
            await s.expectGetFails(b, "copy", .notFound)
        }
    }

    @Test("a large tampered object fails before its last piece is released")
    func largeObject() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("plain")
            let size = 3 << 20
            try await s.put(b, "big", pattern(size), sse: .unencrypted)
            try flip(try s.dataPath(b, "big"), at: 10)
            let sink = BufferSink()
            await expectOBSError(.integrity) {
                _ = try await s.backend.getObject(GetObjectRequest(bucket: b, key: try ObjectKey("big")), into: sink)
            }
            #expect(sink.bytes.count < size)
        }
    }

    @Test("objects written before data_mac existed are checked against their MD5")
    func oldObjectsUseMD5() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("plain")
            let data = pattern(100_000)
            try await s.put(b, "old", data, sse: .unencrypted)
            // Rewrite the metadata as the previous version did: no data_mac, MAC'd under the plain-meta key.
            let path = try s.metaPath(b, "old")
            var meta = try ObjectMeta.decode(readFile(path), path: path)
            #expect(meta.dataMAC != nil)
            meta.dataMAC = nil
            meta.seal(macKey: ObjectMeta.plainMacKey(root: SecretBytes(copying: testRootKeyBytes), uid: meta.uidBytes))
            try writeFile(try meta.encoded(), to: path)
            #expect(try await s.get(b, "old").0 == data)
            try flip(try s.dataPath(b, "old"), at: 500)
            await s.expectGetFails(b, "old", .integrity)
        }
    }

    @Test("dropping or editing data_mac in meta.json is caught by the metadata MAC")
    func dataMACIsAuthenticated() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("plain")
            try await s.put(b, "k", pattern(1000), sse: .unencrypted)
            try s.editMeta(b, "k") { $0["data_mac"] = nil }
            await s.expectGetFails(b, "k", .integrity)
        }
    }
}

@Suite("Hardening: a damaged object does not block its bucket")
struct DamagedObjectListingTests {
    @Test("a meta.json that is not JSON: listed apart (key unknown), the others listed, the bucket deletable after")
    func garbledMeta() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("dmg")
            for k in ["a", "b", "c"] { try await s.put(b, k, pattern(10), sse: .obs) }
            try writeFile(Array("garbage".utf8), to: try s.metaPath(b, "b"))
            let page = try await list(s, b)
            #expect(page.objects.map(\.key.value) == ["a", "c"])
            #expect(page.unreadable.count == 1)
            #expect(page.unreadable.first?.key == nil)
            #expect(page.unreadable.first?.error.message.contains("rm -r \(try s.objectDir(b, "b"))") == true)
            // Under a prefix a keyless entry cannot be placed: not reported there.
            let under = try await list(s, b, prefix: "a")
            #expect(under.unreadable.isEmpty && under.objects.count == 1)
            // Other keys can be deleted, and the damaged one by its key.
            try await s.backend.deleteObject(bucket: b, key: try ObjectKey("a"))
            try await s.backend.deleteObject(bucket: b, key: try ObjectKey("b"))
            try await s.backend.deleteObject(bucket: b, key: try ObjectKey("c"))
            try await s.backend.deleteBucket(b)
        }
    }

    @Test("metadata that parses as JSON but not as an object's: listed apart under its key, with rm as the fix")
    func brokenButNamed() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("dmg")
            for k in ["a", "b"] { try await s.put(b, k, pattern(10), sse: .unencrypted) }
            try s.editMeta(b, "b") { $0["size"] = "many" }
            let page = try await s.backend.listObjects(bucket: b, prefix: "", delimiter: nil, marker: nil, maxKeys: 1)
            #expect(page.objects.map(\.key.value) == ["a"])
            #expect(page.nextMarker == "a")
            let next = try await s.backend.listObjects(bucket: b, prefix: "", delimiter: nil, marker: "a", maxKeys: 1)
            #expect(next.objects.isEmpty && next.unreadable.map(\.key?.value) == ["b"])
            #expect(next.unreadable.first?.error.message.contains("obsctl rm obs://dmg/b") == true)
            let e = await s.expectGetFails(b, "b", .integrity)
            #expect(e?.message.contains("obsctl rm obs://dmg/b") == true)
        }
    }

    @Test("an object directory copied under another key's hash or into another bucket is no phantom object")
    func copiedDirectories() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("dmg"), other = try await s.makeBucket("other")
            try await s.put(b, "a", pattern(10), sse: .unencrypted)
            let fm = FileManager.default
            // Under the hash of key "z" in the same bucket.
            let z = try s.objectDir(b, "z")
            try fm.createDirectory(atPath: (z as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.copyItem(atPath: try s.objectDir(b, "a"), toPath: z)
            // Into another bucket, under the same key.
            let inOther = try s.objectDir(other, "a")
            try fm.createDirectory(atPath: LocalPath.parent(inOther), withIntermediateDirectories: true)
            try fm.copyItem(atPath: try s.objectDir(b, "a"), toPath: inOther)

            let page = try await list(s, b)
            #expect(page.objects.map(\.key.value) == ["a"])
            #expect(page.unreadable.count == 1 && page.unreadable[0].key == nil)
            let otherPage = try await list(s, other)
            #expect(otherPage.objects.isEmpty)
            #expect(otherPage.unreadable.map(\.key?.value) == ["a"])
            await s.expectGetFails(other, "a", .integrity)
        }
    }
}

@Suite("Hardening: header values are validated by the local backend too")
struct LocalHeaderValueTests {
    @Test(
        "a line break, NUL or control character in a header-bound field is a usage error and stores nothing",
        arguments: ["content", "nul", "metaValue", "metaKey", "kms"])
    func refused(_ field: String) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("hdr")
            var request = PutObjectRequest(bucket: b, key: try ObjectKey("k"), sse: nil)
            switch field {
            case "content": request.contentType = "text/plain\r\nX-Evil: 1"
            case "nul": request.contentType = "text/plain\u{0}x"
            case "metaValue": request.userMetadata = ["a": "1\nX-Evil: 1"]
            case "metaKey": request.userMetadata = ["a\r\nx-evil": "1"]
            default: request.sse = .kms(keyID: "key\r\nX-Evil: 1")
            }
            await expectOBSError(.usage, code: "InvalidArgument") {
                _ = try await s.backend.putObject(request, body: BufferSource(pattern(10)))
            }
            let page = try await s.backend.listObjects(bucket: b, prefix: "", delimiter: nil, marker: nil, maxKeys: 10)
            #expect(page.objects.isEmpty)
        }
    }
}
