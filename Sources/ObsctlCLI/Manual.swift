import Foundation

/// Command discussions with examples and the exit codes, written once for both readers: `--help` (plain text)
/// and the man pages. `swift package plugin generate-manual` copies a discussion into the page as raw mdoc, where
/// a blank line is a warning and indentation is lost; when obsctl runs for it (`--experimental-dump-help`) the
/// same text is written as mdoc instead: `.Pp` paragraphs, a literal block of examples, a list of exit codes.
enum Manual {
    static let isMDoc = CommandLine.arguments.dropFirst().first == "--experimental-dump-help"

    static func discussion(_ paragraphs: [String] = [], examples: [String], exitCodes: Bool = true) -> String {
        isMDoc ? mdoc(paragraphs, examples, exitCodes) : plain(paragraphs, examples, exitCodes)
    }

    static func plain(_ paragraphs: [String], _ examples: [String], _ exitCodes: Bool) -> String {
        var blocks = paragraphs
        if !examples.isEmpty { blocks.append((["EXAMPLES:"] + examples.map { "  " + $0 }).joined(separator: "\n")) }
        if exitCodes { blocks.append("EXIT CODES:\n" + ObsctlExitCode.table) }
        return blocks.joined(separator: "\n\n")
    }

    static func mdoc(_ paragraphs: [String], _ examples: [String], _ exitCodes: Bool) -> String {
        var lines: [String] = []
        for p in paragraphs {
            if !lines.isEmpty { lines.append(".Pp") }
            lines.append(text(p))
        }
        if !examples.isEmpty {
            if !lines.isEmpty { lines.append(".Pp") }
            lines += ["Examples:", ".Bd -literal -offset indent"] + examples.map(text) + [".Ed"]
        }
        if exitCodes {
            if !lines.isEmpty { lines.append(".Pp") }
            lines += ["Exit codes:", ".Bl -tag -width 6n -compact"]
            for c in ObsctlExitCode.allCases { lines += [".It \(c.rawValue)", text(c.meaning)] }
            lines.append(".El")
        }
        return lines.joined(separator: "\n")
    }

    /// One text line for mdoc. The generator escapes backslashes itself (and so would turn a `\&` of ours into
    /// `\e&`), but not a '.' or '\'' that begins a later line, where roff would read a request: a space goes first.
    static func text(_ s: String) -> String {
        s.hasPrefix(".") || s.hasPrefix("'") ? " " + s : s
    }
}
