/// The signature scheme, which also fixes the header vocabulary of the request.
public enum SignatureVersion: String, Sendable, CaseIterable {
    /// `Authorization: OBS ak:sig`, HMAC-SHA1, `x-obs-*` headers.
    case obs
    /// `Authorization: AWS ak:sig`, the same algorithm with `x-amz-*` headers.
    case v2
    /// `AWS4-HMAC-SHA256`, service `s3`, payload `UNSIGNED-PAYLOAD`.
    case v4

    /// Prefix of the headers (and query parameters) that the OBS/V2 string-to-sign canonicalises.
    var headerPrefix: String { self == .obs ? "x-obs-" : "x-amz-" }
    /// The prefixed date header that, when present, empties the Date line of the OBS/V2 string-to-sign.
    var dateHeader: String { self == .obs ? "x-obs-date" : "x-amz-date" }
    /// Header (and, for OBS/V2 presigned URLs, query parameter) carrying an STS security token.
    var securityTokenHeader: String { self == .obs ? "x-obs-security-token" : "x-amz-security-token" }
    /// The word before `ak:sig` in an OBS/V2 `Authorization` header.
    var authorizationWord: String { self == .obs ? "OBS" : "AWS" }
    /// The query parameter naming the access key of an OBS/V2 presigned URL.
    var accessKeyParameter: String { self == .obs ? "AccessKeyId" : "AWSAccessKeyId" }
}

/// What a signer needs to know about one HTTP request. Values only; nothing here touches the network.
public struct SignableRequest: Sendable {
    /// Upper-case HTTP method, e.g. `GET`.
    public var method: String
    /// The request path exactly as sent on the wire, already percent-encoded: `/`, `/key%20x`, `/bucket/key`.
    public var path: String
    /// Raw (decoded) query parameters in the order they will be sent; a `nil` value is a bare parameter (`?uploads`).
    public var query: [(name: String, value: String?)]
    /// Headers as sent, including `Host` (with `:port` when the port is not 80/443).
    public var headers: [(name: String, value: String)]

    public init(
        method: String, path: String, query: [(name: String, value: String?)] = [],
        headers: [(name: String, value: String)] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// The value of the first header with this name (compared case-insensitively), if any.
    public func headerValue(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// Sets a header: replaces the first header of that name (case-insensitively) and drops any repeats, or appends.
    public mutating func setHeader(_ name: String, _ value: String) {
        let lower = name.lowercased()
        if let i = headers.firstIndex(where: { $0.name.lowercased() == lower }) {
            headers[i].value = value
            var j = headers.index(after: i)
            while j < headers.endIndex {
                if headers[j].name.lowercased() == lower { headers.remove(at: j) } else { j = headers.index(after: j) }
            }
        } else {
            headers.append((name: name, value: value))
        }
    }

    /// Removes every header of this name (compared case-insensitively).
    public mutating func removeHeader(_ name: String) {
        let lower = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lower }
    }
}

/// Where the request goes, as far as the signature is concerned.
public struct SigningScope: Sendable {
    /// The bucket, or `nil` for service-level calls (ListBuckets).
    public var bucket: String?
    /// `true` when the bucket is in the host name (`bucket.obs.region...`), `false` for path style (`/bucket/key`).
    public var virtualHosted: Bool
    /// Region for SigV4 (`cn-north-4`); unused by the OBS and V2 schemes.
    public var region: String

    public init(bucket: String?, virtualHosted: Bool, region: String) {
        self.bucket = bucket
        self.virtualHosted = virtualHosted
        self.region = region
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and horizontal tabs (header-value whitespace).
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
