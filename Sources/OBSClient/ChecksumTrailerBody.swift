import OBSCore
import OBSCrypto

/// An upload body in S3's `aws-chunked` encoding that ends with its CRC-32C as a trailer
/// (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`, `x-amz-trailer: x-amz-checksum-crc32c`). The
/// checksum is computed as curl reads the bytes, in the same pass, so the server can verify them without a
/// hashing pass of the file before the request. SigV4 only. The framing, for chunks of `chunkSize` bytes:
///
///     <hex size>\r\n <bytes> \r\n ... 0\r\n x-amz-checksum-crc32c:<base64>\r\n \r\n
final class ChecksumTrailerBody: RewindableByteSource {
    static let chunkSize: Int64 = 1 << 20
    static let trailerName = "x-amz-checksum-crc32c"

    /// The headers that announce this encoding for `decodedLength` bytes of content.
    static func headers(decodedLength: Int64) -> [(String, String)] {
        [("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"), ("Content-Encoding", "aws-chunked"),
         ("x-amz-decoded-content-length", String(decodedLength)), ("x-amz-trailer", trailerName)]
    }

    private let content: RewindableByteSource
    /// The encoded length, sent as Content-Length.
    let length: Int64
    private var crc = CRC32C()
    private var sent: Int64 = 0             // content bytes read so far
    private var leftInChunk: Int64 = 0      // content bytes still due in the current chunk
    private var framing: [UInt8] = []       // framing bytes due before more content
    private var framingOffset = 0
    private var finished = false

    init(_ content: RewindableByteSource) {
        self.content = content
        length = Self.encodedLength(content.length)
        startChunk()
    }

    /// The CRC-32C of the content, once all of it was read.
    var checksum: String? { finished ? crc.base64 : nil }

    static func encodedLength(_ n: Int64) -> Int64 {
        func chunk(_ size: Int64) -> Int64 { Int64(String(size, radix: 16).utf8.count) + 2 + size + 2 }
        let full = n / chunkSize, rest = n % chunkSize
        return full * chunk(chunkSize) + (rest > 0 ? chunk(rest) : 0) + 3 + Int64(trailerName.utf8.count) + 1 + 8 + 2 + 2
    }

    func rewind() throws {
        try content.rewind()
        crc = CRC32C(); sent = 0; finished = false
        startChunk()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            if framingOffset < framing.count {
                let n = min(buffer.count - filled, framing.count - framingOffset)
                framing.withUnsafeBytes { (buffer.baseAddress! + filled).copyMemory(from: $0.baseAddress! + framingOffset, byteCount: n) }
                framingOffset += n; filled += n
                continue
            }
            if leftInChunk == 0 { break }  // the final framing was sent
            // Slices of 256 KiB: the CRC reads each slice while the copy has just left it in the CPU cache.
            let want = Int(min(Int64(min(buffer.count - filled, 256 << 10)), leftInChunk))
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<filled + want])
            let n = try content.read(into: target)
            if n == 0 { throw OBSError.localIO("the upload source ended \(content.length - sent) bytes early") }
            crc.update(UnsafeRawBufferPointer(rebasing: target[0..<n]))
            sent += Int64(n); leftInChunk -= Int64(n); filled += n
            if leftInChunk == 0 {
                framing = Array("\r\n".utf8); framingOffset = 0
                appendNextChunkHeader()
            }
        }
        return filled
    }

    private func startChunk() {
        framing = []; framingOffset = 0
        appendNextChunkHeader()
    }

    /// The next chunk's size line, or the last chunk and the trailer when the content is all sent.
    private func appendNextChunkHeader() {
        let size = min(Self.chunkSize, content.length - sent)
        if size > 0 {
            framing += Array("\(String(size, radix: 16))\r\n".utf8)
            leftInChunk = size
        } else {
            finished = true
            framing += Array("0\r\n\(Self.trailerName):\(crc.base64)\r\n\r\n".utf8)
            leftInChunk = 0
        }
    }
}
