import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

// Tamper detection (docs/local-backend-design.md §7.13, §8 cases 2 to 9): every change to header, chunks, sizes,
// metadata or placement is an integrity failure, and no unverified byte is ever released.

/// Decrypts `file` and expects an integrity failure at chunk `badChunk` or earlier: whatever reached the sink must
/// be a whole-chunk prefix of `plain` that ends before the bad chunk.
func expectStreamFails(
    _ file: [UInt8], plain: [UInt8], plaintextSize: Int? = nil, badChunk: Int,
    dek: SecretBytes = OBXVectors.dek, uid: [UInt8] = OBXVectors.uid, part: UInt32 = 0,
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let sink = BufferSink()
    let e = expectOBSErrorSync(.integrity, code: "IntegrityCheckFailed", sourceLocation: sourceLocation) {
        try obxDecrypt(
            file, into: sink, plaintextSize: Int64(plaintextSize ?? plain.count), dek: dek, uid: uid, part: part)
    }
    #expect(e != nil, "\(what): not detected", sourceLocation: sourceLocation)
    #expect(
        sink.bytes.count <= badChunk * kC, "\(what): \(sink.bytes.count) bytes released past chunk \(badChunk)",
        sourceLocation: sourceLocation)
    #expect(sink.bytes.count % kC == 0, "\(what): a partial chunk was released", sourceLocation: sourceLocation)
    #expect(
        sink.bytes.fp == Array(plain.prefix(sink.bytes.count)).fp, "\(what): released bytes are not verified plaintext",
        sourceLocation: sourceLocation)
}

@Suite("Tamper detection: OBX stream")
struct OBXTamperTests {
    /// 21 chunks: two decryption batches, a short final chunk.
    static let p = 20 * kC + 100
    static let plain = pattern(p, seed: 7)
    static let file: [UInt8] = try! obxEncrypt(plain)

    struct HeaderFlip: CustomTestStringConvertible, Sendable {
        var field: String; var offset: Int; var bit: UInt8
        var testDescription: String { "\(field) byte \(offset) bit \(bit)" }
    }
    static let headerFlips: [HeaderFlip] = [
        .init(field: "magic", offset: 0, bit: 0x01), .init(field: "magic", offset: 3, bit: 0x80),
        .init(field: "version", offset: 4, bit: 0x01), .init(field: "version", offset: 4, bit: 0x02),
        .init(field: "aead", offset: 5, bit: 0x01), .init(field: "aead", offset: 5, bit: 0x02),
        .init(field: "flags", offset: 6, bit: 0x80), .init(field: "flags", offset: 7, bit: 0x01),
        .init(field: "chunk size", offset: 8, bit: 0x80), .init(field: "chunk size", offset: 9, bit: 0x01),
        .init(field: "chunk size", offset: 10, bit: 0x01), .init(field: "chunk size", offset: 11, bit: 0x01),
        .init(field: "part number", offset: 12, bit: 0x80), .init(field: "part number", offset: 15, bit: 0x01),
        .init(field: "salt", offset: 16, bit: 0x01), .init(field: "salt", offset: 31, bit: 0x80),
        .init(field: "uid", offset: 32, bit: 0x01), .init(field: "uid", offset: 47, bit: 0x80),
        .init(field: "reserved", offset: 48, bit: 0x01), .init(field: "reserved", offset: 63, bit: 0x80),
    ]

    @Test("a bit flip in any header field is an integrity error and releases nothing", arguments: headerFlips)
    func headerFlip(_ f: HeaderFlip) {
        var bad = Self.file
        bad[f.offset] ^= f.bit
        expectStreamFails(bad, plain: Self.plain, badChunk: 0, f.testDescription)
    }

    @Test("part number and uid are authenticated by every chunk, not only compared with the manifest")
    func headerBoundIntoAAD() {
        // Tell the decryptor to expect the tampered values: the chunk AAD (SHA-256 of the header) still catches it.
        var part = Self.file; part[15] ^= 0x01
        expectStreamFails(part, plain: Self.plain, badChunk: 0, part: 1, "part number with matching expectation")
        var uid = Self.file; uid[40] ^= 0x01
        var uid2 = OBXVectors.uid; uid2[8] ^= 0x01
        expectStreamFails(uid, plain: Self.plain, badChunk: 0, uid: uid2, "uid with matching expectation")
        // And the untampered stream under a wrong expectation fails before any chunk.
        expectStreamFails(Self.file, plain: Self.plain, badChunk: 0, part: 2, "expected part 2")
        expectStreamFails(Self.file, plain: Self.plain, badChunk: 0, uid: uid2, "expected another uid")
        expectStreamFails(
            Self.file, plain: Self.plain, badChunk: 0, dek: SecretBytes(copying: [UInt8](repeating: 9, count: 32)),
            "wrong DEK")
    }

    struct BodyFlip: CustomTestStringConvertible, Sendable {
        var name: String; var offset: Int; var chunk: Int
        var testDescription: String { name }
    }
    static let bodyFlips: [BodyFlip] = {
        let r0 = chunkRange(0, plaintextSize: p), r10 = chunkRange(10, plaintextSize: p)
        let r17 = chunkRange(17, plaintextSize: p), r20 = chunkRange(20, plaintextSize: p)
        return [
            .init(name: "first ciphertext byte", offset: r0.ciphertext.lowerBound, chunk: 0),
            .init(name: "middle ciphertext byte", offset: r10.ciphertext.lowerBound + kC / 2, chunk: 10),
            .init(name: "second-batch ciphertext byte", offset: r17.ciphertext.lowerBound + 5, chunk: 17),
            .init(name: "last ciphertext byte", offset: r20.ciphertext.upperBound - 1, chunk: 20),
            .init(name: "first tag byte", offset: r0.tag.lowerBound, chunk: 0),
            .init(name: "middle tag", offset: r10.tag.lowerBound + 7, chunk: 10),
            .init(name: "last byte of the file (final tag)", offset: r20.tag.upperBound - 1, chunk: 20),
        ]
    }()

    @Test("a bit flip in a chunk or tag fails at that chunk and releases no byte of it", arguments: bodyFlips)
    func bodyFlip(_ f: BodyFlip) {
        var bad = Self.file
        bad[f.offset] ^= 0x04
        expectStreamFails(bad, plain: Self.plain, badChunk: f.chunk, f.name)
    }

    @Test("truncation: 1 byte, a whole chunk, to the header, to nothing")
    func truncation() {
        let f = Self.file, plain = Self.plain
        let last = chunkRange(20, plaintextSize: Self.p)
        expectStreamFails(Array(f.dropLast()), plain: plain, badChunk: 0, "minus 1 byte")
        expectStreamFails(Array(f[0..<last.ciphertext.lowerBound]), plain: plain, badChunk: 0, "minus the last chunk")
        expectStreamFails(
            Array(f[0..<chunkRange(19, plaintextSize: Self.p).ciphertext.lowerBound]), plain: plain, badChunk: 0,
            "minus two chunks")
        expectStreamFails(Array(f[0..<kH]), plain: plain, badChunk: 0, "header only")
        expectStreamFails(Array(f[0..<kH]), plain: plain, plaintextSize: 0, badChunk: 0, "header only, claimed empty")
        expectStreamFails([], plain: plain, badChunk: 0, "empty file")
        expectStreamFails([], plain: plain, plaintextSize: 0, badChunk: 0, "empty file, claimed empty")
    }

    @Test("a prefix presented as complete fails on the final flag")
    func prefixAsComplete() {
        // Drop the final chunk and claim the remaining 20 full chunks are the whole object: sizes agree,
        // but chunk 19 was sealed as non-final.
        let cut = Array(Self.file[0..<chunkRange(20, plaintextSize: Self.p).ciphertext.lowerBound])
        #expect(Int64(cut.count) == OBXFormat.encryptedSize(plaintextSize: Int64(20 * kC)))
        expectStreamFails(cut, plain: Self.plain, plaintextSize: 20 * kC, badChunk: 19, "20-chunk prefix as complete")
        // The same within the first batch.
        let cut3 = Array(Self.file[0..<chunkRange(3, plaintextSize: Self.p).ciphertext.lowerBound])
        expectStreamFails(cut3, plain: Self.plain, plaintextSize: 3 * kC, badChunk: 2, "3-chunk prefix as complete")
    }

    @Test("appending: 1 byte, and a valid chunk of another stream with the size edited to match")
    func appending() throws {
        expectStreamFails(Self.file + [0], plain: Self.plain, badChunk: 0, "plus 1 byte")
        // With the claimed size edited to match the longer file, the final chunk's tag is misplaced.
        expectStreamFails(
            Self.file + [0], plain: Self.plain + [0], plaintextSize: Self.p + 1, badChunk: 20,
            "plus 1 byte, size edited")

        let two = pattern(2 * kC, seed: 1)
        let a = try obxEncrypt(two)
        var salt2 = OBXVectors.salt; salt2[0] ^= 0xFF
        let other = try obxEncrypt(pattern(4 * kC, seed: 2), salt: salt2)
        let extra = Array(
            other[
                chunkRange(2, plaintextSize: 4 * kC).ciphertext
                    .lowerBound..<chunkRange(2, plaintextSize: 4 * kC).tag.upperBound])
        let appended = a + extra
        #expect(Int64(appended.count) == OBXFormat.encryptedSize(plaintextSize: Int64(3 * kC)))
        expectStreamFails(
            appended, plain: two + pattern(kC), plaintextSize: 3 * kC, badChunk: 1, "foreign chunk appended")
        // Even a chunk of the same stream repeated at the end fails.
        let repeated =
            a
            + Array(
                a[
                    chunkRange(0, plaintextSize: 2 * kC).ciphertext
                        .lowerBound..<chunkRange(0, plaintextSize: 2 * kC).tag.upperBound])
        expectStreamFails(repeated, plain: two + pattern(kC), plaintextSize: 3 * kC, badChunk: 1, "own chunk appended")
    }

    /// Replaces chunk `i` of `file` (ciphertext and tag) with `bytes`.
    static func replacingChunk(_ file: [UInt8], _ i: Int, with bytes: [UInt8]) -> [UInt8] {
        let r = chunkRange(i, plaintextSize: p)
        var out = file
        out.replaceSubrange(r.ciphertext.lowerBound..<r.tag.upperBound, with: bytes)
        return out
    }

    static func chunkBytes(_ file: [UInt8], _ i: Int) -> [UInt8] {
        let r = chunkRange(i, plaintextSize: p)
        return Array(file[r.ciphertext.lowerBound..<r.tag.upperBound])
    }

    @Test("swapping two chunks fails at the earlier one", arguments: [(3, 7), (0, 1), (15, 16), (17, 18), (1, 19)])
    func swap(i: Int, j: Int) {
        var bad = Self.replacingChunk(Self.file, i, with: Self.chunkBytes(Self.file, j))
        bad = Self.replacingChunk(bad, j, with: Self.chunkBytes(Self.file, i))
        expectStreamFails(bad, plain: Self.plain, badChunk: min(i, j), "swap \(i) and \(j)")
    }

    @Test("splicing a chunk from another stream fails: other DEK, same DEK with other salt, other uid")
    func splice() throws {
        var salt2 = OBXVectors.salt; salt2[3] ^= 0x10
        var uid2 = OBXVectors.uid; uid2[3] ^= 0x10
        let sources: [(String, [UInt8])] = [
            ("other DEK", try obxEncrypt(Self.plain, dek: SecretBytes(copying: [UInt8](repeating: 0x77, count: 32)))),
            ("same DEK, other salt (another part attempt)", try obxEncrypt(Self.plain, salt: salt2)),
            ("same DEK and salt, other uid", try obxEncrypt(Self.plain, uid: uid2)),
            ("same DEK and salt, other part number", try obxEncrypt(Self.plain, part: 1)),
        ]
        for (name, other) in sources {
            #expect(Self.chunkBytes(other, 5) != Self.chunkBytes(Self.file, 5))
            expectStreamFails(
                Self.replacingChunk(Self.file, 5, with: Self.chunkBytes(other, 5)), plain: Self.plain, badChunk: 5, name
            )
            expectStreamFails(
                Self.replacingChunk(Self.file, 20, with: Self.chunkBytes(other, 20)), plain: Self.plain, badChunk: 20,
                name + " (final)")
            // The other stream's header on this stream's chunks (when the headers differ at all).
            if Array(other[0..<kH]) == Array(Self.file[0..<kH]) { continue }
            var swappedHeader = Self.file
            swappedHeader.replaceSubrange(0..<kH, with: other[0..<kH])
            let sink = BufferSink()
            #expect(throws: OBSError.self) {
                try obxDecrypt(
                    swappedHeader, into: sink, plaintextSize: Int64(Self.p), dek: OBXVectors.dek,
                    uid: Array(other[32..<48]), part: UInt32(other[15]))
            }
            #expect(sink.bytes.count == 0, "\(name): header swap released bytes")
        }
    }

    @Test("an empty object: removing or replacing its only tag fails")
    func emptyObjectTag() throws {
        let empty = try obxEncrypt([])
        #expect(empty.count == kH + kT)
        expectStreamFails(Array(empty[0..<kH]), plain: [], badChunk: 0, "tag removed")
        var salt2 = OBXVectors.salt; salt2[0] ^= 1
        let other = try obxEncrypt([], salt: salt2)
        expectStreamFails(Array(empty[0..<kH]) + Array(other[kH...]), plain: [], badChunk: 0, "tag from another stream")
        var flipped = empty; flipped[kH + 3] ^= 1
        expectStreamFails(flipped, plain: [], badChunk: 0, "tag flipped")
        // A 1-byte stream's header and chunk do not pass as empty either.
        let one = try obxEncrypt([0x41])
        expectStreamFails(Array(one.dropLast(1)), plain: [], badChunk: 0, "one-byte stream shortened")
    }
}

@Suite("Tamper detection: stored objects")
struct StoredObjectTamperTests {
    enum Enc: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case obs, kms, c
        var testDescription: String { rawValue }
        var unwrapFailure: OBSError.Category { self == .c ? .customerKey : .integrity }
    }

    /// A bucket with object `key` under `enc`; returns the bucket and the customer key for SSE-C.
    static func setUp(
        _ s: TestStore, _ enc: Enc, keys: [String] = ["obj"], data: [UInt8] = pattern(3 * kC + 7),
        bucket: String = "tamper"
    ) async throws -> (BucketName, CustomerKey?) {
        let b = try await s.makeBucket(bucket)
        let ck = try customerKey()
        for k in keys {
            switch enc {
            case .obs: try await s.put(b, k, data, sse: .obs)
            case .kms: try await s.put(b, k, data, sse: .kms(keyID: nil))
            case .c: try await s.put(b, k, data, sse: .customer(ck))
            }
        }
        return (b, enc == .c ? ck : nil)
    }

    struct MetaEdit: CustomTestStringConvertible, Sendable {
        var name: String
        var modes: [Enc] = Enc.allCases
        var edit: @Sendable (inout [String: Any]) -> Void
        var testDescription: String { name }
    }

    static func sse(_ m: inout [String: Any], _ f: (inout [String: Any]) -> Void) {
        var s = m["sse"] as! [String: Any]; f(&s); m["sse"] = s
    }

    static let metaEdits: [MetaEdit] = [
        .init(name: "size + 1") { $0["size"] = ($0["size"] as! Int) + 1 },
        .init(name: "size - 1") { $0["size"] = ($0["size"] as! Int) - 1 },
        .init(name: "size and part size") {
            let n = ($0["size"] as! Int) - kC
            $0["size"] = n
            var layout = $0["layout"] as! [String: Any]
            var parts = layout["parts"] as! [[String: Any]]
            parts[0]["size"] = n; layout["parts"] = parts; $0["layout"] = layout
        },
        .init(name: "etag") { $0["etag"] = String(repeating: "0", count: 32) },
        .init(name: "user_metadata") { $0["user_metadata"] = ["added": "x"] },
        .init(name: "content_type") { $0["content_type"] = "text/html" },
        .init(name: "storage_class added") { $0["storage_class"] = "COLD" },
        .init(name: "last_modified") { $0["last_modified"] = "2001-01-01T00:00:00Z" },
        .init(name: "sse.origin") { StoredObjectTamperTests.sse(&$0) { $0["origin"] = "bucket-default" } },
        .init(name: "mac removed") { $0["mac"] = nil },
        .init(name: "mac replaced") { $0["mac"] = Base64.encode([UInt8](repeating: 1, count: 32)) },
        .init(name: "format 2") { $0["format"] = 2 },
        .init(name: "bucket") { $0["bucket"] = "other-bucket" },
        .init(name: "key") { $0["key"] = "other-key" },
        .init(name: "object_uid") { $0["object_uid"] = String(repeating: "0", count: 32) },
        .init(name: "layout file") {
            var layout = $0["layout"] as! [String: Any]
            var parts = layout["parts"] as! [[String: Any]]
            parts[0]["file"] = "d-" + String(repeating: "0", count: 32) + ".obx"; layout["parts"] = parts;
            $0["layout"] = layout
        },
        .init(name: "sse.mode none") { StoredObjectTamperTests.sse(&$0) { $0["mode"] = "none" } },
        .init(name: "sse.mode obs", modes: [.kms]) { StoredObjectTamperTests.sse(&$0) { $0["mode"] = "obs" } },
        .init(name: "sse.mode kms", modes: [.obs]) { StoredObjectTamperTests.sse(&$0) { $0["mode"] = "kms" } },
        .init(name: "kms_key_id", modes: [.kms]) {
            StoredObjectTamperTests.sse(&$0) { $0["kms_key_id"] = "00000000-0000-4000-8000-000000000000" }
        },
        .init(name: "kms_key_urn", modes: [.kms]) {
            StoredObjectTamperTests.sse(&$0) {
                $0["kms_key_urn"] = "local:" + String(repeating: "0", count: 32) + ":key/x"
            }
        },
        .init(name: "kms_blob byte", modes: [.kms]) {
            StoredObjectTamperTests.sse(&$0) {
                var blob = Base64.decode($0["kms_blob"] as! String)!
                blob[100] ^= 1
                $0["kms_blob"] = Base64.encode(blob)
            }
        },
        .init(name: "kms_blob removed", modes: [.kms]) { StoredObjectTamperTests.sse(&$0) { $0["kms_blob"] = nil } },
        .init(name: "wrap sealed byte", modes: [.obs]) {
            StoredObjectTamperTests.sse(&$0) {
                var w = $0["wrap"] as! [String: Any]
                var sealed = Base64.decode(w["sealed"] as! String)!
                sealed[0] ^= 1
                w["sealed"] = Base64.encode(sealed); $0["wrap"] = w
            }
        },
        .init(name: "wrap removed", modes: [.obs]) { StoredObjectTamperTests.sse(&$0) { $0["wrap"] = nil } },
        .init(name: "not JSON") { $0 = ["garbage": true] },
    ]

    static var metaCases: [(MetaEdit, Enc)] { metaEdits.flatMap { e in e.modes.map { (e, $0) } } }

    @Test("editing meta.json is an integrity error and nothing reaches the sink", arguments: metaCases)
    func metaEdit(_ e: MetaEdit, _ enc: Enc) async throws {
        try await withStore { s in
            let (b, ck) = try await Self.setUp(s, enc)
            try s.editMeta(b, "obj", e.edit)
            await s.expectGetFails(b, "obj", customerKey: ck, .integrity)
        }
    }

    @Test(
        "SSE-C: an object whose mode is edited away from SSE-C serves nothing, with or without the key",
        arguments: ["obs", "kms"])
    func customerModeEdit(mode: String) async throws {
        try await withStore { s in
            let (b, ck) = try await Self.setUp(s, .c)
            try s.editMeta(b, "obj") { m in Self.sse(&m) { $0["mode"] = mode } }
            // With the key the request is refused as "not SSE-C" (the mode is read before anything can be verified);
            // without it the missing wrap is an integrity failure. Either way no byte is served.
            await s.expectGetFails(b, "obj", customerKey: ck, .customerKey)
            await s.expectGetFails(b, "obj", .integrity)
        }
    }

    @Test("SSE-C: editing the wrap is indistinguishable from a wrong key (AccessDenied)")
    func customerWrapEdit() async throws {
        try await withStore { s in
            let (b, ck) = try await Self.setUp(s, .c)
            try s.editMeta(b, "obj") { m in
                Self.sse(&m) {
                    var w = $0["wrap"] as! [String: Any]
                    var salt = Base64.decode(w["salt"] as! String)!
                    salt[0] ^= 1
                    w["salt"] = Base64.encode(salt); $0["wrap"] = w
                }
            }
            await s.expectGetFails(b, "obj", customerKey: ck, .customerKey, code: "AccessDenied")
        }
    }

    @Test("pointing kms_key_id or the blob at another existing key fails")
    func kmsKeyRetarget() async throws {
        try await withStore { s in
            let (b, _) = try await Self.setUp(s, .kms)
            let other = try s.kms.createKey(alias: nil, description: "")
            try s.editMeta(b, "obj") { m in
                Self.sse(&m) {
                    $0["kms_key_id"] = other.keyID; $0["kms_key_urn"] = other.urn
                }
            }
            await s.expectGetFails(b, "obj", .integrity)
        }
        try await withStore { s in
            let (b, _) = try await Self.setUp(s, .kms)
            let other = try s.kms.createKey(alias: nil, description: "")
            try s.editMeta(b, "obj") { m in
                Self.sse(&m) {
                    var blob = Base64.decode($0["kms_blob"] as! String)!
                    blob.replaceSubrange(1..<37, with: Array(other.keyID.utf8))
                    $0["kms_blob"] = Base64.encode(blob)
                }
            }
            await s.expectGetFails(b, "obj", .integrity)
        }
    }

    enum DataEdit: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case headerSalt, firstByte, lastTag, truncate1, truncateChunk, append1, headerOnly, empty
        var testDescription: String { rawValue }
        func apply(_ f: inout [UInt8]) {
            switch self {
            case .headerSalt: f[20] ^= 1
            case .firstByte: f[64] ^= 1
            case .lastTag: f[f.count - 1] ^= 1
            case .truncate1: f.removeLast()
            case .truncateChunk: f.removeLast(7 + 16)
            case .append1: f.append(0)
            case .headerOnly: f = Array(f[0..<64])
            case .empty: f = []
            }
        }
    }

    @Test(
        "editing the data file is an integrity error and nothing reaches the sink",
        arguments: DataEdit.allCases, Enc.allCases)
    func dataEdit(_ d: DataEdit, _ enc: Enc) async throws {
        try await withStore { s in
            let (b, ck) = try await Self.setUp(s, enc)
            let path = try s.dataPath(b, "obj")
            var f = readFile(path)
            d.apply(&f)
            try writeFile(f, to: path)
            await s.expectGetFails(b, "obj", customerKey: ck, .integrity)
        }
    }

    @Test("a bad last chunk of a large object: only verified whole chunks reach the sink")
    func lateTamper() async throws {
        try await withStore { s in
            let data = pattern(20 * kC + 100, seed: 3)
            let (b, _) = try await Self.setUp(s, .kms, data: data)
            let path = try s.dataPath(b, "obj")
            var f = readFile(path)
            f[f.count - 1] ^= 1
            try writeFile(f, to: path)
            let sink = BufferSink()
            await expectOBSError(.integrity) {
                _ = try await s.backend.getObject(GetObjectRequest(bucket: b, key: try ObjectKey("obj")), into: sink)
            }
            #expect(sink.bytes.count <= 20 * kC && sink.bytes.count % kC == 0)
            #expect(sink.bytes.fp == Array(data.prefix(sink.bytes.count)).fp)
        }
    }

    @Test("an empty object whose only tag is removed fails", arguments: Enc.allCases)
    func emptyObject(_ enc: Enc) async throws {
        try await withStore { s in
            let (b, ck) = try await Self.setUp(s, enc, data: [])
            #expect(try await s.get(b, "obj", customerKey: ck).0.fp == [].fp)
            let path = try s.dataPath(b, "obj")
            let f = readFile(path)
            #expect(f.count == 80)
            try writeFile(Array(f[0..<64]), to: path)
            await s.expectGetFails(b, "obj", customerKey: ck, .integrity)
        }
    }

    @Test("another object's data file in place of this one's fails (uid mismatch)", arguments: Enc.allCases)
    func foreignDataFile(_ enc: Enc) async throws {
        try await withStore { s in
            let (b, ck) = try await Self.setUp(s, enc, keys: ["a", "b"])
            try writeFile(readFile(try s.dataPath(b, "b")), to: try s.dataPath(b, "a"))
            let e = await s.expectGetFails(b, "a", customerKey: ck, .integrity)
            #expect(e?.message.contains("another object") == true, "\(e?.message ?? "-")")
        }
    }

    @Test(
        "an object directory moved under another key's hash fails, even with meta's key edited", arguments: Enc.allCases
    )
    func movedToOtherKey(_ enc: Enc) async throws {
        try await withStore { s in
            let (b, ck) = try await Self.setUp(s, enc, keys: ["a", "b"])
            let dirA = try s.objectDir(b, "a"), dirB = try s.objectDir(b, "b")
            try FileManager.default.removeItem(atPath: dirB)
            try FileManager.default.moveItem(atPath: dirA, toPath: dirB)
            await s.expectGetFails(b, "b", customerKey: ck, .integrity)
            try s.editMeta(b, "b") { $0["key"] = "b" }
            await s.expectGetFails(b, "b", customerKey: ck, enc.unwrapFailure)
        }
    }

    @Test("two objects' directories swapped: both fail", arguments: Enc.allCases)
    func swappedDirectories(_ enc: Enc) async throws {
        try await withStore { s in
            let (b, ck) = try await Self.setUp(s, enc, keys: ["a", "b"])
            let dirA = try s.objectDir(b, "a"), dirB = try s.objectDir(b, "b")
            try FileManager.default.moveItem(atPath: dirA, toPath: dirA + ".x")
            try FileManager.default.moveItem(atPath: dirB, toPath: dirA)
            try FileManager.default.moveItem(atPath: dirA + ".x", toPath: dirB)
            try s.editMeta(b, "a") { $0["key"] = "a" }
            try s.editMeta(b, "b") { $0["key"] = "b" }
            await s.expectGetFails(b, "a", customerKey: ck, enc.unwrapFailure)
            await s.expectGetFails(b, "b", customerKey: ck, enc.unwrapFailure)
        }
    }

    @Test("an object directory moved to another bucket fails, even with meta's bucket edited", arguments: Enc.allCases)
    func movedToOtherBucket(_ enc: Enc) async throws {
        try await withStore { s in
            let (b, ck) = try await Self.setUp(s, enc)
            let b2 = try await s.makeBucket("elsewhere")
            let from = try s.objectDir(b, "obj"), to = try s.objectDir(b2, "obj")
            try FileManager.default.createDirectory(
                atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: from, toPath: to)
            await s.expectGetFails(b2, "obj", customerKey: ck, .integrity)
            try s.editMeta(b2, "obj") { $0["bucket"] = "elsewhere" }
            await s.expectGetFails(b2, "obj", customerKey: ck, enc.unwrapFailure)
        }
    }

    @Test("plaintext objects: a size mismatch between meta and data is still caught")
    func plaintextSize() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("plain")
            try await s.put(b, "obj", pattern(1000), sse: nil)
            let path = try s.dataPath(b, "obj")
            try writeFile(pattern(999), to: path)
            await s.expectGetFails(b, "obj", .integrity)
            try writeFile(pattern(1000), to: path)
            try s.editMeta(b, "obj") { $0["size"] = 1001 }
            await s.expectGetFails(b, "obj", .integrity)
            // A plaintext object that claims a MAC or a wrap is inconsistent.
            try s.editMeta(b, "obj") {
                $0["size"] = 1000; $0["mac"] = "AAAA"
            }
            await s.expectGetFails(b, "obj", .integrity)
        }
    }
}
