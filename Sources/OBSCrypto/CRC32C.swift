import CCRC32C

/// Streaming CRC-32C (Castagnoli), the checksum of S3's `x-amz-checksum-crc32c`: with the CPU's SSE4.2 instruction
/// about ten times cheaper than MD5, so uploads can be verified by the server without an MD5 pre-pass.
public struct CRC32C: Sendable {
    /// The path the C code picks on this CPU: 512-bit carry-less folding (3), 128-bit carry-less folding (2), the
    /// CPU's CRC32 instruction (1), else a portable loop (0); the same results, at different speeds.
    static var hardware: Int32 { crc32c_fastest_path() }

    public private(set) var value: UInt32 = 0

    public init() {}

    /// Extends this checksum by that of the `length` bytes that follow, computed apart (crc32c_combine): each part's
    /// CRC-32C gives the whole one without hashing its bytes twice.
    public mutating func append(_ next: CRC32C, length: Int64) {
        value = crc32c_combine(value, next.value, UInt64(length))
    }

    /// `append(next, length: shift.length)` through a map computed once for that length.
    public mutating func append(_ next: CRC32C, shift: CRC32CShift) {
        value = shift.advance(value) ^ next.value
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        value = crc32c_update(value, base, bytes.count)
    }

    /// `hardware` forces a path (tests compare them).
    mutating func update(_ bytes: UnsafeRawBufferPointer, hardware: Int32) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        value = crc32c_update_path(value, base, bytes.count, hardware)
    }

    public mutating func update<C: ContiguousBytes>(_ bytes: C) { bytes.withUnsafeBytes { update($0) } }

    /// Base64 of the big-endian value, as the header carries it.
    public var base64: String {
        Base64.encode([UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    /// The value `base64` gives; nil for text that is not four bytes in base64.
    public init?(base64: String) {
        guard let b = Base64.decode(base64), b.count == 4 else { return nil }
        value = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    public static func checksum<C: ContiguousBytes>(_ bytes: C) -> CRC32C {
        var c = CRC32C()
        c.update(bytes)
        return c
    }
}

/// Advancing a CRC-32C over `length` zero bytes, the linear map `crc32c_combine` builds by matrix squarings on every
/// call, computed once as its 32 columns: joining many pieces of one size (a download's MiB blocks) then costs a
/// walk over the value's bits each.
public struct CRC32CShift: Sendable {
    public let length: Int64
    private let columns: [UInt64]

    public init(length: Int64) {
        self.length = length
        columns = (0..<32).map { UInt64(crc32c_combine(1 << UInt32($0), 0, UInt64(length))) }
    }

    func advance(_ value: UInt32) -> UInt32 { UInt32(truncatingIfNeeded: GF2.times(columns, UInt64(value))) }
}
