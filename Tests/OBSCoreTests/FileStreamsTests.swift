import Foundation
import Testing
@testable import OBSCore
#if canImport(Glibc)
import Glibc
#endif

struct PipelinedFileSinkTests {
    func tempPath() -> String { NSTemporaryDirectory() + "obsctl-sink-\(UUID().uuidString)" }

    /// What a fresh file holds once `feed` has written it through the sink `make` builds on it and the sink
    /// finished; `finished` looks at the descriptor then, before it is closed.
    func writtenThroughSink(
        _ make: (Int32, String) -> PipelinedFileSink, feed: (PipelinedFileSink) throws -> Void,
        finished: (Int32) -> Void = { _ in }
    ) throws -> [UInt8] {
        let path = tempPath()
        defer { unlink(path) }
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(fd >= 0)
        do {
            let sink = make(fd, path)
            try feed(sink)
            try sink.finish()
        }
        finished(fd)
        close(fd)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Bytes of `size` that differ from offset to offset and from one test's pattern to another's (`seed`).
    func patterned(_ size: Int, _ seed: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* seed &+ $0 >> 10) }
    }

    /// `data` from `offset` on, through the sink's lent buffers (`fill`), at most `piece` bytes a call; the new offset.
    func fill(_ sink: PipelinedFileSink, _ data: [UInt8], from offset: Int, minimum: Int, piece: Int) throws -> Int {
        offset
            + (try sink.fill(minimum: minimum) { buffer in
                #expect(buffer.count >= minimum)
                let n = min(buffer.count, data.count - offset, piece)
                data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
                return n
            })
    }

    /// `data` from `offset` on, `n` bytes through `write`; the new offset.
    func write(_ sink: PipelinedFileSink, _ data: [UInt8], from offset: Int, count n: Int) throws -> Int {
        try data.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
        return offset + n
    }

    @Test(arguments: [0, 1, 4095, 4096, 3 * 4096 + 17, 200_000])
    func writesEveryByteInOrder(size: Int) throws {
        let data = patterned(size, 31)
        // Small buffers and odd piece sizes exercise buffer hand-over between the two threads.
        let written = try writtenThroughSink({ PipelinedFileSink(fd: $0, path: $1, bufferSize: 4096, depth: 2) }) {
            sink in
            var offset = 0, piece = 1
            while offset < size {
                offset = try write(sink, data, from: offset, count: min(piece, size - offset))
                piece = piece * 3 % 9001 + 1
            }
        }
        #expect(written == data)
    }

    /// With O_DIRECT (aligned buffers, the unaligned tail through the page cache) and through `fill`, the lending
    /// path a decryptor uses; sizes around the 4 KiB alignment and the buffer size.
    @Test(arguments: [0, 1, 4095, 4096, 65_536 + 5, 4 * 65_536, 9 * 65_536 + 3])
    func directIOAndFillWriteEveryByte(size: Int) throws {
        let data = patterned(size, 131)
        let written = try writtenThroughSink(
            { PipelinedFileSink(fd: $0, path: $1, bufferSize: 65_536, depth: 2, directIO: true) },
            feed: { sink in
                var offset = 0
                while offset < size { offset = try fill(sink, data, from: offset, minimum: 16_384, piece: 20_000) }
            },
            finished: {
                #expect(fcntl($0, F_GETFL) & Int32(0o40000) == 0, "O_DIRECT must be off once the sink is done")
            })
        #expect(written == data)
    }

    /// Buffers larger than the small first one (`firstBufferSize`, 64 KiB): a file that fits stays in it, one that
    /// outgrows it moves on to the queue's buffers, through write or fill (with a minimum below or above the first
    /// buffer's size), through the page cache or O_DIRECT.
    @Test(
        arguments: [0, 1, 65_535, 65_536, 65_537, 300_000, 1_000_003],
        ["write", "fill 16K", "fill 100K", "fill after write"])
    func firstBufferThenQueueBuffers(size: Int, mode: String) throws {
        let data = patterned(size, 29)
        for directIO in [false, true] {
            let written = try writtenThroughSink({
                PipelinedFileSink(fd: $0, path: $1, bufferSize: 256 << 10, depth: 2, directIO: directIO)
            }) { sink in
                var offset = 0, piece = 1
                while offset < size {
                    if mode.hasPrefix("fill") && (mode != "fill after write" || offset > 40_000) {
                        let minimum = mode == "fill 100K" ? 100_000 : 16_384
                        offset = try fill(sink, data, from: offset, minimum: minimum, piece: 30_001)
                    } else {
                        offset = try write(sink, data, from: offset, count: min(piece, size - offset))
                        piece = piece * 5 % 70_001 + 1
                    }
                }
            }
            #expect(written == data, "directIO \(directIO)")
        }
    }

    /// With `directIO`, a file larger than the sink's first buffer goes to the disk past the page cache, all but
    /// its unaligned tail; one that fits the first buffer is written through the cache (seen from the sink: the
    /// cache may lose a page at any time on a VM whose host reclaims memory, so a page not cached proves nothing).
    @Test(
        .enabled(if: temporaryDirectoryBypassesCache, "the temporary directory takes no direct I/O"),
        arguments: [40_000, 65_536, 300_001, 9_000_000])
    func directIOBypassesTheCacheForLargeFilesOnly(size: Int) throws {
        let path = tempPath()
        defer { unlink(path) }
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(fd >= 0)
        let data = patterned(size, 37)
        do {
            let sink = PipelinedFileSink(fd: fd, path: path, directIO: true)
            _ = try write(sink, data, from: 0, count: size)
            try sink.finish()
            #expect(sink.wroteDirect == (size > DirectIO.smallFileSize))
        }
        close(fd)
        if size > DirectIO.smallFileSize {
            let cached = try #require(PageCache.residentPages(of: path)).filter { $0 }.count
            #expect(cached <= 1, "\(cached) pages of \(size) bytes went through the cache")
        }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == data)
    }

    /// Ranges of a parallel download written through AlignedRangeSink (O_DIRECT blocks, plain tails) in any
    /// order land where they belong, into a file whose space was reserved first or not, with ranges that start
    /// aligned or not (a part size that is no multiple of 4 KiB); the file then reads back whole through the sink.
    @Test(arguments: [false, true], [5 << 20, (5 << 20) + 1000])
    func alignedRangesLandInPlace(reserved: Bool, range: Int) throws {
        let path = tempPath()
        defer { unlink(path) }
        let fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        let size = 2 * range + 12_345  // two ranges and an odd tail
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 13) }
        let sink = PipelinedFileSink(fd: fd, path: path)
        if reserved {
            try sink.reserve(Int64(size))
            var st = stat()
            #expect(fstat(fd, &st) == 0 && st.st_size == size, "reserve sets the file's size")
        }
        let blocks = BlockPool(count: 1)
        for start in stride(from: 2 * range, through: 0, by: -range) {  // last range first
            let end = min(start + range, size)
            let block = blocks.take()
            defer { blocks.give(block) }
            let part = AlignedRangeSink(sink, start: Int64(start), block: block)
            var offset = start, piece = 1
            while offset < end {
                let n = min(piece, end - offset)
                try data.withUnsafeBytes { try part.write(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
                offset += n
                piece = piece * 7 % 300_007 + 1
            }
            try part.finish()
            #expect(part.written == Int64(end - start))
        }
        var back = [UInt8](repeating: 0, count: size), got = 0
        while got < size {
            let n = try back.withUnsafeMutableBytes {
                try sink.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...]), at: Int64(got))
            }
            if n == 0 { break }
            got += n
        }
        #expect(got == size && back == data)
    }

    /// A pool allocates a block only when none is free, and lends given-back blocks again.
    @Test func blockPoolReusesBlocks() {
        let pool = BlockPool(count: 2)
        let a = pool.take(), b = pool.take()
        #expect(a.baseAddress != b.baseAddress)
        #expect(a.count == BlockPool.blockSize && Int(bitPattern: a.baseAddress) % 4096 == 0)
        pool.give(a)
        #expect(pool.take().baseAddress == a.baseAddress)
    }

    /// Blocks of finished pools are kept for the next ones by how much of each was written: many lightly used
    /// (a small object's download), few heavily used; one never given back counts as heavily used.
    @Test func spareBlocksKeptByUse() {
        let spares = SpareBlocks(lightLimit: 3, heavyLimit: 1, lightBytes: 64 << 10)
        var light: [UnsafeMutableRawPointer?] = []
        do {
            let pools = (0..<5).map { _ in BlockPool(count: 1, spares: spares) }
            for pool in pools {
                let b = pool.take()
                light.append(b.baseAddress)
                pool.give(b, touched: 12 << 10)
            }
        }
        #expect(spares.kept == (light: 3, heavy: 0), "3 of 5 light blocks kept, 2 freed")
        do {
            let pool = BlockPool(count: 1, spares: spares)
            let b = pool.take()
            #expect(light.contains(b.baseAddress), "a kept block is lent again, not a new one")
            pool.give(b, touched: 1 << 20)  // a large object's range: now heavily used
        }
        #expect(spares.kept == (light: 2, heavy: 1))
        do {
            let pools = (0..<2).map { _ in BlockPool(count: 1, spares: spares) }
            let first = pools[0].take()  // the heavy one first: its pages are there already
            #expect(light.contains(first.baseAddress))
            _ = pools[1].take()  // never given back: counted as all touched
        }
        #expect(spares.kept == (light: 1, heavy: 1), "the heavy tier holds one; the block never given back freed")
    }

    @Test func reportsWriteErrors() throws {
        let path = tempPath()
        defer { unlink(path) }
        close(open(path, O_CREAT | O_WRONLY, 0o600))
        let fd = open(path, O_RDONLY)  // writes fail with EBADF
        defer { close(fd) }
        #expect(throws: OBSError.self) {
            let sink = PipelinedFileSink(fd: fd, path: path, bufferSize: 4096, depth: 2)
            let chunk = [UInt8](repeating: 1, count: 10_000)
            try chunk.withUnsafeBytes { try sink.write($0) }
            try sink.finish()
        }
    }
}

struct RewindableFileSourceTests {
    /// A new file of 10,000 bytes of 1, opened read-write, as a source.
    static func opened() throws -> (String, Int32, RewindableFileSource) {
        let path = NSTemporaryDirectory() + "obsctl-source-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 10_000))
        let fd = open(path, O_RDWR)
        try #require(fd >= 0)
        return (path, fd, try #require(FileDescriptorSource.make(fd: fd, path: path) as? RewindableFileSource))
    }

    @Test func readsStopAtTheLengthSeenWhenOpened() throws {
        let (path, fd, source) = try Self.opened()
        defer { close(fd); unlink(path) }
        // The file grows after opening (a log being written): the source still yields its first 10,000 bytes.
        let more = [UInt8](repeating: 2, count: 5000)
        _ = more.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 10_000) }
        var total = 0, buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            #expect(buffer[0..<n].allSatisfy { $0 == 1 })
            total += n
        }
        #expect(total == 10_000 && source.length == 10_000)
        try source.rewind()
        #expect(try buffer.withUnsafeMutableBytes { try source.read(into: $0) } == 4096)
    }

    /// A file cut shorter, or written in place, while it is read fails the read (exit 10, SourceChanged): what
    /// consumes it stores nothing rather than a mix of old and new bytes.
    @Test(arguments: ["cut", "written in place"])
    func changedWhileRead(_ change: String) throws {
        let (path, fd, source) = try Self.opened()
        defer { close(fd); unlink(path) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        #expect(try buffer.withUnsafeMutableBytes { try source.read(into: $0) } == 4096)
        usleep(20_000)  // a later modification time than the file's first one
        if change == "cut" {
            #expect(ftruncate(fd, 6000) == 0)
        } else {
            let other = [UInt8](repeating: 9, count: 100)
            _ = other.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 9000) }
        }
        #expect {
            while try buffer.withUnsafeMutableBytes({ try source.read(into: $0) }) > 0 {}
        } throws: { ($0 as? OBSError)?.code == "SourceChanged" && ($0 as? OBSError)?.category == .conflict }
    }
}
