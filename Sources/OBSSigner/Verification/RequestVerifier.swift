import struct Foundation.Date
import typealias Foundation.TimeInterval
import OBSCrypto
import OBSTime

/// The server side of `RequestSigner`: authenticates a received request under whichever scheme the client used,
/// recomputing the string-to-sign with the signers' own canonicalisation (one implementation serves both sides).
/// Pure: no clock (`now` is a parameter), no network, no state.
///
///     try RequestVerifier.authenticate(IncomingRequest(method:rawPath:rawQuery:headers:), virtualHostBucket: bucket,
///                                      now: Date(), secret: { ak in store.secret(ak) })
///         -> VerifiedRequest, throws(AuthenticationFailure)   (`verify` gives the same as a `Result`)
///
/// Schemes, chosen from the request (an `Authorization` header and signature query parameters together are refused):
/// - `Authorization: OBS ak:sig` (`x-obs-*`, `x-obs-date`) and `AWS ak:sig` (`x-amz-*`): HMAC-SHA1 (HeaderSignerV2).
/// - Query `AccessKeyId` (OBS) / `AWSAccessKeyId` (V2), `Expires`, `Signature`: the same with `Expires` as the
///   date line; a URL past `Expires` is `403 AccessDenied` "Request has expired".
/// - `Authorization: AWS4-HMAC-SHA256 Credential=ak/date/region/s3/aws4_request, SignedHeaders=..., Signature=...`:
///   over exactly the headers the client names, any region; `x-amz-content-sha256` is required and says what
///   the body is bound to (`PayloadDeclaration`).
/// - Query `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires` (at most 604800),
///   `X-Amz-SignedHeaders`, `X-Amz-Signature`: the canonical query is every parameter but the signature; payload
///   `UNSIGNED-PAYLOAD`.
///
/// Rules common to all: header forms carry their time in `x-obs-date` / `x-amz-date` / `Date` (RFC 1123; SigV4 also
/// `yyyyMMdd'T'HHmmss'Z'`), and more than 15 minutes from `now` is `403 RequestTimeTooSkewed` (presigned forms use
/// their expiry instead); SigV4 refuses `x-amz-*` headers the client did not sign (as S3 does: they would be
/// changeable in transit); signatures are compared in constant time; an unknown access key is
/// `403 InvalidAccessKeyId`; a mismatch is `403 SignatureDoesNotMatch` with the server's string-to-sign.
///
/// Virtual-hosted style: the OBS/V2 canonical resource starts with `/bucket` when the bucket is in the host name,
/// which only the server can tell (it knows its own endpoint names), so the caller passes `virtualHostBucket`
/// (`virtualHostBucket(host:endpointHosts:)` derives it). SigV4 signs the path and `Host` as sent and needs nothing.
public enum RequestVerifier {
    /// S3's and OBS's limit between the request's time and the server's clock.
    public static let maxClockSkew: TimeInterval = 15 * 60
    /// The longest a SigV4 presigned URL may live (`X-Amz-Expires`), 7 days.
    public static let maxPresignedExpiry = 604_800

    /// `authenticate` as a `Result`.
    public static func verify(
        _ request: IncomingRequest, virtualHostBucket: String?, now: Date, secret: (String) -> SecretBytes?
    ) -> Result<VerifiedRequest, AuthenticationFailure> {
        Result { () throws(AuthenticationFailure) in
            try authenticate(request, virtualHostBucket: virtualHostBucket, now: now, secret: secret)
        }
    }

    /// The bucket in a virtual-hosted `Host` (`my.bucket.localhost:9000` -> `my.bucket` for endpoint `localhost`):
    /// the host without its port, when it ends with `.` + one of `endpointHosts` (compared case-insensitively);
    /// nil for the endpoint itself, another name, or an IP literal.
    public static func virtualHostBucket(host: String, endpointHosts: [String]) -> String? {
        let trimmed = host.trimmingSpaces().lowercased()
        guard !trimmed.hasPrefix("[") else { return nil }
        let name = trimmed.firstIndex(of: ":").map { String(trimmed[..<$0]) } ?? trimmed
        for endpoint in endpointHosts {
            let suffix = "." + endpoint.lowercased()
            if name.hasSuffix(suffix), name.count > suffix.count {
                return String(name.dropLast(suffix.count))
            }
        }
        return nil
    }

    // MARK: - Scheme selection

    /// Authenticates `request`. `virtualHostBucket` is the bucket named by the `Host` header (virtual-hosted style),
    /// nil for path style and service-level requests. `secret` gives the secret key of an access key id, nil when
    /// the key is unknown.
    public static func authenticate(
        _ request: IncomingRequest, virtualHostBucket: String?, now: Date, secret: (String) -> SecretBytes?
    ) throws(AuthenticationFailure) -> VerifiedRequest {
        let query = SDKHMACSigner.parseQuery(request.rawQuery)
        let names = Set(query.map(\.name))
        let queryV4 =
            names.contains("X-Amz-Algorithm") || names.contains("X-Amz-Signature")
            || names.contains("X-Amz-Credential")
        let queryV2 = names.contains("Signature")
        let authorizations = request.values("Authorization")
        guard authorizations.count <= 1 else {
            throw .invalidArgument("The Authorization header was sent more than once.")
        }
        if let header = authorizations.first {
            guard !queryV4 && !queryV2 else {
                throw .invalidArgument(
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
                        + "string parameter or the Authorization header should be specified.")
            }
            let value = header.trimmingSpaces()
            if value.hasPrefix(RequestSigner.algorithmV4 + " ") {
                return try verifyV4Header(request, authorization: value, now: now, secret: secret)
            }
            for version in [SignatureVersion.obs, .v2] where value.hasPrefix(version.authorizationWord + " ") {
                return try verifyV2Header(
                    request, authorization: value, version: version, query: query,
                    virtualHostBucket: virtualHostBucket, now: now, secret: secret)
            }
            throw .invalidArgument("Unsupported Authorization Type")
        }
        if queryV4 {
            return try verifyV4Query(request, query: query, now: now, secret: secret)
        }
        if queryV2 {
            let obs = names.contains(SignatureVersion.obs.accessKeyParameter)
            let v2 = names.contains(SignatureVersion.v2.accessKeyParameter)
            guard obs != v2 else {
                throw .accessDenied(
                    "Query-string authentication requires the Signature, Expires and AccessKeyId (OBS) or "
                        + "AWSAccessKeyId (AWS) parameters, one of the two.")
            }
            return try verifyV2Query(
                request, version: obs ? .obs : .v2, query: query, virtualHostBucket: virtualHostBucket, now: now,
                secret: secret)
        }
        throw .accessDenied("Anonymous access is forbidden for this operation.")
    }

    // MARK: - Shared helpers

    /// The single value of a query parameter (name compared exactly, as S3 does); nil when absent, refused when
    /// given twice (two values could sign one thing and mean another).
    static func single(
        _ query: [(name: String, value: String?)], _ name: String
    ) throws(AuthenticationFailure) -> String? {
        let values = query.filter { $0.name == name }
        guard values.count <= 1 else { throw .invalidArgument("The query parameter \(name) was given more than once.") }
        return values.first.map { $0.value ?? "" }
    }

    /// Whether `date` is within `maxClockSkew` of `now`.
    static func checkSkew(_ date: Date, now: Date, accessKeyID: String) throws(AuthenticationFailure) {
        guard abs(date.timeIntervalSince(now)) <= maxClockSkew else {
            throw .skewed(requestDate: date, now: now, accessKeyID: accessKeyID)
        }
    }

    /// Constant-time equality of two signatures' text.
    static func sameSignature(_ expected: String, _ provided: String) -> Bool {
        constantTimeEquals(Array(expected.utf8), Array(provided.utf8))
    }
}
