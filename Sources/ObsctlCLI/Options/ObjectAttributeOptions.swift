import ArgumentParser
import Foundation
import OBSCore
import OBSTime

/// Object attributes of commands that write objects: content type, user metadata, and the standard headers S3 and
/// OBS store with an object and answer on every GET (`HeaderMetadata.names`), as `aws s3 cp` sets them.
struct ObjectAttributeOptions: ParsableArguments {
    @Option(help: "Content type of the new object(s); guessed from the file extension when omitted.") var contentType:
        String?
    @Option(help: ArgumentHelp("User metadata KEY=VALUE (repeatable).", valueName: "key=value")) var metadata:
        [String] = []
    @Option(help: ArgumentHelp("Cache-Control of the new object(s), e.g. max-age=3600.", valueName: "value"))
    var cacheControl: String?
    @Option(
        help: ArgumentHelp(
            "Content-Disposition of the new object(s), e.g. 'attachment; filename=\"a.pdf\"'.", valueName: "value"))
    var contentDisposition: String?
    @Option(
        help: ArgumentHelp(
            "Content-Encoding of the new object(s), e.g. gzip: stored and answered as given, the bytes unchanged.",
            valueName: "value"))
    var contentEncoding: String?
    @Option(help: ArgumentHelp("Content-Language of the new object(s), e.g. en-US.", valueName: "value"))
    var contentLanguage: String?
    @Option(
        help: ArgumentHelp(
            "Expires of the new object(s): an ISO 8601 time (2027-01-31T12:00:00Z) or an HTTP date.",
            valueName: "time"))
    var expires: String?

    /// Refused before any file is read (the backends check again, for library callers).
    func validate() throws {
        do {
            if let contentType {
                try HeaderValues.checkValue(contentType, "--content-type '\(HeaderValues.printable(contentType))'")
            }
            _ = try parseMetadata(metadata)
            _ = try headerMetadata()
        } catch let e as OBSError { throw ValidationError(e.message) }
    }

    /// The options given, by name: a download, which writes no object, refuses them.
    var given: [String] {
        let all: [(String, Bool)] = [
            ("--content-type", contentType != nil), ("--metadata", !metadata.isEmpty),
            ("--cache-control", cacheControl != nil), ("--content-disposition", contentDisposition != nil),
            ("--content-encoding", contentEncoding != nil), ("--content-language", contentLanguage != nil),
            ("--expires", expires != nil),
        ]
        return all.filter(\.1).map(\.0)
    }

    /// The standard headers given, by canonical name; Expires as an HTTP date, as S3 and OBS answer it.
    func headerMetadata() throws -> [String: String] {
        var out: [String: String] = [:]
        let given: [(String, String, String?)] = [
            ("Cache-Control", "--cache-control", cacheControl),
            ("Content-Disposition", "--content-disposition", contentDisposition),
            ("Content-Encoding", "--content-encoding", contentEncoding),
            ("Content-Language", "--content-language", contentLanguage),
        ]
        for case let (name, option, value?) in given {
            try HeaderValues.checkValue(value, "\(option) '\(HeaderValues.printable(value))'")
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw OBSError.invalidArgument("\(option) is empty; give a value or leave the option out")
            }
            out[name] = value
        }
        // aws-chunked names a request's framing, which S3 servers strip from what they store: not the object's.
        if let encoding = contentEncoding,
            encoding.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces).lowercased() == "aws-chunked"
            })
        {
            throw OBSError.invalidArgument(
                "--content-encoding '\(encoding)' names aws-chunked, a request's framing that servers do not store; "
                    + "give the object's own encoding (gzip, br...)")
        }
        if let expires { out["Expires"] = try Self.expiresHeader(expires) }
        return out
    }

    /// `--expires` as the HTTP date sent. Stricter than what is read from servers: a year from 1970 to 9999 (what an
    /// HTTP date's four digits and a cache can use) and, when a weekday is written, the date's own: a wrong one is
    /// a typo in the date or in the day, and which one the user meant cannot be known.
    static func expiresHeader(_ text: String) throws -> String {
        let printable = HeaderValues.printable(text)
        guard let date = Timestamps.parseISO8601(text) ?? Timestamps.parseHTTPDate(text) else {
            throw OBSError.invalidArgument(
                "--expires '\(printable)' is not a time; give ISO 8601 (2027-01-31T12:00:00Z) or an HTTP date "
                    + "(Sun, 31 Jan 2027 12:00:00 GMT)")
        }
        let header = Timestamps.rfc1123(date)
        let year = Timestamps.fields(Timestamps.epochSeconds(date)).year
        guard (1970...9999).contains(year) else {
            throw OBSError.invalidArgument(
                "--expires '\(printable)' is \(year < 1970 ? "before 1970" : "after 9999") in UTC; give a time from "
                    + "1970 to 9999")
        }
        // A leap second is taken as the next minute's first by the parsers; sent as written it would not be.
        guard text.range(of: #":60(?![0-9])"#, options: .regularExpression) == nil else {
            throw OBSError.invalidArgument(
                "--expires '\(printable)' has second 60, which an HTTP date cannot carry; give 59 or the next minute")
        }
        let weekday = header.prefix(3)
        let written = text.drop(while: { $0 == " " || $0 == "\t" }).prefix(while: \.isLetter)
        if written.count >= 3, !written.lowercased().hasPrefix(weekday.lowercased()) {
            throw OBSError.invalidArgument(
                "--expires '\(printable)' names \(written), but that date is a \(weekday); correct the day or the date")
        }
        return header
    }
}
