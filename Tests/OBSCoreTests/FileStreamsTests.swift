import Foundation
import Testing
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

struct PipelinedFileSinkTests {
    func tempPath() -> String { NSTemporaryDirectory() + "obsctl-sink-\(UUID().uuidString)" }

    @Test(arguments: [0, 1, 4095, 4096, 3 * 4096 + 17, 200_000])
    func writesEveryByteInOrder(size: Int) throws {
        let path = tempPath()
        defer { unlink(path) }
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        #expect(fd >= 0)
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        do {
            // Small buffers and odd piece sizes exercise buffer hand-over between the two threads.
            let sink = PipelinedFileSink(fd: fd, path: path, bufferSize: 4096, depth: 2)
            var offset = 0, piece = 1
            while offset < size {
                let n = min(piece, size - offset)
                try data.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
                offset += n
                piece = piece * 3 % 9001 + 1
            }
            try sink.finish()
        }
        close(fd)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == data)
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
