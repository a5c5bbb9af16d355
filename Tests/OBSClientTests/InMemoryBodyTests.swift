import Foundation
import OBSCore
import Testing

@testable import OBSClient

#if canImport(Glibc)
import Glibc
#endif

/// A one-request HTTP server on 127.0.0.1: answers 200 with no body and keeps what it was sent.
private final class RecordingServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let done = DispatchSemaphore(value: 0)
    private var received: [UInt8] = []  // written by the server thread before `done` is signalled

    init() throws {
        (fd, port) = try listenOnLoopback()
        Thread { [self] in serveOne() }.start()
    }

    deinit { close(fd) }

    private func serveOne() {
        defer { done.signal() }
        let c = accept(fd, nil, nil)
        guard c >= 0 else { return }
        defer { close(c) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        // Until the head is in and as many body bytes as it declares.
        while !complete {
            let n = buffer.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            received += buffer[0..<n]
        }
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        _ = answer.withUnsafeBytes { send(c, $0.baseAddress, $0.count, 0) }
    }

    private var headEnd: Int? {
        let marker = Array("\r\n\r\n".utf8)
        guard received.count >= 4 else { return nil }
        return (0...(received.count - 4)).first { Array(received[$0..<$0 + 4]) == marker }.map { $0 + 4 }
    }

    private var complete: Bool {
        guard let end = headEnd else { return false }
        let length =
            head.first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return received.count >= end + length
    }

    /// The request line and header lines.
    var head: [String] {
        guard let end = headEnd else { return [] }
        return String(decoding: received[0..<end - 4], as: UTF8.self).components(separatedBy: "\r\n")
    }

    var body: [UInt8] { headEnd.map { Array(received[$0...]) } ?? [] }

    func wait() { done.wait() }
}

/// Bodies held in memory (small files, XML and JSON documents) go to libcurl as post fields: one write with the
/// headers. libcurl then sends POST and its form Content-Type unless told otherwise; neither may reach the wire,
/// since OBS's and V2's signatures cover the method and Content-Type.
@Suite("in-memory request bodies")
struct InMemoryBodyTests {
    private func send(method: String, headers: [(String, String)], body: [UInt8]) throws -> RecordingServer {
        let server = try RecordingServer()
        let transport = try CurlTransport(options: TransportOptions())
        let request = HTTPRequest(
            method: method, scheme: "http", host: "127.0.0.1", port: server.port, path: "/b/k",
            headers: headers, body: .bytes(body))
        let response = try transport.send(request, responseSink: nil)
        server.wait()
        #expect(response.status == 200)
        return server
    }

    @Test("a PUT keeps its method, its bytes and no Content-Type it did not set", arguments: [1, 4_096, 200_000])
    func putWithoutContentType(size: Int) throws {
        let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let server = try send(method: "PUT", headers: [], body: body)
        #expect(server.head.first == "PUT /b/k HTTP/1.1")
        #expect(!server.head.contains { $0.lowercased().hasPrefix("content-type") }, "\(server.head)")
        #expect(server.head.contains("Content-Length: \(size)"))
        #expect(server.body == body)
    }

    @Test("a POST with its own Content-Type sends exactly that one")
    func postWithContentType() throws {
        let body = Array("<Delete><Object><Key>k</Key></Object></Delete>".utf8)
        let server = try send(method: "POST", headers: [("Content-Type", "application/xml")], body: body)
        #expect(server.head.first == "POST /b/k HTTP/1.1")
        #expect(server.head.filter { $0.lowercased().hasPrefix("content-type") } == ["Content-Type: application/xml"])
        #expect(server.body == body)
    }

    @Test("an empty body is still a PUT of zero bytes")
    func emptyPut() throws {
        let server = try send(method: "PUT", headers: [], body: [])
        #expect(server.head.first == "PUT /b/k HTTP/1.1")
        #expect(server.head.contains("Content-Length: 0"))
        #expect(server.body.isEmpty)
    }

    @Test("a small file is read whole; one cut shorter since it was opened is refused, not sent short")
    func readWhole() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("obsctl-read-whole-\(getpid())").path
        defer { unlink(path) }
        let bytes = (0..<6_000).map { UInt8(truncatingIfNeeded: $0) }
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        let whole = try #require(FileDescriptorSource.make(fd: fd, path: path) as? RewindableFileSource)
        #expect(try RemoteBackend.readWhole(whole) == bytes)
        // Opened at 6,000 bytes, then a writer cuts the file to 5,000 before the read.
        #expect(lseek(fd, 0, SEEK_SET) == 0)
        let cut = try #require(FileDescriptorSource.make(fd: fd, path: path) as? RewindableFileSource)
        #expect(ftruncate(fd, 5_000) == 0)
        let error = #expect(throws: OBSError.self) { _ = try RemoteBackend.readWhole(cut) }
        #expect(error?.code == "SourceChanged" && error?.message.contains("became shorter") == true)
    }
}
