import OBSCore
import OBSCrypto

/// OBX1, the on-disk format of an encrypted object's data (docs/local-backend-design.md §7.4).
///
/// A 64-byte header, then the plaintext cut into chunks of `chunkSize` bytes, each stored as AES-256-GCM
/// ciphertext ‖ 16-byte tag. The last chunk is marked final through its nonce and associated data, so truncation,
/// appending, reordering and splicing all fail a tag; an empty object still has one authenticated empty chunk.
///
///     off len field
///       0   4 magic "OBX1"           16  16 stream salt (random per stream)
///       4   1 version 1               32  16 object uid (also in meta.json)
///       5   1 AEAD 1 = AES-256-GCM    48  16 reserved, zero
///       6   2 flags 0
///       8   4 chunk size 65536
///      12   4 part number (0 = single part)
///
/// Chunk key: HKDF-SHA256(DEK, salt: stream salt, info: "obsctl/v1/chunk-key").
/// Nonce of chunk i: BE64(i) ‖ BE32(final ? 1 : 0).
/// AAD of chunk i: "obsctl/v1/chunk" ‖ SHA-256(header) ‖ BE64(i) ‖ final byte.
public enum OBXFormat {
    public static let magic: [UInt8] = Array("OBX1".utf8)
    public static let version: UInt8 = 1
    public static let aeadAES256GCM: UInt8 = 1
    public static let headerSize = 64
    public static let chunkSize = 65536
    public static let tagSize = AESGCM.tagSize

    /// Number of chunks for `plaintextSize` bytes: at least one, so an empty object has a final tag.
    public static func chunkCount(plaintextSize p: Int64) -> Int64 {
        max(1, (p + Int64(chunkSize) - 1) / Int64(chunkSize))
    }

    /// The exact size of the data file, checked before a byte is served.
    public static func encryptedSize(plaintextSize p: Int64) -> Int64 {
        Int64(headerSize) + p + Int64(tagSize) * chunkCount(plaintextSize: p)
    }

    static func nonce(chunk i: UInt64, final: Bool) -> [UInt8] {
        bigEndianBytes(i) + bigEndianBytes(UInt32(final ? 1 : 0))
    }

    static let chunkKeyInfo = Array("obsctl/v1/chunk-key".utf8)
    static let chunkAADLabel = Array("obsctl/v1/chunk".utf8)
}

public struct OBXHeader: Equatable, Sendable {
    public var partNumber: UInt32
    public var streamSalt: [UInt8]
    public var objectUID: [UInt8]

    public init(partNumber: UInt32 = 0, streamSalt: [UInt8], objectUID: [UInt8]) {
        precondition(streamSalt.count == 16 && objectUID.count == 16)
        self.partNumber = partNumber; self.streamSalt = streamSalt; self.objectUID = objectUID
    }

    public func encoded() -> [UInt8] {
        var h = OBXFormat.magic
        h.append(OBXFormat.version)
        h.append(OBXFormat.aeadAES256GCM)
        h += [0, 0]
        h += bigEndianBytes(UInt32(OBXFormat.chunkSize))
        h += bigEndianBytes(partNumber)
        h += streamSalt + objectUID + [UInt8](repeating: 0, count: 16)
        return h
    }

    /// Parses and validates every field; any deviation is an integrity error naming the field.
    public static func decode(_ b: [UInt8]) throws -> OBXHeader {
        guard b.count == OBXFormat.headerSize else { throw OBSError.integrity("data file header is truncated") }
        guard Array(b[0..<4]) == OBXFormat.magic else { throw OBSError.integrity("data file magic is wrong") }
        guard b[4] == OBXFormat.version else {
            throw OBSError.integrity("data file format version \(b[4]) is not supported")
        }
        guard b[5] == OBXFormat.aeadAES256GCM else {
            throw OBSError.integrity("data file names unknown cipher \(b[5])")
        }
        guard b[6] == 0, b[7] == 0 else { throw OBSError.integrity("data file flags are not zero") }
        let chunk = b[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard chunk == UInt32(OBXFormat.chunkSize) else {
            throw OBSError.integrity("data file chunk size \(chunk) is not 65536")
        }
        guard b[48..<64].allSatisfy({ $0 == 0 }) else {
            throw OBSError.integrity("data file reserved bytes are not zero")
        }
        let part = b[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return OBXHeader(partNumber: part, streamSalt: Array(b[16..<32]), objectUID: Array(b[32..<48]))
    }
}

/// The per-stream cipher state shared by the encryptor and the decryptor: the chunk key and the AAD prefix.
final class OBXStreamCipher {
    let gcm: AESGCM
    private var aad: [UInt8]
    private let aadCounterOffset: Int

    init(dek: SecretBytes, header: OBXHeader) throws {
        let key = HKDF.sha256(key: dek, salt: header.streamSalt, info: OBXFormat.chunkKeyInfo)
        gcm = try AESGCM(key: key)
        aad = OBXFormat.chunkAADLabel + Digest.sha256(header.encoded())
        aadCounterOffset = aad.count
        aad += [UInt8](repeating: 0, count: 9)
    }

    /// Fills in nonce and AAD for chunk `i` and hands them to `body`.
    func withChunkParameters<R>(
        _ i: UInt64, final: Bool, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        let counter = bigEndianBytes(i)
        for j in 0..<8 { aad[aadCounterOffset + j] = counter[j] }
        aad[aadCounterOffset + 8] = final ? 1 : 0
        let nonce = OBXFormat.nonce(chunk: i, final: final)
        return try nonce.withUnsafeBytes { n in try aad.withUnsafeBytes { a in try body(n, a) } }
    }
}
