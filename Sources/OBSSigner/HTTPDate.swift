import struct Foundation.Date

/// The two date formats the signers use, formatted and parsed with plain calendar arithmetic (proleptic Gregorian,
/// UTC, English names), so the result never depends on the process locale, time zone or a shared formatter.
enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    struct Fields: Equatable {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    }

    /// Whole seconds since the epoch, rounded down (fractions of a second are dropped, as in the headers).
    static func epochSeconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970).rounded(.down))
    }

    /// RFC 1123 in GMT: `Tue, 15 Oct 2024 07:20:09 GMT`.
    static func rfc1123(_ date: Date) -> String {
        let secs = epochSeconds(date)
        let f = fields(secs)
        let days = floorDiv(secs, 86_400)
        let weekday = Int(((days % 7) + 7 + 4) % 7)  // 1970-01-01 was a Thursday
        return "\(weekdays[weekday]), \(pad(f.day, 2)) \(months[f.month - 1]) \(pad(f.year, 4)) \(pad(f.hour, 2)):\(pad(f.minute, 2)):\(pad(f.second, 2)) GMT"
    }

    /// SigV4 long date: `20241015T072009Z`.
    static func amzDate(_ date: Date) -> String {
        let f = fields(epochSeconds(date))
        return "\(pad(f.year, 4))\(pad(f.month, 2))\(pad(f.day, 2))T\(pad(f.hour, 2))\(pad(f.minute, 2))\(pad(f.second, 2))Z"
    }

    /// Parses exactly `EEE, dd MMM yyyy HH:mm:ss GMT` (also accepts `UTC`); nil for anything else.
    static func parseRFC1123(_ text: String) -> Date? {
        let parts = text.trimmingSpaces().split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 6,
              parts[0].count == 4, parts[0].hasSuffix(","), weekdays.contains(String(parts[0].dropLast())),
              parts[5] == "GMT" || parts[5] == "UTC",
              let day = Int(parts[1]), parts[1].count <= 2,
              let monthIndex = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), parts[3].count == 4
        else { return nil }
        let hms = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 3, hms.allSatisfy({ $0.count == 2 }),
              let h = Int(hms[0]), let m = Int(hms[1]), let s = Int(hms[2]),
              (0...23).contains(h), (0...59).contains(m), (0...60).contains(s),
              (1...daysInMonth(year: year, month: monthIndex + 1)).contains(day)
        else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(monthIndex + 1), day: Int64(day))
        let secs = days * 86_400 + Int64(h * 3600 + m * 60 + s)
        return Date(timeIntervalSince1970: Double(secs))
    }

    // MARK: - Calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days)

    static func fields(_ secs: Int64) -> Fields {
        let days = floorDiv(secs, 86_400)
        let sod = Int(secs - days * 86_400)
        let (y, m, d) = civilFromDays(days)
        return Fields(year: Int(y), month: Int(m), day: Int(d), hour: sod / 3600, minute: sod % 3600 / 60, second: sod % 60)
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and horizontal tabs (header-value whitespace).
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
