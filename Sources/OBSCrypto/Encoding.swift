/// Hex and base64 without Foundation (this module stays Foundation-free).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)
    private static let upperDigits = Array("0123456789ABCDEF".utf8)

    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        // Over a buffer: this generic is not specialized for callers in other modules, and iterating `C` there goes
        // through its witness table byte by byte.
        bytes.withContiguousStorageIfAvailable(encode(buffer:)) ?? Array(bytes).withUnsafeBufferPointer(encode(buffer:))
    }

    private static func encode(buffer: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: buffer.count * 2) { out in
            var i = 0
            for b in buffer {
                out[i] = digits[Int(b >> 4)]
                out[i + 1] = digits[Int(b & 0xF)]
                i += 2
            }
            return i
        }
    }

    /// `%XX` with upper-case digits, as percent-encoding writes a byte (RFC 3986 section 2.1).
    public static func appendPercentEncoded(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "%"))
        out.append(upperDigits[Int(byte >> 4)])
        out.append(upperDigits[Int(byte & 0xF)])
    }

    /// Accepts upper or lower case; nil on odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8](); out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = value(u[i]), let lo = value(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo); i += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        // Over a buffer, as `Hex.encode`.
        bytes.withContiguousStorageIfAvailable(encode(buffer:)) ?? Array(bytes).withUnsafeBufferPointer(encode(buffer:))
    }

    private static func encode(buffer b: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: (b.count + 2) / 3 * 4) { out in
            var i = 0, o = 0
            func put(_ n: UInt32, _ shift: UInt32) {
                out[o] = alphabet[Int((n >> shift) & 63)]
                o += 1
            }
            while i + 3 <= b.count {
                let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
                put(n, 18); put(n, 12); put(n, 6); put(n, 0)
                i += 3
            }
            let rest = b.count - i
            if rest > 0 {
                var n = UInt32(b[i]) << 16
                if rest == 2 { n |= UInt32(b[i + 1]) << 8 }
                put(n, 18); put(n, 12)
                if rest == 2 { put(n, 6) } else { out[o] = UInt8(ascii: "="); o += 1 }
                out[o] = UInt8(ascii: "=")
                o += 1
            }
            return o
        }
    }

    /// Standard alphabet; padding optional; nil on any other character.
    public static func decode(_ text: String) -> [UInt8]? {
        var vals = [UInt8]()
        var padding = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0, let v = value(c) else { return nil }
            vals.append(v)
        }
        guard padding <= 2, vals.count % 4 != 1 else { return nil }
        var out = [UInt8](); out.reserveCapacity(vals.count * 3 / 4)
        var i = 0
        while i < vals.count {
            let chunk = vals[i..<min(i + 4, vals.count)]
            var n: UInt32 = 0
            for (j, v) in chunk.enumerated() { n |= UInt32(v) << UInt32(18 - 6 * j) }
            out.append(UInt8((n >> 16) & 0xFF))
            if chunk.count > 2 { out.append(UInt8((n >> 8) & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(n & 0xFF)) }
            i += 4
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
