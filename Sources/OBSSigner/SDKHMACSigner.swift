import struct Foundation.Date
import OBSCrypto
import OBSTime

/// `SDK-HMAC-SHA256`, the API-gateway signature of Huawei Cloud's non-OBS services (KMS, IAM), as the Python SDK's
/// `core/signer/signer.py` computes it (docs/kms-api.md section 3):
///
///     CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
///     StringToSign     = SDK-HMAC-SHA256 \n X-Sdk-Date \n hex(SHA-256(CanonicalRequest))
///     Authorization    = SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex(HMAC-SHA256(SK, StringToSign))
///
/// It looks like SigV4 (SignerV4.swift) but differs wherever it matters, so only the percent-encoding is shared
/// (`enc` = `URIEncoding.encodeQueryComponent`, Python's `quote(s, safe='~')`):
/// - no credential scope and no key derivation: the raw secret key signs a three-line string;
/// - the canonical URI is the path decoded once, each segment encoded again, with a `/` always at the end
///   (SigV4 here signs the path as sent);
/// - the query is sorted on the DECODED names and values (SigV4 sorts the encoded ones: `a.b` < `a/b` only here);
/// - every header whose name has no `_` is signed, values only trimmed (SigV4 collapses inner spaces);
/// - the payload is hashed (SigV4 for OBS signs `UNSIGNED-PAYLOAD`); `X-Sdk-Date` instead of `x-amz-date`.
public enum SDKHMACSigner {
    public static let algorithm = "SDK-HMAC-SHA256"
    public static let dateHeader = "X-Sdk-Date"
    public static let contentSHA256Header = "X-Sdk-Content-Sha256"
    public static let securityTokenHeader = "X-Security-Token"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// Hex SHA-256 of no bytes: the payload hash of every request without a body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// One signature and the strings it was computed from.
    public struct Parts: Sendable, Equatable {
        public var canonicalRequest: String
        public var stringToSign: String
        /// Lower-case names joined with `;`.
        public var signedHeaders: String
        /// Lower-case hex.
        public var signature: String
    }

    /// Signs as the SDK does: sets `X-Security-Token` for temporary credentials, `X-Sdk-Content-Sha256:
    /// UNSIGNED-PAYLOAD` when a `Content-Type` is neither JSON nor BSON, `X-Sdk-Date` from `date` unless the request
    /// carries a valid one, then signs every header whose name has no `_` and sets `Authorization` (replacing one
    /// already there). The request's headers must include `Host` (as sent, with a non-default port). Send the query
    /// as `canonicalQuery(request.query)`: the SDK's wire query is the canonical one.
    public static func sign(
        _ request: SignableRequest, body: [UInt8], credentials: Credentials, date: Date
    ) -> SignableRequest {
        var signed = request
        signed.removeHeader("Authorization")
        if let token = credentials.securityToken { signed.setHeader(securityTokenHeader, token) }
        if let type = signed.headerValue("Content-Type"),
            !type.hasPrefix("application/json") && !type.hasPrefix("application/bson")
        {
            signed.setHeader(contentSHA256Header, unsignedPayload)
        }
        if signed.headerValue(dateHeader).flatMap(Timestamps.parseAmzDate) == nil {
            signed.setHeader(dateHeader, Timestamps.amzDate(date))
        }
        let names = signedHeaderNames(signed.headers)
        let parts = self.parts(
            signed, signedHeaders: names, payloadHash: payloadHash(signed, bodySHA256: bodySHA256(body), names: names),
            secret: credentials.secretAccessKey)
        signed.setHeader("Authorization", authorization(accessKeyID: credentials.accessKeyID, parts: parts))
        return signed
    }

    /// `SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=...`.
    public static func authorization(accessKeyID: String, parts: Parts) -> String {
        "\(algorithm) Access=\(accessKeyID), SignedHeaders=\(parts.signedHeaders), Signature=\(parts.signature)"
    }

    /// The canonical request, string to sign and signature of `request` over the headers `signedHeaders`
    /// (lower-case names, in the order given: the SDK sorts them, a verifier takes the client's list as sent).
    /// The time is the request's `X-Sdk-Date` header as it stands.
    public static func parts(
        _ request: SignableRequest, signedHeaders: [String], payloadHash: String, secret: SecretBytes
    ) -> Parts {
        let canonical = canonicalRequest(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            signedHeaders: signedHeaders, payloadHash: payloadHash)
        let sdkDate = trim(request.headerValue(dateHeader) ?? "")
        let sts = "\(algorithm)\n\(sdkDate)\n\(Hex.encode(Digest.sha256(Array(canonical.utf8))))"
        let signature = Hex.encode(HMAC.sha256(key: secret, data: Array(sts.utf8)))
        return Parts(
            canonicalRequest: canonical, stringToSign: sts, signedHeaders: signedHeaders.joined(separator: ";"),
            signature: signature)
    }

    // MARK: - Canonical request

    static func canonicalRequest(
        method: String, path: String, query: [(name: String, value: String?)],
        headers: [(name: String, value: String)], signedHeaders: [String], payloadHash: String
    ) -> String {
        [
            method.uppercased(),
            canonicalURI(path),
            canonicalQuery(query),
            canonicalHeaders(headers, signedHeaders: signedHeaders),
            signedHeaders.joined(separator: ";"),
            payloadHash,
        ].joined(separator: "\n")
    }

    /// The path decoded once (`%2F` becomes a separator), each segment encoded with `enc`, joined with `/`, and a
    /// `/` appended unless already last: `/a/b` and `/a/b/` sign alike, `+` signs as `%2B`, `/` stays `/`.
    public static func canonicalURI(_ path: String) -> String {
        let segments = percentDecode(path).split(separator: "/", omittingEmptySubsequences: false)
        let uri = segments.map { URIEncoding.encodeQueryComponent(String($0)) }.joined(separator: "/")
        return uri.hasSuffix("/") ? uri : uri + "/"
    }

    /// `enc(name)=enc(value)` for every parameter (a bare one as `name=`), sorted on the decoded name then value
    /// by code point, joined with `&`. Also the query to send: the SDK puts exactly this on the wire.
    public static func canonicalQuery(_ query: [(name: String, value: String?)]) -> String {
        query.map { (name: $0.name, value: $0.value ?? "") }
            .sorted {
                $0.name == $1.name
                    ? $0.value.utf8.lexicographicallyPrecedes($1.value.utf8)
                    : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
            }
            .map { URIEncoding.encodeQueryComponent($0.name) + "=" + URIEncoding.encodeQueryComponent($0.value) }
            .joined(separator: "&")
    }

    /// A query string as received (no `?`) as decoded parameters: split on `&` and the first `=`, `%XX` decoded
    /// and `+` kept as `+` (the SDK encodes a space as `%20`), empty pieces skipped, a name without `=` bare.
    public static func parseQuery(_ raw: String) -> [(name: String, value: String?)] {
        raw.split(separator: "&").map { piece in
            guard let eq = piece.firstIndex(of: "=") else { return (name: percentDecode(String(piece)), value: nil) }
            return (
                name: percentDecode(String(piece[..<eq])),
                value: percentDecode(String(piece[piece.index(after: eq)...]))
            )
        }
    }

    /// `name:value\n` for each signed name: the value trimmed at both ends only (Python's `strip()`); a header
    /// sent more than once joined with `,` in the order received (the SDK never sends one twice).
    static func canonicalHeaders(_ headers: [(name: String, value: String)], signedHeaders: [String]) -> String {
        signedHeaders.map { name in
            let values = headers.filter { $0.name.lowercased() == name }.map { trim($0.value) }
            return "\(name):\(values.joined(separator: ","))\n"
        }.joined()
    }

    /// What the SDK signs: every header present whose name has no `_`, lower-cased, sorted, each once.
    public static func signedHeaderNames(_ headers: [(name: String, value: String)]) -> [String] {
        Set(headers.map { $0.name.lowercased() }.filter { !$0.contains("_") })
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Hex SHA-256 of a body (`emptyPayloadHash` for none).
    public static func bodySHA256(_ body: [UInt8]) -> String {
        body.isEmpty ? emptyPayloadHash : Hex.encode(Digest.sha256(body))
    }

    /// The payload line: the empty hash for an empty body (even with `X-Sdk-Content-Sha256`), else that header's
    /// value when it is signed, else the body's hash.
    static func payloadHash(_ request: SignableRequest, bodySHA256: String, names: [String]) -> String {
        guard bodySHA256 != emptyPayloadHash else { return emptyPayloadHash }
        if names.contains(contentSHA256Header.lowercased()), let declared = request.headerValue(contentSHA256Header) {
            return trim(declared)
        }
        return bodySHA256
    }

    // MARK: - Helpers

    /// Python's `unquote`: each valid `%XX` becomes its byte, anything else stays; the bytes read as UTF-8 with
    /// invalid sequences replaced by U+FFFD.
    static func percentDecode(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return s }
        return String(decoding: URIEncoding.percentDecode(bytes: s.utf8), as: UTF8.self)
    }

    /// Python's `str.strip()`: Unicode white space (and the ASCII separators 0x1C-0x1F) removed at both ends.
    static func trim(_ s: String) -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace || (0x1C...0x1F).contains($0.value) }
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
            let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
