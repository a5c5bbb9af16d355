import struct Foundation.Date
import typealias Foundation.TimeInterval
import OBSCrypto
import OBSTime

/// Why a request's `SDK-HMAC-SHA256` signature was refused. The server answers each with API gateway's
/// `401 APIGW.0301` (incorrect IAM authentication information); the case says what to log.
public enum SDKHMACVerificationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case missingAuthorization
    /// Not `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`, or naming a header the request lacks.
    case malformedAuthorization(String)
    case missingDate
    /// An `X-Sdk-Date` that is not `yyyyMMdd'T'HHmmss'Z'`.
    case malformedDate(String)
    /// More than `SDKHMACVerifier.maxClockSkew` between the request's `X-Sdk-Date` and the server's clock.
    case skewedDate(requestDate: Date, serverDate: Date)
    case unknownAccessKey(String)
    case signatureMismatch(accessKeyID: String)
    /// A signed `X-Sdk-Content-Sha256` that is neither the body's SHA-256 nor `UNSIGNED-PAYLOAD`.
    case payloadHashMismatch(declared: String, body: String)

    public var description: String {
        switch self {
        case .missingAuthorization: return "no Authorization header"
        case .malformedAuthorization(let why): return "malformed Authorization header: \(why)"
        case .missingDate: return "no X-Sdk-Date header"
        case .malformedDate(let value): return "X-Sdk-Date '\(value)' is not yyyyMMddTHHmmssZ"
        case .skewedDate(let request, let server):
            return "X-Sdk-Date \(Timestamps.amzDate(request)) is more than 15 minutes from the server's "
                + "\(Timestamps.amzDate(server))"
        case .unknownAccessKey(let ak): return "unknown access key \(ak)"
        case .signatureMismatch(let ak): return "signature mismatch for access key \(ak)"
        case .payloadHashMismatch(let declared, let body):
            return "X-Sdk-Content-Sha256 '\(declared.prefix(80))' is not the body's SHA-256 \(body)"
        }
    }
}

/// The server side of `SDKHMACSigner`: recomputes the signature over the headers the client lists in
/// `SignedHeaders`, with the values received (SDKs in other languages sign other header sets: Java every header,
/// one Go signer all but `Content-Type`), and accepts it within 15 minutes of the server's clock (API gateway's
/// rule). Headers the client did not sign play no part; the string to sign covers `X-Sdk-Date` in every case.
public enum SDKHMACVerifier {
    public static let maxClockSkew: TimeInterval = 15 * 60

    /// A verified request: who signed it, what was signed.
    public struct Verified: Sendable, Equatable {
        public var accessKeyID: String
        public var signedHeaders: [String]
        public var date: Date
        /// False when the client signed `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` instead of the body's hash.
        public var payloadSigned: Bool
    }

    /// The three fields of the `Authorization` header.
    public struct Authorization: Sendable, Equatable {
        public var accessKeyID: String
        public var signedHeaders: [String]
        public var signature: String

        /// `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`: each field exactly once, in any order,
        /// spaces around the commas optional; signed header names lower-case, none empty or repeated, `host` among
        /// them (every SDK signs it; without it a request could be replayed to another endpoint).
        public static func parse(_ value: String) throws(SDKHMACVerificationFailure) -> Authorization {
            let prefix = SDKHMACSigner.algorithm + " "
            guard value.hasPrefix(prefix) else {
                throw .malformedAuthorization("it does not start with '\(prefix)'")
            }
            var fields: [String: String] = [:]
            for item in value.dropFirst(prefix.count).split(separator: ",", omittingEmptySubsequences: false) {
                let field = item.trimmingSpaces()
                guard let eq = field.firstIndex(of: "=") else {
                    throw .malformedAuthorization("'\(field)' is not NAME=VALUE")
                }
                let name = String(field[..<eq])
                guard ["Access", "SignedHeaders", "Signature"].contains(name) else {
                    throw .malformedAuthorization("unknown field '\(name)'")
                }
                guard fields.updateValue(String(field[field.index(after: eq)...]), forKey: name) == nil else {
                    throw .malformedAuthorization("field '\(name)' given twice")
                }
            }
            guard let ak = fields["Access"], !ak.isEmpty else { throw .malformedAuthorization("no Access") }
            guard let signature = fields["Signature"], signature.utf8.count == 64,
                signature.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else { throw .malformedAuthorization("Signature is not 64 lower-case hex digits") }
            guard let list = fields["SignedHeaders"], !list.isEmpty else {
                throw .malformedAuthorization("no SignedHeaders")
            }
            let names = list.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            guard names.allSatisfy({ !$0.isEmpty && $0 == $0.lowercased() }), Set(names).count == names.count else {
                throw .malformedAuthorization("SignedHeaders '\(list)' is not distinct lower-case names joined by ';'")
            }
            guard names.contains("host") else { throw .malformedAuthorization("SignedHeaders does not include host") }
            return Authorization(accessKeyID: ak, signedHeaders: names, signature: signature)
        }
    }

    /// What the headers alone establish, before the body is read: a well-formed Authorization, an `X-Sdk-Date`
    /// within the clock skew, every signed header present, and the access key's secret. A request that fails here
    /// can be refused without reading its body.
    public struct Pending: Sendable {
        public let accessKeyID: String
        let request: SignableRequest
        let authorization: Authorization
        let date: Date
        let secret: SecretBytes
    }

    /// The checks of `verify` that need no body. `path`, `rawQuery`, `headers`, `secret`: as for `verify`.
    public static func checkHeaders(
        method: String, path: String, rawQuery: String, headers: [(name: String, value: String)], now: Date,
        secret: (String) -> SecretBytes?
    ) throws(SDKHMACVerificationFailure) -> Pending {
        let request = SignableRequest(
            method: method, path: path, query: SDKHMACSigner.parseQuery(rawQuery), headers: headers)
        let authorizations = headers.filter { $0.name.lowercased() == "authorization" }
        guard let header = authorizations.first?.value else { throw .missingAuthorization }
        guard authorizations.count == 1 else { throw .malformedAuthorization("Authorization sent more than once") }
        let auth = try Authorization.parse(SDKHMACSigner.trim(header))
        guard let dateText = request.headerValue(SDKHMACSigner.dateHeader) else { throw .missingDate }
        guard let date = Timestamps.parseAmzDate(SDKHMACSigner.trim(dateText)) else {
            throw .malformedDate(dateText)
        }
        guard abs(date.timeIntervalSince(now)) <= maxClockSkew else {
            throw .skewedDate(requestDate: date, serverDate: now)
        }
        let present = Set(headers.map { $0.name.lowercased() })
        if let absent = auth.signedHeaders.first(where: { !present.contains($0) }) {
            throw .malformedAuthorization("SignedHeaders names '\(absent)', which the request does not carry")
        }
        guard let key = secret(auth.accessKeyID) else { throw .unknownAccessKey(auth.accessKeyID) }
        return Pending(accessKeyID: auth.accessKeyID, request: request, authorization: auth, date: date, secret: key)
    }

    /// Verifies a request whose headers passed `checkHeaders`, given the hex SHA-256 of the body received
    /// (`SDKHMACSigner.bodySHA256`). The signature covers a signed `X-Sdk-Content-Sha256` in place of the body, so
    /// a hash declared there must be the body's: else a captured request could be sent again with another body.
    /// `UNSIGNED-PAYLOAD` verifies with `payloadSigned` false, for the caller to refuse.
    public static func verify(
        _ pending: Pending, bodySHA256: String
    ) throws(SDKHMACVerificationFailure) -> Verified {
        let auth = pending.authorization
        let payloadHash = SDKHMACSigner.payloadHash(
            pending.request, bodySHA256: bodySHA256, names: auth.signedHeaders)
        let expected = SDKHMACSigner.parts(
            pending.request, signedHeaders: auth.signedHeaders, payloadHash: payloadHash, secret: pending.secret)
        guard constantTimeEquals(Array(expected.signature.utf8), Array(auth.signature.utf8)) else {
            throw .signatureMismatch(accessKeyID: auth.accessKeyID)
        }
        let payloadSigned = payloadHash != SDKHMACSigner.unsignedPayload
        guard !payloadSigned || payloadHash.lowercased() == bodySHA256 else {
            throw .payloadHashMismatch(declared: payloadHash, body: bodySHA256)
        }
        return Verified(
            accessKeyID: auth.accessKeyID, signedHeaders: auth.signedHeaders, date: pending.date,
            payloadSigned: payloadSigned)
    }

    /// Verifies a received request: `checkHeaders`, then `verify` over the body's hash.
    ///
    /// - `path`: the request path as received (percent-encoded), without the query.
    /// - `rawQuery`: the query string as received, without `?` (empty for none).
    /// - `headers`: every header received (`Host` included).
    /// - `bodySHA256`: hex SHA-256 of the body bytes received (`SDKHMACSigner.bodySHA256`).
    /// - `secret`: the secret key of an access key id, nil when unknown.
    public static func verify(
        method: String, path: String, rawQuery: String, headers: [(name: String, value: String)],
        bodySHA256: String, now: Date, secret: (String) -> SecretBytes?
    ) throws(SDKHMACVerificationFailure) -> Verified {
        let pending = try checkHeaders(
            method: method, path: path, rawQuery: rawQuery, headers: headers, now: now, secret: secret)
        return try verify(pending, bodySHA256: bodySHA256)
    }
}
