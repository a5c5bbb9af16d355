import OBSCore
import OBSSigner

/// An HTTP request as the transport sends it: the URL parts already encoded, headers as sent (Host included).
public struct HTTPRequest {
    public enum Body {
        case empty
        case bytes([UInt8])
        /// Streamed from a source. `length` nil means chunked transfer encoding. A body can be sent again on retry
        /// only if the source can be rewound to its start.
        case stream(ByteSource, length: Int64?)
    }

    public var method: String
    public var scheme: String
    public var host: String
    public var port: Int?
    /// The path exactly as sent, percent-encoded once.
    public var path: String
    /// Raw (decoded) query parameters in sending order; nil value = bare parameter (`?uploads`).
    public var query: [(name: String, value: String?)]
    public var headers: [(name: String, value: String)]
    public var body: Body
    /// The request carries SSE-KMS or SSE-C intent over plain HTTP: it may leave only to a loopback address, as
    /// the transport checks on the connected address before anything is sent.
    public var loopbackOnly = false
    /// The answer's body is known to be small (a GET of a small object): the transport then needs no large receive
    /// buffer for it.
    public var smallResponse = false

    public init(
        method: String, scheme: String, host: String, port: Int?, path: String,
        query: [(name: String, value: String?)] = [], headers: [(name: String, value: String)] = [], body: Body = .empty
    ) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// An IPv6 address (it has colons), written in brackets in URLs and Host. Bytes, not Foundation's `contains`.
    var isIPv6: Bool { host.utf8.contains(UInt8(ascii: ":")) }

    /// `Host` header value: the port only when it is not the scheme's default.
    public var hostHeader: String {
        guard let port, !(scheme == "https" && port == 443) && !(scheme == "http" && port == 80) else {
            return isIPv6 ? "[\(host)]" : host
        }
        return isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public func header(_ name: String) -> String? {
        headers.first { HeaderName.same($0.name, name) }?.value
    }
}

/// Status, headers (names lower-cased) and, for non-streamed responses, the body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.last { $0.name == n }?.value
    }
}

/// A failure below HTTP: connection refused, reset, timeout, TLS verification. `retryable` says whether sending
/// the same request again may succeed.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var code: Int
    public var message: String
    public var retryable: Bool
    public var isTLSVerification: Bool
    /// Headers of a response that had started when the failure came (to resume a download where it broke).
    public var partialResponseHeaders: [(name: String, value: String)] = []
    /// Set when a `loopbackOnly` request was stopped before sending: the address connected to ("" when libcurl
    /// cannot report it).
    public var refusedAddress: String? = nil
    public var description: String { message }
}

/// A response sink that wants the status and headers before the first body byte (to decide how to check it).
public protocol ResponseHeadObserver: AnyObject {
    func responseBegins(status: Int, headers: [(name: String, value: String)])
}

/// Something that moves one HTTP request and its response. `responseSink` receives the body of 2xx responses
/// only; error bodies are returned in `HTTPResponse.body` (capped).
public protocol HTTPTransport: AnyObject {
    func send(_ request: HTTPRequest, responseSink: ByteSink?) throws -> HTTPResponse
}
