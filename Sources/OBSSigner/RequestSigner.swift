import struct Foundation.Date

/// Signs requests for OBS and S3-compatible endpoints. Every entry point is a pure function of
/// (request, scheme, scope, credentials, time): no clock, no network, no shared state.
public enum RequestSigner {
    /// Adds the date header(s), the security-token header (`x-obs-security-token` / `x-amz-security-token`) when the
    /// credentials have one, `x-amz-content-sha256: UNSIGNED-PAYLOAD` for v4, and `Authorization`. Returns the
    /// signed request.
    ///
    /// Time: a `Date` or `x-obs-date`/`x-amz-date` header already in the request is kept and signed as is; otherwise
    /// OBS and V2 add `Date` (RFC 1123, GMT) and v4 adds `x-amz-date` (`yyyyMMdd'T'HHmmss'Z'`), both from `date`.
    /// For v4 a `Date` header without `x-amz-date` supplies the signing time, as the Python SDK does.
    /// An `Authorization` header already present is replaced.
    public static func sign(
        _ request: SignableRequest, version: SignatureVersion, scope: SigningScope,
        credentials: Credentials, date: Date
    ) -> SignableRequest {
        switch version {
        case .obs, .v2:
            return signV2(request, version: version, scope: scope, credentials: credentials, date: date)
        case .v4:
            return signV4(request, scope: scope, credentials: credentials, date: date)
        }
    }

    /// Presigned URL query parameters, to append after the request's own query. Values are raw: encode each name
    /// and value with `URIEncoding.encodeQueryComponent` when building the URL.
    ///
    /// - OBS / V2: `AccessKeyId` (`AWSAccessKeyId`), `Expires` (`date` + `seconds`, Unix time), `Signature`, and
    ///   `x-obs-security-token` (`x-amz-security-token`) for temporary credentials.
    /// - v4: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders=host`,
    ///   `X-Amz-Security-Token` for temporary credentials, `X-Amz-Signature`; payload `UNSIGNED-PAYLOAD`.
    public static func presignedQuery(
        _ request: SignableRequest, version: SignatureVersion, scope: SigningScope,
        credentials: Credentials, date: Date, expiresIn seconds: Int
    ) -> [(name: String, value: String)] {
        switch version {
        case .obs, .v2:
            return presignedQueryV2(
                request, version: version, scope: scope, credentials: credentials, date: date, expiresIn: seconds)
        case .v4:
            return presignedQueryV4(request, scope: scope, credentials: credentials, date: date, expiresIn: seconds)
        }
    }
}
