import Testing
import OBSCore
import OBSCrypto
@testable import OBSClient

/// The aws-chunked body with a CRC-32C trailer: exact bytes, the announced length, rewinding, chunk boundaries.
struct ChecksumTrailerBodyTests {
    private func drain(_ body: ChecksumTrailerBody, readSize: Int = 7777) throws -> [UInt8] {
        var out: [UInt8] = [], buffer = [UInt8](repeating: 0, count: readSize)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try body.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    @Test func smallBodyExactBytes() throws {
        let body = ChecksumTrailerBody(BufferSourceRewindable(Array("hello".utf8)))
        let expected = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32c:\(CRC32C.checksum(Array("hello".utf8)).base64)\r\n\r\n"
        #expect(try drain(body) == Array(expected.utf8))
        #expect(body.length == Int64(expected.utf8.count))
        #expect(body.checksum == CRC32C.checksum(Array("hello".utf8)).base64)
    }

    @Test func emptyBodyIsTheTrailerAlone() throws {
        let body = ChecksumTrailerBody(BufferSourceRewindable([]))
        let expected = "0\r\nx-amz-checksum-crc32c:AAAAAA==\r\n\r\n"
        #expect(try drain(body) == Array(expected.utf8))
        #expect(body.length == Int64(expected.utf8.count))
    }

    @Test func manyChunksDecodeToTheContentAndRewind() throws {
        let content = Random.bytes(Int(ChecksumTrailerBody.chunkSize) * 2 + 12_345)
        let body = ChecksumTrailerBody(BufferSourceRewindable(content))
        let first = try drain(body, readSize: 65_536)
        #expect(Int64(first.count) == body.length)
        // Decode: size line, bytes, CRLF, until the zero chunk; then the trailer.
        var decoded: [UInt8] = [], i = 0, sizes: [Int] = []
        while true {
            let lineEnd = first[i...].firstIndex(of: 0x0D)!
            let size = Int(String(decoding: first[i..<lineEnd], as: UTF8.self), radix: 16)!
            i = lineEnd + 2
            if size == 0 { break }
            sizes.append(size)
            decoded += first[i..<i + size]
            i += size
            #expect(first[i] == 0x0D && first[i + 1] == 0x0A)
            i += 2
        }
        #expect(sizes == [1 << 20, 1 << 20, 12_345])
        #expect(decoded == content)
        #expect(String(decoding: first[i...], as: UTF8.self) == "x-amz-checksum-crc32c:\(CRC32C.checksum(content).base64)\r\n\r\n")
        // A retry sends the same bytes again.
        try body.rewind()
        #expect(body.checksum == nil)
        #expect(try drain(body, readSize: 1_000_003) == first)
    }
}

/// An in-memory rewindable source.
final class BufferSourceRewindable: RewindableByteSource {
    private let bytes: [UInt8]
    private var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var length: Int64 { Int64(bytes.count) }
    func rewind() throws { offset = 0 }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
}
