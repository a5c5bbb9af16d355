import struct Foundation.Date
import OBSCrypto
import OBSTime

// The values `RequestVerifier` and `AWSChunkedDecoder` take and give: what the server received, who signed it and
// what the signature covers, and why a request was refused.

/// A request as the server received it, untouched: nothing decoded, nothing merged.
public struct IncomingRequest: Sendable {
    /// Upper-case HTTP method.
    public var method: String
    /// The path as on the wire, still percent-encoded: `/bucket/a%20b`. Both signature families sign these bytes.
    public var rawPath: String
    /// The query as on the wire, without `?`; empty when there is none.
    public var rawQuery: String
    /// Every header as received, in order, `Host` included (with its port).
    public var headers: [(name: String, value: String)]

    public init(method: String, rawPath: String, rawQuery: String = "", headers: [(name: String, value: String)]) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
    }

    /// Every value of a header (name compared case-insensitively), in the order received.
    func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return headers.filter { $0.name.lowercased() == lower }.map(\.value)
    }
}

/// What the body of an authenticated request is bound to, and so what the server must still check while reading it.
public enum PayloadDeclaration: Sendable, Equatable {
    /// OBS and AWS V2 signatures (header and query forms) do not cover the body; Content-MD5 is the client's
    /// integrity check, as on OBS.
    case none
    /// SigV4 `UNSIGNED-PAYLOAD` (also every presigned SigV4 URL).
    case unsigned
    /// SigV4 with the body's SHA-256 in `x-amz-content-sha256` (lower-case hex): the server hashes the body and
    /// answers `400 XAmzContentSHA256Mismatch` on a difference, before it keeps anything.
    case sha256(hex: String)
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`: an `aws-chunked` body whose chunks are signed in a chain
    /// from the request's signature; decode it with `AWSChunkedDecoder`.
    case streamingSigned(ChunkSigningContext)
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: an `aws-chunked` body without chunk signatures, trailers after it
    /// (a checksum the server verifies); decode it with `AWSChunkedDecoder`.
    case streamingUnsignedTrailer
}

/// What `AWSChunkedDecoder` needs to check a signed chunk chain. Holds the SigV4 signing key derived from the secret
/// for one day, region and service, so it never prints: `description` and the mirror show the scope only.
public struct ChunkSigningContext: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    let signingKey: SecretBytes
    /// `yyyyMMdd'T'HHmmss'Z'`, the request's signing time.
    public let amzDate: String
    /// `yyyymmdd/region/s3/aws4_request`.
    public let scope: String
    /// The request's own signature, which the first chunk's signature chains from.
    public let seedSignature: String
    /// True for `...-PAYLOAD-TRAILER`: trailers follow the last chunk, signed by `x-amz-trailer-signature`.
    public let signedTrailer: Bool
    public let accessKeyID: String

    public static func == (a: ChunkSigningContext, b: ChunkSigningContext) -> Bool {
        a.amzDate == b.amzDate && a.scope == b.scope && a.seedSignature == b.seedSignature
            && a.signedTrailer == b.signedTrailer && a.accessKeyID == b.accessKeyID
            && a.signingKey.constantTimeEquals(b.signingKey)
    }

    public var description: String {
        "ChunkSigningContext(scope: \(scope), amzDate: \(amzDate), signedTrailer: \(signedTrailer), "
            + "signingKey: <redacted>)"
    }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyID": accessKeyID, "scope": scope, "amzDate": amzDate, "seedSignature": seedSignature,
                "signedTrailer": signedTrailer, "signingKey": "<redacted>",
            ], displayStyle: .struct)
    }
}

/// An authenticated request: who signed it, with which scheme, and what the signature says about the body.
public struct VerifiedRequest: Sendable, Equatable {
    public var accessKeyID: String
    /// `.obs` (`OBS ak:sig`, OBS presigned URL), `.v2` (`AWS ak:sig`, `AWSAccessKeyId=` URL) or `.v4`: the dialect
    /// to answer in (`x-obs-*` headers to `.obs`, `x-amz-*` to the others).
    public var scheme: SignatureVersion
    /// True for the query-string forms (presigned URLs).
    public var presigned: Bool
    /// The STS token the client sent (`x-obs-security-token` / `x-amz-security-token`, header or query); it is
    /// covered by the signature. Whether a token is acceptable at all is the server's decision.
    public var securityToken: String?
    public var payload: PayloadDeclaration
    /// The SigV4 credential scope's region, any region being accepted; nil for OBS and V2.
    public var region: String?
    /// The signing time (header forms) or the URL's start time (SigV4 presigned); nil for OBS/V2 presigned URLs.
    public var requestDate: Date?
    /// Which of a presigned URL's query parameters the signature covers as headers: what a server may apply.
    public var signedQueryHeaders: SignedQueryHeaders = .none
}

/// The query parameters a presigned URL's signature covers, of those presigners move there from headers.
public enum SignedQueryHeaders: Sendable, Equatable {
    /// A header form: none.
    case none
    /// SigV4: every query parameter is signed.
    case all
    /// OBS and AWS V2: the parameters with the scheme's own prefix (`x-obs-`, `x-amz-`); `withContent`: also
    /// Content-Type and Content-MD5, which only S3's reading of V2 signs.
    case prefixed(String, withContent: Bool)

    /// Whether the query parameter `name` (lowercased) is signed as a header.
    public func covers(_ name: String) -> Bool {
        switch self {
        case .none: return false
        case .all: return true
        case .prefixed(let prefix, let withContent):
            return name.hasPrefix(prefix) || (withContent && (name == "content-type" || name == "content-md5"))
        }
    }
}

/// A request the authentication layer refuses, in the terms S3 and OBS answer with: the error `code` and HTTP
/// status, and for a signature mismatch the string-to-sign (and SigV4 canonical request) computed on the server,
/// which both services return in the 403 body so that the client can compare. None of it is secret.
/// `AWSChunkedDecoder` reports malformed bodies with the same type (400 `IncompleteBody` / `InvalidRequest`,
/// 403 `SignatureDoesNotMatch` for a chunk), so the server has one error to render.
public struct AuthenticationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// `SignatureDoesNotMatch`, `AccessDenied`, `InvalidAccessKeyId`, `RequestTimeTooSkewed`,
    /// `AuthorizationHeaderMalformed`, `AuthorizationQueryParametersError`, `InvalidArgument`, `InvalidRequest`,
    /// `IncompleteBody`.
    public var code: String
    public var message: String
    public var httpStatus: Int
    public var stringToSign: String?
    /// SigV4 only.
    public var canonicalRequest: String?
    public var accessKeyID: String?
    /// The signature the client sent (S3's `SignatureProvided`).
    public var signatureProvided: String?

    public init(
        code: String, message: String, httpStatus: Int, stringToSign: String? = nil, canonicalRequest: String? = nil,
        accessKeyID: String? = nil, signatureProvided: String? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.stringToSign = stringToSign
        self.canonicalRequest = canonicalRequest
        self.accessKeyID = accessKeyID
        self.signatureProvided = signatureProvided
    }

    public var description: String { "\(httpStatus) \(code): \(message)" }

    // MARK: - The failures, worded as S3 words them

    static func accessDenied(_ message: String, accessKeyID: String? = nil) -> AuthenticationFailure {
        AuthenticationFailure(code: "AccessDenied", message: message, httpStatus: 403, accessKeyID: accessKeyID)
    }

    static func invalidArgument(_ message: String) -> AuthenticationFailure {
        AuthenticationFailure(code: "InvalidArgument", message: message, httpStatus: 400)
    }

    static func invalidRequest(_ message: String) -> AuthenticationFailure {
        AuthenticationFailure(code: "InvalidRequest", message: message, httpStatus: 400)
    }

    static func headerMalformed(_ message: String) -> AuthenticationFailure {
        AuthenticationFailure(code: "AuthorizationHeaderMalformed", message: message, httpStatus: 400)
    }

    static func queryMalformed(_ message: String) -> AuthenticationFailure {
        AuthenticationFailure(code: "AuthorizationQueryParametersError", message: message, httpStatus: 400)
    }

    static func unknownAccessKey(_ ak: String) -> AuthenticationFailure {
        AuthenticationFailure(
            code: "InvalidAccessKeyId", message: "The access key Id you provided does not exist in our records.",
            httpStatus: 403, accessKeyID: ak)
    }

    static func missingDate(accessKeyID: String) -> AuthenticationFailure {
        accessDenied(
            "Authentication requires a valid Date or x-amz-date / x-obs-date header.", accessKeyID: accessKeyID)
    }

    static func expired(accessKeyID: String) -> AuthenticationFailure {
        accessDenied("Request has expired", accessKeyID: accessKeyID)
    }

    static func skewed(requestDate: Date, now: Date, accessKeyID: String) -> AuthenticationFailure {
        AuthenticationFailure(
            code: "RequestTimeTooSkewed",
            message: "The difference between the request time (\(Timestamps.amzDate(requestDate))) and the "
                + "server's time (\(Timestamps.amzDate(now))) is more than 15 minutes.",
            httpStatus: 403, accessKeyID: accessKeyID)
    }

    static func mismatch(
        stringToSign: String, canonicalRequest: String? = nil, accessKeyID: String?, provided: String
    ) -> AuthenticationFailure {
        AuthenticationFailure(
            code: "SignatureDoesNotMatch",
            message: "The request signature we calculated does not match the signature you provided. "
                + "Check your key and signing method.",
            // They go into the error body, which clients log: without the SSE-C keys and tokens they quote.
            httpStatus: 403, stringToSign: SecretFields.redacted(stringToSign),
            canonicalRequest: canonicalRequest.map(SecretFields.redacted),
            accessKeyID: accessKeyID, signatureProvided: provided)
    }
}
