import Foundation
import Testing
import OBSTime

/// `iso8601Milliseconds`, the form of every time in the server's XML.
struct MillisecondTimestampTests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1_728_976_809, "2024-10-15T07:20:09.000Z"),
        (1_728_976_809.125, "2024-10-15T07:20:09.125Z"),
        // Rounded towards the past, never up into the next second.
        (1_728_976_809.999_9, "2024-10-15T07:20:09.999Z"),
        // Exactly on a millisecond although the Double is a hair below it.
        (1_728_976_809.001, "2024-10-15T07:20:09.001Z"),
        (1_138_985_109.5, "2006-02-03T16:45:09.500Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z"),
    ])
    func formats(_ seconds: Double, _ expected: String) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(Timestamps.iso8601Milliseconds(date) == expected)
        let back = Timestamps.parseISO8601(expected)
        #expect(back.map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }
}
