import Foundation
import Testing
@testable import OBSXML

struct DateValueTests {
    @Test(arguments: [
        ("2024-10-15T07:20:09.000Z", 1_728_976_809.0),
        ("2024-10-15T07:20:09Z", 1_728_976_809.0),
        ("2024-10-15T07:20:09.5Z", 1_728_976_809.5),
        ("2024-10-15T07:20:09.123456789Z", 1_728_976_809.123456789),
        ("2024-10-15T09:20:09+02:00", 1_728_976_809.0),
        ("2024-10-15T02:20:09-0500", 1_728_976_809.0),
        ("2024-10-15T07:20:09", 1_728_976_809.0),
        ("1970-01-01T00:00:00Z", 0.0),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2000-02-29T12:00:00.000Z", 951_825_600.0),
        ("2100-03-01T00:00:00Z", 4_107_542_400.0),
    ])
    func parses(_ text: String, _ epoch: Double) throws {
        let d = try #require(XMLValue.date(text))
        #expect(abs(d.timeIntervalSince1970 - epoch) < 1e-6)
    }

    @Test func agreesWithFoundation() throws {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var t = Date(timeIntervalSince1970: -2_000_000_000)
        while t.timeIntervalSince1970 < 4_000_000_000 {
            let text = f.string(from: t)
            #expect(XMLValue.date(text) == f.date(from: text), "\(text)")
            t += 86_400 * 37 + 3_671.25
        }
    }

    @Test(arguments: ["", "2024-10-15", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-10-15T24:00:00Z", "2024-10-15T07:60:00Z",
                      "2024-10-15 07:20", "Tue, 15 Oct 2024 07:20:09 GMT", "2024-10-15T07:20:09.Z", "2024-10-15T07:20:09Zjunk",
                      "2024-10-15T07:20:09+2", "2024-1-15T07:20:09Z", "２０２４-10-15T07:20:09Z"])
    func rejects(_ text: String) {
        #expect(XMLValue.date(text) == nil)
    }
}

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
