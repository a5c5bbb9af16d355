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

extension FlexibleChecksum {
    /// The CRC of a whole object from its parts' CRCs (the values as decoded from base64) and lengths, in order,
    /// without reading a byte: S3's FULL_OBJECT checksum of a multipart upload. nil for SHA-1 and SHA-256, which no
    /// parts' digests can give, or for a value of the wrong size.
    public static func fullObject(_ algorithm: Algorithm, parts: [(value: [UInt8], length: Int64)]) -> [UInt8]? {
        let polynomial: UInt64  // reflected
        switch algorithm {
        case .crc32: polynomial = 0xEDB8_8320
        case .crc32c: polynomial = 0x82F6_3B78
        case .crc64nvme: polynomial = 0x9A6C_9329_AC4B_C9B5
        case .sha1, .sha256: return nil
        }
        var whole: UInt64 = 0  // the CRC of no bytes, for each of these (their init and final XOR are all ones)
        for part in parts {
            guard part.value.count == algorithm.size else { return nil }
            let crc = part.value.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            whole = ZeroShift.advance(whole, overBytes: part.length, polynomial, bits: algorithm.size * 8) ^ crc
        }
        return bigEndian(whole, bytes: algorithm.size)
    }
}

/// The register of a reflected CRC advanced over `n` zero bytes, as a product of GF(2) matrices squared up from the
/// one-bit step (zlib's crc32_combine, for any width up to 64): crc(A B) = advance(crc(A), |B|) ^ crc(B).
private enum ZeroShift {
    static func advance(_ crc: UInt64, overBytes n: Int64, _ polynomial: UInt64, bits: Int) -> UInt64 {
        guard n > 0, crc != 0 else { return crc }
        // One zero bit, then two, then four.
        var odd = [polynomial] + (1..<bits).map { 1 << UInt64($0 - 1) }
        var even = GF2.square(odd)
        odd = GF2.square(even)
        var crc = crc, n = UInt64(n)
        while n != 0 {
            even = GF2.square(odd)  // 1, 4, 16... bytes
            if n & 1 != 0 { crc = GF2.times(even, crc) }
            n >>= 1
            guard n != 0 else { break }
            odd = GF2.square(even)
            if n & 1 != 0 { crc = GF2.times(odd, crc) }
            n >>= 1
        }
        return crc
    }
}
