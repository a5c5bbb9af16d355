import CCRC32C

/// One of S3's flexible checksums (`x-amz-checksum-<name>`), computed over a stream: what a server verifies when a
/// client declares it (botocore since 1.36 sends CRC-32 by default). Base64 of the big-endian value or digest.
public struct FlexibleChecksum {
    public enum Algorithm: String, Sendable, CaseIterable {
        case crc32, crc32c, crc64nvme, sha1, sha256

        /// `x-amz-checksum-crc32`, the header or trailer that carries it.
        public var headerName: String { "x-amz-checksum-" + rawValue }
        /// The name S3 says in its messages ("The CRC32 you specified did not match ...").
        public var displayName: String { rawValue == "crc64nvme" ? "CRC64NVME" : rawValue.uppercased() }
        /// Bytes of the value: what a well-formed header decodes to.
        public var size: Int {
            switch self {
            case .crc32, .crc32c: return 4
            case .crc64nvme: return 8
            case .sha1: return 20
            case .sha256: return 32
            }
        }
    }

    private enum State {
        case crc32(UInt32)
        case crc32c(CRC32C)
        case crc64(UInt64)
        case digest(Digest)
    }

    public let algorithm: Algorithm
    private var state: State

    public init(_ algorithm: Algorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .crc32: state = .crc32(0)
        case .crc32c: state = .crc32c(CRC32C())
        case .crc64nvme: state = .crc64(0)
        case .sha1: state = .digest(Digest(.sha1))
        case .sha256: state = .digest(Digest(.sha256))
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        switch state {
        case .crc32(let v): state = .crc32(crc32_ieee_update(v, base, bytes.count))
        case .crc32c(var c):
            c.update(bytes)
            state = .crc32c(c)
        case .crc64(let v): state = .crc64(crc64_nvme_update(v, base, bytes.count))
        case .digest(let d): d.update(bytes)
        }
    }

    /// The value so far, as the header carries it. A digest can be finished once.
    public mutating func base64() -> String {
        switch state {
        case .crc32(let v): return Base64.encode(Self.bigEndian(UInt64(v), bytes: 4))
        case .crc32c(let c): return c.base64
        case .crc64(let v): return Base64.encode(Self.bigEndian(v, bytes: 8))
        case .digest(let d): return Base64.encode(d.finalize())
        }
    }

    private static func bigEndian(_ v: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64(bytes - 1 - $0))) }
    }
}
