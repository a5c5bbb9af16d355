import Foundation
import OBSCrypto
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

/// Pieces every server response body shares: the document frame, ETags and `encoding-type=url`.
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

    /// An ETag as the XML carries it: in double quotes (added when the stored value has none).
    static func quotedETag(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? etag : "\"\(etag)\""
    }

    /// `encoding-type=url` as S3 applies it to keys, prefixes, markers and delimiters: every UTF-8 byte other than
    /// `A-Z a-z 0-9 - _ . / *` as `%XX` (upper-case hex), space as `+`. The clients undo it with `unquote_plus`
    /// (botocore, esdk-obs-python) or `XMLValue.urlDecoded` (obsctl); the result is ASCII, so any key survives the
    /// XML, control characters included.
    static func urlEncoded(_ text: String) -> String {
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
                Hex.appendPercentEncoded(c, to: &out)
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

    mutating func element(_ name: String, _ date: Date) { element(name, Timestamps.iso8601Milliseconds(date)) }
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
