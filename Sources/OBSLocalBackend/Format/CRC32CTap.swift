import OBSCore
import OBSCrypto

/// A source that keeps the CRC-32C of the bytes read through it: the store takes each object's checksum in the
/// pass that encrypts and writes it, while the bytes are in the cache.
final class CRC32CTap: ByteSource {
    private let source: ByteSource
    private(set) var crc = CRC32C()

    init(_ source: ByteSource) { self.source = source }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try source.read(into: buffer)
        if n > 0 { crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        return n
    }
}
