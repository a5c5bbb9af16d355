import Foundation
import Testing
import OBSTime

/// The formatters Timestamps replaced, as references: the output must stay byte for byte what they wrote.
private func foundationFormat(_ date: Date, _ format: String) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "GMT")
    f.dateFormat = format
    return f.string(from: date)
}

private func foundationRFC3339(_ date: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: date)
}

struct FormattingTests {
    static let samples: [Double] = [
        0, 951_782_400 /* 2000-02-29 */, 1_728_976_809, 1_709_251_199 /* 2024-02-29 23:59:59 */,
        4_107_542_400 /* 2100-03-01 */, 1_369_353_600, 2_147_483_647, 1_728_976_809.999, -1, -0.5,
        -2_208_988_800 /* 1900-01-01 */, 253_402_300_799 /* 9999-12-31 23:59:59 */,
    ]

    @Test(arguments: samples)
    func formatsAsFoundationDoes(_ t: Double) throws {
        let d = Date(timeIntervalSince1970: t)
        #expect(Timestamps.rfc1123(d) == foundationFormat(d, "EEE, dd MMM yyyy HH:mm:ss 'GMT'"))
        #expect(Timestamps.amzDate(d) == foundationFormat(d, "yyyyMMdd'T'HHmmss'Z'"))
        #expect(Timestamps.rfc3339(d) == foundationRFC3339(d))
        let parsed = try #require(Timestamps.parseRFC1123(Timestamps.rfc1123(d)))
        #expect(parsed.timeIntervalSince1970 == t.rounded(.down))
        #expect(Timestamps.parseISO8601(Timestamps.rfc3339(d))?.timeIntervalSince1970 == t.rounded(.down))
    }

    /// Every 37 days and a bit over two centuries, fractions of a second included.
    @Test func rfc3339AgreesWithISO8601DateFormatterAcrossCenturies() {
        var t = -2_000_000_000.0
        while t < 4_000_000_000 {
            let d = Date(timeIntervalSince1970: t)
            #expect(Timestamps.rfc3339(d) == foundationRFC3339(d), "\(t)")
            t += 86_400 * 37 + 3_671.25
        }
    }
}

struct RFC1123ParsingTests {
    @Test func parsesOnlyTheFixedForm() {
        #expect(Timestamps.parseRFC1123("Tue, 15 Oct 2024 07:20:09 GMT")?.timeIntervalSince1970 == 1_728_976_809)
        #expect(Timestamps.parseRFC1123("  Tue, 15 Oct 2024 07:20:09 GMT ")?.timeIntervalSince1970 == 1_728_976_809)
        #expect(Timestamps.parseRFC1123("Tue, 15 Oct 2024 07:20:09 UTC")?.timeIntervalSince1970 == 1_728_976_809)
        #expect(Timestamps.parseRFC1123("Tue, 15 Oct 2024 07:20:09 +0800") == nil)
        #expect(Timestamps.parseRFC1123("Tuesday, 15-Oct-24 07:20:09 GMT") == nil)
        #expect(Timestamps.parseRFC1123("Tue, 31 Feb 2024 07:20:09 GMT") == nil)
        #expect(Timestamps.parseRFC1123("Tue, 15 Oct 2024 24:00:00 GMT") == nil)
        #expect(Timestamps.parseRFC1123("Tue,\t15 Oct 2024 07:20:09 GMT") == nil)
        #expect(Timestamps.parseRFC1123("20241015T072009Z") == nil)
        #expect(Timestamps.parseRFC1123("") == nil)
        #expect(Timestamps.parseRFC1123(" \t ") == nil)
        #expect(Timestamps.parseRFC1123("Tue, +5 Oct 2024 07:20:09 GMT") == nil)
        #expect(Timestamps.parseRFC1123("Tue, 15 Oct +024 07:20:09 GMT") == nil)
        #expect(Timestamps.parseRFC1123("Tue, 15 Oct 2024 07-20-09 GMT") == nil)
        #expect(Timestamps.parseRFC1123("Tue, 15 Oct 2024 7:20:09 GMT") == nil)
        #expect(Timestamps.parseRFC1123("Tux, 15 Oct 2024 07:20:09 GMT") == nil)
        #expect(Timestamps.parseRFC1123("Tue, 15 oct 2024 07:20:09 GMT") == nil)
        #expect(Timestamps.parseRFC1123("Tue, 15 Oct 2024 07:20:09 GMT x") == nil)
        #expect(Timestamps.parseRFC1123("Tue, 5 Oct 2024 07:20:09 GMT")?.timeIntervalSince1970 == 1_728_112_809)
        #expect(Timestamps.parseRFC1123("Tue,  15 Oct 2024  07:20:09 GMT")?.timeIntervalSince1970 == 1_728_976_809)
    }

    /// The three forms of RFC 9110 §5.6.7, for what clients send in conditional headers.
    @Test func parsesEveryHTTPDateForm() {
        let now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026
        let when = 784_111_777.0  // Sun, 06 Nov 1994 08:49:37 GMT
        for form in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            #expect(Timestamps.parseHTTPDate(form, now: now)?.timeIntervalSince1970 == when, "\(form)")
        }
        // A two-digit year is the nearest not over 50 years ahead.
        #expect(
            Timestamps.parseHTTPDate("Tuesday, 15-Oct-24 07:20:09 GMT", now: now)?.timeIntervalSince1970
                == 1_728_976_809)
        #expect(
            Timestamps.parseHTTPDate("Friday, 01-Jan-77 00:00:00 GMT", now: now)?.timeIntervalSince1970 == 220_924_800)
        for bad in [
            "Sunday, 06-Nov-1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 PST", "Sun Nov  6 08:49:37 94",
            "Sun Nov 31 08:49:37 1994", "Sun Nov  6 8:49:37 1994", "Xyz Nov  6 08:49:37 1994", "",
        ] {
            #expect(Timestamps.parseHTTPDate(bad, now: now) == nil, "\(bad)")
        }
    }
}

struct ISO8601ParsingTests {
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
        let d = try #require(Timestamps.parseISO8601(text))
        #expect(abs(d.timeIntervalSince1970 - epoch) < 1e-6)
    }

    @Test func agreesWithFoundation() throws {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var t = Date(timeIntervalSince1970: -2_000_000_000)
        while t.timeIntervalSince1970 < 4_000_000_000 {
            let text = f.string(from: t)
            #expect(Timestamps.parseISO8601(text) == f.date(from: text), "\(text)")
            t += 86_400 * 37 + 3_671.25
        }
    }

    @Test(arguments: [
        "", "2024-10-15", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-10-15T24:00:00Z",
        "2024-10-15T07:60:00Z", "2024-10-15 07:20", "Tue, 15 Oct 2024 07:20:09 GMT", "2024-10-15T07:20:09.Z",
        "2024-10-15T07:20:09Zjunk", "2024-10-15T07:20:09+2", "2024-1-15T07:20:09Z", "２０２４-10-15T07:20:09Z",
    ])
    func rejects(_ text: String) {
        #expect(Timestamps.parseISO8601(text) == nil)
    }
}
