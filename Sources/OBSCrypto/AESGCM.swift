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
            return EVP_EncryptInit_ex(encryptCtx, Algorithms.aes256GCM, nil, kp, nil) == 1
                && EVP_DecryptInit_ex(decryptCtx, Algorithms.aes256GCM, nil, kp, nil) == 1
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
        try Self.process(
            ctx, nonce: nonce, aad: aad, input: plaintext, output: output, begin: EVP_EncryptInit_ex,
            update: EVP_EncryptUpdate, step: "encrypt")
        var outLen: Int32 = 0
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
        try Self.process(
            ctx, nonce: nonce, aad: aad, input: ciphertext, output: output, begin: EVP_DecryptInit_ex,
            update: EVP_DecryptUpdate, step: "decrypt")
        var outLen: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        guard oc_gcm_set_tag(ctx, tag.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(Self.tagSize)) == 1,
            EVP_DecryptFinal_ex(ctx, &scratch, &outLen) == 1
        else {
            if ciphertext.count > 0 { OPENSSL_cleanse(output.baseAddress, ciphertext.count) }
            throw CryptoError.authenticationFailed
        }
    }

    /// `EVP_EncryptInit_ex` or `EVP_DecryptInit_ex`, and the matching `...Update`: both directions share the
    /// signatures, so seal and open share the steps before the tag.
    private typealias Begin = (
        OpaquePointer?, OpaquePointer?, OpaquePointer?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?
    ) -> Int32
    private typealias Update = (
        OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int32>?, UnsafePointer<UInt8>?, Int32
    ) -> Int32

    /// Sets the nonce, feeds the AAD, then `input` into `output` in pieces of at most 1 MiB (OpenSSL takes
    /// `Int32` lengths).
    private static func process(
        _ ctx: OpaquePointer, nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
        input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer, begin: Begin, update: Update,
        step: String
    ) throws {
        var outLen: Int32 = 0
        guard begin(ctx, nil, nil, nil, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 1
        else { throw CryptoError.primitiveFailed("GCM set nonce") }
        if aad.count > 0 {
            guard update(ctx, nil, &outLen, aad.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(aad.count)) == 1
            else { throw CryptoError.primitiveFailed("GCM aad") }
        }
        var done = 0
        while done < input.count {
            let n = min(1 << 20, input.count - done)
            guard
                update(
                    ctx, output.baseAddress!.assumingMemoryBound(to: UInt8.self) + done, &outLen,
                    input.baseAddress!.assumingMemoryBound(to: UInt8.self) + done, Int32(n)) == 1
            else { throw CryptoError.primitiveFailed("GCM \(step)") }
            done += Int(outLen)
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
