import COpenSSL

public enum HKDF {
    /// HKDF-SHA256 (RFC 5869) into a new secret. `salt` may be empty.
    public static func sha256<K: ContiguousBytes>(key: K, salt: [UInt8] = [], info: [UInt8], length: Int = 32)
        -> SecretBytes
    {
        let out = SecretBytes(count: length)
        key.withUnsafeBytes { k in
            salt.withUnsafeBytes { s in
                info.withUnsafeBytes { i in
                    out.withUnsafeMutableBytes { o in
                        let rc = oc_hkdf_sha256(
                            k.baseAddress?.assumingMemoryBound(to: UInt8.self), k.count,
                            s.baseAddress?.assumingMemoryBound(to: UInt8.self), s.count,
                            i.baseAddress?.assumingMemoryBound(to: UInt8.self), i.count,
                            o.baseAddress!.assumingMemoryBound(to: UInt8.self), length)
                        precondition(rc == 1, "HKDF-SHA256 failed")
                    }
                }
            }
        }
        return out
    }
}
