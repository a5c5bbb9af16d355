import Foundation
import Testing

@testable import OBSCore

#if canImport(Glibc)
import Glibc
#endif

/// Whether this machine's temporary directory takes direct I/O past the page cache (not tmpfs): what these tests
/// look at.
let temporaryDirectoryBypassesCache = PageCache.directWritesBypass(in: NSTemporaryDirectory())

/// `DirectFileReader`: any offset and length reads the file's bytes, across windows, with and without the
/// read-ahead, and none of it goes through the page cache.
@Suite(.enabled(if: temporaryDirectoryBypassesCache, "the temporary directory takes no direct I/O"))
struct DirectFileReaderTests {
    /// A file of `bytes`, written and synced, its pages then dropped from the cache.
    func uncachedFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "obsctl-direct-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(fsync(fd) == 0)
        #expect(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0)
        return path
    }

    func reader(_ path: String, size: Int) throws -> (DirectFileReader, Int32) {
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        let reader = try #require(DirectFileReader(fd: fd, size: Int64(size), path: path), "O_DIRECT refused")
        return (reader, fd)
    }

    /// `count` bytes at `offset`, through as many reads as the reader needs (each stops at a window's end).
    func readFully(_ reader: DirectFileReader, at offset: Int, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = try out.withUnsafeMutableBytes {
                let rest = UnsafeMutableRawBufferPointer(rebasing: $0[done...])
                return try #require(try reader.read(at: Int64(offset + done), into: rest))
            }
            if n == 0 { break }
            done += n
        }
        return Array(out[0..<done])
    }

    func patterned(_ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ $0 >> 12) } }

    /// Sizes below one window, at its edges and past two (the read-ahead's thread), with odd tails.
    @Test(arguments: [1, 4095, 100_003, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 4097, 5_000_011])
    func everyRangeReadsTheFilesBytes(size: Int) throws {
        let data = patterned(size)
        let path = try uncachedFile(data)
        defer { unlink(path) }
        let (reader, fd) = try reader(path, size: size)
        defer { close(fd) }
        // In order, in pieces of changing sizes (tiny ones too, as a header read), as a decryptor reads.
        var offset = 0, piece = 1
        while offset < size {
            let n = min(piece, size - offset)
            #expect(try readFully(reader, at: offset, count: n) == Array(data[offset..<offset + n]), "at \(offset)")
            offset += n
            piece = piece * 7 % 1_500_007 + 1
        }
        if size > 2 * DirectFileReader.windowSize {
            #expect(reader.windowsReadAhead > 0, "in-order reads of \(size) bytes used no read-ahead")
        }
        // Anywhere, backwards and forwards, small and large, across windows (as range reads and seeks do).
        var generator = SeededGenerator(seed: UInt64(size))
        for i in 0..<60 {
            let start = Int.random(in: 0..<size, using: &generator)
            let most = i % 3 == 0 ? min(size - start, 100) : min(size - start, 2_500_000)
            let n = Int.random(in: 1...most, using: &generator)
            #expect(try readFully(reader, at: start, count: n) == Array(data[start..<start + n]), "at \(start)")
        }
        var byte = [UInt8](repeating: 0, count: 16)
        for past in [size, size + 1, size + 5_000_000] {
            #expect(try byte.withUnsafeMutableBytes { try reader.read(at: Int64(past), into: $0) } == 0)
        }
        #expect(PageCache.residentPages(of: path)?.contains(true) == false, "read through the page cache")
    }

    /// Bytes this thread had the disk read for it (/proc/thread-self/io): the reads of other tests do not count.
    func threadReadBytes() throws -> Int {
        let text = try String(contentsOfFile: "/proc/thread-self/io", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("read_bytes:") })
        return try #require(Int(line.dropFirst("read_bytes:".count).trimmingCharacters(in: .whitespaces)))
    }

    /// A few bytes outside the window (an object's header, or a small range) cost one block from the disk, not a
    /// window, and start no read-ahead; a whole window is read once for reads inside it.
    @Test func smallReadsLoadOneBlock() throws {
        let size = 5_000_011
        let data = patterned(size)
        let path = try uncachedFile(data)
        defer { unlink(path) }
        let (reader, fd) = try reader(path, size: size)
        defer { close(fd) }
        for offset in [0, 64, 3_000_123] {
            let before = try threadReadBytes()
            #expect(try readFully(reader, at: offset, count: 64) == Array(data[offset..<offset + 64]))
            let read = try threadReadBytes() - before
            #expect(read == (offset == 64 ? 0 : DirectIO.alignment), "a 64-byte read at \(offset) read \(read)")
        }
        let before = try threadReadBytes()
        #expect(try readFully(reader, at: 10_000, count: 500_000) == Array(data[10_000..<510_000]))
        #expect(try threadReadBytes() - before == DirectFileReader.windowSize)
        #expect(reader.windowsReadAhead == 0)
    }
}

/// SplitMix64: the same pseudo-random offsets on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
