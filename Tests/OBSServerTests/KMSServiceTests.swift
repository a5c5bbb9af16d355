import Foundation
import OBSCore
import OBSCrypto
import OBSLocalBackend
import OBSServer
import OBSSigner
import Testing

/// KMSService in process over a real local backend, with requests signed by SDKHMACSigner.
@Suite("KMSService")
struct KMSServiceTests: @unchecked Sendable {  // LocalBackend is not Sendable; the tests only read it
    let fixture: ServerFixture  // owns the temp root, removed with it
    let service: KMSService
    let projectID: String
    let secret = ServerFixture.secret
    let ak = ServerFixture.accessKey

    init() throws {
        fixture = try ServerFixture()
        (service, projectID) = try fixture.kmsService(region: "test-region")
    }

    func send(
        _ method: String, _ path: String, query: String = "", json: String? = nil, secret: String? = nil,
        date: Date = Date(), extraHeaders: [(name: String, value: String)] = [], sent: (any ByteSource)? = nil
    ) async throws -> (status: Int, body: [String: Any]) {
        let body = Array((json ?? "").utf8)
        var headers: [(name: String, value: String)] = [("Host", "127.0.0.1:9001")] + extraHeaders
        if json != nil { headers.append(("Content-Type", "application/json;charset=utf-8")) }
        let request = SignableRequest(
            method: method, path: path, query: SDKHMACSigner.parseQuery(query), headers: headers)
        let signed = SDKHMACSigner.sign(
            request, body: body,
            credentials: Credentials(
                accessKeyID: ak, secretAccessKey: SecretBytes(copying: Array((secret ?? self.secret).utf8))),
            date: date)
        let response = await service.handle(
            ServerRequest(
                method: method, rawPath: path, rawQuery: query, headers: signed.headers,
                body: sent ?? BufferSource(body)))
        guard case .bytes(let bytes) = response.body else { return (response.status, [:]) }
        let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        return (response.status, try #require(object))
    }

    func kms(_ op: String, _ json: String) async throws -> (status: Int, body: [String: Any]) {
        try await send("POST", "/v1.0/\(projectID)/kms/\(op)", json: json)
    }

    static func errorCode(_ body: [String: Any]) -> String? {
        (body["error"] as? [String: Any])?["error_code"] as? String
    }

    @Test("a signed list-keys succeeds, also with extra signed headers (as the Java SDK signs)")
    func signedRequests() async throws {
        let plain = try await kms("list-keys", #"{"key_spec": "ALL"}"#)
        #expect(
            plain.status == 200 && plain.body["total"] as? Int == 0 && plain.body["truncated"] as? String == "false")
        let extra = try await send(
            "POST", "/v1.0/\(projectID)/kms/list-keys", json: "{}",
            extraHeaders: [("X-Project-Id", projectID), ("X-Custom-Thing", "  spaced  value ")])
        #expect(extra.status == 200)
    }

    @Test("bad signatures and dates get API gateway's flat 401 APIGW.0301")
    func authenticationFailures() async throws {
        let wrong = try await send("POST", "/v1.0/\(projectID)/kms/list-keys", json: "{}", secret: "other")
        #expect(wrong.status == 401 && wrong.body["error_code"] as? String == "APIGW.0301")
        #expect(wrong.body["request_id"] is String && wrong.body["error"] == nil)
        let skewed = try await send(
            "POST", "/v1.0/\(projectID)/kms/list-keys", json: "{}", date: Date().addingTimeInterval(-16 * 60))
        #expect(skewed.status == 401 && skewed.body["error_code"] as? String == "APIGW.0301")
        let unsigned = await service.handle(
            ServerRequest(method: "POST", rawPath: "/v1.0/\(projectID)/kms/list-keys", headers: [("Host", "h")]))
        #expect(unsigned.status == 401)
    }

    @Test("a signed X-Sdk-Content-Sha256 must be the body's hash: another body, UNSIGNED-PAYLOAD or junk is 401")
    func declaredPayloadHash() async throws {
        let path = "/v1.0/\(projectID)/kms/describe-key"
        let signedBody = #"{"key_id": "k1"}"#
        let other = BufferSource(Array(#"{"key_id": "k2"}"#.utf8))
        let hash = SDKHMACSigner.bodySHA256(Array(signedBody.utf8))
        for declared in [hash, "UNSIGNED-PAYLOAD", "whatever"] {
            let header = [(name: "X-Sdk-Content-Sha256", value: declared)]
            let replay = try await send("POST", path, json: signedBody, extraHeaders: header, sent: other)
            #expect(replay.status == 401 && replay.body["error_code"] as? String == "APIGW.0301", "\(declared)")
            // Even over the body it signed: only a hash binds the body.
            if declared != hash {
                let same = try await send("POST", path, json: signedBody, extraHeaders: header)
                #expect(same.status == 401 && same.body["error_code"] as? String == "APIGW.0301", "\(declared)")
            }
        }
        // The body's own hash declared, in either case of hex: verified, and the call runs (no such key: 404).
        for declared in [hash, hash.uppercased()] {
            let honest = try await send(
                "POST", path, json: signedBody, extraHeaders: [(name: "X-Sdk-Content-Sha256", value: declared)])
            #expect(honest.status == 404 && Self.errorCode(honest.body) == "KMS.0207", "\(honest)")
        }
    }

    /// A body that counts its reads and, with `failure`, fails each of them.
    final class WatchedBody: ByteSource, @unchecked Sendable {  // `reads` is touched under `lock`
        private let lock = NSLock()
        private var count = 0
        private let inner: BufferSource
        private let failure: Error?
        var reads: Int { lock.withLock { count } }

        init(_ bytes: [UInt8] = Array(repeating: 0x20, count: 1000), failure: Error? = nil) {
            inner = BufferSource(bytes)
            self.failure = failure
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            lock.withLock { count += 1 }
            if let failure { throw failure }
            return try inner.read(into: buffer)
        }
    }

    @Test("what the headers alone refuse is answered 401 without reading the body (no KMS slot held)")
    func refusedBeforeTheBody() async throws {
        let path = "/v1.0/\(projectID)/kms/describe-key"
        let length = [(name: "Content-Length", value: "1000")]
        let noAuth = WatchedBody()
        let r = await service.handle(
            ServerRequest(
                method: "POST", rawPath: path, headers: [("Host", "h"), ("Content-Length", "1000")], body: noAuth))
        #expect(r.status == 401 && noAuth.reads == 0)
        let skewed = WatchedBody()
        let s = try await send(
            "POST", path, json: "{}", date: Date().addingTimeInterval(-16 * 60), extraHeaders: length, sent: skewed)
        #expect(s.status == 401 && skewed.reads == 0)
        // A wrong secret cannot be told before the body: it is read, then refused.
        let wrong = WatchedBody(Array("{}".utf8))
        let w = try await send("POST", path, json: "{}", secret: "other", extraHeaders: length, sent: wrong)
        #expect(w.status == 401 && wrong.reads > 0)
    }

    @Test("a body that stops arriving is 408 APIGW.0201 (the client's failure), one that is cut 400")
    func bodyTimeout() async throws {
        let path = "/v1.0/\(projectID)/kms/describe-key"
        let length = [(name: "Content-Length", value: "1000")]
        let stalled = try await send(
            "POST", path, json: "{}", extraHeaders: length, sent: WatchedBody(failure: RequestBodyFailure.stalled))
        #expect(stalled.status == 408 && stalled.body["error_code"] as? String == "APIGW.0201", "\(stalled)")
        let cut = try await send(
            "POST", path, json: "{}", extraHeaders: length,
            sent: WatchedBody(failure: RequestBodyFailure.connectionLost("reset")))
        #expect(cut.status == 400 && cut.body["error_code"] as? String == "APIGW.0201", "\(cut)")
    }

    @Test("routing: another project id, an unknown operation, a GET on a POST operation")
    func routing() async throws {
        let other = try await send("POST", "/v1.0/\(String(repeating: "0", count: 32))/kms/list-keys", json: "{}")
        #expect(other.status == 400 && Self.errorCode(other.body) == "KMS.0201")
        let unknown = try await send("POST", "/v1.0/\(projectID)/kms/no-such-op", json: "{}")
        #expect(unknown.status == 404 && unknown.body["error_code"] as? String == "APIGW.0101")
        let get = try await send("GET", "/v1.0/\(projectID)/kms/list-keys")
        #expect(get.status == 404)
    }

    @Test("KMS error codes: unknown key, missing field, invalid states, paging markers")
    func errorCodes() async throws {
        let missing = try await kms("describe-key", "{}")
        #expect(missing.status == 400 && Self.errorCode(missing.body) == "KMS.0204")
        let unknown = try await kms("describe-key", #"{"key_id": "00000000-0000-0000-0000-000000000000"}"#)
        #expect(unknown.status == 404 && Self.errorCode(unknown.body) == "KMS.0207")
        let created = try await kms("create-key", #"{"key_alias": "svc-a"}"#)
        let key = try #require((created.body["key_info"] as? [String: Any])?["key_id"] as? String)
        let cancel = try await kms("cancel-key-deletion", #"{"key_id": "\#(key)"}"#)
        #expect(cancel.status == 400 && Self.errorCode(cancel.body) == "KMS.1501")
        // The API's words, not the command line's advice.
        _ = try await kms("schedule-key-deletion", #"{"key_id": "\#(key)", "pending_days": "7"}"#)
        for operation in ["enable-key", "disable-key"] {
            let refused = try await kms(operation, #"{"key_id": "\#(key)"}"#)
            let message = (refused.body["error"] as? [String: Any])?["error_msg"] as? String ?? ""
            #expect(refused.status == 400 && message.contains("pending deletion"), "\(refused)")
            #expect(!message.contains("obsctl"), "\(operation): \(message)")
        }
        let taken = try await kms("create-key", #"{"key_alias": "svc-a"}"#)
        #expect(taken.status == 400 && Self.errorCode(taken.body) == "KMS.1104")
        let reserved = try await kms("update-key-alias", #"{"key_id": "\#(key)", "key_alias": "x/default"}"#)
        #expect(reserved.status == 400 && Self.errorCode(reserved.body) == "KMS.1101")
        let badMarker = try await kms("list-keys", #"{"marker": "-1"}"#)
        #expect(badMarker.status == 400 && Self.errorCode(badMarker.body) == "KMS.1602")
        let number = try await kms("describe-key", #"{"key_id": 5}"#)
        #expect(number.status == 400 && Self.errorCode(number.body) == "KMS.0308")
        let states = try await kms("list-keys", #"{"key_state": "3", "key_spec": "ALL"}"#)
        #expect(states.body["total"] as? Int == 0)
    }

    @Test("the key store's own trouble (a bad policy file) is 500 KMS.0101 without the server's paths or advice")
    func serverTroubleIsNotExplainedToTheClient() async throws {
        try FileManager.default.createDirectory(atPath: fixture.dir + "/kms", withIntermediateDirectories: true)
        try Data("{bad json".utf8).write(to: URL(fileURLWithPath: fixture.dir + "/kms/policy.json"))
        let refused = try await kms("list-keys", #"{"key_spec": "ALL"}"#)
        let message = (refused.body["error"] as? [String: Any])?["error_msg"] as? String ?? ""
        #expect(refused.status == 500 && Self.errorCode(refused.body) == "KMS.0101", "\(refused)")
        #expect(!message.contains(fixture.dir) && !message.contains("policy"), "\(message)")
    }

    @Test("IAM project lookup answers this region's project only")
    func projects() async throws {
        let mine = try await send("GET", "/v3/projects", query: "name=test-region")
        let list = try #require(mine.body["projects"] as? [[String: Any]])
        #expect(mine.status == 200 && list.count == 1 && list.first?["id"] as? String == projectID)
        let other = try await send("GET", "/v3/projects", query: "name=cn-north-4")
        #expect((other.body["projects"] as? [Any])?.isEmpty == true)
    }

    @Test("a data key from create-datakey opens with decrypt-datakey only under the same key and context")
    func dataKeys() async throws {
        let created = try await kms("create-key", #"{"key_alias": "svc-dk"}"#)
        let key = try #require((created.body["key_info"] as? [String: Any])?["key_id"] as? String)
        let dk = try await kms("create-datakey", #"{"key_id": "\#(key)", "additional_authenticated_data": "a"}"#)
        let cipher = try #require(dk.body["cipher_text"] as? String)
        let plain = try #require(dk.body["plain_text"] as? String)
        let back = try await kms(
            "decrypt-datakey",
            #"{"key_id": "\#(key)", "cipher_text": "\#(cipher)", "datakey_cipher_length": "32", "#
                + #""additional_authenticated_data": "a"}"#)
        #expect(back.body["data_key"] as? String == plain)
        let tampered = String(cipher.dropLast(2)) + (cipher.hasSuffix("00") ? "01" : "00")
        let bad = try await kms(
            "decrypt-datakey",
            #"{"key_id": "\#(key)", "cipher_text": "\#(tampered)", "datakey_cipher_length": "32", "#
                + #""additional_authenticated_data": "a"}"#)
        #expect(bad.status == 400 && Self.errorCode(bad.body) == "KMS.2201")
        let long = try await kms("create-datakey", #"{"key_id": "\#(key)", "datakey_length": "128"}"#)
        #expect(long.status == 400 && Self.errorCode(long.body) == "KMS.1901")
    }

    @Test("concurrent create-key calls with one alias: exactly one key (the keystore lock holds across threads)")
    func concurrentAlias() async throws {
        for round in 0..<5 {
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await kms("create-key", #"{"key_alias": "race-\#(round)"}"#).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "round \(round): \(statuses)")
        }
        let all = try await kms("list-keys", #"{"key_spec": "ALL"}"#)
        #expect(all.body["total"] as? Int == 5)
    }
}
