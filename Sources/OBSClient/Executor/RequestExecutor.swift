import Foundation
import OBSCore
import OBSTime

/// One operation's exchanges with the server, as a value-type state machine: `nextOperation` says what to send
/// (with Range and If-Match when a broken download resumes), `decide` takes what came back and says what follows:
/// done, resend (after a backoff, or at once with a corrected clock), or fail with the error the user sees.
/// No I/O, no clock, no sleeping here: `RemoteBackend.performBlocking` drives it against an `HTTPTransport`, and
/// the unit tests drive it against a scripted one.
struct RequestExecutor {
    enum Outcome {
        case response(HTTPResponse)
        case failure(TransportError)
    }

    enum Step {
        case done(HTTPResponse)
        /// Rewind the body and send `nextOperation` again, after `retry`'s backoff (nil: at once).
        case resend(retry: Int?, clockOffset: TimeInterval?)
        case fail(Error)
    }

    let operation: RemoteBackend.Operation
    let configuration: RemoteConfiguration
    let policy: RetryPolicy
    /// Resends spent on failures (a clock correction is not one).
    private(set) var retries = 0
    private var skewCorrected = false
    /// The ETag of the answer a download broke in: a resume must get the same object (If-Match).
    private var resumeETag: String?
    private var deliveredBeforeAttempt: Int64 = 0
    private var kmsFailure = RepeatedKMSFailure()

    init(_ operation: RemoteBackend.Operation, configuration: RemoteConfiguration) {
        self.operation = operation
        self.configuration = configuration
        self.policy = RetryPolicy(retries: configuration.retries)
    }

    /// The request to send, given the body bytes the caller's sink holds from earlier attempts: a download that
    /// broke resumes after them, and only when the object is still the same one.
    mutating func nextOperation(delivered: Int64) -> RemoteBackend.Operation {
        deliveredBeforeAttempt = delivered
        var current = operation
        let etag = operation.ifMatch ?? (delivered > 0 ? resumeETag : nil)
        if operation.range != nil || (delivered > 0 && etag != nil) {
            let start = (operation.range?.lowerBound ?? 0) + delivered
            let end = operation.range.map { String($0.upperBound) } ?? ""
            current.headers.append(("Range", "bytes=\(start)-\(end)"))
        }
        if let etag { current.headers.append(("If-Match", etag)) }
        return current
    }

    /// What follows `outcome`; `delivered`: the body bytes the sink holds now; `kmsAccepted`: the server has
    /// confirmed SSE-KMS before (its 500s are then ordinary).
    mutating func decide(_ outcome: Outcome, delivered: Int64, kmsAccepted: Bool) -> Step {
        switch outcome {
        case .response(let response): return decide(response, kmsAccepted: kmsAccepted)
        case .failure(let error): return decide(error, delivered: delivered)
        }
    }

    private var bodyReplayable: Bool {
        switch operation.body {
        case .empty, .bytes: return true
        case .stream(let s, _): return s is RewindableByteSource
        }
    }

    private mutating func decide(_ response: HTTPResponse, kmsAccepted: Bool) -> Step {
        if (200..<300).contains(response.status) { return .done(response) }
        let error = RemoteErrors.map(response, op: operation, configuration: configuration)
        let replayable =
            bodyReplayable
            && (deliveredBeforeAttempt == 0 || resumeETag != nil
                || operation.ifMatch != nil)
        // A client clock off by more than the server allows (15 min): sign again by the server's Date, once.
        if error.code == "RequestTimeTooSkewed", !skewCorrected, replayable,
            let serverDate = response.header("date").flatMap(Timestamps.parseRFC1123)
        {
            skewCorrected = true
            return .resend(retry: nil, clockOffset: serverDate.timeIntervalSinceNow)
        }
        if !kmsAccepted, let unsupported = kmsFailure.repeated(error, op: operation) { return .fail(unsupported) }
        if RetryPolicy.isTransient(status: response.status, category: error.category), replayable,
            retries < policy.retries
        {
            retries += 1
            return .resend(retry: retries, clockOffset: nil)
        }
        return .fail(error)
    }

    private mutating func decide(_ error: TransportError, delivered: Int64) -> Step {
        if operation.method == "GET", resumeETag == nil, delivered > 0,
            let etag = error.partialResponseHeaders.last(where: { $0.name == "etag" })?.value
        {
            resumeETag = etag
        }
        let host = configuration.host
        if let address = error.refusedAddress {
            // Never retried: the next attempt could connect to the same address, or another one.
            let mode = RemoteBackend.sseIntent(operation)?.displayName ?? "SSE"
            let connected =
                address.isEmpty
                ? "an address libcurl cannot report (\(error.message))"
                : "\(address), not a loopback address"
            return .fail(
                OBSError(
                    code: "InsecureTransport",
                    message: "refused to send a request with \(mode) over plain HTTP: \(host) "
                        + "connected to \(connected); use an https:// endpoint",
                    httpStatus: 0, category: .usage))
        }
        if error.isTLSVerification {
            return .fail(
                OBSError(
                    code: "TLSError",
                    message: "TLS connection to \(host) failed: \(error.message); for a private CA "
                        + "pass --ca-bundle FILE",
                    httpStatus: 0, category: .configuration))
        }
        // Bytes already in the sink can only be resumed after, never sent twice.
        let replayable = bodyReplayable && (delivered == 0 || resumeETag != nil || operation.ifMatch != nil)
        if error.retryable, replayable, retries < policy.retries {
            retries += 1
            return .resend(retry: retries, clockOffset: nil)
        }
        return .fail(
            OBSError(
                code: "NetworkError",
                message: "cannot complete the request to \(host): \(error.message)"
                    + (retries > 0 ? " (after \(retries) retries)" : ""),
                httpStatus: 0, category: .transient))
    }
}

/// A 500 that comes back the same for a request of an SSE-KMS write is not transient: the server may not support
/// SSE-KMS at all (SeaweedFS answers InternalError, and accepts an SSE-KMS Initiate but fails every part). Said
/// after the second identical answer instead of retrying on, but only for status 500 and only until the server has
/// confirmed SSE-KMS on an answer (the SSE header says kms): then a 500 on part 537 of a real upload is retried.
struct RepeatedKMSFailure {
    private var last: String?

    /// A successful answer that states SSE-KMS: the server does have a KMS.
    static func confirmsKMS(_ r: HTTPResponse, prefix: String) -> Bool {
        let v = r.header(prefix + "server-side-encryption")
        return v == "kms" || v == "aws:kms"
    }

    mutating func repeated(_ error: OBSError, op: RemoteBackend.Operation) -> OBSError? {
        guard error.httpStatus == 500, RemoteBackend.sseIntent(op) == .kms else { return nil }
        let message = error.requestID.map { error.message.replacingOccurrences(of: $0, with: "") } ?? error.message
        let signature = "\(error.httpStatus) \(error.code) \(message)"
        defer { last = signature }
        guard signature == last else { return nil }
        return OBSError(
            code: error.code,
            message: "the server answered \(error.code) (HTTP \(error.httpStatus)) twice to a request "
                + "with SSE-KMS: it may not support SSE-KMS; use --sse obs or no --sse, or an endpoint "
                + "with a KMS",
            httpStatus: error.httpStatus, category: .kms, requestID: error.requestID, resource: error.resource)
    }
}
