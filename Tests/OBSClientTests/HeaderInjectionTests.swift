import Foundation
import Testing
import OBSClient
import OBSCore
import OBSCrypto
import OBSSigner
#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on 127.0.0.1 that never accepts: `connected` tells whether anything connected to it.
private final class Listener {
    let fd: Int32
    let port: Int
    init() throws {
        let (s, port) = try listenOnLoopback(backlog: 4)
        _ = fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK)
        fd = s
        self.port = port
    }
    var connected: Bool {
        let c = accept(fd, nil, nil)
        if c >= 0 { close(c); return true }
        return false
    }
    deinit { close(fd) }
}

private struct TestError: Error { let text: String; init(_ t: String) { text = t } }

/// Issue 9 item 12: no CR, LF or NUL reaches the wire, whichever way a request is made.
@Suite("Hardening: header injection (remote client)")
struct HeaderInjectionTests {
    @Test(
        "the transport refuses a header holding CR, LF or NUL before it connects",
        arguments: ["a\r\nX-Evil: 1", "a\nb", "a\u{0}b"])
    func transportRefuses(_ value: String) throws {
        let listener = try Listener()
        let transport = try CurlTransport(options: TransportOptions())
        let request = HTTPRequest(
            method: "GET", scheme: "http", host: "127.0.0.1", port: listener.port, path: "/b/k",
            headers: [("Content-Type", value)])
        do {
            _ = try transport.send(request, responseSink: nil)
            Issue.record("the request was sent")
        } catch let e as OBSError {
            #expect(e.category == .usage, "\(e)")
        }
        #expect(!listener.connected, "a connection was made")
    }

    @Test("RemoteBackend.putObject and copyObject refuse header-bound fields a library caller set, sending nothing")
    func backendRefuses() async throws {
        let listener = try Listener()
        let credentials = Credentials(accessKeyID: "AK", secretAccessKey: SecretBytes(copying: Array("sk".utf8)))
        let configuration = try RemoteConfiguration(
            endpoint: "http://127.0.0.1:\(listener.port)", region: "us-east-1",
            signature: .v4, addressing: .path, credentials: credentials,
            transport: TransportOptions(), retries: 0)
        let backend = try RemoteBackend(configuration: configuration, warn: { _ in })
        var put = PutObjectRequest(bucket: try BucketName("bkt"), key: try ObjectKey("k"), sse: nil)
        put.contentType = "text/plain\r\nX-Evil: 1"
        await #expect(throws: OBSError.self) {
            _ = try await backend.putObject(put, body: BufferSource(Array("x".utf8)))
        }
        put.contentType = "text/plain"
        put.userMetadata = ["a": "1\r\nX-Evil: 1"]
        let source = GetObjectRequest(bucket: try BucketName("bkt"), key: try ObjectKey("s"))
        let copy = CopyObjectRequest(source: source, destination: put, replaceMetadata: true)
        await #expect(throws: OBSError.self) { _ = try await backend.copyObject(copy) }
        #expect(!listener.connected, "a connection was made")
    }
}
