import COpenSSL

/// Key material (root keys, CMK material, data keys, SSE-C keys).
///
/// The bytes live in memory this type allocates itself and wipes with `OPENSSL_cleanse` when it goes away;
/// `description` and `debugDescription` print a redaction, and the type is deliberately not `Codable`, so a secret
/// cannot end up in JSON, a log line or an error message by accident.
/// `@unchecked Sendable`: its creator fills it (`init`, `withUnsafeMutableBytes`) before it is shared; then only read.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let pointer: UnsafeMutableRawBufferPointer

    public var count: Int { pointer.count }

    public init(count: Int) {
        pointer = .allocate(byteCount: max(count, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0)
        if count == 0 { self.isEmptyStorage = true } else { self.isEmptyStorage = false }
    }

    private let isEmptyStorage: Bool

    /// Copies `bytes` in. The caller should wipe its own copy where it can.
    public convenience init<C: Collection>(copying bytes: C) where C.Element == UInt8 {
        self.init(count: bytes.count)
        var i = 0
        for b in bytes { pointer[i] = b; i += 1 }
    }

    /// Moves `bytes` in: copies them, then wipes the array (a derived key computed as `[UInt8]`).
    public convenience init(wiping bytes: inout [UInt8]) {
        self.init(copying: bytes)
        bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
    }

    deinit {
        OPENSSL_cleanse(pointer.baseAddress, pointer.count)
        pointer.deallocate()
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer.baseAddress, count: isEmptyStorage ? 0 : pointer.count))
    }

    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: pointer.baseAddress, count: isEmptyStorage ? 0 : pointer.count))
    }

    /// Constant-time equality.
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBytes { a in
            other.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }

    /// Escape hatch for encoders (SSE-C header values, the root key file). Callers own the copy.
    public func copyBytes() -> [UInt8] { withUnsafeBytes { Array($0) } }

    public var description: String { "<redacted \(isEmptyStorage ? 0 : count) bytes>" }
    public var debugDescription: String { description }
}

/// Constant-time comparison of two byte sequences of equal length (MACs, tags).
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, pa.count) == 0 }
    }
}
