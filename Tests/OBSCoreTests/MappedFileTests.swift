import Foundation
import Testing
import OBSCore

/// `MappedFile`: a file looked at through mmap, window by window, and a file truncated while it is mapped, which
/// would otherwise end the process with SIGBUS.
struct MappedFileTests {
    private func temporaryFile(_ bytes: [UInt8]) throws -> (path: String, fd: Int32) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("obsctl-map-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDWR)
        try #require(fd >= 0)
        return (path, fd)
    }

    private func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9) }
    }

    @Test(
        "every byte of the range, in order, whatever the offset's alignment and the window size",
        arguments: [(0, 3 << 20, 1 << 20), (4097, 3 << 20, 1 << 20), (12_345, 1_000_001, 65_536), (1, 2, 4096)])
    func handsOverTheRange(_ offset: Int, _ length: Int, _ window: Int) throws {
        let data = pattern(offset + length + 777)
        let (path, fd) = try temporaryFile(data)
        defer { close(fd); unlink(path) }
        var seen: [UInt8] = []
        var windows = 0
        let mapped = try MappedFile.forEachWindow(
            fd: fd, offset: Int64(offset), length: Int64(length), path: path, window: window
        ) { chunk in
            seen.append(contentsOf: chunk)
            windows += 1
        }
        #expect(mapped)
        #expect(windows == (length + window - 1) / window)
        #expect(seen == Array(data[offset..<offset + length]))
    }

    @Test("a file truncated while mapped reads as zeros past its new end and throws, instead of SIGBUS")
    func truncatedWhileMapped() throws {
        let size = 64 << 10
        let (path, fd) = try temporaryFile(pattern(size))
        defer { close(fd); unlink(path) }
        var tail: [UInt8] = []
        let error = #expect(throws: OBSError.self) {
            _ = try MappedFile.forEachWindow(fd: fd, offset: 0, length: Int64(size), path: path) { chunk in
                // The pages past 8 KiB leave the file while they are mapped: reading them is what raised SIGBUS.
                #expect(ftruncate(fd, 8192) == 0)
                tail = Array(chunk[(size - 4096)...])
            }
        }
        #expect(tail == [UInt8](repeating: 0, count: 4096))
        #expect(error?.code == "SourceChanged", "\(String(describing: error))")
        // The next window on this thread is guarded as well: the handler stays, the finished window is forgotten.
        #expect(ftruncate(fd, off_t(size)) == 0)
        var again: [UInt8] = []
        #expect(throws: OBSError.self) {
            _ = try MappedFile.forEachWindow(fd: fd, offset: 4096, length: Int64(size - 4096), path: path) { chunk in
                #expect(ftruncate(fd, 0) == 0)
                again = Array(chunk.prefix(4096))
            }
        }
        #expect(again == [UInt8](repeating: 0, count: 4096))
    }

    @Test("a range past the file's end is refused, not read as zeros in silence")
    func rangePastTheEnd() throws {
        let (path, fd) = try temporaryFile(pattern(10_000))
        defer { close(fd); unlink(path) }
        let error = #expect(throws: OBSError.self) {
            _ = try MappedFile.forEachWindow(fd: fd, offset: 0, length: 20_000, path: path) { _ in }
        }
        #expect(error?.message.contains("became shorter") == true)
        // The failure a read of the file would give, so an upload's checksum pass and its send say the same.
        #expect(error?.code == "SourceChanged" && error?.category == .conflict)
    }

    @Test("a descriptor that cannot be mapped (a pipe) says so, having handed over nothing")
    func unmappable() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        var calls = 0
        let mapped = try MappedFile.forEachWindow(fd: ends[0], offset: 0, length: 4096, path: "pipe") { _ in calls += 1
        }
        #expect(!mapped)
        #expect(calls == 0)
    }
}
