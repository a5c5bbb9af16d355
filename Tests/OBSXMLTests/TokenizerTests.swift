import Testing
import OBSCore
@testable import OBSXML

/// The Expat-based reader behind `XMLTree.parse`, directly: what it accepts and how, what it refuses and what it says.
struct TokenizerTests {
    private func parse(_ xml: String) throws -> XMLNode { try XMLTree.parse(Array(xml.utf8), what: "test") }

    @Test(arguments: [
        "<a>x</a>",
        "<?xml version=\"1.0\"?><a>x</a>",
        "<?xml version='1.0' encoding='utf-8'?>\n<a>x</a>",
        "<?xml  version = \"1.0\"  encoding = \"UTF-8\"  standalone = \"no\" ?><a>x</a>",
        "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<a>x</a>\r\n",
        "<!-- before --><?pi data?><a>x</a><!-- after --><?pi?>\n",
        "<?xml-stylesheet href=\"s.xsl\"?><a >x</a >",
        "<a\n  xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"\tb = 'it&apos;s &lt;fine&gt;' c=\">\"><!---->x<?pi?>"
            + "</a\n>",
        "<a><![CDATA[x]]></a>",
        "<a>&#120;</a>",
        "<a>&#x78;</a>",
        "<p:a xmlns:p=\"urn:x\">x</p:a>",
    ])
    func acceptedForms(_ xml: String) throws {
        let root = try parse(xml)
        #expect(root.name == "a" && root.text == "x" && root.children.isEmpty)
    }

    @Test func textJoinsCharacterDataReferencesAndCDATAInOrder() throws {
        let root = try parse("<a> 1 <b>in b</b>&amp;2<![CDATA[<3> & ]]]]><c/>&#x1F642;&#233;&lt;&gt;&quot;&apos;</a>")
        #expect(root.text == " 1 &2<3> & ]]\u{1F642}é<>\"'")
        #expect(root.children.map(\.name) == ["b", "c"])
        #expect(root.child("b")?.text == "in b")
        #expect(root.child("c") == XMLNode(name: "c"))
    }

    @Test func lineEndsAreNormalisedButReferencedCRIsKept() throws {
        #expect(try parse("<a>1\r\n2\r3\n4</a>").text == "1\n2\n3\n4")
        #expect(try parse("<a><![CDATA[1\r\n2\r]]></a>").text == "1\n2\n")
        #expect(try parse("<a>1&#13;&#10;2&#xD;</a>").text == "1\r\n2\r")
    }

    @Test func utf8TextAndNamesSurvive() throws {
        let root = try parse("<Schlüssel xmlns:名=\"http://example.com/ns\"><名:键>日本語/🙂 ü</名:键></Schlüssel>")
        #expect(root.name == "Schlüssel")
        #expect(root.child("键")?.text == "日本語/🙂 ü")
    }

    @Test func prefixesAreDroppedAndScoped() throws {
        let xml =
            "<s3:R xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\" xmlns:x=\"urn:x\" x:attr=\"1\" xml:lang=\"en\">"
            + "<s3:A><x:B/></s3:A><C xmlns:y=\"urn:y\"><y:D/></C></s3:R>"
        let root = try parse(xml)
        #expect(root.name == "R")
        #expect(root.descendant("A", "B") != nil && root.descendant("C", "D") != nil)
        // A prefix declared on a sibling is out of scope; the same prefix may be redeclared inside.
        expectMalformed(mentioning: "unbound prefix") {
            _ = try parse("<r><a xmlns:y=\"urn:y\"/><y:b/></r>")
        }
        #expect(try parse("<p:a xmlns:p=\"urn:1\"><p:b xmlns:p=\"urn:2\"/></p:a>").child("b") != nil)
    }

    @Test func nestingIsBoundedWithoutRecursion() throws {
        let deepest = XMLTree.maxDepth
        let ok = String(repeating: "<a>", count: deepest) + String(repeating: "</a>", count: deepest)
        #expect(try parse(ok).name == "a")
        let tooDeep = String(repeating: "<a>", count: deepest + 1) + String(repeating: "</a>", count: deepest + 1)
        expectMalformed(mentioning: "nested more than \(deepest) deep") { _ = try parse(tooDeep) }
        // Hostile depth fails fast instead of exhausting the stack.
        expectMalformed(mentioning: "nested") { _ = try parse(String(repeating: "<a>", count: 1_000_000)) }
    }

    @Test func errorsCarryLineAndColumn() {
        expectMalformed(mentioning: "mismatched tag (near 'a>') at line 3, column 3") {
            _ = try parse("<a>\n<b>\n</a>")
        }
        expectMalformed(mentioning: "at line 1, column 5") { _ = try parse("<a>é&x;</a>") }
    }

    /// Processing instructions without data crashed the XMLParser-based reader this replaced (NULL data passed to
    /// strlen).
    @Test func processingInstructionWithoutData() throws {
        #expect(try parse("<?pi?><a><?pi?></a><?pi?>").name == "a")
    }

    /// Expat's words for what it refuses, the place (in quotes) and the position; our own for a DTD, another encoding
    /// or version, depth and truncation.
    static let refused: [(String, String)] = [
        // Structure.
        ("<a>", "truncated"),
        ("<a><b></b>", "ends inside <a>"),
        ("<a></b>", "mismatched tag"),
        ("<p:a xmlns:p=\"urn:x\"></a>", "mismatched tag"),
        ("<a/><b/>", "junk after document element (near '<b/>')"),
        ("<a/>x", "junk after document element (near 'x')"),
        ("<a/>&amp;", "(near '&amp;')"),
        ("x<a/>", "not well-formed"),
        ("<a/><!DOCTYPE a>", "junk after document element"),
        ("<a><!ENTITY x \"y\"></a>", "not well-formed"),
        ("<!DOCTYPE a><a/>", "DTD"),
        ("<!-- c --><!DOCTYPE a><a/>", "DTD"),
        ("<a/><![CDATA[x]]>", "junk after document element"),
        ("< a/>", "not well-formed (invalid token) (near ' a/>') at line 1, column 2"),
        ("<a></ a>", "not well-formed"),
        ("<a x=\"1\"y=\"2\"/>", "not well-formed"),
        ("<a / >", "not well-formed"),
        ("<a></a x>", "not well-formed"),
        // Attributes.
        ("<a x=1/>", "not well-formed"),
        ("<a x/>", "not well-formed"),
        ("<a x=\"<\"/>", "not well-formed"),
        ("<a x=\"&bogus;\"/>", "undefined entity"),
        ("<a x=\"1\" x=\"2\"/>", "duplicate attribute"),
        // Namespaces.
        ("<x:a/>", "unbound prefix"),
        ("<a x:b=\"1\"/>", "unbound prefix"),
        ("<a xmlns:p=\"urn:u\" xmlns:q=\"urn:u\" p:x=\"1\" q:x=\"2\"/>", "duplicate attribute"),
        ("<a:b:c xmlns:a=\"urn:a\"/>", "not well-formed"),
        ("<p:-a xmlns:p=\"urn:a\"/>", "not well-formed"),
        ("<a xmlns:p=\"\"/>", "must not undeclare prefix"),
        ("<a xmlns:xmlns=\"urn:x\"/>", "reserved"),
        ("<a xmlns:xml=\"urn:x\"/>", "reserved"),
        ("<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>", "reserved"),
        // Character data and references.
        ("<a>]]></a>", "not well-formed"),
        ("<a>a & b</a>", "not well-formed"),
        ("<a>&amp</a>", "not well-formed"),
        ("<a>&AMP;</a>", "undefined entity (near '&AMP;"),
        ("<a>&#;</a>", "not well-formed"),
        ("<a>&#x;</a>", "not well-formed"),
        ("<a>&#12a;</a>", "not well-formed"),
        ("<a>&#0;</a>", "reference to invalid character number (near '&#0;"),
        ("<a>&#x1F;</a>", "reference to invalid character number"),
        ("<a>&#xD800;</a>", "reference to invalid character number"),
        ("<a>&#xFFFE;</a>", "reference to invalid character number"),
        ("<a>&#99999999999999999999999;</a>", "reference to invalid character number"),
        ("<a>\u{1}</a>", "not well-formed (invalid token) (near '?</a>')"),
        ("<a>\u{FFFF}</a>", "not well-formed"),
        // Comments, processing instructions, CDATA, the declaration.
        ("<a><!-- x -- y --></a>", "not well-formed"),
        ("<a><!-- x ---></a>", "not well-formed"),
        ("<a><!-- x </a>", "truncated"),
        ("<a><![CDATA[x</a>", "truncated"),
        ("<a><?pi x</a>", "truncated"),
        ("<a><![cdata[x]]></a>", "not well-formed"),
        (" <?xml version=\"1.0\"?><a/>", "XML or text declaration not at start of entity"),
        ("<a><?xml version=\"1.0\"?></a>", "XML or text declaration not at start of entity"),
        ("<?p:i?><a/>", "not well-formed"),
        ("<?pi=x?><a/>", "not well-formed"),
        ("<?xml?><a/>", "XML declaration not well-formed"),
        ("<?xml encoding=\"UTF-8\"?><a/>", "XML declaration not well-formed"),
        ("<?xml version=\"1.1\"?><a/>", "unsupported XML version 1.1"),
        ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", "only UTF-8"),
        ("<?xml version=\"1.0\" standalone=\"maybe\"?><a/>", "XML declaration not well-formed"),
        ("<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?><a/>", "XML declaration not well-formed"),
        ("<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>", "XML declaration not well-formed"),
        ("<?xml version=\"1&#46;0\"?><a/>", "XML declaration not well-formed"),
        ("\u{FEFF}\u{FEFF}<a/>", "not well-formed"),
    ]

    /// Well-formed XML that the scanner before Expat refused only to match libxml2: namespace names that are not
    /// URIs and PI targets starting with `xml`. Nothing read from a response depends on either.
    @Test(arguments: [
        "<a xmlns=\"relative\">x</a>", "<a xmlns=\"http://x/a b\">x</a>", "<a xmlns:p=\"http://x/%zz\">x</a>",
        "<a xmlns:p=\"http://host:port/\">x</a>", "<?xml-foo?><a>x</a>",
    ])
    func acceptedSinceExpat(_ xml: String) throws {
        #expect(try parse(xml).text == "x")
    }

    @Test(arguments: refused)
    func refusedWithAReason(_ xml: String, _ reason: String) {
        expectMalformed(mentioning: reason) { _ = try parse(xml) }
    }

    @Test(
        arguments: [
            ("overlong", [0xC0, 0xAF]),
            ("surrogate", [0xED, 0xA0, 0x80]),
            ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
            ("lead byte F5", [0xF5, 0x80, 0x80, 0x80]),
            ("lone continuation", [0x80]),
            ("cut sequence", [0xE6, 0x97]),
            ("Latin-1", [0xE9]),
        ] as [(String, [UInt8])])
    func invalidUTF8IsRefused(_ name: String, _ bytes: [UInt8]) {
        expectMalformed(mentioning: "not UTF-8") {
            _ = try XMLTree.parse(Array("<a>".utf8) + bytes + Array("</a>".utf8), what: "test")
        }
    }

    @Test func utf16And32AreRefused() {
        for bom: [UInt8] in [[0xFE, 0xFF], [0xFF, 0xFE], [0x00, 0x00, 0xFE, 0xFF], [0x00, 0x3C], [0x3C, 0x00]] {
            expectMalformed(mentioning: "not UTF-8 text") {
                _ = try XMLTree.parse(bom + Array("<a/>".utf8), what: "test")
            }
        }
    }
}
