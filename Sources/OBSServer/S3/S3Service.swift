import Foundation
import OBSCore
import OBSCrypto
import OBSLocalBackend
import OBSSigner
import OBSTime
import OBSXML

/// The OBS/S3 API over the embedded backend. Each request: route, authenticate (which also fixes the dialect of
/// the answer), apply the transport rules, dispatch, answer; one access-log line per request.
public final class S3Service: RequestHandler, Sendable {
    let backend: LocalBackend
    let credentials: ServeCredentials
    let log: AccessLog
    let serverNames: [String]
    let region: String
    let now: @Sendable () -> Date

    public init(
        backend: LocalBackend, credentials: ServeCredentials, log: AccessLog, serverNames: [String],
        region: String, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.backend = backend
        self.credentials = credentials
        self.log = log
        self.serverNames = serverNames
        self.region = region
        self.now = now
    }

    public func handle(_ request: ServerRequest) async -> ServerResponse {
        await BodySlots.s3Lane(request).handling(request) { await answer(request) }
    }

    private func answer(_ request: ServerRequest) async -> ServerResponse {
        let started = Date()
        var call = S3Call(
            request: request,
            route: S3Route.parse(rawPath: request.rawPath, host: request.header("Host"), serverNames: serverNames),
            requestID: Self.newRequestID())
        var response: ServerResponse
        var errorCode: String?
        do {
            // Every name the path and query give (keys, prefixes, markers) is decoded once, here and in the handlers.
            guard URIEncoding.decodesAsUTF8(request.rawPath) else { throw S3Failure.invalidURI("the path") }
            guard URIEncoding.decodesAsUTF8(request.rawQuery) else { throw S3Failure.invalidURI("the query") }
            if call.isAPIVersionProbe {
                response = ServerResponse(status: 200, headers: [], body: .empty)
            } else {
                try Self.refuseFormUpload(call)
                call.identity = try authenticate(call)
                if let verified = call.identity?.verified, verified.presigned {
                    try call.takeQueryHeaders(verified.signedQueryHeaders)
                }
                try checkTransport(call)
                response = try await dispatch(call)
            }
        } catch {
            let failure = Self.failure(error)
            errorCode = failure.code
            response = errorResponse(failure, call)
        }
        response.setHeader(call.dialect.headerPrefix + "request-id", call.requestID)
        response.setHeader(call.dialect.headerPrefix + "id-2", call.requestID)
        // Huawei's SDKs ask `HEAD /bucket?apiversion` unsigned, and speak OBS's own signature and dialect only to a
        // server that answers with this header (the Java SDK: and 200), as OBS does; else they fall back to AWS V2.
        if call.subresource("apiversion") { response.setHeader("x-obs-api", "3.0") }
        return logged(response, call, errorCode: errorCode, started: started)
    }

    /// A browser form upload (S3's and OBS's POST Object: `multipart/form-data` to the bucket, signed by a policy
    /// in the form) is not implemented: 501 says so, where the signature check would answer a misleading 403.
    static func refuseFormUpload(_ call: S3Call) throws {
        guard call.request.method == "POST", call.route.bucket != nil, call.route.key == nil,
            call.request.header("Content-Type")?.lowercased().hasPrefix("multipart/form-data") == true
        else { return }
        throw S3Failure(
            "NotImplemented",
            "POST Object (browser form uploads) is not implemented by obsctl serve; use PUT or a presigned PUT URL",
            status: 501)
    }

    /// S3's error document and request id for what was no request, and its access-log line, so that every answer
    /// has them (README: "Every answer has a request id header").
    public func unreadableRequestAnswer(peer: PeerAddress, headerSectionTooLarge: Bool) -> ServerResponse? {
        let failure =
            headerSectionTooLarge
            ? S3Failure(
                "RequestHeaderSectionTooLarge", "Your request header section exceeds the maximum allowed size.",
                status: 400)
            : S3Failure("BadRequest", "The request could not be read as HTTP/1.1.", status: 400)
        let id = Self.newRequestID()
        let body = ServerXML.error(
            ServiceError(code: failure.code, message: failure.message, requestID: id, hostID: id, resource: "/"),
            details: failure.extra)
        log.record(
            AccessLog.Entry(
                time: Date(), requestID: id, remote: peer.ip, method: "-", bucket: nil, key: nil, status: 400,
                bytesIn: 0, bytesOut: Int64(body.count), duration: 0, accessKeyID: nil, errorCode: failure.code,
                api: "s3"))
        return ServerResponse(
            status: 400,
            headers: [
                ("Content-Type", "application/xml"), ("Date", Timestamps.rfc1123(Date())), ("x-amz-request-id", id),
                ("x-amz-id-2", id),
            ], body: .bytes(body))
    }

    static func failure(_ error: Error) -> S3Failure {
        switch error {
        case let failure as S3Failure: return failure
        case let failure as AuthenticationFailure: return S3Failure(failure)
        case let error as OBSError: return S3Failure(error)
        case RequestBodyFailure.stalled:
            return S3Failure(
                "RequestTimeout",
                "Your socket connection to the server was not read from or written to within the timeout period. "
                    + "Idle connections will be closed.", status: 400)
        case RequestBodyFailure.connectionLost:
            return S3Failure(
                "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header",
                status: 400)
        default: return S3Failure("InternalError", "\(error)", status: 500)
        }
    }

    /// Records the access-log line when the answer is complete: at once, or after its stream is written.
    private func logged(_ response: ServerResponse, _ call: S3Call, errorCode: String?, started: Date)
        -> ServerResponse
    {
        let status = response.status
        let record: @Sendable (Int64) -> Void = { [log] out in
            log.record(
                AccessLog.Entry(
                    time: started, requestID: call.requestID, remote: call.request.peer.ip,
                    method: call.request.method, bucket: call.route.bucket, key: call.route.key,
                    status: status, bytesIn: call.bytesIn.value, bytesOut: out,
                    duration: Date().timeIntervalSince(started), accessKeyID: call.identity?.accessKeyID,
                    errorCode: errorCode, api: call.dialect == .obs ? "obs" : "s3"))
        }
        guard case .stream(let length, let write) = response.body else {
            record(call.request.method == "HEAD" ? 0 : response.bodyLength)
            return response
        }
        // Recorded when the stream ends, fails (a client that left), or is dropped without being written, so every
        // answer has its line.
        let line = StreamLogLine(record)
        var wrapped = response
        wrapped.body = .stream(length: length) { sink in
            do {
                try await write(sink)
                line.write(length)
            } catch {
                line.write(-1)
                throw error
            }
        }
        return wrapped
    }

    static func newRequestID() -> String { Hex.encode(Random.bytes(8)).uppercased() }
}

/// What one request carries through the handlers.
/// `@unchecked Sendable`: all but `request.body` is Sendable, and one handler at a time reads the body.
struct S3Call: @unchecked Sendable {
    private(set) var request: ServerRequest
    let route: S3Route
    let requestID: String
    var identity: Identity?
    /// Body bytes received (as sent, framing included), counted as the handlers read them.
    let bytesIn = ByteCount()

    /// The answer's vocabulary: OBS's for OBS-signed requests, S3's otherwise.
    var dialect: ServeDialect {
        identity?.dialect
            ?? (request.header("Authorization")?.hasPrefix("OBS ") == true
                || request.query("AccessKeyId") != nil ? .obs : .s3)
    }

    func subresource(_ name: String) -> Bool { request.query(name) != nil }

    /// The OBS SDKs' unsigned `HEAD /[bucket]?apiversion`, asked before they choose a signature: answered 200 (with
    /// `x-obs-api`) without authentication, as it reveals nothing.
    var isAPIVersionProbe: Bool {
        request.method == "HEAD" && route.key == nil && subresource("apiversion")
            && request.header("Authorization") == nil && request.query("Signature") == nil
            && request.query("X-Amz-Signature") == nil
    }

    /// A presigned URL's signed header parameters (those its signature covers: `SignedQueryHeaders`) are the
    /// request's headers: what the signature covers is applied (SSE, metadata, checksums), never verified and then
    /// dropped; what it does not cover is not taken. The same name given as a header with another value is refused
    /// (which one was meant?). An SSE-C key is refused there: a URL is logged, shared and kept in histories, a key
    /// must not be (S3 takes it in headers only).
    mutating func takeQueryHeaders(_ signed: SignedQueryHeaders) throws {
        for item in request.queryItems {
            let name = item.name.lowercased()
            guard
                name.hasPrefix("x-amz-") || name.hasPrefix("x-obs-") || name == "content-type" || name == "content-md5",
                !Self.presignedAuthentication.contains(name), signed.covers(name)
            else { continue }
            if name.contains("server-side-encryption-customer-") {
                throw S3Failure.invalidArgument(
                    "\(item.name) in a URL's query: SSE-C keys are taken in headers only; send the key as headers")
            }
            if let header = request.header(name) {
                guard header == item.value ?? "" else {
                    throw S3Failure.invalidArgument(
                        "\(item.name) is given in the URL's query and as a header, with other values; give it once")
                }
                continue
            }
            request.headers.append((name, item.value ?? ""))
        }
    }

    /// A presigned URL's own parameters, lowercased: what authenticates it, not a header of the request.
    static let presignedAuthentication: Set<String> = [
        "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires", "x-amz-signedheaders",
        "x-amz-signature",
    ]
}

/// Who sent a request, once its signature checked out.
struct Identity: Sendable {
    var accessKeyID: String
    var dialect: ServeDialect
    /// What the signature covers (the payload declaration decides how the body is read).
    var verified: VerifiedRequest
}

/// The two vocabularies the server answers in.
public enum ServeDialect: Sendable {
    case obs, s3

    var headerPrefix: String { self == .obs ? "x-obs-" : "x-amz-" }
    var xml: XMLDialect { self == .obs ? .obs : .aws }
}

/// A byte count shared between the reading thread and the access log.
/// `@unchecked Sendable`: `count` is touched only under `lock`.
final class ByteCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count: Int64 = 0
    var value: Int64 { lock.withLock { count } }
    func add(_ n: Int) { lock.withLock { count += Int64(n) } }
}

/// A streamed answer's access-log line, written once: at its end, on its failure, or (-1 bytes) when the stream is
/// dropped before either. `@unchecked Sendable`: `written` is touched only under `lock`.
private final class StreamLogLine: @unchecked Sendable {
    private let lock = NSLock()
    private var written = false
    private let record: @Sendable (Int64) -> Void

    init(_ record: @escaping @Sendable (Int64) -> Void) { self.record = record }

    func write(_ bytes: Int64) {
        let first = lock.withLock {
            defer { written = true }
            return !written
        }
        if first { record(bytes) }
    }

    deinit { if !written { record(-1) } }
}
