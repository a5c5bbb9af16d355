import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Synchronization

/// One operation as a request: the URL (virtual-hosted or path style), headers, signature, and the loop that
/// drives `RequestExecutor` against a transport (sending, resending after backoff, correcting the clock).
extension RemoteBackend {
    struct Operation {
        init(
            method: String, bucket: BucketName? = nil, key: ObjectKey? = nil, query: [(String, String?)] = [],
            headers: [(String, String)] = [],
            body: HTTPRequest.Body = .empty, contentMD5: Bool = false, customerKey: CustomerKey? = nil,
            range: ClosedRange<Int64>? = nil, ifMatch: String? = nil, sseIntent: SSEMode? = nil
        ) {
            self.method = method
            self.bucket = bucket
            self.key = key
            self.query = query
            self.headers = headers
            self.body = body
            self.contentMD5 = contentMD5
            self.customerKey = customerKey
            self.range = range
            self.ifMatch = ifMatch
            self.sseIntent = sseIntent
        }
        var method: String
        var bucket: BucketName? = nil
        var key: ObjectKey? = nil
        var query: [(String, String?)] = []
        var headers: [(String, String)] = []
        var body: HTTPRequest.Body = .empty
        var contentMD5 = false
        var customerKey: CustomerKey? = nil
        /// A GET of these bytes only (Range); a broken one resumes after what it delivered.
        var range: ClosedRange<Int64>? = nil
        /// The object must still be this version (If-Match), as for the ranges of one parallel download.
        var ifMatch: String? = nil
        /// SSE-KMS or SSE-C intent the headers do not show (a bucket's encryption in the body, a bucket to be made
        /// encrypted): the request then obeys the plain-HTTP loopback rule too.
        var sseIntent: SSEMode? = nil
        /// The answer's body is known to be small (`HTTPRequest.smallResponse`).
        var smallResponse = false
    }

    func httpRequest(_ op: Operation) -> HTTPRequest {
        var host = configuration.host
        var path = "/"
        if let b = op.bucket {
            let encodedKey = op.key.map { URIEncoding.encodeObjectKey($0.value) } ?? ""
            switch configuration.addressing {
            case .virtual:
                host = "\(b.value).\(configuration.host)"
                path = "/" + encodedKey
            case .path: path = "/\(b.value)" + (op.key == nil ? "" : "/" + encodedKey)
            }
        }
        var request = HTTPRequest(
            method: op.method, scheme: configuration.scheme, host: host, port: configuration.port, path: path,
            query: op.query.map { (name: $0.0, value: $0.1) }, headers: [], body: op.body)
        request.headers.append((name: "Host", value: request.hostHeader))
        request.smallResponse = op.smallResponse
        if let intent = Self.sseIntent(op), intent == .kms || intent == .c {
            request.loopbackOnly = configuration.scheme == "http"
        }
        request.headers += op.headers.map { (name: $0.0, value: $0.1) }
        if op.contentMD5, case .bytes(let b) = op.body {
            request.headers.append((name: "Content-MD5", value: Base64.encode(Digest.md5(b))))
        }
        return request
    }

    func signingScope(_ bucket: BucketName?) -> SigningScope {
        SigningScope(
            bucket: bucket?.value, virtualHosted: configuration.addressing == .virtual, region: configuration.region)
    }

    private func signed(_ request: HTTPRequest, bucket: BucketName?) -> HTTPRequest {
        let signable = SignableRequest(
            method: request.method, path: request.path, query: request.query, headers: request.headers)
        let out = RequestSigner.sign(
            signable, version: configuration.signature, scope: signingScope(bucket),
            credentials: configuration.credentials,
            date: Date().addingTimeInterval(shared.clockOffset))
        var r = request
        r.headers = out.headers
        return r
    }

    /// Runs one operation on a thread of the blocking pool (libcurl never blocks Swift's cooperative pool), with
    /// a transport of this backend's own.
    func perform(_ op: Operation, sink: ByteSink? = nil) async throws -> HTTPResponse {
        let sinkBox = UncheckedBox(sink)
        return try await runBlocking { backend in
            try backend.serialised { try backend.performBlocking(op, sink: sinkBox.value, transport: $0) }
        }
    }

    /// Called once SIGINT or SIGTERM arrived: no request is retried after it. A retried Initiate would create an
    /// upload that nothing aborts, and a retry only holds up the exit.
    public static func stopRetrying() { retriesStopped.store(true, ordering: .sequentiallyConsistent) }
    private static let retriesStopped = Atomic<Bool>(false)
    private static var retrying: Bool { !retriesStopped.load(ordering: .sequentiallyConsistent) }

    /// Sends `op` until the executor says it is done or failed; `sink` receives the body of a 2xx answer.
    /// `cleanup`: a request of the interruption's own (an abort), retried as usual after `stopRetrying`.
    func performBlocking(_ op: Operation, sink: ByteSink?, transport: HTTPTransport, cleanup: Bool = false) throws
        -> HTTPResponse
    {
        let counting = sink.map(CountingSink.init)
        var executor = RequestExecutor(op, configuration: configuration)
        while true {
            let request = signed(
                httpRequest(executor.nextOperation(delivered: counting?.count ?? 0)), bucket: op.bucket)
            let outcome: RequestExecutor.Outcome
            do {
                debugLog?.write(DebugDump.request(request))
                let response = try transport.send(request, responseSink: counting)
                debugLog?.write(DebugDump.response(response))
                outcome = .response(response)
            } catch let e as TransportError {
                outcome = .failure(e)
            }
            switch executor.decide(outcome, delivered: counting?.count ?? 0, kmsAccepted: shared.kmsAccepted) {
            case .done(let response):
                if RepeatedKMSFailure.confirmsKMS(response, prefix: configuration.headerPrefix) {
                    shared.kmsAccepted = true
                }
                return response
            case .resend(let retry, let clockOffset):
                if let clockOffset { shared.clockOffset = clockOffset }
                guard cleanup || Self.retrying else { throw OBSError.interrupted }
                if let retry { self.sleep(executor.policy.delay(beforeRetry: retry, jitter: Double.random(in: 0...1))) }
                guard cleanup || Self.retrying else { throw OBSError.interrupted }
                if case .stream(let s, _) = op.body, let r = s as? RewindableByteSource { try r.rewind() }
            case .fail(let error):
                throw error
            }
        }
    }
}

/// Counts what reached the caller's sink, so a failed download is retried only when nothing was written yet.
final class CountingSink: ByteSink, ResponseHeadObserver {
    let inner: ByteSink
    private(set) var count: Int64 = 0
    init(_ inner: ByteSink) { self.inner = inner }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try inner.write(bytes)
        count += Int64(bytes.count)
    }
    func responseBegins(status: Int, headers: [(name: String, value: String)]) {
        (inner as? ResponseHeadObserver)?.responseBegins(status: status, headers: headers)
    }
}
