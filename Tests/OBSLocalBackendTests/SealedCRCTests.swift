import Foundation
import OBSCore
import OBSCrypto
import Testing

@testable import OBSLocalBackend

/// The plaintext CRC-32C of an encrypted object, or of an encrypted upload's part, is never on disk in clear: equal
/// contents get unequal stored values, the stored value is not the CRC, and HEAD, GET and a completed upload still
/// answer the true CRC. An unencrypted object's CRC stays in clear (its bytes are).
@Suite("sealed CRC-32C")
struct SealedCRCTests {
    static let data = Array("the same small secret\n".utf8)
    static var crc: String { CRC32C.checksum(data).base64 }

    /// Every file under `dir`, as text.
    static func texts(under dir: String) -> [String] {
        let e = FileManager.default.enumerator(atPath: dir)
        var out: [String] = []
        while let name = e?.nextObject() as? String {
            if let d = FileManager.default.contents(atPath: dir + "/" + name) {
                out.append(String(decoding: d, as: UTF8.self))
            }
        }
        return out
    }

    @Test(arguments: [SSERequest.obs, .kms(keyID: nil), .customer(try customerKey())])
    func encryptedObjects(sse: SSERequest) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("sealed-crc")
            let key = sse.customerKey
            try await s.put(b, "one", Self.data, sse: sse)
            try await s.put(b, "two", Self.data, sse: sse)
            let metas = try ["one", "two"].map { String(decoding: readFile(try s.metaPath(b, $0)), as: UTF8.self) }
            for m in metas {
                #expect(!m.contains(Self.crc) && !m.contains("\"crc32c\""), "the CRC in clear: \(m)")
                #expect(m.contains("\"crc32c_sealed\""), "\(m)")
            }
            let sealed = try metas.map { m in
                try #require(
                    (try JSONSerialization.jsonObject(with: Data(m.utf8)) as? [String: Any])?["crc32c_sealed"]
                        as? String)
            }
            #expect(sealed[0] != sealed[1], "equal contents, equal stored values")
            #expect(try await s.head(b, "one", customerKey: key).contentCRC32C == Self.crc)
            #expect(try await s.get(b, "two", customerKey: key).1.contentCRC32C == Self.crc)
        }
    }

    @Test("an encrypted upload's parts keep no CRC in clear; the completed object answers the true one")
    func encryptedParts() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("sealed-parts")
            let up = try await s.initiate(b, "mp", sse: .kms(keyID: nil))
            let p1 = [UInt8](repeating: 7, count: 5 << 20), p2 = Self.data
            let e1 = try await s.part(up, 1, p1, nil), e2 = try await s.part(up, 2, p2, nil)
            let stored = Self.texts(under: s.paths.uploadDir(b, up.uploadID)).joined()
            for crc in [CRC32C.checksum(p1).base64, CRC32C.checksum(p2).base64] {
                #expect(!stored.contains(crc), "a part's CRC in clear")
            }
            let info = try await s.backend.completeMultipartUpload(up, parts: [(1, e1.etag), (2, e2.etag)])
            #expect(info.contentCRC32C == CRC32C.checksum(p1 + p2).base64)
            #expect(try await s.head(b, "mp").contentCRC32C == CRC32C.checksum(p1 + p2).base64)
        }
    }

    @Test("an altered sealed CRC fails the metadata MAC (SSE-OBS HEAD checks it)")
    func tamper() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("sealed-tamper")
            try await s.put(b, "k", Self.data, sse: .obs)
            let path = try s.metaPath(b, "k")
            var obj = try #require(try JSONSerialization.jsonObject(with: Data(readFile(path))) as? [String: Any])
            obj["crc32c_sealed"] = "AAAAAA=="
            try JSONSerialization.data(withJSONObject: obj).write(to: URL(fileURLWithPath: path))
            await expectOBSError(.integrity) { _ = try await s.head(b, "k") }
        }
    }

    @Test("an unencrypted object keeps its CRC in clear")
    func plain() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("plain-crc")
            try await s.put(b, "k", Self.data, sse: nil)
            #expect(String(decoding: readFile(try s.metaPath(b, "k")), as: UTF8.self).contains(Self.crc))
            #expect(try await s.head(b, "k").contentCRC32C == Self.crc)
        }
    }
}
