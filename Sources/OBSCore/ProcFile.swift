import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A /proc file's text, read to its end. Foundation's `String(contentsOfFile:)` returns only the first 4 KiB of
/// these files, whose size stat gives as 0 (measured: 4,050 of /proc/net/tcp's 5,550 bytes), so a line further on, such
/// as /proc/stat's `btime` on a machine with many CPUs and interrupts, is silently missing.
public enum ProcFile {
    public static func text(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[0..<n]
        }
    }
}
