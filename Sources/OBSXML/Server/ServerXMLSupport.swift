import Foundation
import OBSTime

extension XMLDialect {
    /// The default namespace of the server's response documents: OBS's for OBS-signed requests, S3's for the rest.
    /// Written as `xmlns="..."` on the root: esdk-obs-python strips exactly that form before it parses.
    public var namespace: String {
        switch self {
        case .obs: return "http://obs.myhwclouds.com/doc/2015-06-30/"
        case .aws: return "http://s3.amazonaws.com/doc/2006-03-01/"
        }
    }
}

/// Pieces every server response body shares: the document frame, times, ETags and `encoding-type=url`.
enum ServerXMLSupport {
    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    /// `<?xml ...?>` then `<root xmlns="...">` (no namespace when `namespace` is nil, as in `<Error>`), the content
    /// `build` writes, and `</root>`.
    static func document(_ root: String, namespace: String?, _ build: (inout XMLWriter) -> Void) -> [UInt8] {
        var content = XMLWriter()
        build(&content)
        var out = Array(declaration.utf8)
        out.reserveCapacity(out.count + content.bytes.count + 2 * root.utf8.count + 80)
        out += "<\(root)".utf8
        if let namespace { out += " xmlns=\"\(namespace)\"".utf8 }
        out.append(UInt8(ascii: ">"))
        out += content.bytes
        out += "</\(root)>".utf8
        return out
    }

    /// ISO 8601 in UTC with milliseconds, as OBS and S3 write times in XML: `2006-02-03T16:45:09.000Z` (rounded
    /// towards the past). esdk-obs-python reads these with `%Y-%m-%dT%H:%M:%S.%fZ`, so the fraction is always there.
    static func timestamp(_ date: Date) -> String {
        // Whole microseconds first: a time that is exactly on a millisecond must not print as the one before it
        // because its Double is a hair below.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = floorDiv(micros, 1_000_000)
        let millis = Int((micros - seconds * 1_000_000) / 1000)
        let f = Timestamps.fields(seconds)
        return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))T\(pad(f.hour, 2)):\(pad(f.minute, 2))"
            + ":\(pad(f.second, 2)).\(pad(millis, 3))Z"
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// An ETag as the XML carries it: in double quotes (added when the stored value has none).
    static func quotedETag(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? etag : "\"\(etag)\""
    }

    /// `encoding-type=url` as S3 applies it to keys, prefixes, markers and delimiters: every UTF-8 byte other than
    /// `A-Z a-z 0-9 - _ . / *` as `%XX` (upper-case hex), space as `+`. The clients undo it with `unquote_plus`
    /// (botocore, esdk-obs-python) or `XMLValue.urlDecoded` (obsctl); the result is ASCII, so any key survives the
    /// XML, control characters included.
    static func urlEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "/"), UInt8(ascii: "*"):
                out.append(c)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension ServerXMLSupport {
    /// `text` with every character XML 1.0 cannot carry (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF)
    /// replaced by U+FFFD. For values the client only reads back as information (an error's key, the key echoed
    /// by a multipart answer), so that the document stays readable; never for a key a listing teaches the client.
    static func readable(_ text: String) -> String {
        func representable(_ s: Unicode.Scalar) -> Bool {
            s.value >= 0x20 ? s.value != 0xFFFE && s.value != 0xFFFF : s == "\t" || s == "\n" || s == "\r"
        }
        guard !text.unicodeScalars.allSatisfy(representable) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars { out.append(representable(s) ? s : "\u{FFFD}") }
        return String(out)
    }
}

extension XMLWriter {
    /// `element(name, text)` with what XML cannot carry replaced (`ServerXMLSupport.readable`).
    mutating func element(_ name: String, readable text: String) { element(name, ServerXMLSupport.readable(text)) }

    /// `element(name, text)`, percent-encoded first when the request asked for `encoding-type=url`.
    mutating func element(_ name: String, _ text: String, urlEncoded: Bool) {
        element(name, urlEncoded ? ServerXMLSupport.urlEncoded(text) : text)
    }

    /// An echoed key: percent-encoded when asked, else made readable.
    mutating func element(_ name: String, echo text: String, urlEncoded: Bool) {
        element(name, urlEncoded ? ServerXMLSupport.urlEncoded(text) : ServerXMLSupport.readable(text))
    }

    mutating func element(_ name: String, _ date: Date) { element(name, ServerXMLSupport.timestamp(date)) }
    mutating func element(_ name: String, _ flag: Bool) { element(name, flag ? "true" : "false") }
    mutating func element(_ name: String, _ number: Int) { element(name, String(number)) }
    mutating func element(_ name: String, _ number: Int64) { element(name, String(number)) }

    /// `<Owner>` / `<Initiator>`: `ID`, and `DisplayName` in the S3 dialect (OBS documents only `ID`).
    mutating func owner(_ name: String, _ owner: XMLOwner, _ dialect: XMLDialect) {
        open(name)
        element("ID", owner.id)
        if dialect == .aws { element("DisplayName", owner.displayName ?? owner.id) }
        close(name)
    }
}
