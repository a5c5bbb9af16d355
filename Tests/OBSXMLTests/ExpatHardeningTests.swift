import Testing
import OBSCore
@testable import OBSXML

/// Hostile bodies a server or a man in the middle could send, through the Expat-based reader: each is refused with
/// `MalformedXML` (never a partial tree), without expanding anything, reading any file or network resource.
struct ExpatHardeningTests {
    private func parse(_ xml: String) throws -> XMLNode { try XMLTree.parse(Array(xml.utf8), what: "test") }

    static let billionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
         <!ENTITY lol "lol">
         <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
         <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
         <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
         <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
         <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
         <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
         <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
         <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
         <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <Location>&lol9;</Location>
        """

    /// Every way a DTD can declare or pull in entities: refused at `<!DOCTYPE`, before any declaration is read.
    static let dtds: [String] = [
        billionLaughs,
        // Quadratic blow-up: one large entity referenced many times.
        "<!DOCTYPE a [<!ENTITY x \"\(String(repeating: "x", count: 10_000))\">]><Location>"
            + String(repeating: "&x;", count: 10_000) + "</Location>",
        // External entities (XXE): a local file, a URL.
        "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Location>&x;</Location>",
        "<!DOCTYPE a [<!ENTITY x SYSTEM \"http://127.0.0.1:1/x\">]><Location>&x;</Location>",
        // Parameter entities and an external subset.
        "<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/p.dtd\"> %p;]><Location>x</Location>",
        "<!DOCTYPE Location SYSTEM \"http://127.0.0.1:1/a.dtd\"><Location>x</Location>",
        "<!DOCTYPE Location PUBLIC \"-//X//Y\" \"file:///etc/passwd\"><Location>x</Location>",
        // An empty DTD is refused all the same: OBS and S3 never send one.
        "<!DOCTYPE Location><Location>x</Location>",
        "<?xml version=\"1.0\" standalone=\"no\"?><!DOCTYPE Location []><Location>x</Location>",
    ]

    @Test(arguments: dtds)
    func dtdsAreRefusedBeforeAnyEntityIsDeclared(_ xml: String) {
        expectMalformed(mentioning: "the body carries a DTD") { _ = try parse(xml) }
        expectMalformed(mentioning: "DTD") { _ = try OBSXMLParser.location(Array(xml.utf8)) }
    }

    /// Without a DTD no entity exists but the five predefined ones: a reference to any other is an error, not text.
    @Test(arguments: ["<Location>&lol9;</Location>", "<Location a=\"&x;\">x</Location>", "<Location>&x</Location>"])
    func undeclaredEntitiesAreRefused(_ xml: String) {
        expectMalformed(mentioning: "malformed test") { _ = try parse(xml) }
    }

    @Test func refusalNamesTheUndefinedEntity() {
        expectMalformed(mentioning: "undefined entity (near '&lol9;") { _ = try parse("<a>&lol9;</a>") }
    }

    /// The body is read as UTF-8 whatever it declares: another encoding named is refused, not decoded.
    @Test(arguments: [
        ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\u{E9}</a>", "only UTF-8"),
        ("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>x</a>", "only UTF-8"),
        ("<?xml version=\"1.0\" encoding=\"EBCDIC-CP-US\"?><a>x</a>", "only UTF-8"),
        ("<?xml version=\"1.1\"?><a>x</a>", "unsupported XML version 1.1"),
    ])
    func otherEncodingsAndVersionsAreRefused(_ xml: String, _ reason: String) {
        expectMalformed(mentioning: reason) { _ = try parse(xml) }
    }

    @Test func latin1BytesAreNotUTF8() {
        let body = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>".utf8) + [0xE9] + Array("</a>".utf8)
        expectMalformed(mentioning: "malformed test") { _ = try XMLTree.parse(body, what: "test") }
        let undeclared = Array("<a>".utf8) + [0xE9] + Array("</a>".utf8)
        expectMalformed(mentioning: "not UTF-8") { _ = try XMLTree.parse(undeclared, what: "test") }
    }

    @Test(
        arguments: [
            [0x3C, 0x61, 0x3E, 0x00, 0x3C, 0x2F, 0x61, 0x3E],  // NUL in text
            [0x3C, 0x61, 0x3E, 0x26, 0x23, 0x30, 0x3B, 0x3C, 0x2F, 0x61, 0x3E],  // &#0;
            Array("<a xmlns:p=\"urn:&#1;x\"><p:b/></a>".utf8),  // the namespace separator, through a reference
        ] as [[UInt8]])
    func charactersXMLForbidsAreRefused(_ body: [UInt8]) {
        expectMalformed(mentioning: "malformed test") { _ = try XMLTree.parse(body, what: "test") }
    }

    /// A second document or declaration after the first, and a root element after an error document.
    @Test(arguments: [
        "<Location>a</Location><?xml version=\"1.0\"?><Location>b</Location>",
        "<Error><Code>NoSuchKey</Code></Error><Location>b</Location>",
        "<Location>a</Location>\0",
    ])
    func trailingDocumentsAreRefused(_ xml: String) {
        expectMalformed(mentioning: "malformed test") { _ = try parse(xml) }
        #expect(OBSXMLParser.error(Array(xml.utf8)) == nil)
    }

    /// Deep nesting stops at the limit, in the callback, without building the rest.
    @Test func deepNestingStopsEarly() {
        let deep = String(repeating: "<a>", count: 5_000_000)
        expectMalformed(mentioning: "nested more than \(XMLTree.maxDepth) deep") { _ = try parse(deep) }
    }

    /// A large benign listing still parses, in full.
    @Test func largeListingParses() throws {
        let entries = (0..<50_000).map { "<Contents><Key>k\($0)</Key><Size>\($0)</Size></Contents>" }.joined()
        let body = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(entries)</ListBucketResult>"
        let page = try OBSXMLParser.listObjects(Array(body.utf8))
        #expect(page.objects.count == 50_000 && page.objects.last?.key == "k49999" && page.objects.last?.size == 49_999)
    }
}
