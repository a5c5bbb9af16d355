import OBSCore
import OBSCrypto

/// A part's body in S3's `aws-chunked` encoding, ending with its CRC-32C as a trailer
/// (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`, `x-amz-trailer: x-amz-checksum-crc32c`). The
/// checksum is computed as curl reads the bytes, in the same pass, so the server verifies them without a hashing
/// pass of the file before the request (issue 9, item 28). SigV4 only, and UploadPart only: SeaweedFS keeps a
/// PutObject's `Content-Encoding: aws-chunked` on the object, but a part's encoding on none. The framing, for
/// chunks of `chunkSize` bytes:
///
///     <hex size>\r\n <bytes> \r\n ... 0\r\n x-amz-checksum-crc32c:<base64>\r\n \r\n
final class ChecksumTrailerBody: RewindableByteSource {
    static let chunkSize: Int64 = 1 << 20
    static let trailerName = UploadIntegrity.crc32cHeader
    /// The CRC reads each slice right after the copy into curl's buffer left it in the CPU cache.
    private static let sliceSize = 256 << 10

    /// The headers that announce this encoding for `decodedLength` bytes of content.
    static func headers(decodedLength: Int64) -> [(String, String)] {
        [
            ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"), ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", String(decodedLength)), ("x-amz-trailer", trailerName),
        ]
    }

    private let content: RewindableByteSource
    /// The encoded length, sent as Content-Length.
    let length: Int64
    private var crc = CRC32C()
    private var sent: Int64 = 0  // content bytes read so far
    private var leftInChunk: Int64 = 0  // content bytes still due in the current chunk
    private var framing: [UInt8] = []  // framing bytes due before more content
    private var framingOffset = 0
    private var finished = false

    init(_ content: RewindableByteSource) {
        self.content = content
        length = Self.encodedLength(content.length)
        startChunk()
    }

    /// The CRC-32C (base64) of the content, once all of it was read; nil before.
    var checksum: String? { finished ? crc.base64 : nil }

    static func encodedLength(_ n: Int64) -> Int64 {
        func chunk(_ size: Int64) -> Int64 { Int64(String(size, radix: 16).utf8.count) + 2 + size + 2 }
        let full = n / chunkSize, rest = n % chunkSize
        let trailer = Int64("0\r\n\(trailerName):\r\n\r\n".utf8.count) + 8  // a CRC-32C is 8 base64 characters
        return full * chunk(chunkSize) + (rest > 0 ? chunk(rest) : 0) + trailer
    }

    func rewind() throws {
        try content.rewind()
        crc = CRC32C()
        sent = 0
        finished = false
        startChunk()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            if framingOffset < framing.count {
                let n = min(buffer.count - filled, framing.count - framingOffset)
                framing.withUnsafeBytes {
                    (buffer.baseAddress! + filled).copyMemory(from: $0.baseAddress! + framingOffset, byteCount: n)
                }
                framingOffset += n
                filled += n
                continue
            }
            if leftInChunk == 0 { break }  // the final framing was sent
            let want = Int(min(Int64(min(buffer.count - filled, Self.sliceSize)), leftInChunk))
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<filled + want])
            let n = try content.read(into: target)
            if n == 0 { throw OBSError.localIO("the upload source ended \(content.length - sent) bytes early") }
            crc.update(UnsafeRawBufferPointer(rebasing: target[0..<n]))
            sent += Int64(n)
            leftInChunk -= Int64(n)
            filled += n
            if leftInChunk == 0 {
                framing = Array("\r\n".utf8)
                framingOffset = 0
                appendNextChunkHeader()
            }
        }
        return filled
    }

    private func startChunk() {
        framing = []
        framingOffset = 0
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
