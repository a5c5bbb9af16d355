import struct Foundation.Date
import OBSCrypto
import OBSTime

/// OBS (`OBS ak:sig`, `x-obs-*`) and AWS V2 (`AWS ak:sig`, `x-amz-*`), header and query forms: the string-to-sign
/// of HeaderSignerV2 over the request as received, the canonical resource with `/bucket` in front when the bucket
/// was in the host name.
extension RequestVerifier {
    static func verifyV2Header(
        _ request: IncomingRequest, authorization: String, version: SignatureVersion,
        query: [(name: String, value: String?)], virtualHostBucket: String?, now: Date,
        secret: (String) -> SecretBytes?
    ) throws(AuthenticationFailure) -> VerifiedRequest {
        let word = version.authorizationWord
        let credential = authorization.dropFirst(word.count + 1).trimmingSpaces()
        guard let colon = credential.lastIndex(of: ":"), colon != credential.startIndex,
            credential.index(after: colon) != credential.endIndex
        else {
            throw .invalidArgument("\(word) authorization header is invalid. Expected AccessKeyId:signature")
        }
        let accessKeyID = String(credential[..<colon])
        let provided = String(credential[credential.index(after: colon)...])
        let signable = SignableRequest(
            method: request.method, path: request.rawPath, query: query, headers: request.headers)
        guard let dateText = signable.headerValue(version.dateHeader) ?? signable.headerValue("Date"),
            let date = parseRequestDate(dateText)
        else { throw .missingDate(accessKeyID: accessKeyID) }
        guard let key = secret(accessKeyID) else { throw .unknownAccessKey(accessKeyID) }
        try checkSkew(date, now: now, accessKeyID: accessKeyID)
        let sts = stringToSignV2(signable, version: version, virtualHostBucket: virtualHostBucket, expires: nil)
        guard sameSignature(RequestSigner.signatureV2(stringToSign: sts, secret: key), provided) else {
            throw .mismatch(stringToSign: sts, accessKeyID: accessKeyID, provided: provided)
        }
        return VerifiedRequest(
            accessKeyID: accessKeyID, scheme: version, presigned: false,
            securityToken: signable.headerValue(version.securityTokenHeader)?.trimmingSpaces(), payload: .none,
            region: nil, requestDate: date)
    }

    static func verifyV2Query(
        _ request: IncomingRequest, version: SignatureVersion, query: [(name: String, value: String?)],
        virtualHostBucket: String?, now: Date, secret: (String) -> SecretBytes?
    ) throws(AuthenticationFailure) -> VerifiedRequest {
        let akName = version == .obs ? "AccessKeyId" : "AWSAccessKeyId"
        guard let accessKeyID = try single(query, akName), !accessKeyID.isEmpty,
            let expires = try single(query, "Expires"), let provided = try single(query, "Signature"),
            !provided.isEmpty
        else {
            throw .accessDenied("Query-string authentication requires the Signature, Expires and \(akName) parameters")
        }
        guard let expiry = Int64(expires) else {
            throw .accessDenied("Invalid date (should be seconds since epoch): \(expires)", accessKeyID: accessKeyID)
        }
        guard let key = secret(accessKeyID) else { throw .unknownAccessKey(accessKeyID) }
        guard Double(expiry) >= now.timeIntervalSince1970 else { throw .expired(accessKeyID: accessKeyID) }
        let signable = SignableRequest(
            method: request.method, path: request.rawPath, query: query, headers: request.headers)
        let sts = stringToSignV2(signable, version: version, virtualHostBucket: virtualHostBucket, expires: expires)
        guard sameSignature(RequestSigner.signatureV2(stringToSign: sts, secret: key), provided) else {
            throw .mismatch(stringToSign: sts, accessKeyID: accessKeyID, provided: provided)
        }
        let token = try single(query, version.securityTokenHeader) ?? signable.headerValue(version.securityTokenHeader)
        return VerifiedRequest(
            accessKeyID: accessKeyID, scheme: version, presigned: true, securityToken: token?.trimmingSpaces(),
            payload: .none, region: nil, requestDate: nil)
    }

    /// The signer's string-to-sign over the request as received. The query holds every parameter; the canonical
    /// resource keeps only the sub-resources (so `AccessKeyId`, `Expires`, `Signature` drop out by themselves).
    static func stringToSignV2(
        _ request: SignableRequest, version: SignatureVersion, virtualHostBucket: String?, expires: String?
    ) -> String {
        let scope = SigningScope(bucket: virtualHostBucket, virtualHosted: virtualHostBucket != nil, region: "")
        let prefix = version.headerPrefix
        let resource = RequestSigner.canonicalResource(
            path: request.path, query: request.query, scope: scope, prefix: prefix)
        return RequestSigner.stringToSignV2(
            method: request.method, headers: request.headers, resource: resource, prefix: prefix, expires: expires)
    }

    /// A request time header: RFC 1123 as every OBS/V2 client sends it, or SigV4's `yyyyMMdd'T'HHmmss'Z'`.
    static func parseRequestDate(_ text: String) -> Date? {
        let trimmed = text.trimmingSpaces()
        return Timestamps.parseRFC1123(trimmed) ?? Timestamps.parseAmzDate(trimmed)
    }
}
