import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Testing

@testable import OBSClient

#if canImport(Glibc)
import Glibc
#endif

/// A one-connection HTTP server on 127.0.0.1 that answers any request with 200 and `body`.
private final class BodyServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let body: [UInt8]

    init(body: [UInt8]) throws {
        self.body = body
        (fd, port) = try listenOnLoopback()
        Thread { [self] in serveOne() }.start()
    }

    deinit { close(fd) }

    private func serveOne() {
        let c = accept(fd, nil, nil)
        guard c >= 0 else { return }
        defer { close(c) }
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !head.suffix(4).elementsEqual("\r\n\r\n".utf8) {
            let n = buffer.withUnsafeMutableBytes { recv(c, $0.baseAddress, 1, 0) }
            if n <= 0 { return }
            head.append(buffer[0])
        }
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
        var sent = 0
        while sent < answer.count {
            let n = answer.withUnsafeBytes { send(c, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }
}

/// Keeps what it is given.
private final class CollectingSink: ByteSink {
    var bytes: [UInt8] = []
    func write(_ piece: UnsafeRawBufferPointer) throws { bytes += piece }
}

/// libcurl allocates its receive buffer for every transfer: the large one (256 KiB) only for a GET whose answer may
/// be large, its own 16 KiB one where the object is known to be small.
@Suite("receive buffer by the expected answer")
struct ReceiveBufferTests {
    @Test(
        "only a GET not known to be small gets the large receive buffer",
        arguments: [
            ("GET", false, 256 << 10), ("GET", true, nil), ("HEAD", false, nil), ("PUT", false, nil),
            ("POST", false, nil), ("DELETE", false, nil),
        ])
    func bufferSize(method: String, small: Bool, size: Int?) {
        var request = HTTPRequest(method: method, scheme: "http", host: "127.0.0.1", port: 9, path: "/b/k")
        request.smallResponse = small
        #expect(CurlTransport.receiveBufferSize(request) == size)
    }

    /// A hint is never trusted for the bytes: an object that grew since it was listed still arrives whole. (libcurl
    /// delivers a body whole whatever its buffer; this guards the hint against ever being used to bound one.)
    @Test("an answer larger than its hint still arrives whole")
    func largerThanHinted() throws {
        let body = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        let server = try BodyServer(body: body)
        let transport = try CurlTransport(options: TransportOptions())
        var request = HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1", port: server.port, path: "/b/k")
        request.smallResponse = true
        let sink = CollectingSink()
        let response = try transport.send(request, responseSink: sink)
        #expect(response.status == 200)
        #expect(sink.bytes == body)
    }

    @Test(
        "an object's GET is marked small from the size a listing gave, up to 64 KiB",
        arguments: [
            (Int64?.none, false), (0, true), (4_096, true), (65_536, true), (65_537, false), (1 << 30, false),
        ])
    func sizeHint(hint: Int64?, small: Bool) throws {
        let credentials = Credentials(accessKeyID: "AK", secretAccessKey: SecretBytes(copying: Array("sk".utf8)))
        let configuration = try RemoteConfiguration(
            endpoint: "http://127.0.0.1:9", region: "us-east-1", signature: .v4, addressing: .path,
            credentials: credentials, transport: TransportOptions(), retries: 0)
        let backend = try RemoteBackend(configuration: configuration, warn: { _ in })
        var request = GetObjectRequest(bucket: try BucketName("bkt"), key: try ObjectKey("k"))
        request.sizeHint = hint
        let ranges: [ClosedRange<Int64>?] = [nil, 0...(16 << 20) - 1]
        for range in ranges {
            let operation = backend.getOperation(request, range: range)
            #expect(operation.smallResponse == small)
            #expect(backend.httpRequest(operation).smallResponse == small)
        }
    }
}
