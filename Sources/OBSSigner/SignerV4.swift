import struct Foundation.Date
import OBSCrypto
import OBSTime

/// AWS Signature Version 4 as OBS accepts it (docs/obs-protocol.md section 2.8): service `s3`, HMAC-SHA256 key chain
/// `"AWS4"+SK -> date -> region -> "s3" -> "aws4_request"`, payload `UNSIGNED-PAYLOAD` (OBS rejects a body SHA-256).
extension RequestSigner {
    static let algorithmV4 = "AWS4-HMAC-SHA256"
    static let unsignedPayload = "UNSIGNED-PAYLOAD"
    static let serviceV4 = "s3"

    /// Canonical query: every parameter, name and value encoded with `URIEncoding.encodeQueryComponent`
    /// (value-less ones as `name=`), sorted by encoded name then encoded value, joined with `&`.
    static func canonicalQueryV4(_ query: [(name: String, value: String?)]) -> String {
        canonicalQueryV4(
            encoded: query.map {
                (
                    name: URIEncoding.encodeQueryComponent($0.name),
                    value: URIEncoding.encodeQueryComponent($0.value ?? "")
                )
            })
    }

    /// The canonical query from parameters already encoded by the rule above (a verifier re-encodes the received
    /// bytes so that invalid UTF-8 survives): sorted by name then value, `name=value` joined with `&`.
    static func canonicalQueryV4(encoded: [(name: String, value: String)]) -> String {
        encoded.sorted {
            $0.name == $1.name
                ? $0.value.utf8.lexicographicallyPrecedes($1.value.utf8)
                : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        .map { "\($0.name)=\($0.value)" }
        .joined(separator: "&")
    }

    /// Canonical headers and the signed-headers list: names lower-cased, values trimmed with inner runs of spaces
    /// collapsed to one, repeated headers joined with `,` in the order sent. The signer signs every header given,
    /// sorted (`names` nil); a verifier passes the client's `SignedHeaders` list, kept in its order, and a named
    /// header the request lacks signs an empty value.
    static func canonicalHeadersV4(_ headers: [(name: String, value: String)], names: [String]? = nil)
        -> (canonical: String, signed: String)
    {
        var lowered: [(name: String, value: String)] = []
        lowered.reserveCapacity(headers.count)
        for header in headers {
            let name = HeaderName.lowercased(header.name)
            if let names, !names.contains(name) { continue }  // a verifier's unsigned headers: not read at all
            lowered.append((name, collapseSpaces(header.value)))
        }
        // Sorted by name, repeats in the order sent (the index breaks ties), then one line per name.
        let order =
            names
            ?? lowered.indices.sorted {
                lowered[$0].name == lowered[$1].name
                    ? $0 < $1 : lowered[$0].name.utf8.lexicographicallyPrecedes(lowered[$1].name.utf8)
            }.map { lowered[$0].name }
        var canonical = "", signed = ""
        var previous: String? = nil
        for name in order where name != previous {
            previous = name
            if !signed.isEmpty { signed += ";" }
            signed += name
            canonical += name
            canonical += ":"
            var first = true
            for header in lowered where header.name == name {
                if !first { canonical += "," }
                canonical += header.value
                first = false
            }
            canonical += "\n"
        }
        return (canonical, signed)
    }

    static func collapseSpaces(_ value: String) -> String {
        // Most values have nothing to collapse (no tab, no space at either end or next to another): as they are.
        var previousIsSpace = true  // so that a leading space is caught
        var clean = true
        for c in value.utf8 {
            if c == 0x09 || (c == 0x20 && previousIsSpace) { clean = false; break }
            previousIsSpace = c == 0x20
        }
        if clean && !previousIsSpace { return value }
        return value.trimmingSpaces().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// The canonical request. The URI is the path exactly as sent: S3 (and OBS) do not encode it a second time.
    static func canonicalRequestV4(
        method: String, path: String, query: [(name: String, value: String?)],
        headers: [(name: String, value: String)], payloadHash: String
    ) -> String {
        canonicalRequestV4(
            method: method, path: path, canonicalQuery: canonicalQueryV4(query), headers: headers,
            signedNames: nil, payloadHash: payloadHash)
    }

    /// The same from a canonical query already built, over `signedNames` (nil: every header, sorted).
    static func canonicalRequestV4(
        method: String, path: String, canonicalQuery: String, headers: [(name: String, value: String)],
        signedNames: [String]?, payloadHash: String
    ) -> String {
        let (canonicalHeaders, signedHeaders) = canonicalHeadersV4(headers, names: signedNames)
        return canonicalRequestV4(
            method: method, path: path, canonicalQuery: canonicalQuery, canonicalHeaders: canonicalHeaders,
            signedHeaders: signedHeaders, payloadHash: payloadHash)
    }

    /// The same from its parts, each already canonical: six lines.
    static func canonicalRequestV4(
        method: String, path: String, canonicalQuery: String, canonicalHeaders: String, signedHeaders: String,
        payloadHash: String
    ) -> String {
        "\(method)\n\(path.isEmpty ? "/" : path)\n\(canonicalQuery)\n\(canonicalHeaders)\n\(signedHeaders)\n"
            + payloadHash
    }

    /// `yyyymmdd/region/s3/aws4_request`.
    static func credentialScopeV4(shortDate: String, region: String) -> String {
        "\(shortDate)/\(region)/\(serviceV4)/aws4_request"
    }

    /// `AWS4-HMAC-SHA256 \n amzDate \n scope \n hex(SHA-256(canonical request))`.
    static func stringToSignV4(canonicalRequest: String, amzDate: String, scope: String) -> String {
        let hash = Hex.encode(Digest.sha256(UTF8Text(canonicalRequest)))
        return "\(algorithmV4)\n\(amzDate)\n\(scope)\n\(hash)"
    }

    /// HMAC-SHA256 chain `"AWS4"+SK -> shortDate -> region -> service ("s3") -> "aws4_request"`.
    static func signingKeyV4(secret: SecretBytes, shortDate: String, region: String, service: String = serviceV4)
        -> [UInt8]
    {
        let prefix = Array("AWS4".utf8)
        let key = SecretBytes(count: prefix.count + secret.count)
        key.withUnsafeMutableBytes { out in
            out.copyBytes(from: prefix)
            secret.withUnsafeBytes { s in
                UnsafeMutableRawBufferPointer(rebasing: out[prefix.count...]).copyMemory(from: s)
            }
        }
        let kDate = HMAC.sha256(key: key, data: Array(shortDate.utf8))
        let kRegion = HMAC.sha256(key: kDate, data: Array(region.utf8))
        let kService = HMAC.sha256(key: kRegion, data: Array(service.utf8))
        return HMAC.sha256(key: kService, data: Array("aws4_request".utf8))
    }

    /// `signingKeyV4` through `SigningKeyCache`: derived once a day per secret and region.
    static func cachedSigningKeyV4(secret: SecretBytes, shortDate: String, region: String) -> SecretBytes {
        SigningKeyCache.shared.key(secret: secret, shortDate: shortDate, region: region, service: serviceV4)
    }

    /// Hex HMAC-SHA256 of the string-to-sign under the signing key; generic so a key held as `SecretBytes`
    /// (the chunk verifier's) is used in place, never copied per chunk.
    static func signatureV4<K: ContiguousBytes>(stringToSign: String, signingKey: K) -> String {
        Hex.encode(HMAC.sha256(key: signingKey, data: UTF8Text(stringToSign)))
    }

    /// The long date to sign with: an `x-amz-date` header if present; else a parseable `Date` header (what the
    /// Python SDK sends instead of `x-amz-date`); nil when the signer must add `x-amz-date` itself.
    static func existingAmzDate(_ request: SignableRequest) -> String? {
        if let amz = request.headerValue("x-amz-date") { return amz.trimmingSpaces() }
        if let http = request.headerValue("Date"), let parsed = Timestamps.parseRFC1123(http) {
            return Timestamps.amzDate(parsed)
        }
        return nil
    }

    /// Header form: adds `x-amz-date` (unless the time is already in `x-amz-date` or `Date`), `x-amz-security-token`,
    /// `x-amz-content-sha256: UNSIGNED-PAYLOAD` (a value already set, e.g. a streaming mode, is kept and signed as the
    /// payload hash), then signs every header present and sets `Authorization`.
    static func signV4(_ request: SignableRequest, scope: SigningScope, credentials: Credentials, date: Date)
        -> SignableRequest
    {
        var signed = request
        signed.removeHeader("Authorization")
        let amzDate: String
        if let existing = existingAmzDate(signed) {
            amzDate = existing
        } else {
            amzDate = Timestamps.amzDate(date)
            signed.setHeader("x-amz-date", amzDate)
        }
        if let token = credentials.securityToken {
            signed.setHeader("x-amz-security-token", token)
        }
        let payloadHash: String
        if let existing = signed.headerValue("x-amz-content-sha256") {
            payloadHash = existing.trimmingSpaces()
        } else {
            payloadHash = unsignedPayload
            signed.setHeader("x-amz-content-sha256", unsignedPayload)
        }
        let shortDate = String(amzDate.prefix(8))
        let scopeString = credentialScopeV4(shortDate: shortDate, region: scope.region)
        let (canonicalHeaders, signedHeaders) = canonicalHeadersV4(signed.headers)
        let canonical = canonicalRequestV4(
            method: signed.method, path: signed.path, canonicalQuery: canonicalQueryV4(signed.query),
            canonicalHeaders: canonicalHeaders, signedHeaders: signedHeaders, payloadHash: payloadHash)
        let sts = stringToSignV4(canonicalRequest: canonical, amzDate: amzDate, scope: scopeString)
        let key = cachedSigningKeyV4(secret: credentials.secretAccessKey, shortDate: shortDate, region: scope.region)
        let signature = signatureV4(stringToSign: sts, signingKey: key)
        signed.setHeader(
            "Authorization",
            "\(algorithmV4) Credential=\(credentials.accessKeyID)/\(scopeString),SignedHeaders=\(signedHeaders),"
                + "Signature=\(signature)"
        )
        return signed
    }

    /// The X-Amz-* parameters of a presigned URL, without the signature, in the order they are sent.
    static func presignParametersV4(
        credentials: Credentials, amzDate: String, region: String,
        expiresIn seconds: Int
    ) -> [(name: String, value: String)] {
        let scopeString = credentialScopeV4(shortDate: String(amzDate.prefix(8)), region: region)
        var params: [(name: String, value: String)] = [
            (name: "X-Amz-Algorithm", value: algorithmV4),
            (name: "X-Amz-Credential", value: "\(credentials.accessKeyID)/\(scopeString)"),
            (name: "X-Amz-Date", value: amzDate),
            (name: "X-Amz-Expires", value: String(seconds)),
            (name: "X-Amz-SignedHeaders", value: "host"),
        ]
        if let token = credentials.securityToken {
            params.append((name: "X-Amz-Security-Token", value: token))
        }
        return params
    }

    /// Query-string form: signs only `host`, with payload `UNSIGNED-PAYLOAD`; the canonical query holds the request's
    /// own parameters plus the X-Amz-* ones (not the signature).
    static func presignedQueryV4(
        _ request: SignableRequest, scope: SigningScope, credentials: Credentials,
        date: Date, expiresIn seconds: Int
    ) -> [(name: String, value: String)] {
        let amzDate = Timestamps.amzDate(date)
        var params = presignParametersV4(
            credentials: credentials, amzDate: amzDate, region: scope.region, expiresIn: seconds)
        let query = request.query + params.map { (name: $0.name, value: Optional($0.value)) }
        let host = request.headerValue("Host") ?? ""
        let canonical = canonicalRequestV4(
            method: request.method, path: request.path, query: query,
            headers: [(name: "host", value: host)], payloadHash: unsignedPayload)
        let shortDate = String(amzDate.prefix(8))
        let sts = stringToSignV4(
            canonicalRequest: canonical, amzDate: amzDate,
            scope: credentialScopeV4(shortDate: shortDate, region: scope.region))
        let key = cachedSigningKeyV4(secret: credentials.secretAccessKey, shortDate: shortDate, region: scope.region)
        params.append((name: "X-Amz-Signature", value: signatureV4(stringToSign: sts, signingKey: key)))
        return params
    }
}

/// The signatures of an `aws-chunked` body (S3 "chunked upload" and "trailing headers"): each chunk's signature
/// chains from the previous one (the first from the request's), the trailer's from the last chunk's.
extension RequestSigner {
    /// `AWS4-HMAC-SHA256-PAYLOAD \n amzDate \n scope \n previous \n hex(SHA-256("")) \n hex(SHA-256(chunk))`.
    static func stringToSignChunkV4(amzDate: String, scope: String, previousSignature: String, chunkSHA256: String)
        -> String
    {
        "AWS4-HMAC-SHA256-PAYLOAD\n\(amzDate)\n\(scope)\n\(previousSignature)\n\(SDKHMACSigner.emptyPayloadHash)\n"
            + chunkSHA256
    }

    /// `AWS4-HMAC-SHA256-TRAILER \n amzDate \n scope \n previous \n hex(SHA-256(trailers))`, the trailers as
    /// `name:value\n` each, in the order sent, the signature's own line left out.
    static func stringToSignTrailerV4(
        amzDate: String, scope: String, previousSignature: String, trailers: [(name: String, value: String)]
    ) -> String {
        let canonical = trailers.map { "\($0.name):\($0.value)\n" }.joined()
        let hash = Hex.encode(Digest.sha256(Array(canonical.utf8)))
        return "AWS4-HMAC-SHA256-TRAILER\n\(amzDate)\n\(scope)\n\(previousSignature)\n\(hash)"
    }
}
