import Foundation
import Testing
import OBSCore
@testable import OBSXML

/// Malformed input must throw `MalformedXML` from every parser and never yield partial data.
struct MalformedInputTests {
    @Test(arguments: ParserUnderTest.all)
    func validSampleParses(_ p: ParserUnderTest) throws {
        try p.run(p.valid.bytes)
    }

    /// Every proper prefix of a valid body (cut anywhere, including inside a multi-byte character or a tag) throws.
    @Test(arguments: ParserUnderTest.all)
    func everyTruncationThrows(_ p: ParserUnderTest) {
        let full = p.valid.bytes
        var failures: [Int] = []
        for n in 0..<full.count {
            do {
                try p.run(Array(full[..<n]))
                failures.append(n)
            } catch let e as OBSError where e.code == "MalformedXML" && e.category == .general && e.httpStatus == 0 {
                continue
            } catch {
                failures.append(n)
            }
        }
        #expect(failures.isEmpty, "prefixes that did not throw MalformedXML: \(failures.prefix(20))")
        // error() must not invent an error from a cut-off <Error> document.
        let errorBody = Sample.obsError.bytes
        #expect((0..<errorBody.count).allSatisfy { OBSXMLParser.error(Array(errorBody[..<$0])) == nil })
    }

    static let garbage: [(String, String)] = [
        ("empty body", ""),
        ("whitespace only", " \r\n\t "),
        ("declaration only", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        ("plain text", "Service Unavailable"),
        ("mismatched tags", "<ListBucketResult><Contents><Key>a</Contents></Key></ListBucketResult>"),
        ("mismatched root close", "<Location>cn-north-4</LocationConstraint>"),
        ("unclosed root", "<Location>cn-north-4"),
        ("unknown entity", "<Location>&bogus;</Location>"),
        ("bare ampersand", "<Location>a & b</Location>"),
        ("bad character reference", "<Location>&#xZZ;</Location>"),
        ("control character reference", "<Location>&#1;</Location>"),
        ("numeric reference out of range", "<Location>&#x110000;</Location>"),
        ("second root", "<Location>a</Location><Location>b</Location>"),
        ("text after root", "<Location>a</Location>trailing"),
        (
            "internal DTD entity",
            "<?xml version=\"1.0\"?><!DOCTYPE Location [<!ENTITY x \"cn-north-4\">]><Location>&x;</Location>"
        ),
        (
            "external DTD entity",
            "<!DOCTYPE Location [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Location>&x;</Location>"
        ),
        (
            "billion laughs",
            "<!DOCTYPE l [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><Location>&b;</Location>"
        ),
        ("undeclared prefix", "<x:Location>cn-north-4</x:Location>"),
        ("unquoted attribute", "<Location xmlns=http://x/>cn-north-4</Location>"),
        ("html error page", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
        ("wrong root", "<Foo>bar</Foo>"),
    ]

    @Test(arguments: ParserUnderTest.all)
    func garbageThrows(_ p: ParserUnderTest) {
        for (name, body) in Self.garbage {
            expectMalformedRun(p, body.bytes, name)
        }
        // Invalid UTF-8 inside an otherwise valid document, and UTF-16.
        expectMalformedRun(p, Array("<Location>".utf8) + [0xC3, 0x28] + Array("</Location>".utf8), "invalid UTF-8")
        expectMalformedRun(
            p, [0xFF, 0xFE] + Array("<Location>x</Location>".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
            "UTF-16")
        // The same bodies as `error()` sees them: never an error document.
        for (name, body) in Self.garbage {
            #expect(OBSXMLParser.error(body.bytes) == nil, "\(name)")
        }
    }

    /// A valid document of another kind is a wrong root for every other parser.
    @Test(arguments: ParserUnderTest.all)
    func otherResponsesAreWrongRoots(_ p: ParserUnderTest) {
        let root = { (xml: String) in (try? XMLTree.parse(xml.bytes, what: "t"))?.name }
        let mine = root(p.valid)
        for other in ParserUnderTest.all {
            let theirs = root(other.valid)
            guard theirs != mine,
                !(["CopyObjectResult", "CopyPartResult"].contains(theirs)
                    && ["CopyObjectResult", "CopyPartResult"].contains(mine))
            else { continue }
            do {
                try p.run(other.valid.bytes)
                Issue.record("\(p) accepted a <\(theirs ?? "?")> document")
            } catch let e as OBSError {
                #expect(
                    e.code == "MalformedXML" && e.message.contains("expected root element"),
                    "\(p) on <\(theirs ?? "?")>: \(e.message)")
            } catch {
                Issue.record("\(p): unexpected error \(error)")
            }
        }
    }

    /// A well-formed `<Error>` body where a result was expected throws the error's own code, from every parser.
    @Test(arguments: ParserUnderTest.all)
    func errorDocumentThrowsItsCode(_ p: ParserUnderTest) {
        #expect { try p.run(Sample.obsError.bytes) } throws: {
            ($0 as? OBSError)?.code == "NoSuchKey" && ($0 as? OBSError)?.requestID == "001B21A61C6C0000013402C4616D5285"
        }
    }

    @Test func messagesSayWhatWasWrong() {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("<Location>cn-north-4", "truncated"),
            ("<a><b></a>", "mismatched"),
            ("<Location>&bogus;</Location>", "bogus"),
            ("<!DOCTYPE x [<!ENTITY e \"v\">]><Location>&e;</Location>", "DTD"),
            ("<Foo/>", "<Foo>"),
        ]
        for (body, word) in cases {
            expectMalformed(mentioning: word) { _ = try OBSXMLParser.location(body.bytes) }
            expectMalformed(mentioning: "GetBucketLocation") { _ = try OBSXMLParser.location(body.bytes) }
        }
    }
}

private func expectMalformedRun(_ p: ParserUnderTest, _ body: [UInt8], _ name: String) {
    do {
        try p.run(body)
        Issue.record("\(p) accepted \(name)")
    } catch let e as OBSError {
        #expect(e.code == "MalformedXML" && e.category == .general && e.httpStatus == 0, "\(p) on \(name): \(e)")
    } catch {
        Issue.record("\(p) on \(name): unexpected error \(error)")
    }
}
