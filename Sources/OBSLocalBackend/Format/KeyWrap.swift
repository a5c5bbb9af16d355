import OBSCore
import OBSCrypto

/// A data key sealed with AES-256-GCM under a key-encryption key derived for this one wrap: the salt (or SSE-C iv)
/// feeds HKDF, the nonce is random, and the associated data binds the wrap to its object. Used for SSE-OBS and
/// SSE-C; SSE-KMS data keys are wrapped by the local KMS (`DataKeyBlob`).
struct KeyWrap: Equatable {
    var salt: [UInt8]
    var nonce: [UInt8]
    var sealed: [UInt8]

    static func seal(dek: SecretBytes, kek: SecretBytes, salt: [UInt8], aad: [UInt8]) throws -> KeyWrap {
        let nonce = Random.bytes(AESGCM.nonceSize)
        let sealed = try AESGCM(key: kek).seal(nonce: nonce, aad: aad, plaintext: dek)
        return KeyWrap(salt: salt, nonce: nonce, sealed: sealed)
    }

    func open(kek: SecretBytes, aad: [UInt8]) throws -> SecretBytes {
        let dek = try AESGCM(key: kek).open(nonce: nonce, aad: aad, sealed: sealed)
        guard dek.count == 32 else { throw CryptoError.authenticationFailed }
        return dek
    }
}

/// The context every data-key wrap binds: bucket, object key and object uid. Moving or renaming an object's files
/// under another name makes its data key fail to unwrap.
struct WrapContext {
    var bucket: String
    var key: String
    var uid: [UInt8]

    var map: [String: String] { ["obs:bucket": bucket, "obs:object": key, "obs:uid": Hex.encode(uid)] }

    func canonical(label: String) -> [UInt8] {
        var w = CanonicalWriter(label: label)
        w.append(map)
        return w.bytes
    }
}

/// SSE-OBS: the data key is wrapped under a service key derived from the root key. No KMS record, no key state,
/// no kms:* permission.
enum SSEOBSWrap {
    static func serviceKey(root: SecretBytes) -> SecretBytes {
        HKDF.sha256(key: root, info: Array("obsctl/v1/sse-obs".utf8))
    }

    static func seal(dek: SecretBytes, root: SecretBytes, context: WrapContext) throws -> KeyWrap {
        let salt = Random.bytes(16)
        return try KeyWrap.seal(
            dek: dek, kek: kek(root: root, salt: salt), salt: salt, aad: context.canonical(label: "obsctl/v1/sse-obs"))
    }

    static func open(_ wrap: KeyWrap, root: SecretBytes, context: WrapContext) throws -> SecretBytes {
        try wrap.open(kek: kek(root: root, salt: wrap.salt), aad: context.canonical(label: "obsctl/v1/sse-obs"))
    }

    private static func kek(root: SecretBytes, salt: [UInt8]) -> SecretBytes {
        HKDF.sha256(key: serviceKey(root: root), salt: salt, info: Array("obsctl/v1/sse-obs-wrap".utf8))
    }
}

/// SSE-C: the data key is wrapped under a key derived from the customer key, a random 32-byte iv and the object's
/// identity. Nothing else derived from the customer key is stored, so a wrong key simply fails to unwrap
/// (AccessDenied), and the store holds no oracle for guessing it.
enum SSECWrap {
    static func seal(dek: SecretBytes, customerKey: CustomerKey, context: WrapContext) throws -> KeyWrap {
        let iv = Random.bytes(32)
        return try KeyWrap.seal(dek: dek, kek: kek(customerKey, iv: iv, context: context), salt: iv, aad: aad(context))
    }

    static func open(_ wrap: KeyWrap, customerKey: CustomerKey, context: WrapContext) throws -> SecretBytes {
        try wrap.open(kek: kek(customerKey, iv: wrap.salt, context: context), aad: aad(context))
    }

    private static func kek(_ k: CustomerKey, iv: [UInt8], context: WrapContext) -> SecretBytes {
        var info = CanonicalWriter(label: "obsctl/v1/ssec-kek")
        info.append(context.bucket); info.append(context.key); info.appendBytes(context.uid)
        return HKDF.sha256(key: k.key, salt: iv, info: info.bytes)
    }

    private static func aad(_ context: WrapContext) -> [UInt8] {
        var w = CanonicalWriter(label: "obsctl/v1/ssec")
        w.append(context.bucket); w.append(context.key); w.appendBytes(context.uid)
        return w.bytes
    }
}
