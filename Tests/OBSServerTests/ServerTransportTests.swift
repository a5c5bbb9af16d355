import Foundation
import OBSCore
import Testing

@testable import OBSServer

/// SSE-KMS travels only over HTTPS from another machine, whether the request names it or not: an SSE-KMS object's
/// bytes, a write a bucket's SSE-KMS default would encrypt, a part of an upload stored under SSE-KMS. Plain objects,
/// a write naming another mode, loopback and TLS are served.
@Suite struct ServerTransportTests {
    static let remote = PeerAddress(ip: "192.0.2.7", port: 40_000)

    @Test func storedSSEKMSNeedsHTTPSFromAnotherMachine() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("tls-k", encryption: .kms(keyID: nil))
        try await f.makeBucket("tls-p")
        #expect(try await f.send(f.request("PUT", "/tls-k/kms", body: [1, 2, 3])).status == 200)  // loopback
        #expect(try await f.send(f.request("PUT", "/tls-p/plain", body: [4])).status == 200)
        let initiated = try await f.send(f.request("POST", "/tls-k/up", query: [("uploads", nil)]))
        let uploadID = try #require(initiated.element("UploadId"), "\(initiated.text)")

        func remote(_ request: ServerRequest, tls: Bool = false) async throws -> Answer {
            var r = request
            r.peer = Self.remote
            r.isTLS = tls
            return try await f.send(r)
        }
        func refused(_ answer: Answer, _ what: String) {
            #expect(
                answer.status == 400 && answer.element("Code") == "InvalidRequest"
                    && answer.text.contains("secure connection"), "\(what): \(answer.text)")
        }
        refused(try await remote(f.request("GET", "/tls-k/kms")), "GET of an SSE-KMS object")
        refused(try await remote(f.request("PUT", "/tls-k/new", body: [5])), "PUT into an SSE-KMS default")
        #expect(try await !f.exists("tls-k", "new"))
        refused(try await remote(f.request("POST", "/tls-k/new", query: [("uploads", nil)])), "initiate")
        refused(
            try await remote(
                f.request("PUT", "/tls-k/up", query: [("partNumber", "1"), ("uploadId", uploadID)], body: [6])),
            "a part of an SSE-KMS upload")
        refused(
            try await remote(f.request("PUT", "/tls-p/copy", headers: [("x-obs-copy-source", "/tls-k/kms")])),
            "a copy of an SSE-KMS object")
        let plainUpload = try await f.send(f.request("POST", "/tls-p/up", query: [("uploads", nil)]))
        let plainID = try #require(plainUpload.element("UploadId"), "\(plainUpload.text)")
        refused(
            try await remote(
                f.request(
                    "PUT", "/tls-p/up", query: [("partNumber", "1"), ("uploadId", plainID)],
                    headers: [("x-obs-copy-source", "/tls-k/kms")])),
            "a part copied from an SSE-KMS object")
        #expect(try await !f.exists("tls-p", "copy"))

        let plain = try await remote(f.request("GET", "/tls-p/plain"))
        #expect(plain.status == 200 && plain.body == [4], "\(plain.text)")
        let named = try await remote(
            f.request("PUT", "/tls-k/aes", headers: [("x-obs-server-side-encryption", "AES256")], body: [7]))
        #expect(named.status == 200, "a write naming SSE-OBS takes it: \(named.text)")
        let overTLS = try await remote(f.request("GET", "/tls-k/kms"), tls: true)
        #expect(overTLS.status == 200 && overTLS.body == [1, 2, 3], "\(overTLS.text)")
    }
}
