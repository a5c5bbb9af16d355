/// JSON text written as bytes (RFC 8259), for the logs that write a line per event (the access log of `obsctl
/// serve`, the KMS audit log): building these lines through `String` was a measurable share of a request's CPU.
public enum JSONText {
    /// `s` as a JSON string: quote and backslash escaped, control characters as `\n`, `\r`, `\t` or `\u00XX`,
    /// everything else (UTF-8 included) as it is.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex(c >> 4), hex(c & 0xF)]
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `"name":` after a comma unless first: the start of an object member.
    public static func appendName(_ name: String, first: Bool = false, to out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        appendString(name, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    private static func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10 }
}
