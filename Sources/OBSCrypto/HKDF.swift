import COpenSSL

public enum HKDF {
    static let hashLength = 32

    /// HKDF-SHA256 (RFC 5869) into a new secret. `salt` may be empty (then HashLen zeros, which HMAC pads to the
    /// same key). Built on `HMAC.compute` rather than OpenSSL's HKDF, which looks up HMAC and SHA-256 on every call.
    /// Every intermediate value lives in a `SecretBytes`, wiped when done.
    public static func sha256<K: ContiguousBytes>(key: K, salt: [UInt8] = [], info: [UInt8], length: Int = 32)
        -> SecretBytes
    {
        precondition(length >= 0 && length <= 255 * hashLength, "HKDF-SHA256 gives at most 8160 bytes")
        let prk = SecretBytes(count: hashLength)  // extract
        salt.withUnsafeBytes { s in
            key.withUnsafeBytes { k in
                prk.withUnsafeMutableBytes { _ = HMAC.compute(Algorithms.hmacSHA256, key: s, data: [k], into: $0) }
            }
        }
        let out = SecretBytes(count: length), block = SecretBytes(count: hashLength)  // expand
        var filled = 0, counter: UInt8 = 1
        while filled < length {
            let previous = counter == 1 ? 0 : hashLength  // T(0) is empty
            prk.withUnsafeBytes { p in
                block.withUnsafeMutableBytes { t in
                    info.withUnsafeBytes { i in
                        withUnsafeBytes(of: counter) { c in
                            let data = [UnsafeRawBufferPointer(rebasing: t[..<previous]), i, c]
                            _ = HMAC.compute(Algorithms.hmacSHA256, key: p, data: data, into: t)
                        }
                    }
                    let n = min(hashLength, length - filled)
                    out.withUnsafeMutableBytes { o in
                        o.baseAddress!.advanced(by: filled).copyMemory(from: t.baseAddress!, byteCount: n)
                    }
                    filled += n
                }
            }
            counter &+= 1
        }
        return out
    }
}
