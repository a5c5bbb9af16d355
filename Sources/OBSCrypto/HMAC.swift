import COpenSSL

public enum HMAC {
    /// HMAC-SHA256 with the one-shot `HMAC()` call (not deprecated in OpenSSL 3, unlike HMAC_CTX).
    public static func sha256<K: ContiguousBytes, D: ContiguousBytes>(key: K, data: D) -> [UInt8] {
        mac(EVP_sha256(), key: key, data: data)
    }

    public static func sha1<K: ContiguousBytes, D: ContiguousBytes>(key: K, data: D) -> [UInt8] {
        mac(EVP_sha1(), key: key, data: data)
    }

    private static func mac<K: ContiguousBytes, D: ContiguousBytes>(_ md: OpaquePointer, key: K, data: D) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                // A zero-length buffer may have a nil base address; OpenSSL wants a valid pointer.
                let dummy: UInt8 = 0
                withUnsafePointer(to: dummy) { z in
                    let kp = k.baseAddress ?? UnsafeRawPointer(z)
                    let dp = d.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? z
                    let r = COpenSSL.HMAC(md, kp, Int32(k.count), dp, d.count, &out, &len)
                    precondition(r != nil, "HMAC failed")
                }
            }
        }
        return Array(out.prefix(Int(len)))
    }
}
