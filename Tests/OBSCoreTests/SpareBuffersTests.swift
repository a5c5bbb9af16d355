import Foundation
import Testing
@testable import OBSCore

#if canImport(Glibc)
import Glibc
#endif

/// Write buffers beyond each file's first come out of one budget for the process (`SpareBuffers`).
struct SpareBuffersTests {
    /// Writes `data` through a sink on `spares` in 1000-byte pieces; returns what the file then holds.
    func written(_ data: [UInt8], bufferSize: Int, spares: SpareBuffers, whileOpen: () -> Void = {}) throws -> [UInt8] {
        let path = NSTemporaryDirectory() + "obsctl-spare-\(UUID().uuidString)"
        defer { unlink(path) }
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        try #require(fd >= 0)
        do {
            let sink = PipelinedFileSink(
                fd: fd, path: path, bufferSize: bufferSize, depth: 3, directIO: false, spares: spares)
            for start in stride(from: 0, to: data.count, by: 1000) {
                let end = min(start + 1000, data.count)
                try data.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
            }
            whileOpen()
            try sink.finish()
        }
        close(fd)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    let data = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }

    @Test("with no spare budget, a sink writes every byte with its one buffer and takes nothing")
    func writesWithOneBuffer() throws {
        let none = SpareBuffers(limit: 0)
        var held = -1
        let bytes = try written(data, bufferSize: 4096, spares: none, whileOpen: { held = none.inUse })
        #expect(bytes == data && held == 0)
    }

    /// Writes `data` through a sink on `spares` into a pipe of one page whose reader starts only once `spares` lends
    /// `lent` bytes (or after 30 s): the writer thread is then stuck on a full pipe, so the sink runs out of free
    /// buffers and must take every spare it may, however the threads are scheduled. Returns what the reader got and
    /// what `spares` lent once every byte was handed over.
    func writtenThroughStalledPipe(_ data: [UInt8], spares: SpareBuffers, lent: Int) throws -> ([UInt8], Int) {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd) }
        try #require(fcntl(writeEnd, 1031 /* F_SETPIPE_SZ */, 4096) >= 4096)
        let received = LockedBytes()
        let readerDone = DispatchSemaphore(value: 0)
        Thread {
            let deadline = Date().addingTimeInterval(30)
            while spares.inUse < lent && Date() < deadline { usleep(1000) }
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if n > 0 { received.append(chunk[0..<n]) } else if n == 0 || errno != EINTR { break }
            }
            readerDone.signal()
        }.start()
        var held = -1
        do {
            let sink = PipelinedFileSink(
                fd: writeEnd, path: "pipe", bufferSize: 4096, depth: 3, directIO: false, spares: spares)
            for start in stride(from: 0, to: data.count, by: 1000) {
                let end = min(start + 1000, data.count)
                try data.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
            }
            held = spares.inUse
            try sink.finish()
        }
        close(writeEnd)
        readerDone.wait()
        return (received.bytes, held)
    }

    @Test("a sink takes at most its two spares, only while the budget lasts, and gives them back when it goes")
    func takesAndGivesBack() throws {
        for (limit, expected) in [(10 * 4096, 2 * 4096), (4096, 4096)] {
            let spares = SpareBuffers(limit: limit)
            let (bytes, held) = try writtenThroughStalledPipe(data, spares: spares, lent: expected)
            #expect(bytes == data, "limit \(limit)")
            #expect(held == expected && spares.inUse == 0, "limit \(limit)")
        }
    }
}

/// Bytes one thread appends and another reads once it is done.
private final class LockedBytes: @unchecked Sendable {  // `stored` is read and written under `lock`
    private let lock = NSLock()
    private var stored: [UInt8] = []
    func append(_ more: ArraySlice<UInt8>) { lock.withLock { stored += more } }
    var bytes: [UInt8] { lock.withLock { stored } }
}
