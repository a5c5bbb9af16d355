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

/// Strict XML-to-tree reading with a small scanner of its own (no libxml2, so obsctl does not load libxml2 and ICU
/// at start-up).
///
/// It reads the XML 1.0 that OBS and S3 send: UTF-8 with an optional byte order mark, an optional XML declaration,
/// comments, processing instructions, elements whose attributes are checked for well-formedness and then ignored,
/// namespace prefixes (which must be declared, and are dropped from names), character data with the five predefined
/// entities and character references, and CDATA sections. Line ends are normalised to LF as XML requires.
///
/// Everything else throws `MalformedXML`: an empty body, a DTD (so no entity is ever declared or expanded), unknown
/// entities, a bare `&`, characters XML does not allow (also through character references), bytes that are not UTF-8,
/// truncated documents, mismatched or unclosed tags, text or a second element after the root, and elements nested
/// more than `maxDepth` deep. The scanner keeps open elements on a heap stack, so no input can exhaust the call stack.
enum XMLTree {
    static let maxDepth = 64

    static func parse(_ body: [UInt8], what: String) throws -> XMLNode {
        if body.allSatisfy(XMLScanner.isSpace) { throw malformed(what, "the body is empty") }
        var scanner = XMLScanner(body, what: what)
        return try scanner.document()
    }

    static func malformed(_ what: String, _ detail: String) -> OBSError {
        OBSError(code: "MalformedXML", message: "malformed \(what): \(detail)", httpStatus: 0, category: .general)
    }
}

/// One pass over the body's bytes. `i` is the read position; `open` holds the elements not yet closed, outermost
/// first, each with its text so far and the namespace prefixes it declares.
///
/// Where libxml2 (behind the `XMLParser` this replaces) refused something that is no concern of the data read here,
/// such as namespace names that are not URIs or PI targets starting with `xml`, this refuses it too.
private struct XMLScanner {
    /// An element or attribute name: `prefix:local` or `local`.
    private struct QName {
        var full: String
        var prefix: String?
        var local: String
    }

    private struct OpenElement {
        var qname: String
        var node: XMLNode
        var text: [UInt8] = []
        var namespaces: [(prefix: String, uri: [UInt8])]
    }

    private let b: [UInt8]
    private let what: String
    private var i = 0
    private var open: [OpenElement] = []

    init(_ body: [UInt8], what: String) {
        b = body
        self.what = what
    }

    // MARK: - Document structure

    /// prolog, root element, trailing comments / processing instructions / whitespace, end of input.
    mutating func document() throws -> XMLNode {
        try checkCharacters()
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        if try at("<?xml") {
            guard i + 5 < b.count else { throw truncated() }
            if Self.isSpace(b[i + 5]) { try declaration() }
        }
        try misc(beforeRoot: true)
        let root = try rootElement()
        try misc(beforeRoot: false)
        return root
    }

    /// Whitespace, comments and processing instructions outside the root element. Before the root this stops at the
    /// root's `<`; after it, it runs to the end of the input.
    private mutating func misc(beforeRoot: Bool) throws {
        while i < b.count {
            if Self.isSpace(b[i]) {
                i += 1
            } else if b[i] != UInt8(ascii: "<") {
                throw fail(beforeRoot ? "text before the root element (the body is not XML)" : "text after the root element")
            } else if try at("<?") {
                try processingInstruction()
            } else if try at("<!--") {
                try comment()
            } else if try at("<!") {
                throw fail(beforeRoot ? "the body carries a DTD (<!DOCTYPE ...>), which OBS and S3 responses never do"
                                      : "a markup declaration (<!...>) after the root element")
            } else if beforeRoot {
                return
            } else {
                i += 1
                let second = try name("an element name")
                throw fail("more than one root element (<\(second)> after the first)")
            }
        }
        if beforeRoot { throw fail("the body holds no XML element") }
    }

    /// The root element and everything inside it. Elements are pushed on `open` and popped as they close.
    private mutating func rootElement() throws -> XMLNode {
        if try startTag(), let root = closeElement() { return root }
        while true {
            guard i < b.count else { throw truncated() }
            switch b[i] {
            case UInt8(ascii: "<"):
                if try at("</") {
                    try endTag()
                    if let root = closeElement() { return root }
                } else if try at("<?") {
                    try processingInstruction()
                } else if try at("<!--") {
                    try comment()
                } else if try at("<![CDATA[") {
                    try cdata()
                } else if try at("<!") {
                    throw fail("a markup declaration (<!...>) inside an element")
                } else if try startTag() {
                    _ = closeElement()
                }
            case UInt8(ascii: "&"):
                let character = try reference()
                open[open.count - 1].text += character
            default:
                try characters()
            }
        }
    }

    /// Pops the innermost open element into its parent's children; returns it when it was the root.
    private mutating func closeElement() -> XMLNode? {
        var e = open.removeLast()
        e.node.text = String(decoding: e.text, as: UTF8.self)
        if open.isEmpty { return e.node }
        open[open.count - 1].node.children.append(e.node)
        return nil
    }

    // MARK: - Tags

    /// `<name attr="value" ...>` or `<name .../>` at `i`: pushes the element; true for an empty-element tag.
    private mutating func startTag() throws -> Bool {
        guard open.count < XMLTree.maxDepth else { throw fail("elements are nested more than \(XMLTree.maxDepth) deep") }
        i += 1
        let element = try qualifiedName("an element name")
        var names: [String] = []          // every attribute, for duplicates
        var attributes: [QName] = []      // those that are not namespace declarations
        var declared: [(prefix: String, uri: [UInt8])] = []
        var empty = false
        while true {
            let spaced = skipSpace()
            guard i < b.count else { throw truncated() }
            if b[i] == UInt8(ascii: ">") {
                i += 1
                break
            }
            if try at("/>") {
                i += 2
                empty = true
                break
            }
            guard spaced else { throw fail("the tag <\(element.full)> is not closed properly") }
            let attribute = try qualifiedName("an attribute name")
            skipSpace()
            try expect("=", after: "attribute \(attribute.full)")
            skipSpace()
            let value = try quotedValue(references: true)
            guard !names.contains(attribute.full) else { throw fail("attribute \(attribute.full) appears twice in <\(element.full)>") }
            names.append(attribute.full)
            if attribute.full == "xmlns" {
                try checkDeclaration(attribute.full, prefix: nil, uri: value)
            } else if attribute.prefix == "xmlns" {
                try checkDeclaration(attribute.full, prefix: attribute.local, uri: value)
                declared.append((attribute.local, value))
            } else {
                attributes.append(attribute)
            }
        }
        // Prefixes are resolved once all of this tag's own declarations are known (they may follow their use).
        _ = try namespace(of: element, declared)
        var expanded: [(uri: [UInt8], local: String)] = []
        for a in attributes {
            guard let uri = try namespace(of: a, declared) else { continue }
            guard !expanded.contains(where: { $0.uri == uri && $0.local == a.local }) else {
                throw fail("attribute \(a.full) in <\(element.full)> repeats another one's namespace and name")
            }
            expanded.append((uri, a.local))
        }
        open.append(OpenElement(qname: element.full, node: XMLNode(name: element.local), namespaces: declared))
        return empty
    }

    /// `</name>` at `i`, which must close the innermost open element.
    private mutating func endTag() throws {
        let start = i
        i += 2
        let qname = try name("an element name")
        skipSpace()
        guard i < b.count else { throw truncated() }
        guard b[i] == UInt8(ascii: ">") else { throw fail("the closing tag </\(qname)> is not closed properly") }
        i += 1
        let innermost = open[open.count - 1].qname
        guard qname == innermost else {
            throw fail("mismatched tags: </\(qname)> does not close the open element <\(innermost)>", at: start)
        }
    }

    /// The namespace URI of a prefixed name (nil without a prefix). The prefix must be `xml` or declared by this tag
    /// or an enclosing one.
    private func namespace(of name: QName, _ declaredHere: [(prefix: String, uri: [UInt8])]) throws -> [UInt8]? {
        guard let prefix = name.prefix else { return nil }
        if prefix == "xml" { return Self.xmlNamespace }
        if let d = declaredHere.last(where: { $0.prefix == prefix }) { return d.uri }
        for e in open.reversed() {
            if let d = e.namespaces.last(where: { $0.prefix == prefix }) { return d.uri }
        }
        throw fail("undeclared namespace prefix \(prefix) in \(name.full)")
    }

    static let xmlNamespace = Array("http://www.w3.org/XML/1998/namespace".utf8)
    static let xmlnsNamespace = Array("http://www.w3.org/2000/xmlns/".utf8)

    /// `xmlns="uri"` (prefix nil) or `xmlns:prefix="uri"`. The URI must be a URI reference, absolute for a default
    /// namespace and not empty for a prefix; `xml` and `xmlns` and their URIs are reserved (Namespaces in XML §3).
    private func checkDeclaration(_ attribute: String, prefix: String?, uri: [UInt8]) throws {
        if prefix == "xmlns" || uri == Self.xmlnsNamespace || (prefix == "xml") != (uri == Self.xmlNamespace) {
            throw fail("\(attribute) binds a reserved namespace prefix or name")
        }
        if uri.isEmpty {
            guard prefix == nil else { throw fail("\(attribute) declares an empty namespace name") }
            return
        }
        guard Self.isURIReference(uri, absolute: prefix == nil) else {
            throw fail("\(attribute)=\"\(String(decoding: uri, as: UTF8.self))\" is not a valid namespace URI")
        }
    }

    /// A quoted attribute value at `i`, references resolved. Only its emptiness matters to callers outside the XML
    /// declaration.
    private mutating func quotedValue(references: Bool) throws -> [UInt8] {
        guard i < b.count else { throw truncated() }
        let quote = b[i]
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { throw fail("an attribute value is not quoted") }
        i += 1
        var value: [UInt8] = []
        while true {
            guard i < b.count else { throw truncated() }
            switch b[i] {
            case quote:
                i += 1
                return value
            case UInt8(ascii: "<"):
                throw fail("'<' inside an attribute value")
            case UInt8(ascii: "&") where references:
                value += try reference()
            case UInt8(ascii: "&"):
                throw fail("a reference inside the XML declaration")
            case let c:
                value.append(c)
                i += 1
            }
        }
    }

    // MARK: - Content

    /// Character data up to the next `<` or `&`.
    private mutating func characters() throws {
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "<"), b[i] != UInt8(ascii: "&") {
            if b[i] == UInt8(ascii: ">"), i - start >= 2, b[i - 1] == UInt8(ascii: "]"), b[i - 2] == UInt8(ascii: "]") {
                throw fail("']]>' in character data")
            }
            i += 1
        }
        appendText(b[start..<i])
    }

    /// `<![CDATA[...]]>` at `i`: the content is text, taken literally.
    private mutating func cdata() throws {
        i += 9
        guard let end = find("]]>") else { throw truncated() }
        appendText(b[i..<end])
        i = end + 3
    }

    /// Adds text to the innermost open element, CR LF and lone CR turned into LF.
    private mutating func appendText(_ s: ArraySlice<UInt8>) {
        guard s.contains(0x0D) else { return open[open.count - 1].text += s }
        var k = s.startIndex
        while k < s.endIndex {
            if s[k] != 0x0D {
                open[open.count - 1].text.append(s[k])
            } else if k + 1 == s.endIndex || s[k + 1] != 0x0A {
                open[open.count - 1].text.append(0x0A)
            }
            k += 1
        }
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;`, `&#N;` or `&#xH;` at `i`; returns the character's UTF-8 bytes.
    private mutating func reference() throws -> [UInt8] {
        let start = i
        i += 1
        guard i < b.count else { throw truncated() }
        if b[i] == UInt8(ascii: "#") {
            i += 1
            let hex = i < b.count && b[i] == UInt8(ascii: "x")
            if hex { i += 1 }
            var value: UInt32 = 0
            var digits = 0
            while i < b.count, let d = Self.digit(b[i], hex: hex) {
                if value <= 0x10FFFF { value = value * (hex ? 16 : 10) + d }   // stays above the range once past it
                digits += 1
                i += 1
            }
            guard i < b.count else { throw truncated() }
            guard digits > 0, b[i] == UInt8(ascii: ";") else { throw fail("an invalid character reference after '&#'", at: start) }
            i += 1
            let written = String(decoding: b[start..<i], as: UTF8.self)
            guard Self.isXMLChar(value), let scalar = Unicode.Scalar(value) else {
                throw fail("the character reference \(written) is not a character XML allows", at: start)
            }
            var bytes: [UInt8] = []
            UTF8.encode(scalar) { bytes.append($0) }
            return bytes
        }
        guard let (first, _) = Self.decode(b, i), Self.isNameStart(first) else {
            throw fail("a bare '&' (a literal ampersand must be written &amp;)", at: start)
        }
        let entity = try name("an entity name")
        guard i < b.count else { throw truncated() }
        guard b[i] == UInt8(ascii: ";") else { throw fail("the reference &\(entity) has no closing ';'", at: start) }
        i += 1
        switch entity {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default: throw fail("reference to an unknown entity &\(entity);", at: start)
        }
    }

    // MARK: - Declaration, processing instructions, comments

    /// `<?xml version="1.0" encoding="..." standalone="..."?>` at the very start; encoding and standalone are
    /// optional, in that order, and the encoding must be UTF-8 (or its subset ASCII).
    private mutating func declaration() throws {
        i += 5
        let order = ["version", "encoding", "standalone"]
        var next = 0
        while true {
            let spaced = skipSpace()
            if try at("?>") { break }
            guard spaced else { throw fail("malformed XML declaration") }
            let key = try name("a pseudo-attribute name")
            skipSpace()
            try expect("=", after: key)
            skipSpace()
            let value = String(decoding: try quotedValue(references: false), as: UTF8.self)
            guard let k = order.firstIndex(of: key), k >= next, k == 0 || next > 0 else {
                throw fail("malformed XML declaration (unexpected \(key))")
            }
            next = k + 1
            switch key {
            case "version":
                guard value == "1.0" else { throw fail("unsupported XML version \(value)") }
            case "encoding":
                guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(value.lowercased()) else {
                    throw fail("the XML declaration names encoding \(value); only UTF-8 is read")
                }
            default:
                guard value == "yes" || value == "no" else { throw fail("standalone must be yes or no, not \(value)") }
            }
        }
        guard next > 0 else { throw fail("the XML declaration has no version") }
        i += 2
    }

    /// `<?target ...?>` at `i`; skipped. The target `xml` is reserved for the declaration at the very start, and
    /// other targets starting with `xml` for standards (only `xml-stylesheet` and `xml-model` exist).
    private mutating func processingInstruction() throws {
        i += 2
        let target = try name("a processing instruction target")
        guard target.lowercased() != "xml" else { throw fail("an XML declaration is allowed only at the very start of the body") }
        guard !target.lowercased().hasPrefix("xml") || target == "xml-stylesheet" || target == "xml-model", !target.utf8.contains(UInt8(ascii: ":")) else {
            throw fail("reserved or invalid processing instruction target \(target)")
        }
        guard let end = find("?>") else { throw truncated() }
        guard end == i || Self.isSpace(b[i]) else { throw fail("malformed processing instruction <?\(target)") }
        i = end + 2
    }

    /// `<!-- ... -->` at `i`; skipped. `--` may not appear inside.
    private mutating func comment() throws {
        i += 4
        guard let dashes = find("--") else { throw truncated() }
        guard dashes + 2 < b.count else { throw truncated() }
        guard b[dashes + 2] == UInt8(ascii: ">") else {
            i = dashes
            throw fail("'--' inside a comment")
        }
        i = dashes + 3
    }

    // MARK: - Lexical helpers

    /// A Name (XML 1.0 §2.3) at `i`.
    private mutating func name(_ expected: String) throws -> String {
        let start = i
        while i < b.count, let (scalar, length) = Self.decode(b, i),
              i == start ? Self.isNameStart(scalar) : Self.isNameChar(scalar) {
            i += length
        }
        guard i > start else { throw i < b.count ? fail("expected \(expected)") : truncated() }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    /// `prefix:local` or `local`, both parts names without a colon (NCNames).
    private mutating func qualifiedName(_ expected: String) throws -> QName {
        let start = i
        let full = try name(expected)
        guard let colon = b[start..<i].firstIndex(of: UInt8(ascii: ":")) else { return QName(full: full, local: full) }
        guard colon > start, colon + 1 < i, !b[(colon + 1)..<i].contains(UInt8(ascii: ":")),
              let (first, _) = Self.decode(b, colon + 1), Self.isNameStart(first) else {
            i = start
            throw fail("\(full) is not a valid qualified name")
        }
        return QName(full: full, prefix: String(decoding: b[start..<colon], as: UTF8.self),
                     local: String(decoding: b[(colon + 1)..<i], as: UTF8.self))
    }

    @discardableResult
    private mutating func skipSpace() -> Bool {
        let start = i
        while i < b.count, Self.isSpace(b[i]) { i += 1 }
        return i > start
    }

    private mutating func expect(_ c: Unicode.Scalar, after: String) throws {
        guard i < b.count else { throw truncated() }
        guard b[i] == UInt8(ascii: c) else { throw fail("expected '\(c)' after \(after)") }
        i += 1
    }

    /// Whether the input at `i` starts with `literal`; throws `truncated` when the input ends part-way into it.
    private func at(_ literal: String) throws -> Bool {
        var k = i
        for c in literal.utf8 {
            guard k < b.count else { throw truncated() }
            guard b[k] == c else { return false }
            k += 1
        }
        return true
    }

    /// The first position at or after `i` where `literal` starts.
    private func find(_ literal: String) -> Int? {
        let l = Array(literal.utf8)
        var k = i
        while k + l.count <= b.count {
            if b[k] == l[0], b[(k + 1)..<(k + l.count)].elementsEqual(l[1...]) { return k }
            k += 1
        }
        return nil
    }

    // MARK: - Errors

    private func truncated() -> OBSError {
        if let innermost = open.last {
            return XMLTree.malformed(what, "the document ends inside <\(innermost.qname)>; it is truncated")
        }
        return XMLTree.malformed(what, "the document ends early; it is truncated")
    }

    /// A syntax error at `position` (default: the read position), with its line and column (in characters).
    private func fail(_ detail: String, at position: Int? = nil) -> OBSError {
        var line = 1, column = 1
        for c in b[..<min(position ?? i, b.count)] {
            if c == 0x0A {
                line += 1
                column = 1
            } else if c & 0xC0 != 0x80 {
                column += 1
            }
        }
        return XMLTree.malformed(what, "\(detail) at line \(line), column \(column)")
    }

    // MARK: - Characters

    /// Refuses UTF-16/32 bodies, byte sequences that are not UTF-8, and characters outside XML 1.0's `Char`
    /// (control characters other than tab, LF and CR; U+FFFE, U+FFFF) anywhere in the body.
    private func checkCharacters() throws {
        if b.count >= 2, (b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE) || b[0] == 0 || b[1] == 0 {
            throw XMLTree.malformed(what, "the body is not UTF-8 text")
        }
        var k = 0
        while k < b.count {
            if b[k] >= 0x20 && b[k] < 0x80 {
                k += 1
                continue
            }
            guard let (scalar, length) = Self.decode(b, k) else { throw fail("bytes that are not UTF-8", at: k) }
            guard Self.isXMLChar(scalar) else {
                throw fail("the character U+\(String(scalar, radix: 16, uppercase: true)), which XML does not allow", at: k)
            }
            k += length
        }
    }

    /// The scalar value and length of the UTF-8 sequence at `k`; nil when it is not well-formed (overlong forms,
    /// surrogates and values above U+10FFFF included).
    static func decode(_ b: [UInt8], _ k: Int) -> (UInt32, Int)? {
        let lead = b[k]
        let length: Int
        let minimum: UInt32
        switch lead {
        case 0x00...0x7F: return (UInt32(lead), 1)
        case 0xC2...0xDF: (length, minimum) = (2, 0x80)
        case 0xE0...0xEF: (length, minimum) = (3, 0x800)
        case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
        default: return nil
        }
        guard k + length <= b.count else { return nil }
        var value = UInt32(lead) & (0x7F >> UInt32(length))
        for c in b[(k + 1)..<(k + length)] {
            guard c & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(c & 0x3F)
        }
        guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return nil }
        return (value, length)
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// XML 1.0 `Char`.
    static func isXMLChar(_ v: UInt32) -> Bool {
        switch v {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// XML 1.0 `NameStartChar`.
    static func isNameStart(_ v: UInt32) -> Bool {
        switch v {
        case 0x3A, 0x41...0x5A, 0x5F, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF,
             0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD,
             0x10000...0xEFFFF: true
        default: false
        }
    }

    /// XML 1.0 `NameChar`.
    static func isNameChar(_ v: UInt32) -> Bool {
        switch v {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: true
        default: isNameStart(v)
        }
    }

    /// RFC 3986 characters only (`%` followed by two hex digits; no `[` `]`: IPv6 literal hosts are not accepted); a
    /// scheme before the first `:` that precedes any `/`, `?` or `#`, required when `absolute`; a port after
    /// `scheme://host:` is digits.
    static func isURIReference(_ u: [UInt8], absolute: Bool) -> Bool {
        func isAlphanumeric(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) }
        let end = u.firstIndex { ":/?#".utf8.contains($0) } ?? u.count
        if end < u.count && u[end] == UInt8(ascii: ":") {
            guard end > 0, isAlphanumeric(u[0]), !(0x30...0x39).contains(u[0]), u[..<end].allSatisfy({ isAlphanumeric($0) || "+-.".utf8.contains($0) })
            else { return false }
            let rest = u[(end + 1)...]
            if rest.starts(with: "//".utf8) {
                let authority = rest.dropFirst(2).prefix { !"/?#".utf8.contains($0) }
                let host = authority.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false).last!
                if let colon = host.firstIndex(of: UInt8(ascii: ":")) {
                    let port = host[(colon + 1)...]
                    guard !port.isEmpty, port.allSatisfy({ (0x30...0x39).contains($0) }) else { return false }
                }
            }
        } else if absolute {
            return false
        }
        var k = 0
        while k < u.count {
            if u[k] == UInt8(ascii: "%") {
                guard k + 2 < u.count, digit(u[k + 1], hex: true) != nil, digit(u[k + 2], hex: true) != nil else { return false }
                k += 3
            } else {
                guard isAlphanumeric(u[k]) || "-._~:/?#@!$&'()*+,;=".utf8.contains(u[k]) else { return false }
                k += 1
            }
        }
        return true
    }

    static func digit(_ c: UInt8, hex: Bool) -> UInt32? {
        switch c {
        case 0x30...0x39: UInt32(c - 0x30)
        case 0x41...0x46 where hex: UInt32(c - 0x41 + 10)
        case 0x61...0x66 where hex: UInt32(c - 0x61 + 10)
        default: nil
        }
    }
}
