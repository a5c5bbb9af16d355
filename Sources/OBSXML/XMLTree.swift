import CExpat
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

/// Strict XML-to-tree reading with libexpat, namespace-aware (prefixes must be declared; names keep their local part).
///
/// Expat checks well-formedness: truncated documents, mismatched tags, bare `&`, unknown entities, characters XML
/// does not allow, bytes that are not UTF-8, text or a second element after the root. On top of that this refuses
/// what OBS and S3 never send and what would let a body cost more than its size: a DTD (so no entity is ever declared
/// or expanded: no billion laughs, no external entities), an XML declaration naming another encoding or version, and
/// elements nested more than `maxDepth` deep. The body is always read as UTF-8, whatever it declares.
enum XMLTree {
    static let maxDepth = 64

    /// Whose body is read, for the words of a refusal: a server's response (the client) or a client's request
    /// body (`obsctl serve`), which is no response and whose sender is told what to change.
    enum Origin { case response, request }

    static func parse(_ body: [UInt8], what: String, from origin: Origin = .response) throws -> XMLNode {
        if body.allSatisfy(isSpace) { throw malformed(what, "the body is empty") }
        // UTF-16 and UTF-32 (with or without a byte order mark) start with a NUL or a BOM byte.
        if body.count >= 2, body[0] == 0 || body[1] == 0 || [0xFE, 0xFF].contains(body[0]) {
            throw malformed(what, "the body is not UTF-8 text")
        }
        guard body.count < Int(Int32.max) else {
            throw malformed(what, "the body is too large to be " + (origin == .response ? "a response" : "read"))
        }
        guard let parser = XML_ParserCreateNS("UTF-8", separator) else {
            throw malformed(what, "the XML parser could not be created (out of memory)")
        }
        defer { XML_ParserFree(parser) }
        let builder = TreeBuilder(parser, origin: origin)
        try withExtendedLifetime(builder) {
            builder.install()
            let status = body.withUnsafeBytes {
                XML_Parse(parser, $0.bindMemory(to: CChar.self).baseAddress, Int32(body.count), 1)
            }
            if status != XML_STATUS_OK { throw builder.error(body, what: what) }
        }
        guard let root = builder.root else { throw malformed(what, "the body holds no XML element") }
        return root
    }

    static func malformed(_ what: String, _ detail: String) -> OBSError {
        OBSError(code: "MalformedXML", message: "malformed \(what): \(detail)", httpStatus: 0, category: .general)
    }

    /// Between a namespace URI and the local name in the names Expat reports. U+0001 is not an XML character, so no
    /// URI can contain it (Expat refuses one that does).
    static let separator = CChar(1)

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
}

/// The builder behind a callback's user data pointer.
private func from(_ user: UnsafeMutableRawPointer?) -> TreeBuilder {
    Unmanaged<TreeBuilder>.fromOpaque(user!).takeUnretainedValue()
}

/// Receives Expat's callbacks and builds the tree. `open` holds the elements not yet closed, outermost first, each
/// with its text so far. A refusal of our own stops the parser and is kept in `refusal`.
private final class TreeBuilder {
    private let parser: XML_Parser
    private let origin: XMLTree.Origin
    private var open: [(node: XMLNode, text: [UInt8])] = []
    private(set) var root: XMLNode?
    private var refusal: String?

    init(_ parser: XML_Parser, origin: XMLTree.Origin) {
        self.parser = parser
        self.origin = origin
    }

    /// Sets the callbacks; the caller keeps `self` alive while the parser runs.
    func install() {
        XML_SetUserData(parser, Unmanaged.passUnretained(self).toOpaque())
        // Parameter entities and external subsets are never read (the default; stated so it stays so).
        XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER)
        XML_SetElementHandler(parser, { user, name, _ in from(user).start(name) }, { user, _ in from(user).end() })
        XML_SetCharacterDataHandler(parser) { user, s, length in
            guard let s, length > 0 else { return }
            from(user).characters(UnsafeRawBufferPointer(start: s, count: Int(length)))
        }
        XML_SetXmlDeclHandler(parser) { user, version, encoding, standalone in
            from(user).declaration(version, encoding)
        }
        XML_SetStartDoctypeDeclHandler(parser) { user, _, _, _, _ in
            from(user).refuseDTD()
        }
        // Unreachable while every DTD is refused at its start; a second lock on entity expansion all the same.
        XML_SetEntityDeclHandler(parser) { user, _, _, _, _, _, _, _, _ in
            from(user).refuse("the body declares an entity")
        }
    }

    /// A response with a DTD is none OBS or S3 sends; a request body with one is a client's to change.
    private func refuseDTD() {
        switch origin {
        case .response: refuse("the body carries a DTD (<!DOCTYPE ...>), which OBS and S3 responses never do")
        case .request: refuse("the body carries a DTD (<!DOCTYPE ...>), which is not accepted: send the XML without it")
        }
    }

    private func refuse(_ reason: String) {
        guard refusal == nil else { return }
        refusal = reason
        XML_StopParser(parser, XML_FALSE)
    }

    private func start(_ name: UnsafePointer<CChar>?) {
        guard refusal == nil, let name else { return }
        guard open.count < XMLTree.maxDepth else {
            return refuse("elements are nested more than \(XMLTree.maxDepth) deep")
        }
        open.append((XMLNode(name: Self.localName(name)), []))
    }

    private func end() {
        guard refusal == nil, var element = open.popLast() else { return }
        element.node.text = String(decoding: element.text, as: UTF8.self)
        if open.isEmpty {
            root = element.node
        } else {
            open[open.count - 1].node.children.append(element.node)
        }
    }

    private func characters(_ s: UnsafeRawBufferPointer) {
        guard refusal == nil, !open.isEmpty else { return }
        open[open.count - 1].text.append(contentsOf: s)
    }

    /// `<?xml ...?>`: version 1.0 only, and an encoding (when named) that is UTF-8 or its subset ASCII. Expat has
    /// already checked the syntax and `standalone`.
    private func declaration(_ version: UnsafePointer<CChar>?, _ encoding: UnsafePointer<CChar>?) {
        if let version, String(cString: version) != "1.0" {
            return refuse("unsupported XML version \(String(cString: version))")
        }
        if let encoding {
            let name = String(cString: encoding)
            guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(name.lowercased()) else {
                return refuse("the XML declaration names encoding \(name); only UTF-8 is read")
            }
        }
    }

    /// `uri U+0001 local` or `local` (no namespace).
    private static func localName(_ name: UnsafePointer<CChar>) -> String {
        let full = String(cString: name)
        guard let cut = full.utf8.lastIndex(of: UInt8(bitPattern: XMLTree.separator)) else { return full }
        return String(full[full.utf8.index(after: cut)...])
    }

    /// The failure of a parse that did not succeed: our refusal, a truncated body, or Expat's own description, with
    /// the line and column (1-based, in characters) where it was found.
    func error(_ body: [UInt8], what: String) -> OBSError {
        let code = XML_GetErrorCode(parser)
        let place = " at line \(XML_GetCurrentLineNumber(parser)), column \(XML_GetCurrentColumnNumber(parser) + 1)"
        if let refusal { return XMLTree.malformed(what, refusal + place) }
        switch code {
        case XML_ERROR_NO_ELEMENTS where root == nil && open.isEmpty && !body.contains(UInt8(ascii: "<")):
            return XMLTree.malformed(what, "text before the root element (the body is not XML)" + place)
        case XML_ERROR_NO_ELEMENTS, XML_ERROR_UNCLOSED_TOKEN, XML_ERROR_PARTIAL_CHAR, XML_ERROR_UNCLOSED_CDATA_SECTION:
            if let innermost = open.last {
                return XMLTree.malformed(what, "the document ends inside <\(innermost.node.name)>; it is truncated")
            }
            return XMLTree.malformed(what, "the document ends early; it is truncated")
        case XML_ERROR_INVALID_TOKEN where String(validating: body, as: UTF8.self) == nil:
            return XMLTree.malformed(what, "bytes that are not UTF-8" + place)
        default:
            let description = XML_ErrorString(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
            return XMLTree.malformed(what, description + near(body) + place)
        }
    }

    /// Up to 24 characters of the body from the error's position, so that the message shows what was refused.
    private func near(_ body: [UInt8]) -> String {
        let at = Int(XML_GetCurrentByteIndex(parser))
        guard at >= 0, at < body.count else { return "" }
        let excerpt = String(decoding: body[at..<min(body.count, at + 24)], as: UTF8.self)
            .unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : String($0) }.joined()
        return " (near '\(excerpt)')"
    }
}
