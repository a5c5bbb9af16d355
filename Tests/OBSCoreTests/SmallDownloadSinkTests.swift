import Foundation
import Testing

@testable import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// What a many-small-files download costs per file: no writer thread for a sink used only in place, and a small
/// object written through the page cache (its checksum pass then reads it from memory, not from the disk).
@Suite("small downloads")
struct SmallDownloadSinkTests {
    func tempPath() -> String { NSTemporaryDirectory() + "obsctl-small-\(UUID().uuidString)" }

    @Test("sinks used only in place start no writer thread")
    func noThreadInPlace() throws {
        let paths = (0..<40).map { _ in tempPath() }
        defer { for p in paths { unlink(p) } }
        let fds = paths.map { open($0, O_CREAT | O_RDWR | O_TRUNC, 0o600) }
        defer { for fd in fds { close(fd) } }
        let sinks = try fds.enumerated().map { i, fd in
            let sink = PipelinedFileSink(fd: fd, path: paths[i])
            try [UInt8](repeating: 7, count: 5000).withUnsafeBytes { try sink.write($0, at: 0) }
            return sink
        }
        // Asked of each sink, not counted in /proc/self/task: tests running beside this one start threads too
        // (GroupSyncTests starts 24 at once), which a count of the process's threads would take for the sinks'.
        #expect(sinks.filter(\.startedWriter).isEmpty, "sinks used only in place started writer threads")
        withExtendedLifetime(sinks) {}
    }

    @Test("a range that fits in the block goes through the page cache", arguments: [1, 4096, 12_288, 12_345])
    func smallRangeCached(size: Int) throws {
        let path = tempPath()
        defer { unlink(path) }
        let fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let sink = PipelinedFileSink(fd: fd, path: path)
        let blocks = BlockPool(count: 1)
        let block = blocks.take()
        defer { blocks.give(block) }
        let part = AlignedRangeSink(sink, start: 0, block: block)
        try data.withUnsafeBytes { try part.write($0) }
        try part.finish()
        #expect(part.written == Int64(size))
        let pages = (size + 4095) / 4096
        let map = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        #expect(map != MAP_FAILED)
        defer { munmap(map, size) }
        var resident = [UInt8](repeating: 0, count: pages)
        #expect(mincore(map, size, &resident) == 0)
        #expect(resident.allSatisfy { $0 & 1 == 1 }, "every page of the small file is in the page cache")
        #expect(Array(UnsafeRawBufferPointer(start: map, count: size)) == data)
    }
}
