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
        headers.first { HeaderName.same($0.name, name) }?.value
    }

    /// Sets a header: replaces the first header of that name (case-insensitively) and drops any repeats, or appends.
    public mutating func setHeader(_ name: String, _ value: String) {
        if let i = headers.firstIndex(where: { HeaderName.same($0.name, name) }) {
            headers[i].value = value
            var j = headers.index(after: i)
            while j < headers.endIndex {
                if HeaderName.same(headers[j].name, name) { headers.remove(at: j) } else { j = headers.index(after: j) }
            }
        } else {
            headers.append((name: name, value: value))
        }
    }

    /// Removes every header of this name (compared case-insensitively).
    public mutating func removeHeader(_ name: String) {
        headers.removeAll { HeaderName.same($0.name, name) }
    }
}

/// Header names compared and lower-cased as HTTP does (ASCII letters only), without making a string per
/// comparison: every request is signed, and the signer looks names up a dozen times.
public enum HeaderName {
    /// True when `a` and `b` are the same name, ASCII letters compared without case.
    public static func same(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return a.utf8.elementsEqual(b.utf8) { lower($0) == lower($1) }
    }

    /// The name with ASCII letters lower-cased; the same string when it has no upper-case letter.
    public static func lowercased(_ name: String) -> String {
        guard name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return name }
        return String(decoding: name.utf8.map(lower), as: UTF8.self)
    }

    private static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
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
    public func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
