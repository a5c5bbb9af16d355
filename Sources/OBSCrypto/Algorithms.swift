import COpenSSL

/// OpenSSL 3's algorithm objects, fetched once per process and shared (they are immutable once fetched).
///
/// Why: the legacy getters (`EVP_sha256()`, `EVP_aes_256_gcm()`) and the one-shot `HMAC()` and HKDF calls make
/// OpenSSL look the algorithm up in its provider tables, under a lock, on every use: a small SSE-KMS GET in
/// `obsctl serve` did about 25 MAC and 40 digest fetches, most of libcrypto's share of its CPU.
enum Algorithms {
    nonisolated(unsafe) static let sha256: OpaquePointer = digest("SHA256")
    nonisolated(unsafe) static let sha1: OpaquePointer = digest("SHA1")
    nonisolated(unsafe) static let md5: OpaquePointer = digest("MD5")
    nonisolated(unsafe) static let aes256GCM: OpaquePointer = {
        guard let cipher = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) else { fatalError("OpenSSL lacks AES-256-GCM") }
        return cipher
    }()

    /// HMAC contexts with their digest set and no key: each MAC starts from a copy (`EVP_MAC_CTX_dup`), which
    /// looks nothing up.
    nonisolated(unsafe) static let hmacSHA256: OpaquePointer = hmacTemplate("SHA256")
    nonisolated(unsafe) static let hmacSHA1: OpaquePointer = hmacTemplate("SHA1")

    private static func digest(_ name: String) -> OpaquePointer {
        guard let md = EVP_MD_fetch(nil, name, nil) else { fatalError("OpenSSL lacks the digest \(name)") }
        return md
    }

    private static func hmacTemplate(_ digestName: String) -> OpaquePointer {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil), let ctx = EVP_MAC_CTX_new(mac) else {
            fatalError("OpenSSL lacks HMAC")
        }
        EVP_MAC_free(mac)  // the context keeps its own reference
        let ok = digestName.withCString { name in
            var params = [
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, UnsafeMutablePointer(mutating: name), 0),
                OSSL_PARAM_construct_end(),
            ]
            return EVP_MAC_CTX_set_params(ctx, &params) == 1
        }
        guard ok else { fatalError("OpenSSL's HMAC refuses \(digestName)") }
        return ctx
    }
}
