import COpenSSL

public enum HMAC {
    public static func sha256<K: ContiguousBytes, D: ContiguousBytes>(key: K, data: D) -> [UInt8] {
        mac(Algorithms.hmacSHA256, key: key, data: data)
    }

    public static func sha1<K: ContiguousBytes, D: ContiguousBytes>(key: K, data: D) -> [UInt8] {
        mac(Algorithms.hmacSHA1, key: key, data: data)
    }

    private static func mac<K: ContiguousBytes, D: ContiguousBytes>(
        _ template: OpaquePointer, key: K, data: D
    ) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Int(EVP_MAX_MD_SIZE)) { out, count in
            key.withUnsafeBytes { k in
                data.withUnsafeBytes { d in
                    count = compute(template, key: k, data: [d], into: UnsafeMutableRawBufferPointer(out))
                }
            }
        }
    }

    /// The MAC of the concatenation of `data` under `key`, written to the start of `out` (at least the digest's
    /// size); returns its length. `out` may overlap the data: it is written only after all of it is read.
    static func compute(
        _ template: OpaquePointer, key: UnsafeRawBufferPointer, data: [UnsafeRawBufferPointer],
        into out: UnsafeMutableRawBufferPointer
    ) -> Int {
        guard let ctx = EVP_MAC_CTX_dup(template) else { fatalError("HMAC: out of memory") }
        defer { EVP_MAC_CTX_free(ctx) }  // wipes the keyed state
        // A zero-length buffer may have a nil base address; OpenSSL wants a valid pointer.
        let dummy: UInt8 = 0
        return withUnsafePointer(to: dummy) { z in
            var ok = EVP_MAC_init(ctx, key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? z, key.count, nil) == 1
            for part in data where ok && part.count > 0 {
                ok = EVP_MAC_update(ctx, part.baseAddress!.assumingMemoryBound(to: UInt8.self), part.count) == 1
            }
            var length = 0
            ok = ok && EVP_MAC_final(ctx, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, out.count) == 1
            precondition(ok, "HMAC failed")
            return length
        }
    }
}
