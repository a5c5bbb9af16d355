import OBSCore
import OBSCrypto

/// The CRC-32C of an encrypted object's plaintext (or of one part of it) as the store keeps it: XORed with a pad
/// derived from the root key, the object's uid and the part number. Kept in clear, equal CRCs showed which
/// encrypted objects held equal bytes, and let anyone with a copy of the store confirm a guess of a small
/// object's content. The pad comes from the root key, not the data key, so that a HEAD still answers the CRC
/// without KMS or the SSE-C key, as S3 answers it.
///
/// A multipart part's flexible checksum (a SHA-256 of its plaintext, say: a far better guess check) is sealed the
/// same way under a pad from the upload's data key instead, so that only who may read the data may read it.
enum SealedCRC {
    /// A part's flexible checksum (`PartChecksum`), of any algorithm's size, sealed or opened under a pad of its
    /// own from `root`, the upload's data key; nil unless its value is base64 of 1 to 64 bytes.
    static func apply(_ checksum: PartChecksum, root: SecretBytes, uid: [UInt8], part: UInt32) -> PartChecksum? {
        guard let bytes = Base64.decode(checksum.value), !bytes.isEmpty, bytes.count <= 64 else { return nil }
        let info = Array("obsctl/v1/checksum-\(checksum.algorithm.lowercased())-pad/\(part)".utf8)
        let pad = HKDF.sha256(key: root, salt: uid, info: info, length: bytes.count)
        let value = Base64.encode(pad.withUnsafeBytes { p in zip(bytes, p).map { $0 ^ $1 } })
        return PartChecksum(algorithm: checksum.algorithm, value: value)
    }

    /// `base64` sealed, or opened (XOR is its own inverse); nil unless it is a 4-byte value in base64.
    static func apply(_ base64: String, root: SecretBytes, uid: [UInt8], part: UInt32) -> String? {
        guard let crc = Base64.decode(base64), crc.count == 4 else { return nil }
        let pad = HKDF.sha256(key: root, salt: uid, info: Array("obsctl/v1/crc32c-pad/\(part)".utf8), length: 4)
        return Base64.encode(pad.withUnsafeBytes { p in zip(crc, p).map { $0 ^ $1 } })
    }
}
