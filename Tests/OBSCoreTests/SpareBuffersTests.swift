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

    @Test("a sink takes at most its two spares, only while the budget lasts, and gives them back when it goes")
    func takesAndGivesBack() throws {
        for (limit, expected) in [(10 * 4096, 2 * 4096), (4096, 4096)] {
            let spares = SpareBuffers(limit: limit)
            var held = -1
            let bytes = try written(data, bufferSize: 4096, spares: spares, whileOpen: { held = spares.inUse })
            #expect(bytes == data && held == expected && spares.inUse == 0, "limit \(limit)")
        }
    }
}
