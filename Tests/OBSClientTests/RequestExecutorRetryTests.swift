import Foundation
import OBSCore
import Testing

@testable import OBSClient

/// The executor's retry decisions, driven against a scripted transport: what is sent again, how often, after
/// which wait, and the error the user sees when it gives up. The fault proxy tests (RemoteFaultTests) show the
/// same paths end to end; these pin each decision.
struct RequestExecutorRetryTests {
    private func get() throws -> RemoteBackend.Operation {
        let (b, k) = try object()
        return RemoteBackend.Operation(method: "GET", bucket: b, key: k)
    }

    @Test("503 twice, then 200: three sends, two backoffs of growing caps (0.1-0.2 s, then 0.2-0.4 s)")
    func serviceUnavailableTwice() throws {
        let script = FaultScript([
            .answer(503, [], errorBody("ServiceUnavailable")),
            .answer(503, [], errorBody("ServiceUnavailable")), .answer(200, [], Array("ok".utf8)),
        ])
        let sleeps = SleepLog()
        let client = try faultClient(script, retries: 3, sleeps: sleeps)
        let response = try client.serialised { try client.performBlocking(try get(), sink: nil, transport: $0) }
        #expect(response.status == 200 && script.requests.count == 3)
        let waits = sleeps.waits
        #expect(waits.count == 2)
        #expect(waits.count == 2 && (0.1...0.2).contains(waits[0]) && (0.2...0.4).contains(waits[1]), "\(waits)")
    }

    @Test("the retry budget: --retries 2 and a server that always fails: three sends, then exit 11 (transient)")
    func retryBudget() throws {
        for status in [500, 502, 503, 504, 429] {
            let script = FaultScript(Array(repeating: .answer(status, [], errorBody("SlowDown")), count: 5))
            let client = try faultClient(script, retries: 2)
            let error = #expect(throws: OBSError.self) {
                try client.serialised { try client.performBlocking(try get(), sink: nil, transport: $0) }
            }
            #expect(script.requests.count == 3, "status \(status)")
            #expect(error?.category == .transient && error?.httpStatus == status)
        }
    }

    @Test("400 RequestTimeout (the server waited too long for the body) is sent again, as a 5xx is")
    func requestTimeoutRetried() throws {
        let script = FaultScript([.answer(400, [], errorBody("RequestTimeout")), .answer(200, [], Array("ok".utf8))])
        let client = try faultClient(script, retries: 2)
        let response = try client.serialised { try client.performBlocking(try get(), sink: nil, transport: $0) }
        #expect(response.status == 200 && script.requests.count == 2)
        let always = FaultScript(Array(repeating: .answer(400, [], errorBody("RequestTimeout")), count: 3))
        let failing = try faultClient(always, retries: 1)
        let error = #expect(throws: OBSError.self) {
            try failing.serialised { try failing.performBlocking(try get(), sink: nil, transport: $0) }
        }
        #expect(always.requests.count == 2 && error?.category == .transient, "\(String(describing: error))")
    }

    @Test("--retries 0: a 503 fails at once with exit 11, one send, no wait")
    func noRetries() throws {
        let script = FaultScript([.answer(503, [], errorBody("ServiceUnavailable")), .answer(200, [], [])])
        let sleeps = SleepLog()
        let client = try faultClient(script, retries: 0, sleeps: sleeps)
        #expect(throws: OBSError.self) {
            try client.serialised { try client.performBlocking(try get(), sink: nil, transport: $0) }
        }
        #expect(script.requests.count == 1 && sleeps.waits.isEmpty)
    }

    @Test("non-retryable answers fail on the first send: 400, 403, 404, 409, 412 and 501 (not implemented)")
    func nonRetryable() throws {
        let cases: [(Int, String, OBSError.Category)] = [
            (400, "InvalidArgument", .usage), (403, "AccessDenied", .accessDenied), (404, "NoSuchKey", .notFound),
            (409, "OperationAborted", .conflict), (412, "PreconditionFailed", .conflict),
            (501, "NotImplemented", .general),
        ]
        for (status, code, category) in cases {
            let script = FaultScript([.answer(status, [], errorBody(code)), .answer(200, [], [])])
            let client = try faultClient(script, retries: 3)
            let error = #expect(throws: OBSError.self) {
                try client.serialised { try client.performBlocking(try get(), sink: nil, transport: $0) }
            }
            #expect(script.requests.count == 1, "\(status) \(code) is not sent again")
            #expect(error?.code == code && error?.category == category, "\(status): \(String(describing: error))")
        }
    }

    @Test("the request id of a failed request is kept: from the XML body, else from the header of a HEAD")
    func requestIDCaptured() throws {
        let script = FaultScript([
            .answer(403, [], errorBody("AccessDenied", requestID: "BODY-ID")),
            .answer(404, [("x-amz-request-id", "HEADER-ID")], []),
        ])
        let client = try faultClient(script, retries: 0)
        let first = #expect(throws: OBSError.self) {
            try client.serialised { try client.performBlocking(try get(), sink: nil, transport: $0) }
        }
        var head = try get()
        head.method = "HEAD"
        let second = #expect(throws: OBSError.self) {
            try client.serialised { try client.performBlocking(head, sink: nil, transport: $0) }
        }
        #expect(first?.requestID == "BODY-ID" && first?.message.contains("BODY-ID") == true)
        #expect(second?.requestID == "HEADER-ID" && second?.category == .notFound)
    }

    @Test("bytes damaged on the way in (BadDigest): sent again from the start of a rewindable body")
    func damagedUploadIsResent() throws {
        let (b, k) = try object()
        let file = try TemporaryFile(Array("payload".utf8))
        let fd = open(file.path, O_RDONLY)
        defer { close(fd) }
        let source = FileDescriptorSource.make(fd: fd, path: file.path)
        #expect(source is RewindableByteSource)
        let put = RemoteBackend.Operation(method: "PUT", bucket: b, key: k, body: .stream(source, length: 7))
        let script = FaultScript([.answer(400, [], errorBody("BadDigest")), .answer(200, [("etag", "\"e\"")], [])])
        let reads = ReadingTransport(script)
        let client = try faultClient(script, retries: 1)
        _ = try client.serialised { _ in try client.performBlocking(put, sink: nil, transport: reads) }
        #expect(script.requests.count == 2)
        #expect(reads.bodies == ["payload", "payload"], "each send reads the whole body: \(reads.bodies)")
    }

    @Test("a body that cannot be read again (a pipe) is never resent: the first 503 is the answer")
    func unreplayableBodyIsNotResent() throws {
        let (b, k) = try object()
        let put = RemoteBackend.Operation(
            method: "PUT", bucket: b, key: k,
            body: .stream(BufferSource(Array("x".utf8)), length: nil))
        let script = FaultScript([.answer(503, [], errorBody("ServiceUnavailable")), .answer(200, [], [])])
        let client = try faultClient(script, retries: 3)
        #expect(throws: OBSError.self) {
            try client.serialised { try client.performBlocking(put, sink: nil, transport: $0) }
        }
        #expect(script.requests.count == 1)
    }

    @Test("connection reset and timeout before an answer: retried; when they persist, NetworkError (exit 11)")
    func resetAndTimeout() throws {
        let script = FaultScript([.fails(.reset), .fails(.stalled), .answer(200, [], [])])
        let client = try faultClient(script, retries: 2)
        let ok = try client.serialised { try client.performBlocking(try get(), sink: nil, transport: $0) }
        #expect(ok.status == 200 && script.requests.count == 3)

        let failing = FaultScript([.fails(.reset), .fails(.reset), .fails(.stalled)])
        let client2 = try faultClient(failing, retries: 2)
        let error = #expect(throws: OBSError.self) {
            try client2.serialised { try client2.performBlocking(try get(), sink: nil, transport: $0) }
        }
        #expect(failing.requests.count == 3)
        #expect(error?.code == "NetworkError" && error?.category == .transient)
        #expect(error?.message.contains("(after 2 retries)") == true, "\(String(describing: error?.message))")
    }

    @Test("a failure that retrying cannot fix is not retried: a libcurl error marked so, a TLS verification failure")
    func notRetryableTransportErrors() throws {
        let tls = TransportError(
            code: 60, message: "SSL certificate problem", retryable: false, isTLSVerification: true)
        let bad = TransportError(code: 3, message: "URL malformed", retryable: false, isTLSVerification: false)
        for (failure, code, category) in [
            (tls, "TLSError", OBSError.Category.configuration),
            (bad, "NetworkError", .transient),
        ] {
            let script = FaultScript([.fails(failure), .answer(200, [], [])])
            let client = try faultClient(script, retries: 3)
            let error = #expect(throws: OBSError.self) {
                try client.serialised { try client.performBlocking(try get(), sink: nil, transport: $0) }
            }
            #expect(script.requests.count == 1 && error?.code == code && error?.category == category)
        }
    }

    @Test("an SSE-C or SSE-KMS request stopped at a non-loopback address is never retried onto another address")
    func refusedAddressIsFinal() throws {
        let (b, k) = try object()
        for (headers, intent) in [
            ([("x-amz-server-side-encryption", "aws:kms")], SSEMode?.none),
            ([], SSEMode.c),
        ] {
            let op = RemoteBackend.Operation(method: "PUT", bucket: b, key: k, headers: headers, sseIntent: intent)
            var refused = TransportError(
                code: 0, message: "connected to 10.0.0.7, not a loopback address",
                retryable: false, isTLSVerification: false)
            refused.refusedAddress = "10.0.0.7"
            // Even marked retryable, a refused address ends the request.
            refused.retryable = true
            let script = FaultScript([.fails(refused), .answer(200, [], [])])
            let client = try faultClient(script, retries: 3)
            let error = #expect(throws: OBSError.self) {
                try client.serialised { try client.performBlocking(op, sink: nil, transport: $0) }
            }
            #expect(script.requests.count == 1)
            #expect(script.requests.first?.loopbackOnly == true, "the transport was told to check the address")
            #expect(
                error?.code == "InsecureTransport" && error?.category == .usage
                    && error?.message.contains("10.0.0.7") == true)
        }
    }

    @Test("RequestTimeTooSkewed: signed again by the server's clock at once (no backoff), once only")
    func clockSkew() throws {
        let ahead = Date().addingTimeInterval(3600)
        let date = httpDate(ahead)
        let skewed = FaultScript.Step.answer(403, [("date", date)], errorBody("RequestTimeTooSkewed"))
        let script = FaultScript([skewed, .answer(200, [], [])])
        let sleeps = SleepLog()
        let client = try faultClient(script, retries: 0, sleeps: sleeps)
        _ = try client.serialised { try client.performBlocking(try get(), sink: nil, transport: $0) }
        #expect(script.requests.count == 2 && sleeps.waits.isEmpty, "even with --retries 0, without a wait")
        let first = try #require(script.header("x-amz-date", ofRequest: 0).flatMap(amzDate))
        let second = try #require(script.header("x-amz-date", ofRequest: 1).flatMap(amzDate))
        #expect(
            abs(second.timeIntervalSince(first) - 3600) < 30, "the resend is signed an hour later: \(first) \(second)")
        #expect(abs(client.shared.clockOffset - 3600) < 30, "later requests keep the offset")

        let twice = FaultScript([skewed, skewed, .answer(200, [], [])])
        let client2 = try faultClient(twice, retries: 3)
        let error = #expect(throws: OBSError.self) {
            try client2.serialised { try client2.performBlocking(try get(), sink: nil, transport: $0) }
        }
        #expect(twice.requests.count == 2 && error?.code == "RequestTimeTooSkewed")
    }

    @Test(
        "the same 500 twice to an SSE-KMS write: a KMS problem (exit 5); once the server confirmed SSE-KMS, retried"
    )
    func repeatedKMSFailure() throws {
        let (b, k) = try object()
        let op = RemoteBackend.Operation(
            method: "PUT", bucket: b, key: k,
            headers: [("x-amz-server-side-encryption", "aws:kms")])
        let failure = FaultScript.Step.answer(500, [], errorBody("InternalError", requestID: "R1"))
        let script = FaultScript([
            failure, .answer(500, [], errorBody("InternalError", requestID: "R2")),
            .answer(200, [], []),
        ])
        let client = try faultClient(script, retries: 3)
        let error = #expect(throws: OBSError.self) {
            try client.serialised { try client.performBlocking(op, sink: nil, transport: $0) }
        }
        #expect(script.requests.count == 2 && error?.category == .kms)

        let confirmed = FaultScript([
            .answer(200, [("x-amz-server-side-encryption", "aws:kms")], []), failure, failure,
            .answer(200, [], []),
        ])
        let client2 = try faultClient(confirmed, retries: 3)
        for _ in 0..<2 { _ = try client2.serialised { try client2.performBlocking(op, sink: nil, transport: $0) } }
        #expect(confirmed.requests.count == 4 && confirmed.remaining == 0)
    }

    @Test("backoff: full jitter between half the cap and the cap; the cap doubles from 0.2 s up to 10 s")
    func backoffBounds() {
        let policy = RetryPolicy(retries: 10)
        #expect(policy.delay(beforeRetry: 1, jitter: 0) == 0.1 && policy.delay(beforeRetry: 1, jitter: 1) == 0.2)
        #expect(policy.delay(beforeRetry: 3, jitter: 1) == 0.8)
        #expect(policy.delay(beforeRetry: 12, jitter: 1) == 10 && policy.delay(beforeRetry: 12, jitter: 0) == 5)
    }
}

/// Records each request body as the transport would read it, then lets the script answer.
final class ReadingTransport: HTTPTransport {
    let script: FaultScript
    private(set) var bodies: [String] = []
    init(_ script: FaultScript) { self.script = script }
    func send(_ request: HTTPRequest, responseSink: ByteSink?) throws -> HTTPResponse {
        if case .stream(let source, _) = request.body {
            var out = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 64)
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                out += buffer[0..<n]
            }
            bodies.append(String(decoding: out, as: UTF8.self))
        }
        return try script.send(request, responseSink: responseSink)
    }
}

/// A file removed when the value goes away.
final class TemporaryFile {
    let path: String
    init(_ bytes: [UInt8]) throws {
        path = NSTemporaryDirectory() + "obsctl-executor-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw OBSError.localIO("cannot create \(path)")
        }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func httpDate(_ date: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "GMT")
    f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return f.string(from: date)
}

func amzDate(_ text: String) -> Date? {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return f.date(from: text)
}
