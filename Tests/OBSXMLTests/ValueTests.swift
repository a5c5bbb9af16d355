import Foundation
import Testing
@testable import OBSXML

struct URLDecodingTests {
    @Test(arguments: [
        ("plain/key.txt", "plain/key.txt"),
        ("a%20b", "a b"),
        ("a+b", "a b"),
        ("a%2Bb", "a+b"),
        ("100%25", "100%"),
        ("%E4%BD%A0%e5%a5%bd", "你好"),
        ("%F0%9F%99%82", "🙂"),
        ("", ""),
    ])
    func decodes(_ text: String, _ expected: String) {
        #expect(XMLValue.urlDecoded(text) == expected)
    }

    @Test(arguments: ["%", "%2", "%zz", "%G0", "%FF", "%C3%28", "%E4%BD"])
    func rejects(_ text: String) {
        #expect(XMLValue.urlDecoded(text) == nil)
    }
}
