import Foundation
import OBSCore
import OBSCrypto
import OBSLocalBackend
import OBSSigner
import Testing

@testable import OBSServer

/// One test's server: a LocalBackend in a temp root and an S3Service over it, and requests signed as a client
/// signs them (OBS or SigV4), so that authentication passes for real.
final class ServerFixture {
    let dir: String
    let backend: LocalBackend
    let service: S3Service
    let credentials: ServeCredentials
    static let accessKey = "AKTESTOBJECTS"
    static let secret = "secret-for-object-tests"

    init() throws {
        dir = NSTemporaryDirectory() + "obsctl-server-tests-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let rootKey: [UInt8] = (0..<32).map { UInt8(0xA0 + $0) }
        backend = try LocalBackend(environment: [
            "OBSCTL_LOCAL_ROOT": dir, "HOME": dir, "OBSCTL_LOCAL_ROOT_KEY": Base64.encode(rootKey),
        ])
        credentials = try ServeCredentials.load(
            file: nil,
            environment: [
                ServeCredentials.accessKeyVariable: Self.accessKey, ServeCredentials.secretKeyVariable: Self.secret,
            ], generatedFile: dir + "/unused")
        service = S3Service(
            backend: backend, credentials: credentials, log: try AccessLog(path: dir + "/access.log", json: true),
            serverNames: ["localhost", "127.0.0.1"], region: "local")
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// The KMS API over this fixture's backend and credentials, answering for `region`.
    func kmsService(region: String) throws -> (service: KMSService, projectID: String) {
        let projectID = try backend.kms.projectID(region: region)
        let service = KMSService(
            kms: backend.kms, credentials: credentials, log: try AccessLog(path: dir + "/kms-access.log", json: true),
            region: region, projectID: projectID)
        return (service, projectID)
    }

    /// A signed request. `payloadSHA256`: for v4, the body's SHA-256 declared (and signed) instead of
    /// UNSIGNED-PAYLOAD; `wrongSHA256` declares another one.
    func request(
        _ method: String, _ path: String, query: [(String, String?)] = [], headers: [(String, String)] = [],
        body: [UInt8] = [], version: SignatureVersion = .obs, signPayload: Bool = false, declaredSHA256: String? = nil
    ) -> ServerRequest {
        var all: [(name: String, value: String)] = [("Host", "127.0.0.1:9000")]
        all += headers.map { (name: $0.0, value: $0.1) }
        Self.addContentLength(method, body, to: &all)
        if version == .v4 && (signPayload || declaredSHA256 != nil) {
            all.append(("x-amz-content-sha256", declaredSHA256 ?? Hex.encode(Digest.sha256(body))))
        }
        let bucket = path.split(separator: "/").first.map(String.init)
        let signable = SignableRequest(
            method: method, path: path, query: query.map { (name: $0.0, value: $0.1) }, headers: all)
        let signed = RequestSigner.sign(
            signable, version: version, scope: SigningScope(bucket: bucket, virtualHosted: false, region: "local"),
            credentials: Credentials(
                accessKeyID: Self.accessKey, secretAccessKey: SecretBytes(copying: Array(Self.secret.utf8))),
            date: Date())
        let rawQuery = query.map { q in
            URIEncoding.encodeQueryComponent(q.0) + (q.1.map { "=" + URIEncoding.encodeQueryComponent($0) } ?? "")
        }.joined(separator: "&")
        return ServerRequest(
            method: method, rawPath: path, rawQuery: rawQuery, headers: signed.headers, body: BufferSource(body))
    }

    /// A presigned request (query authentication, signed now for 300 s), `query` being the presigner's extra
    /// parameters (those SDKs move from headers into the URL).
    func presigned(
        _ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8] = [],
        version: SignatureVersion = .v4
    ) -> ServerRequest {
        let signable = SignableRequest(
            method: method, path: path, query: query.map { (name: $0.0, value: $0.1) },
            headers: [("Host", "127.0.0.1:9000")])
        let all =
            query.map { (name: $0.0, value: $0.1) }
            + RequestSigner.presignedQuery(
                signable, version: version,
                scope: SigningScope(
                    bucket: path.split(separator: "/").first.map(String.init), virtualHosted: false, region: "local"),
                credentials: Credentials(
                    accessKeyID: Self.accessKey, secretAccessKey: SecretBytes(copying: Array(Self.secret.utf8))),
                date: Date(), expiresIn: 300)
        let rawQuery = all.map {
            URIEncoding.encodeQueryComponent($0.name) + "=" + URIEncoding.encodeQueryComponent($0.value)
        }
        .joined(separator: "&")
        var headers: [(name: String, value: String)] = [("Host", "127.0.0.1:9000")]
        Self.addContentLength(method, body, to: &headers)
        return ServerRequest(
            method: method, rawPath: path, rawQuery: rawQuery, headers: headers, body: BufferSource(body))
    }

    /// A PUT's or POST's Content-Length, as a client sends it (and the listener passes it on), unless the test
    /// gives its own framing (`Transfer-Encoding`, or a `Content-Length: NONE` to send none).
    static func addContentLength(_ method: String, _ body: [UInt8], to headers: inout [(name: String, value: String)]) {
        let framing = headers.filter { ["content-length", "transfer-encoding"].contains($0.name.lowercased()) }
        headers.removeAll { $0.name.lowercased() == "content-length" && $0.value == "NONE" }
        guard ["PUT", "POST"].contains(method), framing.isEmpty else { return }
        headers.append(("Content-Length", String(body.count)))
    }

    func send(_ request: ServerRequest) async throws -> Answer {
        let response = await service.handle(request)
        var bytes: [UInt8] = []
        switch response.body {
        case .empty: break
        case .bytes(let b): bytes = b
        case .stream(_, let write):
            let sink = BufferSink()
            try await write(sink)
            bytes = sink.bytes
        }
        let answer = Answer(status: response.status, headers: response.headers, body: bytes)
        // Error texts are the API's, never the CLI's advice (a command to run, an option to pass).
        if let message = answer.element("Message") {
            let advice = ["'obsctl ", " --", "'head ", "/dev/urandom", dir]
            #expect(!advice.contains(where: message.contains), "\(message)")
        }
        return answer
    }

    @discardableResult
    func makeBucket(_ name: String, encryption: BucketEncryption? = nil) async throws -> BucketName {
        let b = try BucketName(name)
        _ = try await backend.createBucket(
            CreateBucketRequest(name: b, location: "local", storageClass: .standard, encryption: encryption))
        return b
    }

    /// Whether the object is stored (a HEAD through the backend).
    func exists(_ bucket: String, _ key: String, customerKey: CustomerKey? = nil) async throws -> Bool {
        do {
            _ = try await backend.headObject(
                GetObjectRequest(bucket: try BucketName(bucket), key: try ObjectKey(key), customerKey: customerKey))
            return true
        } catch let e as OBSError where e.code == "NoSuchKey" { return false }
    }
}

struct Answer {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The first `<name>` element's text.
    func element(_ name: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
            let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}

func md5Header(_ bytes: [UInt8]) -> (String, String) { ("Content-MD5", Base64.encode(Digest.md5(bytes))) }

func pattern(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ $0 >> 11) }
}

/// SSE-C request headers for `key` under `prefix` (`x-obs-` / `x-amz-`), `copySource` for the copy-source forms.
func customerKeyHeaders(_ key: [UInt8], prefix: String, copySource: Bool = false) -> [(String, String)] {
    let p = prefix + (copySource ? "copy-source-" : "") + "server-side-encryption-customer-"
    return [
        (p + "algorithm", "AES256"), (p + "key", Base64.encode(key)), (p + "key-MD5", Base64.encode(Digest.md5(key))),
    ]
}
