import OBSCore
import OBSSigner

/// One HTTP answer: status, headers, and a body that is empty, a few bytes, or a stream written by the backend.
public struct ServerResponse {
    public enum Body {
        case empty
        case bytes([UInt8])
        /// `write` pushes the bytes into the sink it is given (a blocking sink: the backend calls it from a
        /// BlockingPool thread, which a client that stops reading holds for the listener's stall timeout at most);
        /// `length` becomes Content-Length.
        case stream(length: Int64, write: @Sendable (any ByteSink) async throws -> Void)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Sets a header, replacing any of the same name (case-insensitively).
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { HeaderName.same($0.name, name) }
        headers.append((name, value))
    }

    public func header(_ name: String) -> String? {
        headers.first { HeaderName.same($0.name, name) }?.value
    }

    /// The body's length when it is known without running it.
    public var bodyLength: Int64 {
        switch body {
        case .empty: return 0
        case .bytes(let b): return Int64(b.count)
        case .stream(let length, _): return length
        }
    }
}

/// What answers requests: the OBS/S3 API and the KMS API each implement it.
public protocol RequestHandler: Sendable {
    func handle(_ request: ServerRequest) async -> ServerResponse
    /// The answer to bytes the HTTP layer could not read as a request (two Content-Lengths, a header section past
    /// its limit, a garbled request line), which no `handle` sees: logged as a request would be. nil: the HTTP
    /// layer's own bare 400.
    func unreadableRequestAnswer(peer: PeerAddress, headerSectionTooLarge: Bool) -> ServerResponse?
}

extension RequestHandler {
    public func unreadableRequestAnswer(peer: PeerAddress, headerSectionTooLarge: Bool) -> ServerResponse? { nil }
}
