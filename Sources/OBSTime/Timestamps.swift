import struct Foundation.Date

/// Every date format obsctl reads or writes, in one place, by calendar arithmetic (proleptic Gregorian, UTC, English
/// names): no DateFormatter, so the result never depends on the process locale, time zone or ICU, and costs
/// nothing at start-up. Formatting drops fractions of a second (rounds towards the past), as the formatters did.
///
/// - RFC 1123 (HTTP `Date`, `Last-Modified`, the OBS/V2 signature): `Tue, 15 Oct 2024 07:20:09 GMT`.
/// - SigV4's long date: `20241015T072009Z`.
/// - RFC 3339 in UTC with whole seconds (every file and output of obsctl): `2024-10-15T07:20:09Z`.
/// - ISO 8601 in UTC with milliseconds (the server's XML): `2024-10-15T07:20:09.000Z`.
/// - ISO 8601 as OBS and S3 write it in XML, read with or without fractional seconds and with any offset.
public enum Timestamps {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A UTC time broken into calendar fields.
    public struct Fields: Equatable, Sendable {
        public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    }

    /// Whole seconds since the epoch, rounded down (fractions of a second are dropped, as in the headers).
    public static func epochSeconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970).rounded(.down))
    }

    // MARK: - Formatting

    /// RFC 1123 in GMT: `Tue, 15 Oct 2024 07:20:09 GMT`.
    public static func rfc1123(_ date: Date) -> String {
        let secs = epochSeconds(date)
        let f = fields(secs)
        let weekday = Int(((floorDiv(secs, 86_400) % 7) + 7 + 4) % 7)  // 1970-01-01 was a Thursday
        return "\(weekdays[weekday]), \(pad(f.day, 2)) \(months[f.month - 1]) \(pad(f.year, 4)) "
            + "\(pad(f.hour, 2)):\(pad(f.minute, 2)):\(pad(f.second, 2)) GMT"
    }

    /// SigV4 long date: `20241015T072009Z`.
    public static func amzDate(_ date: Date) -> String {
        let f = fields(epochSeconds(date))
        return "\(pad(f.year, 4))\(pad(f.month, 2))\(pad(f.day, 2))"
            + "T\(pad(f.hour, 2))\(pad(f.minute, 2))\(pad(f.second, 2))Z"
    }

    /// RFC 3339 in UTC, whole seconds: `2024-10-15T07:20:09Z`.
    public static func rfc3339(_ date: Date) -> String {
        let f = fields(epochSeconds(date))
        return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))"
            + "T\(pad(f.hour, 2)):\(pad(f.minute, 2)):\(pad(f.second, 2))Z"
    }

    /// ISO 8601 in UTC with milliseconds, as OBS and S3 write times in XML: `2006-02-03T16:45:09.000Z` (rounded
    /// towards the past). esdk-obs-python reads these with `%Y-%m-%dT%H:%M:%S.%fZ`, so the fraction is always there.
    public static func iso8601Milliseconds(_ date: Date) -> String {
        // Whole microseconds first: a time that is exactly on a millisecond must not print as the one before it
        // because its Double is a hair below.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = floorDiv(micros, 1_000_000)
        let millis = Int((micros - seconds * 1_000_000) / 1000)
        let f = fields(seconds)
        return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))T\(pad(f.hour, 2)):\(pad(f.minute, 2))"
            + ":\(pad(f.second, 2)).\(pad(millis, 3))Z"
    }

    // MARK: - Parsing

    /// `EEE, dd MMM yyyy HH:mm:ss GMT` (also `UTC`), numbers in ASCII digits, fields apart by one space or more,
    /// surrounding spaces and tabs ignored; nil for anything else.
    /// Any of the three HTTP-date forms a recipient must accept (RFC 9110 §5.6.7): IMF-fixdate, RFC 850
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`, its two-digit year taken as the nearest that is not over 50 years ahead)
    /// and asctime (`Sun Nov  6 08:49:37 1994`). For what clients send (conditional headers), not for signatures.
    public static func parseHTTPDate(_ text: String, now: Date = Date()) -> Date? {
        if let date = parseRFC1123(text) { return date }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let time: String, day: String, month: String, year: Int
        if fields.count == 4, fields[0].hasSuffix(","), fields[3] == "GMT" {  // RFC 850
            let date = fields[1].split(separator: "-").map(String.init)
            guard date.count == 3, date[2].count == 2, let yy = Int(date[2]) else { return nil }
            let thisYear = Int(rfc1123(now).split(separator: " ")[3]) ?? 2000
            var full = thisYear / 100 * 100 + yy
            if full > thisYear + 50 { full -= 100 }
            (day, month, year, time) = (date[0], date[1], full, fields[2])
        } else if fields.count == 5, weekdays.contains(fields[0]), let y = Int(fields[4]), fields[4].count == 4 {
            (day, month, year, time) = (fields[2], fields[1], y, fields[3])  // asctime
        } else {
            return nil
        }
        guard day.count <= 2, let d = Int(day) else { return nil }
        // As an IMF-fixdate; its weekday is not checked (the date decides the instant), so any will do.
        return parseRFC1123("Sun, \(d < 10 ? "0" : "")\(d) \(month) \(year) \(time) GMT")
    }

    public static func parseRFC1123(_ text: String) -> Date? {
        var text = text
        return text.withUTF8(parseRFC1123)  // as bytes: every response's Date or Last-Modified is read
    }

    private static func parseRFC1123(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        var lo = 0, hi = b.count
        while lo < hi && (b[lo] == space || b[lo] == tab) { lo += 1 }
        while hi > lo && (b[hi - 1] == space || b[hi - 1] == tab) { hi -= 1 }
        // Six fields between runs of spaces.
        var fields: [Range<Int>] = []
        fields.reserveCapacity(6)
        var i = lo
        while i < hi {
            let start = i
            while i < hi && b[i] != space { i += 1 }
            fields.append(start..<i)
            while i < hi && b[i] == space { i += 1 }
        }
        guard fields.count == 6 else { return nil }
        func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self) }
        func number(_ r: Range<Int>) -> Int? {
            guard !r.isEmpty, r.allSatisfy({ b[$0] >= 0x30 && b[$0] <= 0x39 }) else { return nil }
            return r.reduce(0) { $0 * 10 + Int(b[$1] - 0x30) }
        }
        let (weekday, dayField, monthField, yearField, time, zone) =
            (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
        guard weekday.count == 4, b[weekday.upperBound - 1] == UInt8(ascii: ","),
            weekdays.contains(text(weekday.dropLast())),
            ["GMT", "UTC"].contains(text(zone)),
            dayField.count <= 2, let day = number(dayField),
            let monthIndex = months.firstIndex(of: text(monthField)),
            yearField.count == 4, let year = number(yearField),
            time.count == 8, b[time.lowerBound + 2] == UInt8(ascii: ":"), b[time.lowerBound + 5] == UInt8(ascii: ":"),
            let h = number(time.lowerBound..<time.lowerBound + 2),
            let m = number(time.lowerBound + 3..<time.lowerBound + 5),
            let s = number(time.lowerBound + 6..<time.lowerBound + 8),
            (0...23).contains(h), (0...59).contains(m), (0...60).contains(s),
            (1...daysIn(month: monthIndex + 1, year: year)).contains(day)
        else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(monthIndex + 1), day: Int64(day))
        return Date(timeIntervalSince1970: Double(days * 86_400 + Int64(h * 3600 + m * 60 + s)))
    }

    /// Exactly SigV4's long date `yyyyMMdd'T'HHmmss'Z'` (also Huawei's `X-Sdk-Date`), UTC; nil for anything else.
    public static func parseAmzDate(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var v = 0
            for k in range {
                guard (0x30...0x39).contains(b[k]) else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            return v
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        return Date(timeIntervalSince1970: Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + second)))
    }

    /// ISO 8601 as OBS and S3 write it: `2024-10-15T07:20:09.000Z`, with or without fractional seconds (any number of
    /// digits), with `Z` or a `+hh:mm` / `-hh:mm` / `+hhmm` offset; no offset is read as UTC. RFC 3339 is a subset.
    public static func parseISO8601(_ text: String) -> Date? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                guard (0x30...0x39).contains(b[k]) else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            i += n
            return v
        }
        func take(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), take("-"), let month = digits(2), take("-"), let day = digits(2),
            take("T") || take("t") || take(" "),
            let hour = digits(2), take(":"), let minute = digits(2), take(":"), let second = digits(2)
        else { return nil }

        var fraction = 0.0
        if take(".") || take(",") {
            let start = i
            while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
            guard i > start, let f = Double("0." + String(decoding: b[start..<i], as: UTF8.self)) else { return nil }
            fraction = f
        }

        var offset = 0
        if take("Z") || take("z") {
            offset = 0
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2), oh <= 23 else { return nil }
            var om = 0
            if take(":") || i < b.count {
                guard let m = digits(2) else { return nil }
                om = m
            }
            guard om <= 59 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        }
        guard i == b.count else { return nil }

        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        let days = Int(daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day)))
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        // Date stores seconds since 2001-01-01; adding the fraction there avoids a second rounding.
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + fraction)
    }

    // MARK: - Calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days)

    /// The UTC calendar fields of `secs` seconds since the epoch.
    public static func fields(_ secs: Int64) -> Fields {
        let days = floorDiv(secs, 86_400)
        let sod = Int(secs - days * 86_400)
        let (y, m, d) = civilFromDays(days)
        return Fields(
            year: Int(y), month: Int(m), day: Int(d), hour: sod / 3600, minute: sod % 3600 / 60,
            second: sod % 60)
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

    private static func daysIn(month: Int, year: Int) -> Int {
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
