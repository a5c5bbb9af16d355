import struct Foundation.Date
import OBSCrypto
import OBSTime

/// SigV4, header and presigned forms: SignerV4's canonical request over the headers the client named, the path as
/// received, and the received query re-encoded by the canonical rule (every parameter but `X-Amz-Signature`).
extension RequestVerifier {
    /// What a SigV4 request claims: who, when, where, over which headers.
    struct ClaimV4 {
        var accessKeyID: String
        var shortDate: String
        var region: String
        var signedNames: [String]
        var signature: String
        var amzDate: String
    }

    static let streamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    static let streamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    static let streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"

    static func verifyV4Header(
        _ request: IncomingRequest, authorization: String, now: Date, secret: (String) -> SecretBytes?
    ) throws(AuthenticationFailure) -> VerifiedRequest {
        let malformed = AuthenticationFailure.headerMalformed
        var fields: [String: String] = [:]
        let body = authorization.dropFirst(RequestSigner.algorithmV4.count + 1)
        for item in body.split(separator: ",", omittingEmptySubsequences: false) {
            let field = item.trimmingSpaces()
            guard let eq = field.firstIndex(of: "="),
                ["Credential", "SignedHeaders", "Signature"].contains(String(field[..<eq]))
            else { throw malformed("The authorization header is malformed; unexpected '\(field)'.") }
            guard fields.updateValue(String(field[field.index(after: eq)...]), forKey: String(field[..<eq])) == nil
            else { throw malformed("The authorization header is malformed; '\(field[..<eq])' is given twice.") }
        }
        guard let credential = fields["Credential"], let list = fields["SignedHeaders"],
            let signature = fields["Signature"]
        else {
            throw malformed("The authorization header is malformed; it needs Credential, SignedHeaders and Signature.")
        }
        let signable = SignableRequest(method: request.method, path: request.rawPath, headers: request.headers)
        let scope = try parseCredential(credential, malformed: malformed)
        let amzDate: String
        let date: Date
        if let text = signable.headerValue("x-amz-date")?.trimmingSpaces() {
            guard let parsed = Timestamps.parseAmzDate(text) else { throw .missingDate(accessKeyID: scope.accessKeyID) }
            (amzDate, date) = (text, parsed)
        } else if let text = signable.headerValue("Date"), let parsed = Timestamps.parseRFC1123(text) {
            (amzDate, date) = (Timestamps.amzDate(parsed), parsed)
        } else {
            throw .missingDate(accessKeyID: scope.accessKeyID)
        }
        let (claim, key) = try claimV4(
            scope: scope, signedHeaders: list, signature: signature, amzDate: amzDate, dateName: "x-amz-date",
            malformed: malformed, secret: secret)
        try checkSkew(date, now: now, accessKeyID: claim.accessKeyID)
        try checkAllAmzHeadersSigned(request, claim: claim)
        guard let payloadHash = signable.headerValue("x-amz-content-sha256")?.trimmingSpaces() else {
            throw .invalidRequest("Missing required header for this request: x-amz-content-sha256")
        }
        try checkPayloadHash(payloadHash)
        let signingKey = try checkSignatureV4(
            request, claim: claim, canonicalQuery: canonicalQuery(request.rawQuery, excluding: nil),
            payloadHash: payloadHash, key: key)
        return VerifiedRequest(
            accessKeyID: claim.accessKeyID, scheme: .v4, presigned: false,
            securityToken: signable.headerValue("x-amz-security-token")?.trimmingSpaces(),
            payload: payloadDeclaration(payloadHash, claim: claim, signingKey: signingKey),
            region: claim.region, requestDate: date)
    }

    static func verifyV4Query(
        _ request: IncomingRequest, query: [(name: String, value: String?)], now: Date,
        secret: (String) -> SecretBytes?
    ) throws(AuthenticationFailure) -> VerifiedRequest {
        let malformed = AuthenticationFailure.queryMalformed
        guard let algorithm = try single(query, "X-Amz-Algorithm"),
            let credential = try single(query, "X-Amz-Credential"),
            let amzDate = try single(query, "X-Amz-Date"), let expiresText = try single(query, "X-Amz-Expires"),
            let list = try single(query, "X-Amz-SignedHeaders"), let signature = try single(query, "X-Amz-Signature")
        else {
            throw malformed(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                    + "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
        }
        guard algorithm == RequestSigner.algorithmV4 else {
            throw malformed("X-Amz-Algorithm only supports \"\(RequestSigner.algorithmV4)\"")
        }
        let scope = try parseCredential(credential, malformed: malformed)
        guard let date = Timestamps.parseAmzDate(amzDate) else {
            throw malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        }
        guard let expires = Int(expiresText), expires >= 0 else {
            throw malformed("X-Amz-Expires should be a number of seconds, not '\(expiresText)'")
        }
        guard expires <= maxPresignedExpiry else {
            throw malformed("X-Amz-Expires must be less than a week (in seconds) that is \(maxPresignedExpiry)")
        }
        let (claim, key) = try claimV4(
            scope: scope, signedHeaders: list, signature: signature, amzDate: amzDate, dateName: "X-Amz-Date",
            malformed: malformed, secret: secret)
        guard now.timeIntervalSince(date) <= Double(expires) else { throw .expired(accessKeyID: claim.accessKeyID) }
        guard date.timeIntervalSince(now) <= maxClockSkew else {
            throw .accessDenied(
                "Request is not valid yet: X-Amz-Date \(amzDate) is in the future.",
                accessKeyID: claim.accessKeyID)
        }
        try checkAllAmzHeadersSigned(request, claim: claim)
        let signable = SignableRequest(method: request.method, path: request.rawPath, headers: request.headers)
        var payloadHash = RequestSigner.unsignedPayload
        if claim.signedNames.contains("x-amz-content-sha256"),
            let declared = signable.headerValue("x-amz-content-sha256")?.trimmingSpaces()
        {
            try checkPayloadHash(declared)
            payloadHash = declared
        }
        let signingKey = try checkSignatureV4(
            request, claim: claim, canonicalQuery: canonicalQuery(request.rawQuery, excluding: "X-Amz-Signature"),
            payloadHash: payloadHash, key: key)
        let token = try single(query, "X-Amz-Security-Token") ?? signable.headerValue("x-amz-security-token")
        return VerifiedRequest(
            accessKeyID: claim.accessKeyID, scheme: .v4, presigned: true, securityToken: token?.trimmingSpaces(),
            payload: payloadDeclaration(payloadHash, claim: claim, signingKey: signingKey), region: claim.region,
            requestDate: date, signedQueryHeaders: .all)
    }

    // MARK: - Pieces

    /// What the header and the query forms both check once their fields are read: the signed-header list and the
    /// signature are well formed, the credential's date is the date of `amzDate` (the field `dateName`), and the
    /// access key is known (its secret is returned).
    static func claimV4(
        scope: (accessKeyID: String, shortDate: String, region: String), signedHeaders: String, signature: String,
        amzDate: String, dateName: String, malformed: (String) -> AuthenticationFailure,
        secret: (String) -> SecretBytes?
    ) throws(AuthenticationFailure) -> (ClaimV4, SecretBytes) {
        let claim = ClaimV4(
            accessKeyID: scope.accessKeyID, shortDate: scope.shortDate, region: scope.region,
            signedNames: try parseSignedHeaders(signedHeaders, malformed: malformed),
            signature: try parseSignature(signature, malformed: malformed), amzDate: amzDate)
        guard claim.shortDate == String(amzDate.prefix(8)) else {
            throw malformed(
                "Invalid credential date \(claim.shortDate): it is not the date of \(dateName), \(amzDate).")
        }
        guard let key = secret(claim.accessKeyID) else { throw .unknownAccessKey(claim.accessKeyID) }
        return (claim, key)
    }

    /// `AK/yyyymmdd/region/s3/aws4_request`.
    static func parseCredential(
        _ credential: String, malformed: (String) -> AuthenticationFailure
    ) throws(AuthenticationFailure) -> (accessKeyID: String, shortDate: String, region: String) {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, !parts[0].isEmpty, !parts[2].isEmpty else {
            throw malformed("The credential '\(credential)' is not AK/yyyymmdd/region/s3/aws4_request.")
        }
        guard parts[1].utf8.count == 8, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw malformed("The credential's date '\(parts[1])' is not yyyymmdd.")
        }
        guard parts[3] == RequestSigner.serviceV4 else {
            throw malformed("The credential names the service '\(parts[3])'; this endpoint belongs to 's3'.")
        }
        guard parts[4] == "aws4_request" else {
            throw malformed("The credential's terminator is '\(parts[4])', not 'aws4_request'.")
        }
        return (parts[0], parts[1], parts[2])
    }

    /// Distinct lower-case names joined by `;`, `host` among them (without it a request could be replayed to
    /// another endpoint). Kept in the client's order: the canonical request lists them as the client did.
    static func parseSignedHeaders(
        _ list: String, malformed: (String) -> AuthenticationFailure
    ) throws(AuthenticationFailure) -> [String] {
        let names = list.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard names.allSatisfy({ !$0.isEmpty && $0 == $0.lowercased() }), Set(names).count == names.count else {
            throw malformed("SignedHeaders '\(list)' is not distinct lower-case names joined by ';'.")
        }
        guard names.contains("host") else { throw malformed("SignedHeaders '\(list)' does not include host.") }
        return names
    }

    /// 64 lower-case hex digits.
    static func parseSignature(
        _ signature: String, malformed: (String) -> AuthenticationFailure
    ) throws(AuthenticationFailure) -> String {
        guard signature.utf8.count == 64,
            signature.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { throw malformed("The signature '\(signature)' is not 64 lower-case hex digits.") }
        return signature
    }

    /// S3 refuses `x-amz-*` headers left out of the signature: unsigned, they could be added or changed in transit
    /// (an SSE-C key, an ACL, a copy source).
    static func checkAllAmzHeadersSigned(
        _ request: IncomingRequest, claim: ClaimV4
    ) throws(AuthenticationFailure) {
        let signed = Set(claim.signedNames)
        var unsigned: [String] = []
        for header in request.headers {
            let name = header.name.lowercased()
            if name.hasPrefix("x-amz-"), !signed.contains(name), !unsigned.contains(name) { unsigned.append(name) }
        }
        guard unsigned.isEmpty else {
            throw .accessDenied(
                "There were headers present in the request which were not signed: \(unsigned.joined(separator: ", "))",
                accessKeyID: claim.accessKeyID)
        }
    }

    /// The values S3 accepts in `x-amz-content-sha256`.
    static func checkPayloadHash(_ value: String) throws(AuthenticationFailure) {
        switch value {
        case RequestSigner.unsignedPayload, streamingSigned, streamingSignedTrailer, streamingUnsignedTrailer: return
        default:
            guard value.utf8.count == 64, Hex.decode(value) != nil else {
                throw .invalidArgument(
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, \(streamingSigned), \(streamingSignedTrailer), "
                        + "\(streamingUnsignedTrailer) or a SHA-256 in hex, not '\(value)'.")
            }
        }
    }

    static func payloadDeclaration(_ value: String, claim: ClaimV4, signingKey: SecretBytes) -> PayloadDeclaration {
        switch value {
        case RequestSigner.unsignedPayload: return .unsigned
        case streamingUnsignedTrailer: return .streamingUnsignedTrailer
        case streamingSigned, streamingSignedTrailer:
            return .streamingSigned(
                ChunkSigningContext(
                    signingKey: signingKey, amzDate: claim.amzDate,
                    scope: RequestSigner.credentialScopeV4(shortDate: claim.shortDate, region: claim.region),
                    seedSignature: claim.signature, signedTrailer: value == streamingSignedTrailer,
                    accessKeyID: claim.accessKeyID))
        default: return .sha256(hex: value.lowercased())
        }
    }

    /// Recomputes the signature; returns the signing key (the chunk chain of a streaming body continues with it).
    static func checkSignatureV4(
        _ request: IncomingRequest, claim: ClaimV4, canonicalQuery: String, payloadHash: String, key: SecretBytes
    ) throws(AuthenticationFailure) -> SecretBytes {
        func signed(path: String) -> (canonical: String, stringToSign: String) {
            let canonical = RequestSigner.canonicalRequestV4(
                method: request.method, path: path, canonicalQuery: canonicalQuery, headers: request.headers,
                signedNames: claim.signedNames, payloadHash: payloadHash)
            let sts = RequestSigner.stringToSignV4(
                canonicalRequest: canonical, amzDate: claim.amzDate,
                scope: RequestSigner.credentialScopeV4(shortDate: claim.shortDate, region: claim.region))
            return (canonical, sts)
        }
        // A key is kept only once a signature made with it matched: requests naming a valid access key id with
        // made-up days or regions cannot push the real keys out of the cache.
        let cache = SigningKeyCache.shared, service = RequestSigner.serviceV4
        let kept = cache.lookup(secret: key, shortDate: claim.shortDate, region: claim.region, service: service)
        let signingKey =
            kept ?? cache.derive(secret: key, shortDate: claim.shortDate, region: claim.region, service: service)
        func matches(_ sts: String) -> Bool {
            sameSignature(RequestSigner.signatureV4(stringToSign: sts, signingKey: signingKey), claim.signature)
        }
        // S3's canonical URI: the path decoded and encoded again (unreserved bytes and `/` kept), whatever escapes
        // the client sent (`a=b`, `t(1)`, `%c3%a9`). A client that signed the path exactly as it sent it (curl)
        // is accepted too: both forms name the same key.
        let canonicalPath = Self.canonicalPath(request.rawPath)
        let normal = signed(path: canonicalPath)
        guard
            matches(normal.stringToSign)
                || (canonicalPath != request.rawPath
                    && matches(signed(path: request.rawPath).stringToSign))
        else {
            throw .mismatch(
                stringToSign: normal.stringToSign, canonicalRequest: normal.canonical, accessKeyID: claim.accessKeyID,
                provided: claim.signature)
        }
        if kept == nil {
            cache.remember(
                signingKey, secret: key, shortDate: claim.shortDate, region: claim.region, service: service)
        }
        return signingKey
    }

    /// A received path as SigV4 signs it for S3: percent-decoded to bytes and encoded again, unreserved bytes and
    /// `/` kept (S3 encodes once: no second pass over the `%`s).
    static func canonicalPath(_ raw: String) -> String {
        URIEncoding.encode(bytes: URIEncoding.percentDecode(bytes: raw.utf8)) {
            URIEncoding.isUnreserved($0) || $0 == UInt8(ascii: "/")
        }
    }

    /// The canonical query of a received query string: each name and value percent-decoded to bytes and encoded
    /// again by the signer's rule (so `%7e`, `~` and `%7E` sign alike, and bytes that are not UTF-8 survive),
    /// `+` kept as a literal `+`; the parameter `excluding` (the presigned signature) left out.
    static func canonicalQuery(_ raw: String, excluding: String?) -> String {
        var pairs: [(name: String, value: String)] = []
        for piece in raw.utf8.split(separator: UInt8(ascii: "&")) {
            let eq = piece.firstIndex(of: UInt8(ascii: "="))
            let name = URIEncoding.percentDecode(bytes: eq.map { piece[..<$0] } ?? piece[...])
            let value = eq.map { URIEncoding.percentDecode(bytes: piece[piece.index(after: $0)...]) } ?? []
            if let excluding, name.elementsEqual(excluding.utf8) { continue }
            pairs.append(
                (
                    name: URIEncoding.encode(bytes: name, keep: URIEncoding.isUnreserved),
                    value: URIEncoding.encode(bytes: value, keep: URIEncoding.isUnreserved)
                ))
        }
        return RequestSigner.canonicalQueryV4(encoded: pairs)
    }
}
