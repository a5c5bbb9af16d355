import COpenSSL

/// Streaming message digests through EVP_MD_CTX.
public final class Digest {
    public enum Algorithm: Sendable {
        case md5, sha1, sha256
        var evp: OpaquePointer {
            switch self {
            case .md5: return Algorithms.md5
            case .sha1: return Algorithms.sha1
            case .sha256: return Algorithms.sha256
            }
        }
    }

    private let ctx: OpaquePointer

    public init(_ algorithm: Algorithm) {
        ctx = EVP_MD_CTX_new()!
        precondition(EVP_DigestInit_ex(ctx, algorithm.evp, nil) == 1, "EVP_DigestInit_ex failed")
    }

    deinit { EVP_MD_CTX_free(ctx) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        // EVP lengths are size_t here, but feed large buffers in slices anyway to bound each call.
        var offset = 0
        while offset < bytes.count {
            let n = min(1 << 20, bytes.count - offset)
            EVP_DigestUpdate(ctx, bytes.baseAddress! + offset, n)
            offset += n
        }
    }

    public func update<C: ContiguousBytes>(_ bytes: C) { bytes.withUnsafeBytes { update($0) } }

    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &out, &len)
        return Array(out.prefix(Int(len)))
    }

    public static func sha256<C: ContiguousBytes>(_ bytes: C) -> [UInt8] {
        let d = Digest(.sha256); d.update(bytes); return d.finalize()
    }
    public static func md5<C: ContiguousBytes>(_ bytes: C) -> [UInt8] {
        let d = Digest(.md5); d.update(bytes); return d.finalize()
    }
}

/// Minimal stand-in for Foundation's protocol so this module needs no Foundation.
public protocol ContiguousBytes { func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R }
extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}
extension SecretBytes: ContiguousBytes {}

/// A string's UTF-8 bytes, read in place (a native string's storage; any other is made contiguous once).
public struct UTF8Text: ContiguousBytes {
    public let text: String
    public init(_ text: String) { self.text = text }
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var text = text
        return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}
