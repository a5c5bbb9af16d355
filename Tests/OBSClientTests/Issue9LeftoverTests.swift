import Foundation
import Testing
import OBSCore
import OBSCrypto
import OBSSigner
@testable import OBSClient

/// Issue 9, item 6 leftovers in the client: with `--checksum none` no header binds the bytes sent to the CRC-32C
/// recorded from the scan before, so the send checks them itself; and a composite checksum over parts.
struct Issue9LeftoverClientTests {
    private func integrity(_ kind: UploadChecksum) throws -> UploadIntegrity {
        let c = try RemoteConfiguration(
            endpoint: "http://127.0.0.1:9000", region: "r1", signature: .v4,
            addressing: nil,
            credentials: Credentials(
                accessKeyID: "AK",
                secretAccessKey: SecretBytes(copying: Array("sk".utf8))),
            transport: TransportOptions(), retries: 0)
        return try UploadIntegrity(kind, configuration: c)
    }

    private func temporaryFile(_ bytes: [UInt8]) throws -> (path: String, fd: Int32) {
        let path = NSTemporaryDirectory() + "i9-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let fd = open(path, O_RDWR)
        try #require(fd >= 0)
        return (path, fd)
    }

    private func drain(_ body: HTTPRequest.Body) throws -> [UInt8] {
        guard case .stream(let source, _) = body else { Issue.record("not a stream"); return [] }
        var out: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    @Test(
        "--checksum none: a file changed (same size) between the scan and the send fails the send's last read",
        arguments: [false, true])
    func changedFileFailsTheSend(multipart: Bool) throws {
        let bytes = (0..<600_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let (path, fd) = try temporaryFile(bytes)
        defer { close(fd); unlink(path) }
        let file = try #require(FileDescriptorSource.make(fd: fd, path: path) as? RewindableFileSource)
        let i = try integrity(.off)
        let plan = multipart ? try MultipartPlan(objectSize: file.length, partSize: 256 << 10) : nil
        let sums = try i.scan(file, plan: plan)
        #expect(sums.whole == CRC32C.checksum(bytes).base64)
        let parts: [RewindableByteSource] = (1...(plan?.partCount ?? 1)).map { n in
            guard let plan else { return file }
            let r = plan.range(ofPart: n)
            return file.range(offset: r.offset, length: r.length)
        }
        // Unchanged: every byte goes out, no header is sent.
        for (n, part) in parts.enumerated() {
            let prepared = i.prepare(part, header: sums.parts[n + 1])
            #expect(prepared.headers.isEmpty)
            #expect(try drain(prepared.body).count == Int(part.length))
            try part.rewind()
        }
        // One byte of the last part changed after the scan: that part's send throws before its end.
        #expect(pwrite(fd, [bytes.last! ^ 0xFF], 1, off_t(bytes.count - 1)) == 1)
        let last = parts.count
        let prepared = i.prepare(parts[last - 1], header: sums.parts[last])
        let error = #expect(throws: OBSError.self) { _ = try drain(prepared.body) }
        #expect(error?.message.contains("changed while it was uploaded") == true)
        #expect(error?.category == .conflict)
        // A retry (rewind) checks from the start again.
        if case .stream(let s, _) = prepared.body { try (s as? RewindableByteSource)?.rewind() }
        #expect(throws: OBSError.self) { _ = try drain(prepared.body) }
    }

    @Test("a composite checksum is the checksum of the parts' checksums, part boundaries honoured")
    func compositeOverParts() throws {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
        let sizes: [Int64] = [400, 400, 200]
        var offset = 0, md5s: [UInt8] = [], crcs: [UInt8] = []
        for s in sizes {
            let part = Array(data[offset..<offset + Int(s)])
            md5s += Digest.md5(part)
            crcs += withUnsafeBytes(of: CRC32C.checksum(part).value.bigEndian) { Array($0) }
            offset += Int(s)
        }
        for (kind, expected) in [
            (DownloadChecksum.Kind.md5, Hex.encode(Digest.md5(md5s))),
            (.crc32c, CRC32C.checksum(crcs).base64),
        ] {
            let running = DownloadChecksum.Running(kind, parts: sizes)
            // Fed in chunks that straddle the part boundaries.
            for start in stride(from: 0, to: data.count, by: 300) {
                data[start..<min(start + 300, data.count)].withUnsafeBytes { running.update($0) }
            }
            #expect(running.value == expected, "\(kind)")
            let shifted = DownloadChecksum.Running(kind, parts: [500, 300, 200])
            data.withUnsafeBytes { shifted.update($0) }
            #expect(shifted.value != expected, "\(kind): other boundaries, same value")
        }
        #expect(
            ETagChecksum.multipartMD5("\"310B0FEF9942F1FFBCBA046BFD5C0C1D-3\"")!
                == ("310b0fef9942f1ffbcba046bfd5c0c1d", 3))
        #expect(ETagChecksum.multipartMD5("310b0fef9942f1ffbcba046bfd5c0c1d") == nil)
    }
}
