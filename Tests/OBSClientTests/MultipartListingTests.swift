import Foundation
import Testing
import OBSCore
import OBSCrypto
import OBSSigner
@testable import OBSClient

/// A server's answers, scripted: the only way to see the client follow both of S3's and OBS's listing markers
/// (NextKeyMarker and NextUploadIdMarker) and stop on a server that never advances, since the test peers send
/// only NextUploadIdMarker (SeaweedFS) or fail the listing (moto).
final class ScriptedTransport: HTTPTransport {
    private(set) var requests: [HTTPRequest] = []
    private let answers: [String]
    init(_ answers: [String]) { self.answers = answers }

    func send(_ request: HTTPRequest, responseSink: ByteSink?) throws -> HTTPResponse {
        requests.append(request)
        let body = answers[min(requests.count, answers.count) - 1]
        return HTTPResponse(status: 200, headers: [("content-type", "application/xml")], body: Array(body.utf8))
    }
}

func page(_ uploads: [(String, String)], truncated: Bool, nextKey: String? = nil, nextID: String? = nil) -> String {
    "<ListMultipartUploadsResult><IsTruncated>\(truncated)</IsTruncated>"
        + (nextKey.map { "<NextKeyMarker>\($0)</NextKeyMarker>" } ?? "")
        + (nextID.map { "<NextUploadIdMarker>\($0)</NextUploadIdMarker>" } ?? "")
        + uploads.map {
            "<Upload><Key>\($0.0)</Key><UploadId>\($0.1)</UploadId><Initiated>2026-11-29T10:00:00Z</Initiated></Upload>"
        }.joined()
        + "</ListMultipartUploadsResult>"
}

func scriptedClient(_ transport: ScriptedTransport) throws -> RemoteBackend {
    let configuration = try RemoteConfiguration(
        endpoint: "http://127.0.0.1:9", region: "us-east-1", signature: .v4, addressing: .path,
        credentials: Credentials(accessKeyID: "AK", secretAccessKey: SecretBytes(copying: Array("sk".utf8))),
        transport: TransportOptions(), retries: 0)
    return try RemoteBackend(configuration: configuration, transport: transport, warn: { _ in })
}

struct MultipartListingTests {
    @Test func followsBothMarkersToTheLastPage() async throws {
        let transport = ScriptedTransport([
            page([("a ", "1"), ("b", "2")], truncated: true, nextKey: "b", nextID: "2"),
            page([("b", "3")], truncated: false),
        ])
        let uploads = try await scriptedClient(transport).listMultipartUploads(
            bucket: try BucketName("bkt"), prefix: "", pageSize: 2)
        #expect(uploads.map(\.uploadID) == ["1", "2", "3"] && uploads[0].key == "a ")
        let second = transport.requests.count == 2 ? transport.requests[1].query : []
        #expect(
            second.contains { $0.name == "key-marker" && $0.value == "b" }
                && second.contains { $0.name == "upload-id-marker" && $0.value == "2" },
            "the second page starts at both markers: \(second)")
        #expect(!transport.requests[0].query.contains { $0.name == "key-marker" || $0.name == "upload-id-marker" })
    }

    @Test func aServerThatNeverAdvancesIsAnError() async throws {
        let stuck = page([("a", "1")], truncated: true, nextKey: "a", nextID: "1")
        let transport = ScriptedTransport([stuck])
        await #expect(throws: OBSError.self) {
            _ = try await scriptedClient(transport).listMultipartUploads(
                bucket: try BucketName("bkt"), prefix: "", pageSize: 1)
        }
        #expect(transport.requests.count == 2, "one request more than the first, then it stops")
    }

    /// Uploads come back in key order (byte order), then by start and upload id, whatever order the server used.
    @Test func sortedByKeyThenStartThenID() async throws {
        let transport = ScriptedTransport([page([("b", "9"), ("a", "7"), ("b", "3"), ("B", "1")], truncated: false)])
        let uploads = try await scriptedClient(transport).listMultipartUploads(
            bucket: try BucketName("bkt"), prefix: "")
        #expect(uploads.map { "\($0.key)/\($0.uploadID)" } == ["B/1", "a/7", "b/3", "b/9"])
    }
}

struct PresignedURLTests {
    /// Virtual-hosted addressing puts the bucket in the host; the key is encoded once; a security token travels
    /// in the query under the dialect's name.
    @Test func virtualHostedOBSURLWithToken() throws {
        let configuration = try RemoteConfiguration(
            endpoint: "https://obs.cn-north-4.myhuaweicloud.com", region: nil, signature: nil, addressing: nil,
            credentials: Credentials(
                accessKeyID: "AK", secretAccessKey: SecretBytes(copying: Array("sk".utf8)),
                securityToken: "tok/en+"),
            transport: TransportOptions(), retries: 0)
        let client = try RemoteBackend(configuration: configuration, transport: ScriptedTransport([]), warn: { _ in })
        let url = try client.presignedURL(
            method: "GET", bucket: try BucketName("bkt"), key: try ObjectKey("dir/a b+c.txt"), expiresIn: 60)
        let parts = try #require(URLComponents(string: url))
        #expect(
            parts.host == "bkt.obs.cn-north-4.myhuaweicloud.com" && parts.percentEncodedPath == "/dir/a%20b%2Bc.txt",
            "\(url)")
        let names = (parts.queryItems ?? []).map(\.name)
        #expect(names.contains("AccessKeyId") && names.contains("Expires") && names.contains("Signature"), "\(url)")
        #expect(parts.queryItems?.first { $0.name == "x-obs-security-token" }?.value == "tok/en+", "\(url)")
        #expect(throws: OBSError.self) {
            _ = try client.presignedURL(
                method: "GET", bucket: try BucketName("bkt"), key: try ObjectKey("k"), expiresIn: 0)
        }
    }
}
