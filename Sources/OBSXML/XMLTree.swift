import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import OBSCore

/// One element of a parsed response: its local name (namespace prefix dropped), its text (character data and CDATA,
/// entities resolved, untrimmed) and its child elements in document order. Attributes are not kept: no OBS or S3
/// response this module reads carries data in them.
struct XMLNode: Sendable, Equatable {
    var name: String
    var text: String = ""
    var children: [XMLNode] = []

    /// The first child element named `name`.
    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    /// Every child element named `name`, in document order.
    func children(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    /// The first element reached by following `names` down from here.
    func descendant(_ names: String...) -> XMLNode? {
        var node = self
        for n in names {
            guard let next = node.child(n) else { return nil }
            node = next
        }
        return node
    }
}

/// Strict XML-to-tree reading on top of FoundationXML's `XMLParser`.
///
/// `XMLParser.parse()` is not trusted on its own: it returns `true` for truncated documents and mismatched tags (the
/// failure only shows in `parserError`), and `true` with no error for an empty body. A document counts as parsed only
/// when the parser reports no error, exactly one root element was opened and closed, and no element is left open.
/// DTDs are refused outright: libxml2 silently drops references to internally declared entities, which would turn
/// `<!ENTITY x "...">...&x;` into missing data instead of an error. No external entity is ever resolved.
enum XMLTree {
    static func parse(_ body: [UInt8], what: String) throws -> XMLNode {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw malformed(what, "the body is empty")
        }
        try checkProlog(body, what: what)

        let parser = XMLParser(data: Data(body))
        parser.shouldProcessNamespaces = false       // names arrive qualified; the prefix is dropped below
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        // `delegate` is weak: `reader` must stay alive until `parse()` has returned.
        let reader = PathTrackingReader()
        parser.delegate = reader
        let finished = withExtendedLifetime(reader) { parser.parse() }

        if let reason = reader.abortReason {
            throw malformed(what, reason)
        }
        if let error = reader.firstError ?? parser.parserError {
            let code = (error as NSError).code
            throw malformed(what, "\(describe(parserCode: code)) (XML parser error \(code)) at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        guard finished else { throw malformed(what, "the XML parser stopped at line \(parser.lineNumber), column \(parser.columnNumber)") }
        if let open = reader.path.last {
            throw malformed(what, "the document ends inside <\(open)>; it is truncated")
        }
        guard let root = reader.root else { throw malformed(what, "the body holds no XML element") }
        return root
    }

    /// Scans what comes before the root element: an optional UTF-8 byte order mark, whitespace, the XML declaration,
    /// processing instructions and comments are fine; a `<!DOCTYPE` (or anything else starting with `<!`) is not.
    /// Bodies that are not UTF-8 (UTF-16/32 byte order marks or NUL bytes up front) are refused too.
    private static func checkProlog(_ b: [UInt8], what: String) throws {
        if b.count >= 2, (b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE) || b[0] == 0 || b[1] == 0 {
            throw malformed(what, "the body is not UTF-8 text")
        }
        var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func starts(_ s: String) -> Bool { b[i...].starts(with: s.utf8) }
        func skip(past terminator: String) -> Bool {
            let t = Array(terminator.utf8)
            var j = i
            while j + t.count <= b.count {
                if b[j..<(j + t.count)].elementsEqual(t) { i = j + t.count; return true }
                j += 1
            }
            return false
        }
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D:
                i += 1
            case UInt8(ascii: "<") where starts("<?"):
                guard skip(past: "?>") else { return }         // unterminated: the parser will say so
            case UInt8(ascii: "<") where starts("<!--"):
                guard skip(past: "-->") else { return }
            case UInt8(ascii: "<") where starts("<!"):
                throw malformed(what, "the body carries a DTD (<!DOCTYPE ...>), which OBS and S3 responses never do")
            default:
                return
            }
        }
    }

    private static func describe(parserCode code: Int) -> String {
        switch code {
        case 4: return "the document is empty"
        case 5: return "the document ends early (truncated, or content after the root element)"
        case 9: return "invalid character (not UTF-8, or a control character)"
        case 26: return "undeclared entity reference"
        case 68, 73: return "a tag is not closed properly"
        case 76: return "mismatched tags"
        case 201, 202: return "undeclared namespace prefix"
        default: return "malformed XML"
        }
    }

    static func malformed(_ what: String, _ detail: String) -> OBSError {
        OBSError(code: "MalformedXML", message: "malformed \(what): \(detail)", httpStatus: 0, category: .general)
    }
}

/// The one `XMLParserDelegate` of this module. It tracks the path of open elements and builds the tree as elements
/// close; it also records the first error the parser reports (later ones tend to be less specific: a mismatched tag is
/// followed by "premature end of document").
final class PathTrackingReader: NSObject, XMLParserDelegate {
    /// Local names of the currently open elements, outermost first.
    private(set) var path: [String] = []
    private(set) var root: XMLNode?
    private(set) var firstError: Error?
    private(set) var abortReason: String?
    private var open: [XMLNode] = []

    private static func localName(_ qualified: String) -> String {
        if let colon = qualified.lastIndex(of: ":") { return String(qualified[qualified.index(after: colon)...]) }
        return qualified
    }

    private func abort(_ parser: XMLParser, _ reason: String) {
        if abortReason == nil { abortReason = reason }
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        guard root == nil else { return abort(parser, "more than one root element (<\(Self.localName(elementName))> after the first)") }
        let name = Self.localName(elementName)
        path.append(name)
        open.append(XMLNode(name: name))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let name = Self.localName(elementName)
        guard let node = open.popLast(), path.last == name else {
            return abort(parser, "closing tag </\(name)> does not match the open element \(path.last.map { "<\($0)>" } ?? "(none)")")
        }
        path.removeLast()
        if open.isEmpty {
            root = node
        } else {
            open[open.count - 1].children.append(node)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !open.isEmpty else { return }
        open[open.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !open.isEmpty else { return }
        guard let s = String(bytes: CDATABlock, encoding: .utf8) else { return abort(parser, "a CDATA section is not UTF-8") }
        open[open.count - 1].text += s
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if firstError == nil { firstError = parseError }
    }

    func parser(_ parser: XMLParser, validationErrorOccurred validationError: Error) {
        if firstError == nil { firstError = validationError }
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        abort(parser, "reference to an unknown entity &\(name);")
        return nil
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        abort(parser, "the body declares an entity (\(name))")
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        abort(parser, "the body declares an external entity (\(name))")
    }
}
