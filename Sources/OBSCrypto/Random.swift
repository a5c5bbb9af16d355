import COpenSSL

/// OpenSSL's DRBG. `secret` draws from the private generator (keys); `bytes` from the public one (salts, nonces, ids).
public enum Random {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 {
            let rc = out.withUnsafeMutableBytes {
                RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count))
            }
            precondition(rc == 1, "RAND_bytes failed: the OpenSSL random generator is unusable")
        }
        return out
    }

    public static func secret(_ count: Int) -> SecretBytes {
        let s = SecretBytes(count: count)
        s.withUnsafeMutableBytes { buf in
            let rc = RAND_priv_bytes(buf.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count))
            precondition(rc == 1, "RAND_priv_bytes failed: the OpenSSL random generator is unusable")
        }
        return s
    }
}
