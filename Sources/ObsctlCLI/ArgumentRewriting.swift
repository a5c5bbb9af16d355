import ArgumentParser
import OBSCore

/// Global options are declared on every leaf command (ArgumentParser parses options where they are declared), so
/// `obsctl --endpoint URL ls` is rewritten to `obsctl ls --endpoint URL`, as users of aws and mc expect.
enum GlobalArguments {
    /// The names of `GlobalOptions`. Written out, as reading the declaration (`CommandNode.arguments(of:)`) cost
    /// every start about 4 ms of a 20 ms `bucket list`; `ArgumentRewritingTests` keeps them in step with it.
    static let withValue: Set<String> = [
        "--output", "--progress", "--endpoint", "--region", "--kms-endpoint", "--project-id", "--iam-endpoint",
        "--profile", "--signature", "--addressing", "--ca-bundle", "--retries", "--timeout",
    ]
    static let flags: Set<String> = ["-q", "--quiet", "--local", "--insecure", "--debug"]

    static func movedAfterSubcommand(_ args: [String]) -> [String] {
        let (groups, i) = leading(args)
        var rest = Array(args[i...])
        guard !groups.isEmpty, !rest.isEmpty else { return args }
        // Before a `--`: after it, every word is an argument (`upload -- -report.pdf obs://b/`).
        rest.insert(contentsOf: groups.joined(), at: rest.firstIndex(of: "--") ?? rest.endIndex)
        return rest
    }

    /// The global options that stand in `args[start..<end]` from `start` on, each with its value (`--profile p`,
    /// `--profile=p`, `-q`), and the index of the first word that is not one.
    static func leading(_ args: [String], from start: Int = 0, end: Int? = nil) -> (groups: [[String]], next: Int) {
        let end = end ?? args.count
        var groups: [[String]] = [], i = start
        while i < end {
            let a = args[i], name = String(a.split(separator: "=", maxSplits: 1).first ?? "")
            if flags.contains(a) || (withValue.contains(name) && a.contains("=")) {
                groups.append([a]); i += 1
            } else if withValue.contains(a) && i + 1 < end {
                groups.append([a, args[i + 1]]); i += 2
            } else {
                break
            }
        }
        return (groups, i)
    }

    /// Every global option among `words`, wherever it stands, with its value.
    static func all(in words: [String]) -> [String] {
        var out: [String] = [], i = 0
        while i < words.count {
            let (groups, next) = leading(words, from: i)
            if groups.isEmpty { i += 1 } else { out += groups.joined(); i = next }
        }
        return out
    }
}

/// Options that choose an object's encryption or key, or name a new key, where ArgumentParser's "the last one wins"
/// would silently store data under another method or key than one the user typed (`--sse kms --sse obs`, two key
/// files), or name a key other than the one the user will ask for. Given twice with different values, they are
/// refused before anything runs.
enum OnceOnlyOptions {
    /// The options of `SSEOptions`, `CustomerKeyOptions`, `SourceCustomerKeyOptions` and `kms key create`. Written
    /// out, as reading the declarations (`CommandNode.arguments(of:)`) costs every start milliseconds; a test keeps
    /// the two in step.
    static let spellings: Set<String> = [
        "--sse", "--kms-key-id", "--expect-sse", "--sse-c-key-file", "--sse-c-key-env", "--sse-c-key-encoding",
        "--source-sse-c-key-file", "--source-sse-c-key-env", "--source-sse-c-key-encoding", "--alias",
        "--description",
    ]

    /// The usage error for the first such option given twice with different values in `args` (before a `--`).
    static func firstConflict(in args: [String]) -> String? {
        let options = args.prefix { $0 != "--" }
        if options.contains("--help") || options.contains("-h") { return nil }  // help is what was asked for
        var seen: [String: String] = [:]
        var i = 0
        while i < args.count, args[i] != "--" {
            let word = args[i], parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            i += 1
            guard spellings.contains(name) else { continue }
            let value: String
            if parts.count == 2 {
                value = String(parts[1])
            } else if i < args.count {
                value = args[i]; i += 1
            } else {
                continue  // no value: ArgumentParser's own error
            }
            if let earlier = seen[name], earlier != value {
                let (a, b) = (HeaderValues.printable(earlier), HeaderValues.printable(value))
                return "\(name) is given twice ('\(a)' and '\(b)'); give it once, with the value meant"
            }
            seen[name] = value
        }
        return nil
    }
}
