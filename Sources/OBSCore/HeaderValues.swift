/// The rules for values that travel as HTTP headers (content type, user metadata, KMS key id): one place, applied
/// by both backends to every request they take, so neither the CLI nor a library caller can put a line break on
/// the wire (header injection) or store in the local backend what OBS would refuse.
public enum HeaderValues {
    /// A header value: printable ASCII and spaces. Control characters (CR, LF, NUL, ...) would end the header or
    /// the request; bytes outside ASCII are mangled by servers and break signatures.
    /// `what` is made only for a message (uploads of many small files check every one).
    public static func checkValue(_ value: String, _ what: @autoclosure () -> String) throws {
        for s in value.unicodeScalars where !(s.value >= 0x20 && s.value < 0x7F) {
            let control = s.value < 0x20 || s.value == 0x7F
            let shown = control ? "control character 0x\(String(s.value, radix: 16, uppercase: true))" : "'\(s)'"
            throw OBSError.invalidArgument(
                "\(what()) holds \(shown); remove it: the value becomes an HTTP header, "
                    + "which takes printable ASCII only")
        }
    }

    /// A user metadata key (the `KEY` of `x-obs-meta-KEY`): lowercase letters, digits, '-' and '_'.
    public static func checkMetadataKey(_ key: String) throws {
        let allowed = { (c: UInt8) in (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F }
        guard !key.isEmpty, key.utf8.allSatisfy(allowed) else {
            throw OBSError.invalidArgument(
                "metadata key '\(printable(key))' may hold only lowercase letters, digits, '-' and '_'; rename it")
        }
    }

    /// The user-metadata name under which obsctl records an object's whole CRC-32C: a user value there would be
    /// checked on every download and, if wrong, make the object fail them all.
    public static let contentChecksumKey = "obsctl-crc32c"

    public static func checkMetadata(_ metadata: [String: String]) throws {
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) {
            try checkMetadataKey(k)
            if k == contentChecksumKey {
                throw OBSError.invalidArgument(
                    "metadata key '\(k)' is reserved: obsctl records the object's checksum "
                        + "under it; choose another name")
            }
            try checkValue(v, "metadata value for '\(k)'")
        }
    }

    /// Whether a terminal shows `s` as the character it is: not a control character (C0, DEL, or C1, where U+009B
    /// starts an escape sequence as ESC [ does), not a line or paragraph separator (one record stays one line), not
    /// a bidirectional override or isolate (which reorders the text after it, so a name could pass for another).
    public static func isShownAsIs(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return false
        default: return true
        }
    }

    /// `text` with every character `isShownAsIs` refuses escaped: for messages that quote a value, and every line
    /// obsctl writes. ASCII controls as `\x0a`, the others as `\u{202e}` (`\x85` would read as a byte of a name that
    /// is not UTF-8, which the walk shows that way).
    public static func printable(_ text: String) -> String {
        guard !text.unicodeScalars.allSatisfy(isShownAsIs) else { return text }
        var out = ""
        for s in text.unicodeScalars {
            if isShownAsIs(s) {
                out.unicodeScalars.append(s)
            } else if s.value < 0x80 {
                // Two digits, as names are escaped: `\xa` followed by `b` would read as the byte 0xab.
                out += "\\x" + (s.value < 0x10 ? "0" : "") + String(s.value, radix: 16)
            } else {
                out += "\\u{" + String(s.value, radix: 16) + "}"
            }
        }
        return out
    }
}

extension PutObjectRequest {
    /// Checks every field that becomes a header. Both backends call it before anything is written or sent.
    public func validateHeaders() throws {
        try HeaderValues.checkValue(contentType, "content type '\(HeaderValues.printable(contentType))'")
        try HeaderValues.checkMetadata(userMetadata)
        if let storageClass {
            try HeaderValues.checkValue(storageClass, "storage class '\(HeaderValues.printable(storageClass))'")
        }
        if case .kms(let keyID?)? = sse {
            try HeaderValues.checkValue(keyID, "KMS key id '\(HeaderValues.printable(keyID))'")
        }
    }
}
