import OBSCore
import OBSSigner

/// One HTTP request as the listener received it: the wire forms of path and query (signatures are computed over
/// them), the headers in order, who sent it, and the body as a stream. The listener (obsctl-serve) fills it; tests
/// build it directly.
public struct ServerRequest {
    /// Upper-case method, e.g. `PUT`.
    public var method: String
    /// Percent-encoded path as sent, e.g. `/bucket/a%20b`.
    public var rawPath: String
    /// Query as sent, without `?`; empty when there is none.
    public let rawQuery: String
    /// The query's parameters, decoded once: `%XX` as UTF-8, `+` kept (as S3 reads it), a bare name (`?uploads`)
    /// with a nil value.
    public let queryItems: [(name: String, value: String?)]
    /// Headers as received, `Host` included, a name sent more than once as one (`ServerRequest.joiningRepeated`).
    public var headers: [(name: String, value: String)]
    /// The peer the connection came from.
    public var peer: PeerAddress
    /// Whether the connection is TLS.
    public var isTLS: Bool
    /// Plain HTTP from another machine: what may not carry SSE-C keys or SSE-KMS data (`requireSecureTransport`).
    public var isPlainFromAnotherMachine: Bool { !isTLS && !peer.isLoopback }
    /// The body, pulled in bounded pieces (a blocking `read`: call it from a BlockingPool thread, as the backend
    /// does, never from the cooperative pool).
    public var body: any ByteSource

    public init(
        method: String, rawPath: String, rawQuery: String = "", headers: [(name: String, value: String)] = [],
        peer: PeerAddress = .loopback, isTLS: Bool = false, body: any ByteSource = BufferSource([])
    ) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        queryItems = SDKHMACSigner.parseQuery(rawQuery)
        self.headers = Self.joiningRepeated(headers)
        self.peer = peer
        self.isTLS = isTLS
        self.body = body
    }

    /// A header sent more than once becomes one, its values trimmed and joined with `,` in the order sent, where
    /// the first one stood: the value every signature scheme signs for it, and S3 reads. Every reader then sees that
    /// one signed value; taking one copy of several (the first here, the last there) let a request be stored as other
    /// than it was signed (`x-amz-server-side-encryption` twice: one method kept, the other ignored).
    static func joiningRepeated(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var joined: [(name: String, value: String)] = []
        var position: [String: Int] = [:]
        for header in headers {
            let name = HeaderName.lowercased(header.name)
            if let i = position[name] {
                joined[i].value = joined[i].value.trimmingSpaces() + "," + header.value.trimmingSpaces()
            } else {
                position[name] = joined.count
                joined.append(header)
            }
        }
        return joined
    }

    /// The header of this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { HeaderName.same($0.name, name) }?.value
    }

    /// The decoded value of the first query parameter of this name; `""` for a bare name; nil when absent.
    public func query(_ name: String) -> String? {
        guard let item = queryItems.first(where: { $0.name == name }) else { return nil }
        return item.value ?? ""
    }
}

/// The address a connection came from, as the listener saw it (never what a header claims).
public struct PeerAddress: Sendable, Equatable {
    public var ip: String
    public var port: Int

    public init(ip: String, port: Int) {
        self.ip = ip
        self.port = port
    }

    /// 127.0.0.0/8, ::1 or an IPv4-mapped loopback address, decided on the address (`LoopbackAddress`).
    public var isLoopback: Bool { LoopbackAddress.isLoopback(ip) }

    public static let loopback = PeerAddress(ip: "127.0.0.1", port: 0)
}
