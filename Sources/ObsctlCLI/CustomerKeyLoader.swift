import Foundation
import OBSCore
import OBSCrypto

enum CustomerKeyLoader {
    /// A key file group or others may read is used (a mounted secret may be 0644 by default), but said once: the
    /// key protects the object, and anyone who can read the file can read the object.
    static func warnIfExposed(_ path: String) {
        guard let mode = SecretFileExposure.readableMode(path) else { return }
        Output.stderr("obsctl: warning: SSE-C key file \(path) can be read by others (mode \(mode)); chmod 600 it")
    }

    static let expected = "expected 32 raw bytes, 64 hex characters, or the base64 of 32 bytes"
    /// Far above any key encoding (64 hex characters and a newline): a larger file is not a key.
    static let maximumFileSize = 4096

    static func load(file: String?, environmentVariable: String?, encoding: KeyEncoding, flag: String) throws
        -> CustomerKey?
    {
        var raw: [UInt8]
        let origin: String
        switch (file, environmentVariable) {
        case (nil, nil):
            guard encoding == .auto else {
                throw OBSError.invalidArgument("\(flag)-encoding needs a key: give \(flag)-file or \(flag)-env too")
            }
            return nil
        case (_?, _?): throw OBSError.invalidArgument("give the SSE-C key once: \(flag)-file or \(flag)-env, not both")
        case (let path?, nil):
            guard !path.isEmpty else {
                throw OBSError.invalidArgument("\(flag)-file is empty; give the path of the file that holds the key")
            }
            origin = "SSE-C key file \(path)"
            do {
                raw = try SmallFile.read(path, limit: maximumFileSize).copyBytes()
            } catch {
                throw OBSError.invalidCustomerKey("\(origin) \(error.phrase); give the file that holds the key")
            }
            warnIfExposed(path)
        case (nil, let name?):
            origin = "SSE-C key in $\(name)"
            // A name no shell exports (`A=B`, `1A`, `A B`, empty): a mistake in the option, not a missing variable.
            guard isVariableName(name) else {
                throw OBSError.invalidArgument(
                    "\(flag)-env '\(HeaderValues.printable(name))' is not an environment variable's name; give the "
                        + "name alone (\(flag)-env MY_KEY, not MY_KEY=...)")
            }
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw OBSError.invalidCustomerKey(
                    "environment variable \(name) is not set; export it with the SSE-C key (hex or base64)")
            }
            raw = Array(value.utf8)
        }
        defer { raw.withUnsafeMutableBytes { if let p = $0.baseAddress { explicit_bzero(p, $0.count) } } }
        guard !raw.isEmpty else { throw OBSError.invalidCustomerKey("\(origin) is empty; \(expected)") }
        var key = try decode(raw, encoding: encoding, origin: origin)
        defer { key.withUnsafeMutableBytes { if let p = $0.baseAddress { explicit_bzero(p, $0.count) } } }
        return try CustomerKey(key: SecretBytes(copying: key))
    }

    /// UTF-8 of printable characters (a space included), maybe ending in a line end.
    static func isText(_ bytes: [UInt8]) -> Bool {
        var body = bytes[...]
        if body.last == 0x0A { body = body.dropLast() }
        if body.last == 0x0D { body = body.dropLast() }
        guard !body.isEmpty, let text = String(validating: body, as: UTF8.self) else { return false }
        return text.unicodeScalars.allSatisfy {
            $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value)
        }
    }

    /// POSIX's portable names: a letter or `_`, then letters, digits and `_`.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || (0x30...0x39).contains($0) }
    }

    private static func isLetter(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }

    static func decode(_ raw: [UInt8], encoding: KeyEncoding, origin: String) throws -> [UInt8] {
        let text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        func checked(_ bytes: [UInt8]?, _ what: String) throws -> [UInt8] {
            guard let bytes else { throw OBSError.invalidCustomerKey("\(origin) is not valid \(what); \(expected)") }
            guard bytes.count == 32 else {
                throw OBSError.invalidCustomerKey(
                    "\(origin) decodes (\(what)) to \(bytes.count) bytes; an SSE-C key must be 32 bytes")
            }
            return bytes
        }
        switch encoding {
        case .raw: return try checked(raw, "raw bytes")
        case .hex: return try checked(Hex.decode(text), "hex")
        case .base64: return try checked(Base64.decode(text), "base64")
        case .auto:
            // 32 bytes of text (a passphrase, a 16-byte key in hex, the base64 of 24 bytes, with a newline or not;
            // UTF-8 of printable characters) are not taken for raw bytes: a random key is text about once in 10^12.
            if raw.count == 32 && !Self.isText(raw) { return raw }
            if text.utf8.count == 64, let h = Hex.decode(text) { return h }
            if let b = Base64.decode(text), b.count == 32 { return b }
            if let h = Hex.decode(text), !h.isEmpty { return try checked(h, "hex") }
            if let b = Base64.decode(text), !b.isEmpty, raw.count != 32 { return try checked(b, "base64") }
            throw OBSError.invalidCustomerKey(
                "\(origin) holds \(raw.count) bytes that are not a 32-byte key; \(expected) (or set "
                    + "--sse-c-key-encoding\(raw.count == 32 ? " raw if these 32 characters are the key" : ""))"
            )
        }
    }
}
