import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket listening on 127.0.0.1 at a port the kernel picked, for the one-request servers of these tests.
func listenOnLoopback(backlog: Int32 = 1) throws -> (fd: Int32, port: Int) {
    let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let size = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, size) }
    }
    guard bound == 0, listen(s, backlog) == 0 else { close(s); throw CocoaError(.fileWriteUnknown) }
    var len = size
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) }
    }
    return (s, Int(UInt16(bigEndian: addr.sin_port)))
}
