import OBSCore
import OBSCrypto

/// The local KMS's wrapped data key (docs/local-backend-design.md §7.5), 117 bytes for a 32-byte key:
///
///     off len field
///       0   1 blob version 1
///       1  36 key id (ASCII UUID)
///      37   4 CMK version, big-endian
///      41  16 wrap salt
///      57  12 GCM nonce
///      69  32 encrypted data key
///     101  16 tag
///
/// Wrap key = HKDF-SHA256(CMK version material, salt, "obsctl/v1/kms-dek-wrap");
/// AAD = bytes 0..<57 ‖ canonical(encryption context).
struct DataKeyBlob: Equatable {
    static let version: UInt8 = 1
    static let size = 117

    var keyID: String
    var cmkVersion: UInt32
    var salt: [UInt8]
    var nonce: [UInt8]
    var sealed: [UInt8]  // ciphertext ‖ tag

    var prefix: [UInt8] { [Self.version] + Array(keyID.utf8) + bigEndianBytes(cmkVersion) + salt }
    var encoded: [UInt8] { prefix + nonce + sealed }

    static func decode(_ b: [UInt8]) throws -> DataKeyBlob {
        guard b.count == size, b[0] == version else { throw OBSError.integrity("KMS data key blob is malformed") }
        guard let id = String(validating: b[1..<37], as: UTF8.self), LocalKMS.isKeyID(id) else {
            throw OBSError.integrity("KMS data key blob names no valid key id")
        }
        let v = b[37..<41].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return DataKeyBlob(
            keyID: id, cmkVersion: v, salt: Array(b[41..<57]), nonce: Array(b[57..<69]), sealed: Array(b[69..<117]))
    }

    static func aad(prefix: [UInt8], context: [String: String]) -> [UInt8] {
        var w = CanonicalWriter(label: "obsctl/v1/kms-context")
        w.append(context)
        return prefix + w.bytes
    }

    static func wrapKey(material: SecretBytes, salt: [UInt8]) -> SecretBytes {
        HKDF.sha256(key: material, salt: salt, info: Array("obsctl/v1/kms-dek-wrap".utf8))
    }

    static func seal(
        dek: SecretBytes, keyID: String, cmkVersion: UInt32, material: SecretBytes, context: [String: String]
    ) throws -> DataKeyBlob {
        var blob = DataKeyBlob(
            keyID: keyID, cmkVersion: cmkVersion, salt: Random.bytes(16), nonce: Random.bytes(12), sealed: [])
        blob.sealed = try AESGCM(key: wrapKey(material: material, salt: blob.salt))
            .seal(nonce: blob.nonce, aad: aad(prefix: blob.prefix, context: context), plaintext: dek)
        return blob
    }

    func open(material: SecretBytes, context: [String: String]) throws -> SecretBytes {
        try AESGCM(key: Self.wrapKey(material: material, salt: salt))
            .open(nonce: nonce, aad: Self.aad(prefix: prefix, context: context), sealed: sealed)
    }
}
