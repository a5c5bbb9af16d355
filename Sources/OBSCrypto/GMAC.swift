import COpenSSL

/// Streaming GMAC (AES-256-GCM over associated data only): a keyed 16-byte tag over a byte stream at GHASH speed,
/// several times cheaper than MD5 or SHA-256. Unlike a CRC, a change to the bytes cannot be made to keep the tag
/// without the key. One key authenticates one message (a fixed nonce is then safe): derive a key per message.
public final class GMAC {
    private let ctx: OpaquePointer

    public init(key: SecretBytes) throws {
        guard key.count == AESGCM.keySize else {
            throw CryptoError.invalidLength(what: "GMAC key", expected: AESGCM.keySize, actual: key.count)
        }
        ctx = EVP_CIPHER_CTX_new()!
        let nonce = [UInt8](repeating: 0, count: AESGCM.nonceSize)
        let ok = key.withUnsafeBytes { k in
            let kp = k.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return EVP_EncryptInit_ex(ctx, Algorithms.aes256GCM, nil, kp, nonce) == 1
        }
        guard ok else { EVP_CIPHER_CTX_free(ctx); throw CryptoError.primitiveFailed("GMAC init") }
    }

    deinit { EVP_CIPHER_CTX_free(ctx) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        var done = 0, outLen: Int32 = 0
        while done < bytes.count {
            let n = min(1 << 20, bytes.count - done)
            let p = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + done
            let r = EVP_EncryptUpdate(ctx, nil, &outLen, p, Int32(n))
            precondition(r == 1, "GMAC update failed")
            done += n
        }
    }

    public func update<C: ContiguousBytes>(_ bytes: C) { bytes.withUnsafeBytes { update($0) } }

    /// The 16-byte tag; the instance is used up.
    public func finalize() -> [UInt8] {
        var scratch = [UInt8](repeating: 0, count: 16), outLen: Int32 = 0
        var tag = [UInt8](repeating: 0, count: AESGCM.tagSize)
        let ok =
            EVP_EncryptFinal_ex(ctx, &scratch, &outLen) == 1
            && oc_gcm_get_tag(ctx, &tag, Int32(AESGCM.tagSize)) == 1
        precondition(ok, "GMAC final failed")
        return tag
    }
}
