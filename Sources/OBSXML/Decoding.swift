import Foundation

/// Value decoders shared by the parsers. Each returns nil on bad input; the caller turns that into `MalformedXML`
/// naming the field.
enum XMLValue {
    /// Undoes `EncodingType=url`: `%XX` escapes and `+` for space (as OBS's Go SDK `url.QueryUnescape` and botocore
    /// `unquote_plus` do; servers send a literal `+` as `%2B`). nil for a broken escape or bytes that are not UTF-8.
    static func urlDecoded(_ text: String) -> String? {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var it = Array(text.utf8)[...]
        while let c = it.popFirst() {
            switch c {
            case UInt8(ascii: "+"):
                out.append(0x20)
            case UInt8(ascii: "%"):
                guard let h = it.popFirst().flatMap(hexValue), let l = it.popFirst().flatMap(hexValue) else {
                    return nil
                }
                out.append(h << 4 | l)
            default:
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// `true` / `false`, case-insensitive, surrounding whitespace ignored.
    static func bool(_ text: String) -> Bool? {
        switch trimmed(text).lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// A non-negative decimal integer.
    static func size(_ text: String) -> Int64? {
        let t = trimmed(text)
        guard !t.isEmpty, t.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(t)
    }

    /// Without the XML white space (space, tab, CR, LF) at either end; cheaper than Foundation's trimming, which
    /// counts for a 10000-part body.
    static func trimmed(_ text: String) -> String {
        let u = text.utf8
        guard let first = u.firstIndex(where: { !XMLTree.isSpace($0) }) else { return "" }
        let last = u.lastIndex(where: { !XMLTree.isSpace($0) })!
        if first == u.startIndex && last == u.index(before: u.endIndex) { return text }
        return String(text[first...last])
    }
}
