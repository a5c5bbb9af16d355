import Foundation
import OBSCore
import OBSCrypto
import OBSSigner

@testable import OBSClient

/// A transport that answers from a script, one step per request: the one place a fake is right, for faults that
/// a real server cannot be made to produce on cue (a reset after N body bytes, a skewed clock, a refused address).
/// Requests are recorded as sent (signed, with Range and If-Match).
final class FaultScript: HTTPTransport {
    enum Step {
        /// A complete answer; a 2xx body goes to the sink, any other is returned in the response.
        case answer(Int, [(String, String)], [UInt8])
        /// A 2xx answer that breaks after `body` was delivered (a reset, a truncated body, a stall).
        case breaks(Int, [(String, String)], [UInt8], TransportError)
        /// A failure before any answer (connection refused or reset, timeout, TLS, refused address).
        case fails(TransportError)
    }

    private(set) var requests: [HTTPRequest] = []
    private var steps: [Step]
    init(_ steps: [Step]) { self.steps = steps }

    var remaining: Int { steps.count }

    func send(_ request: HTTPRequest, responseSink: ByteSink?) throws -> HTTPResponse {
        requests.append(request)
        guard !steps.isEmpty else {
            throw TransportError.script("the script has no answer for request \(requests.count)")
        }
        switch steps.removeFirst() {
        case .answer(let status, let headers, let body):
            let headers = headers.map { (name: $0.0.lowercased(), value: $0.1) }
            guard (200..<300).contains(status), let sink = responseSink else {
                return HTTPResponse(status: status, headers: headers, body: body)
            }
            try deliver(body, status: status, headers: headers, to: sink)
            return HTTPResponse(status: status, headers: headers, body: [])
        case .breaks(let status, let headers, let body, var error):
            let headers = headers.map { (name: $0.0.lowercased(), value: $0.1) }
            if let sink = responseSink { try deliver(body, status: status, headers: headers, to: sink) }
            error.partialResponseHeaders = headers
            throw error
        case .fails(let error):
            throw error
        }
    }

    private func deliver(_ body: [UInt8], status: Int, headers: [(name: String, value: String)], to sink: ByteSink)
        throws
    {
        (sink as? ResponseHeadObserver)?.responseBegins(status: status, headers: headers)
        try body.withUnsafeBytes { try sink.write($0) }
    }

    func header(_ name: String, ofRequest n: Int) -> String? { requests[n].header(name) }
}

extension TransportError {
    static func script(_ message: String) -> TransportError {
        TransportError(code: 0, message: message, retryable: false, isTLSVerification: false)
    }
    /// libcurl's CURLE_RECV_ERROR (56): the peer reset the connection.
    static let reset = TransportError(
        code: 56, message: "Connection reset by peer", retryable: true,
        isTLSVerification: false)
    /// libcurl's CURLE_PARTIAL_FILE (18): fewer body bytes than Content-Length said.
    static let truncated = TransportError(
        code: 18, message: "transfer closed with bytes remaining to read",
        retryable: true, isTLSVerification: false)
    /// The stall check of CurlTransport (--timeout).
    static let stalled = TransportError(
        code: 42, message: "no data moved for 2 s (--timeout)", retryable: true,
        isTLSVerification: false)
}

/// Backoff waits the client asked for (none is slept: the tests run at once).
final class SleepLog: @unchecked Sendable {  // test only: `waits` is touched under `lock`
    private let lock = NSLock()
    private var log: [TimeInterval] = []
    func record(_ t: TimeInterval) {
        lock.lock()
        log.append(t)
        lock.unlock()
    }
    var waits: [TimeInterval] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }
}

func faultClient(
    _ script: FaultScript, retries: Int, sleeps: SleepLog = SleepLog(),
    endpoint: String = "http://127.0.0.1:9"
) throws -> RemoteBackend {
    let configuration = try RemoteConfiguration(
        endpoint: endpoint, region: "us-east-1", signature: .v4, addressing: .path,
        credentials: Credentials(accessKeyID: "AK", secretAccessKey: SecretBytes(copying: Array("sk".utf8))),
        transport: TransportOptions(), retries: retries)
    return try RemoteBackend(
        configuration: configuration, transport: script, warn: { _ in }, advise: { _ in },
        debug: nil, sleep: { sleeps.record($0) })
}

func errorBody(_ code: String, _ message: String = "scripted", requestID: String = "REQ1") -> [UInt8] {
    Array("<Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>\(requestID)</RequestId></Error>".utf8)
}

func object(_ bucket: String = "bkt", _ key: String = "k") throws -> (BucketName, ObjectKey) {
    (try BucketName(bucket), try ObjectKey(key))
}
