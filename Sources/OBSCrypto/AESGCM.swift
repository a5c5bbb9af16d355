import COpenSSL

/// AES-256-GCM with a 12-byte nonce and a 16-byte tag, one key per instance.
///
/// The key schedule is set up once and reused for every message (each chunk of an object is one message), which is
/// what keeps streaming at OpenSSL speed. Not thread-safe: one instance per stream.
public final class AESGCM {
    public static let keySize = 32
    public static let nonceSize = 12
    public static let tagSize = 16

    private let encryptCtx: OpaquePointer
    private let decryptCtx: OpaquePointer

    public init(key: SecretBytes) throws {
        guard key.count == Self.keySize else {
            throw CryptoError.invalidLength(what: "AES-256 key", expected: 32, actual: key.count)
        }
        encryptCtx = EVP_CIPHER_CTX_new()!
        decryptCtx = EVP_CIPHER_CTX_new()!
        let ok = key.withUnsafeBytes { k -> Bool in
            let kp = k.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return EVP_EncryptInit_ex(encryptCtx, EVP_aes_256_gcm(), nil, kp, nil) == 1
                && EVP_DecryptInit_ex(decryptCtx, EVP_aes_256_gcm(), nil, kp, nil) == 1
        }
        guard ok else { throw CryptoError.primitiveFailed("AES-256-GCM init") }
    }

    deinit {
        EVP_CIPHER_CTX_free(encryptCtx)  // also wipes the key schedule
        EVP_CIPHER_CTX_free(decryptCtx)
    }

    /// Encrypts `plaintext` into `output` (same length) and writes the tag into `tag`.
    public func seal(
        nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, plaintext: UnsafeRawBufferPointer,
        output: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer
    ) throws {
        precondition(nonce.count == Self.nonceSize && tag.count >= Self.tagSize && output.count >= plaintext.count)
        let ctx = encryptCtx
        var outLen: Int32 = 0
        guard EVP_EncryptInit_ex(ctx, nil, nil, nil, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 1
        else { throw CryptoError.primitiveFailed("GCM set nonce") }
        if aad.count > 0 {
            guard
                EVP_EncryptUpdate(
                    ctx, nil, &outLen, aad.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(aad.count)) == 1
            else { throw CryptoError.primitiveFailed("GCM aad") }
        }
        var done = 0
        while done < plaintext.count {
            let n = min(1 << 20, plaintext.count - done)
            guard
                EVP_EncryptUpdate(
                    ctx, output.baseAddress!.assumingMemoryBound(to: UInt8.self) + done, &outLen,
                    plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self) + done, Int32(n)) == 1
            else { throw CryptoError.primitiveFailed("GCM encrypt") }
            done += Int(outLen)
        }
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_EncryptFinal_ex(ctx, &scratch, &outLen) == 1,
            oc_gcm_get_tag(ctx, tag.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(Self.tagSize)) == 1
        else { throw CryptoError.primitiveFailed("GCM finish") }
    }

    /// Decrypts into `output` and verifies `tag`. On failure the output buffer is wiped: plaintext from a message
    /// whose tag did not verify must never be used.
    public func open(
        nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, ciphertext: UnsafeRawBufferPointer,
        tag: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer
    ) throws {
        precondition(nonce.count == Self.nonceSize && tag.count == Self.tagSize && output.count >= ciphertext.count)
        let ctx = decryptCtx
        var outLen: Int32 = 0
        guard EVP_DecryptInit_ex(ctx, nil, nil, nil, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 1
        else { throw CryptoError.primitiveFailed("GCM set nonce") }
        if aad.count > 0 {
            guard
                EVP_DecryptUpdate(
                    ctx, nil, &outLen, aad.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(aad.count)) == 1
            else { throw CryptoError.primitiveFailed("GCM aad") }
        }
        var done = 0
        while done < ciphertext.count {
            let n = min(1 << 20, ciphertext.count - done)
            guard
                EVP_DecryptUpdate(
                    ctx, output.baseAddress!.assumingMemoryBound(to: UInt8.self) + done, &outLen,
                    ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self) + done, Int32(n)) == 1
            else { throw CryptoError.primitiveFailed("GCM decrypt") }
            done += Int(outLen)
        }
        var scratch = [UInt8](repeating: 0, count: 16)
        guard oc_gcm_set_tag(ctx, tag.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(Self.tagSize)) == 1,
            EVP_DecryptFinal_ex(ctx, &scratch, &outLen) == 1
        else {
            if ciphertext.count > 0 { OPENSSL_cleanse(output.baseAddress, ciphertext.count) }
            throw CryptoError.authenticationFailed
        }
    }

    // Convenience for small messages (key wrapping): returns ciphertext ‖ tag.
    public func seal(nonce: [UInt8], aad: [UInt8], plaintext: SecretBytes) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + Self.tagSize)
        try nonce.withUnsafeBytes { n in
            try aad.withUnsafeBytes { a in
                try plaintext.withUnsafeBytes { p in
                    try out.withUnsafeMutableBytes { o in
                        try seal(
                            nonce: n, aad: a, plaintext: p,
                            output: UnsafeMutableRawBufferPointer(rebasing: o[0..<p.count]),
                            tag: UnsafeMutableRawBufferPointer(rebasing: o[p.count...]))
                    }
                }
            }
        }
        return out
    }

    /// Opens ciphertext ‖ tag into a secret.
    public func open(nonce: [UInt8], aad: [UInt8], sealed: [UInt8]) throws -> SecretBytes {
        guard sealed.count >= Self.tagSize, nonce.count == Self.nonceSize else {
            throw CryptoError.authenticationFailed
        }
        let out = SecretBytes(count: sealed.count - Self.tagSize)
        try nonce.withUnsafeBytes { n in
            try aad.withUnsafeBytes { a in
                try sealed.withUnsafeBytes { s in
                    try out.withUnsafeMutableBytes { o in
                        let ctLen = s.count - Self.tagSize
                        try open(
                            nonce: n, aad: a, ciphertext: UnsafeRawBufferPointer(rebasing: s[0..<ctLen]),
                            tag: UnsafeRawBufferPointer(rebasing: s[ctLen...]), output: o)
                    }
                }
            }
        }
        return out
    }
}
