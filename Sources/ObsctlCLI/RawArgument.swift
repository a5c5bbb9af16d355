import OBSTransfer
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

    /// Printable ASCII as it is, every other byte as \xNN (one rule with the file names a walk cannot name).
    static func escaped(_ raw: [UInt8]) -> String { LocalTree.escaped(raw) }
}
