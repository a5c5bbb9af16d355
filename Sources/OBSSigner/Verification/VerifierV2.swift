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
        _ = try checkSignatureV2(
            signable, version: version, virtualHostBucket: virtualHostBucket, expires: nil, key: key,
            accessKeyID: accessKeyID, provided: provided)
        return VerifiedRequest(
            accessKeyID: accessKeyID, scheme: version, presigned: false,
            securityToken: signable.headerValue(version.securityTokenHeader)?.trimmingSpaces(), payload: .none,
            region: nil, requestDate: date)
    }

    static func verifyV2Query(
        _ request: IncomingRequest, version: SignatureVersion, query: [(name: String, value: String?)],
        virtualHostBucket: String?, now: Date, secret: (String) -> SecretBytes?
    ) throws(AuthenticationFailure) -> VerifiedRequest {
        let akName = version.accessKeyParameter
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
        let reading = try checkSignatureV2(
            signable, version: version, virtualHostBucket: virtualHostBucket, expires: expires, key: key,
            accessKeyID: accessKeyID, provided: provided)
        let token = try single(query, version.securityTokenHeader) ?? signable.headerValue(version.securityTokenHeader)
        return VerifiedRequest(
            accessKeyID: accessKeyID, scheme: version, presigned: true, securityToken: token?.trimmingSpaces(),
            payload: .none, region: nil, requestDate: nil,
            signedQueryHeaders: .prefixed(version.headerPrefix, withContent: reading == .s3))
    }

    /// Accepts the signature if it matches the string-to-sign of one of the readings below, and returns the first
    /// that matched (what it signs is what the request may be taken to say); a mismatch reports the first reading's
    /// string (our signer's, OBS's). Every reading is computed, matched or not, so the time taken tells nothing.
    static func checkSignatureV2(
        _ request: SignableRequest, version: SignatureVersion, virtualHostBucket: String?, expires: String?,
        key: SecretBytes, accessKeyID: String, provided: String
    ) throws(AuthenticationFailure) -> V2Reading {
        var readings = [V2Reading.obs]
        if isPathStyleBucket(request.path, virtualHostBucket: virtualHostBucket) { readings.append(.obsBucketSlash) }
        if version == .v2 { readings.append(.s3) }
        var first: String?
        var matched: V2Reading?
        for reading in readings {
            let sts = stringToSignV2(
                request, version: version, virtualHostBucket: virtualHostBucket, expires: expires, reading: reading)
            if sts == first { continue }
            first = first ?? sts
            if sameSignature(RequestSigner.signatureV2(stringToSign: sts, secret: key), provided) {
                matched = matched ?? reading
            }
        }
        guard let matched else {
            throw .mismatch(stringToSign: first ?? "", accessKeyID: accessKeyID, provided: provided)
        }
        return matched
    }

    /// How clients read the scheme. OBS's reading (our signer, Huawei's SDKs, obsutil): OBS's sub-resource list plus
    /// every prefixed parameter, a URL's security token signed as a sub-resource, and for a path-style bucket
    /// request `/bucket` or `/bucket/` (SDKs differ; both name the same bucket). S3's reading (botocore, awscli with
    /// `signature_version = s3`), tried for `AWS` signatures only: S3's shorter list (no `encryption`...),
    /// `/bucket/` for a path-style bucket request, and a presigned URL carrying the signed `x-amz-*`,
    /// `Content-MD5` and `Content-Type` values as query parameters, signed as headers.
    enum V2Reading { case obs, obsBucketSlash, s3 }

    /// `/bucket`: a path-style request for a bucket, not an object.
    static func isPathStyleBucket(_ path: String, virtualHostBucket: String?) -> Bool {
        virtualHostBucket == nil && path.count > 1 && path.lastIndex(of: "/") == path.startIndex
    }

    /// S3's V2 sub-resources, compared case-sensitively (botocore `HmacV1Auth.QSAOfInterest`).
    static let s3SubResources: Set<String> = [
        "accelerate", "acl", "cors", "defaultObjectAcl", "location", "logging", "partNumber", "policy",
        "requestPayment", "torrent", "versioning", "versionId", "versions", "website", "uploads", "uploadId",
        "response-content-type", "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "delete", "lifecycle", "tagging", "restore",
        "storageClass", "notification", "replication", "analytics", "metrics", "inventory", "select", "select-type",
        "object-lock",
    ]

    /// The string-to-sign over the request as received. The query holds every parameter; the canonical resource
    /// keeps only the sub-resources (so `AccessKeyId`, `Expires`, `Signature` drop out by themselves).
    static func stringToSignV2(
        _ request: SignableRequest, version: SignatureVersion, virtualHostBucket: String?, expires: String?,
        reading: V2Reading = .obs
    ) -> String {
        let scope = SigningScope(bucket: virtualHostBucket, virtualHosted: virtualHostBucket != nil, region: "")
        let prefix = version.headerPrefix
        var headers = request.headers
        let resource: String
        let slashed = isPathStyleBucket(request.path, virtualHostBucket: virtualHostBucket) ? request.path + "/" : nil
        switch reading {
        case .obs, .obsBucketSlash:
            resource = RequestSigner.canonicalResource(
                path: reading == .obs ? request.path : slashed ?? request.path, query: request.query, scope: scope,
                prefix: prefix)
        case .s3:
            // A path-style bucket request (`/bucket`) signs `/bucket/`, as for a virtual-hosted one.
            let path = slashed ?? request.path
            resource = RequestSigner.canonicalResource(path: path, query: request.query, scope: scope) {
                s3SubResources.contains($0)
            }
            if expires != nil {
                for item in request.query {
                    let name = item.name.lowercased()
                    if name.hasPrefix(prefix) || name == "content-md5" || name == "content-type" {
                        headers.append((name: name, value: item.value ?? ""))
                    }
                }
            }
        }
        return RequestSigner.stringToSignV2(
            method: request.method, headers: headers, resource: resource, prefix: prefix, expires: expires)
    }

    /// A request time header: RFC 1123 as every OBS/V2 client sends it, or SigV4's `yyyyMMdd'T'HHmmss'Z'`.
    static func parseRequestDate(_ text: String) -> Date? {
        let trimmed = text.trimmingSpaces()
        return Timestamps.parseRFC1123(trimmed) ?? Timestamps.parseAmzDate(trimmed)
    }
}
