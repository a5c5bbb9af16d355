#if canImport(Glibc)
import Glibc
#endif

/// The command line as bytes. Swift decodes argv as UTF-8 and replaces invalid bytes with U+FFFD, so a key typed
/// as `$'\xff'` would silently become another key (and a path another file): such arguments are refused instead.
enum RawArgument {
    /// The first argument (1-based, after the program name) that is not valid UTF-8, escaped for a message.
    static func firstInvalid() -> (position: Int, escaped: String)? {
        for i in 1..<Int(CommandLine.argc) {
            guard let arg = CommandLine.unsafeArgv[i] else { continue }
            let bytes = UnsafeRawPointer(arg).assumingMemoryBound(to: UInt8.self)
            let raw = Array(UnsafeBufferPointer(start: bytes, count: strlen(arg)))
            if String(validating: raw, as: UTF8.self) == nil { return (i, escaped(raw)) }
        }
        return nil
    }

    /// Printable ASCII as it is, every other byte as \xNN (valid UTF-8 sequences are kept).
    static func escaped(_ raw: [UInt8]) -> String {
        var out = "", i = 0
        while i < raw.count {
            let b = raw[i]
            let length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0
            if length > 1, i + length <= raw.count, let s = String(validating: raw[i..<i + length], as: UTF8.self) {
                out += s; i += length; continue
            }
            out += b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16).leftPadded(2)
            i += 1
        }
        return out
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
