import Foundation
import OBSCore
import OBSCrypto
import OBSLocalBackend
import OBSSigner
import OBSTime

/// Huawei KMS's API (`POST /v1.0/{project_id}/kms/<operation>`) and IAM's project lookup
/// (`GET /v3/projects?name=REGION`) over the local KMS the CLI uses: same keys, same `kms:*` policy, every call in
/// its audit log. Each request is read whole (bodies are small JSON), verified with SDK-HMAC-SHA256 over the
/// headers the client signed, dispatched, and answered in KMS's JSON shapes; one access-log line per request.
public final class KMSService: RequestHandler, Sendable {
    let kms: LocalKMS
    let credentials: ServeCredentials
    let log: AccessLog
    let region: String
    let projectID: String
    let now: @Sendable () -> Date

    /// API gateway accepts AK/SK bodies up to 12 MB; KMS's own bodies are a few hundred bytes.
    static let bodyLimit = 1 << 20

    public init(
        kms: LocalKMS, credentials: ServeCredentials, log: AccessLog, region: String, projectID: String,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.kms = kms
        self.credentials = credentials
        self.log = log
        self.region = region
        self.projectID = projectID
        self.now = now
    }

    public func handle(_ request: ServerRequest) async -> ServerResponse {
        let started = Date()
        let call = KMSCall(request: request, requestID: Hex.encode(Random.bytes(16)))
        var response: ServerResponse
        do {
            // What the headers alone can refuse is refused before a slot is taken or a byte of the body read:
            // else clients that send headers and then nothing would hold every KMS slot for the body timeout.
            let pending = try SDKHMACVerifier.checkHeaders(
                method: request.method, path: request.rawPath, rawQuery: request.rawQuery, headers: request.headers,
                now: now(), secret: credentials.secret)
            // Nor by one that signs with a known access key id but a forged signature (checked only with the body):
            // the body, JSON of at most `bodyLimit`, is awaited holding no slot and no thread.
            if let streamed = request.body as? StreamedRequestBody, !(await streamed.arrival(timeout: streamed.timeout))
            {
                throw RequestBodyFailure.stalled
            }
            response = await BodySlots.kms.handling(request) { [self] in
                do {
                    return try await BlockingPool.shared.run { [self] in try process(call, pending) }
                } catch {
                    return failed(error, call)
                }
            }
        } catch {
            response = failed(error, call)
        }
        response.setHeader("X-Request-Id", call.requestID)
        if call.operation == "iam-projects" { response.setHeader("X-IAM-Trace-Id", call.requestID) }
        log.record(
            AccessLog.Entry(
                time: started, requestID: call.requestID, remote: request.peer.ip, method: request.method, bucket: nil,
                key: call.operation, status: response.status, bytesIn: Int64(call.bytesIn),
                bytesOut: response.bodyLength, duration: Date().timeIntervalSince(started),
                accessKeyID: call.accessKeyID, errorCode: call.errorCode, api: "kms"))
        return response
    }

    /// API gateway's answer to bytes that are no request (its family of request errors), with a request id and
    /// its access-log line, as every other answer has.
    public func unreadableRequestAnswer(peer: PeerAddress, headerSectionTooLarge: Bool) -> ServerResponse? {
        let id = Hex.encode(Random.bytes(16))
        var response = KMSFailure.gateway(
            400, "APIGW.0201",
            headerSectionTooLarge
                ? "Bad request: the header section is too large" : "Bad request: not an HTTP/1.1 request"
        ).response(requestID: id)
        response.setHeader("X-Request-Id", id)
        response.setHeader("Date", Timestamps.rfc1123(Date()))
        log.record(
            AccessLog.Entry(
                time: Date(), requestID: id, remote: peer.ip, method: "-", bucket: nil, key: nil,
                status: response.status, bytesIn: 0, bytesOut: response.bodyLength, duration: 0, accessKeyID: nil,
                errorCode: "APIGW.0201", api: "kms"))
        return response
    }

    private func failed(_ error: Error, _ call: KMSCall) -> ServerResponse {
        let failure = KMSFailure.from(error, operation: call.operation)
        call.errorCode = failure.code
        return failure.response(requestID: call.requestID)
    }

    /// Runs on a BlockingPool thread: the body's reads and the keystore's file I/O block.
    private func process(_ call: KMSCall, _ pending: SDKHMACVerifier.Pending) throws -> ServerResponse {
        let request = call.request
        let body = try Self.readAll(request.body, limit: Self.bodyLimit)
        call.bytesIn = body.count
        let verified = try SDKHMACVerifier.verify(pending, bodySHA256: SDKHMACSigner.bodySHA256(body))
        // Every KMS body is JSON, which the SDKs sign: an unsigned one could be replaced in flight or replayed.
        guard verified.payloadSigned else {
            throw KMSFailure.badSignature(
                "the body is not signed: X-Sdk-Content-Sha256 must be its SHA-256, not UNSIGNED-PAYLOAD")
        }
        call.accessKeyID = verified.accessKeyID
        // Routed only once authenticated: nothing about this server (its project id) goes to strangers.
        let route = try KMSRoute(method: request.method, rawPath: request.rawPath, projectID: projectID)
        call.operation = route.operation
        if let declared = request.header("X-Project-Id"), !declared.isEmpty, declared != projectID,
            route.operation != "iam-projects"
        {
            throw KMSFailure.projectMismatch(declared, projectID, region: region)
        }
        if route.operation == "iam-projects" { return try projects(request) }
        return try dispatch(route.operation, KMSRequestBody(bytes: body))
    }

    private static func readAll(_ body: any ByteSource, limit: Int) throws -> [UInt8] {
        try SmallBody.read(body, limit: limit) {
            KMSFailure(400, "KMS.0202", "the request body is larger than \(limit) bytes")
        }
    }

    /// IAM's `GET /v3/projects?name=REGION`, as SDKs call it to find the project id: this server's one project
    /// when the name is its region, else none (the SDK then says the project does not exist).
    private func projects(_ request: ServerRequest) throws -> ServerResponse {
        let name = request.query("name")
        var list: [[String: Any]] = []
        if name == nil || name == region {
            let domain = try kms.domainID()
            list.append([
                "id": projectID, "name": region, "domain_id": domain, "parent_id": domain, "is_domain": false,
                "enabled": true, "description": "obsctl serve", "links": ["self": "/v3/projects/\(projectID)"],
            ])
        }
        let links: [String: Any] = ["self": "/v3/projects", "previous": NSNull(), "next": NSNull()]
        return KMSJSONAnswer.ok(["projects": list, "links": links])
    }
}

/// What one request carries through the handler (filled on the pool thread, read after it returns).
/// `@unchecked Sendable`: one thread at a time: the caller waits in `BlockingPool.run` while `process` fills it.
final class KMSCall: @unchecked Sendable {
    let request: ServerRequest
    let requestID: String
    var operation: String?
    var accessKeyID: String?
    var errorCode: String?
    var bytesIn = 0

    init(request: ServerRequest, requestID: String) {
        self.request = request
        self.requestID = requestID
    }
}

/// `POST /v1.0/{project_id}/kms/<operation>` or `GET /v3/projects`.
struct KMSRoute {
    var operation: String

    init(method: String, rawPath: String, projectID: String) throws {
        var path = rawPath
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts == ["", "v3", "projects"] {
            guard method == "GET" else { throw KMSFailure.notFound(method, rawPath) }
            operation = "iam-projects"
            return
        }
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "v1.0", parts[3] == "kms",
            KMSService.operations.contains(parts[4]), method == "POST"
        else { throw KMSFailure.notFound(method, rawPath) }
        guard URIEncoding.decode(parts[2]) == projectID else {
            throw KMSFailure.projectMismatch(URIEncoding.decode(parts[2]), projectID, region: nil)
        }
        operation = parts[4]
    }
}

/// A JSON object body whose fields are strings, as KMS's are.
struct KMSRequestBody {
    let fields: [String: Any]

    init(bytes: [UInt8]) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes.isEmpty ? Array("{}".utf8) : bytes)),
            let fields = object as? [String: Any]
        else { throw KMSFailure(400, "KMS.0202", "the request body is not a JSON object") }
        self.fields = fields
    }

    /// The field's string value; nil when absent or null. A field of another type is refused (KMS.0308).
    func optional(_ name: String) throws -> String? {
        guard let value = fields[name], !(value is NSNull) else { return nil }
        guard let text = value as? String else {
            throw KMSFailure(400, "KMS.0308", "\(name) must be a JSON string")
        }
        return text
    }

    /// A required field (KMS.0204 when missing).
    func required(_ name: String) throws -> String {
        guard let text = try optional(name) else {
            throw KMSFailure(400, "KMS.0204", "the request lacks the required parameter \(name)")
        }
        return text
    }
}

/// Success answers: a JSON object, KMS's content type.
enum KMSJSONAnswer {
    static func ok(_ object: [String: Any], status: Int = 200) -> ServerResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return ServerResponse(
            status: status, headers: [("Content-Type", "application/json;charset=UTF-8")], body: .bytes(Array(data)))
    }
}
