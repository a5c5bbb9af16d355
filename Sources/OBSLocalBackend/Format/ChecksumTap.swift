import OBSCore
import OBSCrypto

/// A source that computes one of S3's flexible checksums over the bytes read through it: the checksum of a part
/// whose bytes come from the store itself (UploadPart-Copy), in the pass that stores them.
final class ChecksumTap: ByteSource {
    private let source: ByteSource
    private var sum: FlexibleChecksum

    /// nil for a name that is none of `PartChecksum.algorithms`.
    init?(body: ByteSource, algorithm: String) {
        guard let known = FlexibleChecksum.Algorithm(rawValue: algorithm.lowercased()) else { return nil }
        source = body
        sum = FlexibleChecksum(known)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try source.read(into: buffer)
        if n > 0 { sum.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        return n
    }

    /// The checksum of every byte read, as ListParts and Complete name it; asked once, after the last read.
    func checksum() -> PartChecksum {
        PartChecksum(algorithm: sum.algorithm.rawValue.uppercased(), value: sum.base64())
    }
}
