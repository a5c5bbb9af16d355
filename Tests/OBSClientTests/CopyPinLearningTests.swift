import Foundation
import OBSCore
import Testing

@testable import OBSClient

/// The first pinned copy's probe against answers no test peer gives on cue: a server that rejects the probe's own
/// ETag (400), so the copy is sent again as it would have been and the pin counts as not enforced. SeaweedFS
/// (enforces) and moto (ignores) are covered through the binary by RemoteEncryptionRequestsTests.
@Suite("copy pin learning")
struct CopyPinLearningTests {
    static let etag = "0123456789abcdef0123456789abcdef"

    static func head() -> FaultScript.Step {
        .answer(200, [("ETag", "\"\(etag)\""), ("Content-Length", "5"), ("Content-Type", "text/plain")], [])
    }

    static let copyResult =
        "<CopyObjectResult><ETag>\"\(etag)\"</ETag>"
        + "<LastModified>2026-12-05T08:00:00.000Z</LastModified></CopyObjectResult>"

    static func copied() -> FaultScript.Step {
        .answer(200, [("x-amz-server-side-encryption", "AES256")], Array(copyResult.utf8))
    }

    /// An in-place SSE-OBS copy pinned to the caller's HEAD, as `bucket encryption apply` sends it.
    static func request() throws -> CopyObjectRequest {
        let (bucket, key) = try object()
        let info = ObjectInfo(
            bucket: bucket, key: key, size: 5, etag: etag, contentType: "text/plain", lastModified: Date(),
            userMetadata: [:], sseMode: nil, sseOrigin: nil)
        return CopyObjectRequest(
            source: GetObjectRequest(bucket: bucket, key: key),
            destination: PutObjectRequest(bucket: bucket, key: key, sse: .obs, contentType: "text/plain"),
            replaceMetadata: true, sourceIfMatch: etag, sourceInfo: info)
    }

    func pins(_ script: FaultScript) -> [String?] {
        script.requests.map { $0.header("x-amz-copy-source-if-match") }
    }

    @Test("a server that refuses the probe's ETag itself: the copy goes as it would have, and later copies HEAD")
    func refusedProbe() async throws {
        let script = FaultScript([
            Self.head(), .answer(400, [], errorBody("InvalidArgument", "bad ETag")), Self.copied(),
            Self.head(), Self.copied(),
        ])
        let client = try faultClient(script, retries: 0)
        _ = try await client.copyObject(Self.request())
        _ = try await client.copyObject(Self.request())
        #expect(script.requests.map(\.method) == ["HEAD", "PUT", "PUT", "HEAD", "PUT"])
        let quoted = "\"\(Self.etag)\""
        #expect(pins(script) == [nil, "\"obsctl-pin-probe\"", quoted, nil, quoted])
        #expect(script.remaining == 0)
    }

    @Test("412 to the probe: the pin is enforced, the copy goes pinned to the ETag, later copies skip their HEAD")
    func enforced() async throws {
        let script = FaultScript([
            Self.head(), .answer(412, [], errorBody("PreconditionFailed")), Self.copied(), Self.copied(),
        ])
        let client = try faultClient(script, retries: 0)
        _ = try await client.copyObject(Self.request())
        _ = try await client.copyObject(Self.request())
        #expect(script.requests.map(\.method) == ["HEAD", "PUT", "PUT", "PUT"])
        let quoted = "\"\(Self.etag)\""
        #expect(pins(script) == [nil, "\"obsctl-pin-probe\"", quoted, quoted], "the copy after the 412 is pinned")
        #expect(script.remaining == 0)
    }

    @Test("the probe copied (the pin is ignored): its answer is the copy's, and later copies HEAD first")
    func ignored() async throws {
        let script = FaultScript([Self.head(), Self.copied(), Self.head(), Self.copied()])
        let client = try faultClient(script, retries: 0)
        _ = try await client.copyObject(Self.request())
        _ = try await client.copyObject(Self.request())
        #expect(script.requests.map(\.method) == ["HEAD", "PUT", "HEAD", "PUT"])
        #expect(script.remaining == 0)
    }
}
