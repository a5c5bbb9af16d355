import Foundation
import OBSCore
import OBSCrypto
import Testing

@testable import OBSClient

/// The aws-chunked part body with a CRC-32C trailer (exact bytes, the announced length, rewinding, chunk
/// boundaries), and the block CRC-32Cs a streamed download checks a composite CRC-32C with.
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
        let hello = Array("hello".utf8)
        let body = ChecksumTrailerBody(BytesSource(hello))
        #expect(body.checksum == nil, "no checksum before the bytes were read")
        let expected = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32c:\(CRC32C.checksum(hello).base64)\r\n\r\n"
        #expect(try drain(body) == Array(expected.utf8))
        #expect(body.length == Int64(expected.utf8.count))
        #expect(body.checksum == CRC32C.checksum(hello).base64)
    }

    @Test func emptyBodyIsTheTrailerAlone() throws {
        let body = ChecksumTrailerBody(BytesSource([]))
        let expected = "0\r\nx-amz-checksum-crc32c:AAAAAA==\r\n\r\n"
        #expect(try drain(body) == Array(expected.utf8))
        #expect(body.length == Int64(expected.utf8.count))
    }

    @Test(arguments: [4096, 65_536, 1_000_003])
    func manyChunksDecodeToTheContentAndRewind(readSize: Int) throws {
        let content = Random.bytes(Int(ChecksumTrailerBody.chunkSize) * 2 + 12_345)
        let body = ChecksumTrailerBody(BytesSource(content))
        let first = try drain(body, readSize: readSize)
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
        let trailer = "x-amz-checksum-crc32c:\(CRC32C.checksum(content).base64)\r\n\r\n"
        #expect(String(decoding: first[i...], as: UTF8.self) == trailer)
        // A retry sends the same bytes again, and computes the checksum again.
        try body.rewind()
        #expect(body.checksum == nil)
        #expect(try drain(body, readSize: 997) == first)
        #expect(body.checksum == CRC32C.checksum(content).base64)
    }

    @Test("a source that ends early fails the send instead of ending the body with a wrong trailer")
    func shortSourceThrows() throws {
        let body = ChecksumTrailerBody(ShortSource(claimed: 100, actual: Array(repeating: 7, count: 40)))
        #expect(throws: OBSError.self) { _ = try drain(body) }
    }

    @Test("block CRC-32Cs give the composite CRC-32C of any parts on the 1 MiB grid, fed in any pieces")
    func blockCRCsJoinIntoParts() throws {
        let mib = Int(BlockCRCs.blockSize)
        let data = Random.bytes(5 * mib + 777)
        func composite(_ sizes: [Int]) -> String {
            var joined: [UInt8] = [], offset = 0
            for size in sizes {
                let crc = CRC32C.checksum(Array(data[offset..<offset + size]))
                joined += withUnsafeBytes(of: crc.value.bigEndian) { Array($0) }
                offset += size
            }
            return CRC32C.checksum(joined).base64
        }
        var blocks = BlockCRCs()
        var offset = 0
        for piece in [1, 300_000, mib, 5, 2 * mib] + [Int](repeating: 99_999, count: 40) where offset < data.count {
            let end = min(offset + piece, data.count)
            data[offset..<end].withUnsafeBytes { blocks.update($0) }
            offset = end
        }
        if offset < data.count { data[offset...].withUnsafeBytes { blocks.update($0) } }
        #expect(blocks.total == Int64(data.count))
        for sizes in [[5 * mib + 777], [2 * mib, 2 * mib, mib + 777], [mib, 4 * mib + 777], [3 * mib, 2 * mib, 777]] {
            #expect(blocks.composite(partSizes: sizes.map(Int64.init)) == composite(sizes), "\(sizes)")
        }
        // A boundary inside a block cannot be split: nil (the download is then not checked), never a false value.
        #expect(blocks.composite(partSizes: [mib + 1, 4 * mib + 776].map(Int64.init)) == nil)
        // Sizes that do not add up to what arrived never match.
        #expect(blocks.composite(partSizes: [2 * mib, 3 * mib].map(Int64.init)) == "")
        // Different bytes, same sizes: another value.
        var other = BlockCRCs()
        var changed = data
        changed[3 * mib + 10] ^= 1
        changed.withUnsafeBytes { other.update($0) }
        let sizes = [2 * mib, 2 * mib, mib + 777]
        #expect(other.composite(partSizes: sizes.map(Int64.init)) != composite(sizes))
    }
}

/// A download's ranges tapped on their way to the file: joined, they give the whole stream's CRCs.
struct RangeCRCsTests {
    private final class Discard: ByteSink { func write(_ bytes: UnsafeRawBufferPointer) throws {} }

    @Test("ranges tapped in any order join into the CRCs of the whole; a gap or an off-grid range size gives none")
    func rangesJoin() throws {
        let mib = Int(BlockCRCs.blockSize), range = 2 * mib
        let data = Random.bytes(5 * mib + 99)
        let crcs = RangeCRCs(rangeSize: Int64(range))
        for start in stride(from: 0, to: data.count, by: range).reversed() {  // finished out of order
            let sink = crcs.tap(Discard(), start: Int64(start))
            data[start..<min(start + range, data.count)].withUnsafeBytes { try? sink.write($0) }
        }
        let joined = try #require(crcs.joined())
        #expect(joined.total == Int64(data.count))
        #expect(joined.whole == CRC32C.checksum(data).base64)

        let gap = RangeCRCs(rangeSize: Int64(range))
        for start in [0, 2 * range] {
            let sink = gap.tap(Discard(), start: Int64(start))
            data[start..<min(start + range, data.count)].withUnsafeBytes { try? sink.write($0) }
        }
        #expect(gap.joined() == nil, "a missing range must not pass for the whole")

        let offGrid = RangeCRCs(rangeSize: Int64(mib + 4096))
        #expect(offGrid.tap(Discard(), start: 0) is Discard, "ranges off the MiB grid are not tapped")
        #expect(offGrid.joined() == nil)
    }
}

/// An in-memory rewindable source.
private final class BytesSource: RewindableByteSource {
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

/// A source that claims more bytes than it has (a file cut short while it is sent).
private final class ShortSource: RewindableByteSource {
    private let inner: BytesSource
    let length: Int64
    init(claimed: Int64, actual: [UInt8]) { inner = BytesSource(actual); length = claimed }
    func rewind() throws { try inner.rewind() }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try inner.read(into: buffer) }
}
