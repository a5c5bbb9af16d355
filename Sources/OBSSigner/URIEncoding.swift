import OBSCrypto

/// Percent-encoding rules used on the wire and in the signatures. UTF-8 bytes, upper-case hex.
public enum URIEncoding {
    /// Object keys in the request path: every byte except `A-Z a-z 0-9 - _ . ~ /` is `%XX`; space is `%20`.
    /// (The Python SDK's `quote(key, safe='/~')`, the Go SDK's `prepareObjectKey`.)
    public static func encodeObjectKey(_ key: String) -> String {
        encode(key) { isUnreserved($0) || $0 == UInt8(ascii: "/") }
    }

    /// Query parameter names and values on the wire (and in the SigV4 canonical query): RFC 3986 unreserved
    /// characters kept, everything else `%XX`, including `/`, `=`, `&`, `+` and space.
    public static func encodeQueryComponent(_ s: String) -> String {
        encode(s, keep: isUnreserved)
    }

    /// The Python SDK's rule for request header values such as `x-obs-meta-*` (`quote(value, safe=" ;/?:@&=+$,'*")`):
    /// letters, digits, `_ . - ~` and `` ;/?:@&=+$,'* `` kept, everything else (non-ASCII, `%`, quotes...) `%XX`.
    public static func encodeHeaderValue(_ s: String) -> String {
        encode(s) { isUnreserved($0) || headerSafe.contains($0) }
    }

    /// `name=value&name&...` with both parts encoded by `encodeQueryComponent`; a `nil` value gives a bare name.
    /// No leading `?`.
    public static func queryString(_ query: [(name: String, value: String?)]) -> String {
        query.map { item in
            let name = encodeQueryComponent(item.name)
            guard let value = item.value else { return name }
            return name + "=" + encodeQueryComponent(value)
        }.joined(separator: "&")
    }

    // MARK: - Internals

    /// Each valid `%XX` as its byte, every other byte (a stray `%` too) as is; `+` stays `+`.
    static func percentDecode(bytes s: some Collection<UInt8>) -> [UInt8] {
        let b = Array(s)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let hi = hexValue(b[i + 1]), let lo = hexValue(b[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static let headerSafe: Set<UInt8> = Set(" ;/?:@&=+$,'*".utf8)

    static func isUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func encode(_ s: String, keep: (UInt8) -> Bool) -> String {
        encode(bytes: s.utf8, keep: keep)
    }

    static func encode<C: Collection<UInt8>>(bytes: C, keep: (UInt8) -> Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        for c in bytes {
            if keep(c) {
                out.append(c)
            } else {
                Hex.appendPercentEncoded(c, to: &out)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
