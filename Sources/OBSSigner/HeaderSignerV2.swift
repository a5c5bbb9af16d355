import struct Foundation.Date
import OBSCrypto
import OBSTime

/// The OBS header signature (`Authorization: OBS ak:sig`, `x-obs-*`) and its AWS-V2 twin (`AWS ak:sig`, `x-amz-*`),
/// docs/obs-protocol.md sections 2.1-2.4 and 2.7:
///
///     Signature    = Base64(HMAC-SHA1(SK, StringToSign))
///     StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedHeaders CanonicalizedResource
extension RequestSigner {
    /// CanonicalizedHeaders: headers whose lower-cased name starts with `prefix`, names lower-cased, values trimmed,
    /// repeated headers joined with `,` in the order sent, sorted by name byte-wise, each as `name:value\n`.
    static func canonicalizedHeadersV2(_ headers: [(name: String, value: String)], prefix: String) -> String {
        var merged: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            guard name.hasPrefix(prefix) else { continue }
            merged[name, default: []].append(header.value.trimmingSpaces())
        }
        return merged.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }
            .joined()
    }

    /// The OBS/V2 StringToSign.
    ///
    /// - `Content-MD5` / `Content-Type`: the header values (trimmed), empty when absent.
    /// - Date line: `expires` when given (query-string authentication); otherwise empty when the prefixed date header
    ///   (`x-obs-date` / `x-amz-date`) is present, else the `Date` header (empty when absent).
    static func stringToSignV2(
        method: String, headers: [(name: String, value: String)], resource: String,
        prefix: String, expires: String? = nil
    ) -> String {
        func value(_ name: String) -> String? {
            let matching = headers.filter { $0.name.lowercased() == name }.map { $0.value.trimmingSpaces() }
            return matching.isEmpty ? nil : matching.joined(separator: ",")
        }
        let dateLine: String
        if let expires {
            dateLine = expires
        } else if value(prefix + "date") != nil {
            dateLine = ""
        } else {
            dateLine = value("date") ?? ""
        }
        return method + "\n"
            + (value("content-md5") ?? "") + "\n"
            + (value("content-type") ?? "") + "\n"
            + dateLine + "\n"
            + canonicalizedHeadersV2(headers, prefix: prefix)
            + resource
    }

    /// Base64(HMAC-SHA1(secret, UTF-8 string-to-sign)).
    static func signatureV2(stringToSign: String, secret: SecretBytes) -> String {
        Base64.encode(HMAC.sha1(key: secret, data: Array(stringToSign.utf8)))
    }

    /// Header form: adds `Date` unless a `Date` or prefixed date header is already there, the security-token header
    /// when the credentials carry one, and `Authorization: OBS|AWS ak:signature`.
    static func signV2(
        _ request: SignableRequest, version: SignatureVersion, scope: SigningScope,
        credentials: Credentials, date: Date
    ) -> SignableRequest {
        precondition(version != .v4)
        var signed = request
        signed.removeHeader("Authorization")
        if signed.headerValue(version.dateHeader) == nil, signed.headerValue("Date") == nil {
            signed.setHeader("Date", Timestamps.rfc1123(date))
        }
        if let token = credentials.securityToken {
            signed.setHeader(version.securityTokenHeader, token)
        }
        let prefix = version.headerPrefix
        let resource = canonicalResource(path: signed.path, query: signed.query, scope: scope, prefix: prefix)
        let sts = stringToSignV2(method: signed.method, headers: signed.headers, resource: resource, prefix: prefix)
        let signature = signatureV2(stringToSign: sts, secret: credentials.secretAccessKey)
        signed.setHeader("Authorization", "\(version.authorizationWord) \(credentials.accessKeyID):\(signature)")
        return signed
    }

    /// Query-string form: `AccessKeyId` (`AWSAccessKeyId` for V2), `Expires` (absolute Unix seconds), `Signature`,
    /// then the security token (`x-obs-security-token` / `x-amz-security-token`) when there is one; the token is a
    /// sub-resource, so it is signed. Headers of the request that the scheme signs (Content-Type, Content-MD5,
    /// prefixed ones) are signed too and must then be sent by whoever uses the URL.
    static func presignedQueryV2(
        _ request: SignableRequest, version: SignatureVersion, scope: SigningScope,
        credentials: Credentials, date: Date, expiresIn seconds: Int
    ) -> [(name: String, value: String)] {
        precondition(version != .v4)
        let expires = String(Timestamps.epochSeconds(date) + Int64(seconds))
        var query = request.query
        if let token = credentials.securityToken {
            query.append((name: version.securityTokenHeader, value: token))
        }
        let prefix = version.headerPrefix
        let resource = canonicalResource(path: request.path, query: query, scope: scope, prefix: prefix)
        let sts = stringToSignV2(
            method: request.method, headers: request.headers, resource: resource,
            prefix: prefix, expires: expires)
        let signature = signatureV2(stringToSign: sts, secret: credentials.secretAccessKey)
        var out: [(name: String, value: String)] = [
            (name: version.accessKeyParameter, value: credentials.accessKeyID),
            (name: "Expires", value: expires),
            (name: "Signature", value: signature),
        ]
        if let token = credentials.securityToken {
            out.append((name: version.securityTokenHeader, value: token))
        }
        return out
    }
}
