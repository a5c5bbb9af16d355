import OBSCore

/// `--include` / `--exclude` as aws s3 has them: every rule is tested in the order given and the LAST one that
/// matches decides; a name no rule matches is included. Names are paths relative to the source directory or
/// prefix (a single file or object: its base name), so `--exclude '*' --include '*.txt'` takes only text files.
public struct Filter: Sendable, Equatable {
    public var rules: [FilterRule]

    public init(_ rules: [FilterRule] = []) { self.rules = rules }

    public static let all = Filter()

    public var isEmpty: Bool { rules.isEmpty }

    /// Whether `name` (relative to the source root, `/` between segments) is taken.
    public func includes(_ name: String) -> Bool {
        var included = true
        for rule in rules where rule.pattern.matches(name) { included = rule.kind == .include }
        return included
    }

    /// Whether the filters leave out every name below the directory `dir` (relative to the source root, as names
    /// are), so a walk need not enter it: one it may not enter (`sync ~ ... --exclude '.cache/*'`) then fails
    /// nothing. Going from the last rule back: one that can match no name below `dir` says nothing; an include that
    /// can match one there takes it; an exclude that matches every name there leaves them all out (any later rule
    /// that could match one was an exclude too). Conservative: false whenever that cannot be told from the patterns.
    public func excludesEverything(below dir: String) -> Bool {
        let prefix = dir + "/"
        for rule in rules.reversed() {
            let reach = rule.pattern.reach(after: prefix)
            switch (reach, rule.kind) {
            case (.none, _): continue
            case (_, .include): return false
            case (.every, .exclude): return true
            case (.some, .exclude): continue
            }
        }
        return false
    }

    /// Whether a name the walk of `dir` could not read as UTF-8 (`LocalTree`'s escaped `path`, below `dir`) is one
    /// the filters take, tested in its escaped form relative to `dir`: a run that leaves it out by its filters
    /// does not report it as skipped. A directory (`/` at the end) is always taken: the filters would judge the
    /// files below it, which the walk cannot name.
    public func includes(unnamable path: String, below dir: String) -> Bool {
        if KeyBytes.hasSuffix(path, "/") { return true }
        let base = LocalPath.join(dir, "")
        guard KeyBytes.hasPrefix(path, base) else { return includes(path) }
        return includes(String(decoding: path.utf8.dropFirst(base.utf8.count), as: UTF8.self))
    }
}

public struct FilterRule: Sendable, Equatable {
    public enum Kind: String, Sendable { case include, exclude }
    public var kind: Kind
    public var pattern: GlobPattern

    /// A bad pattern is a usage error naming the option and the pattern.
    public init(_ kind: Kind, _ text: String) throws {
        self.kind = kind
        do { pattern = try GlobPattern(text) } catch let problem as GlobPattern.Problem {
            throw OBSError.invalidArgument("--\(kind.rawValue) pattern '\(text)' \(problem.description)")
        }
    }
}

/// A shell-style pattern as Python's fnmatch (and so aws) reads it: `*` matches any run of characters INCLUDING
/// `/` (so `*.log` matches `a/b.log`, and `logs/*` everything below logs/), `?` any one character, `[abc]`,
/// `[a-z]` one of a set, `[!abc]` one not in it (`]` first in a set is literal); every other character, `\`
/// included, stands for itself. The whole name must match.
public struct GlobPattern: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let tokens: [Token]

    enum Token: Sendable, Equatable {
        case literal(Unicode.Scalar)
        case one
        case any
        case set([ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    struct Problem: Error, CustomStringConvertible { let description: String }

    public init(_ text: String) throws {
        description = text
        var tokens: [Token] = []
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count {
            switch s[i] {
            case "*":
                if tokens.last != .any { tokens.append(.any) }  // `**` is `*`
                i += 1
            case "?":
                tokens.append(.one)
                i += 1
            case "[":
                var j = i + 1
                let negated = j < s.count && s[j] == "!"
                if negated { j += 1 }
                var ranges: [ClosedRange<Unicode.Scalar>] = []
                var first = true
                while j < s.count && (first || s[j] != "]") {
                    first = false
                    if j + 2 < s.count, s[j + 1] == "-", s[j + 2] != "]" {
                        guard s[j] <= s[j + 2] else {
                            throw Problem(
                                description: "has the range '\(s[j])-\(s[j + 2])' whose ends are reversed; "
                                    + "write '\(s[j + 2])-\(s[j])'")
                        }
                        ranges.append(s[j]...s[j + 2])
                        j += 3
                    } else {
                        ranges.append(s[j]...s[j])
                        j += 1
                    }
                }
                guard j < s.count else {
                    throw Problem(
                        description: "has a '[' that is never closed; close the set with ']', "
                            + "or write '[[]' for a literal '['")
                }
                tokens.append(.set(ranges, negated: negated))
                i = j + 1
            default:
                tokens.append(.literal(s[i]))
                i += 1
            }
        }
        self.tokens = tokens
    }

    /// What the pattern matches among the names that start with `prefix`.
    enum Reach { case none, some, every }

    /// `none` when no name starting with `prefix` can match; `every` when each longer one does (the pattern has
    /// reached a trailing `*` once `prefix` is read); else `some` (maybe some: a set that matches no character at all
    /// is still counted as matching one). The positions the pattern can be at, read through `prefix` as an NFA.
    func reach(after prefix: String) -> Reach {
        func closure(_ positions: Set<Int>) -> Set<Int> {  // a `*` may match nothing: its next token is reached too
            var out = positions
            for p in positions where p < tokens.count && tokens[p] == .any { out.insert(p + 1) }
            return out
        }
        var positions = closure([0])
        for c in prefix.unicodeScalars {
            var next: Set<Int> = []
            for p in positions where p < tokens.count {
                switch tokens[p] {
                case .any: next.insert(p)
                case .one: next.insert(p + 1)
                case .literal(let l) where l == c: next.insert(p + 1)
                case .set(let ranges, let negated) where ranges.contains { $0.contains(c) } != negated:
                    next.insert(p + 1)
                default: break
                }
            }
            positions = closure(next)
            if positions.isEmpty { return .none }
        }
        if positions.contains(where: { $0 == tokens.count - 1 && tokens[$0] == .any }) { return .every }
        return positions.contains { $0 < tokens.count } ? .some : .none
    }

    /// Backtracking to the last `*` only: linear in practice, at worst pattern length times name length.
    public func matches(_ name: String) -> Bool {
        let s = Array(name.unicodeScalars)
        var p = 0
        var n = 0
        var star: (p: Int, n: Int)? = nil
        while n < s.count {
            if p < tokens.count {
                switch tokens[p] {
                case .any:
                    star = (p, n)
                    p += 1
                    continue
                case .one:
                    p += 1
                    n += 1
                    continue
                case .literal(let c) where c == s[n]:
                    p += 1
                    n += 1
                    continue
                case .set(let ranges, let negated) where ranges.contains { $0.contains(s[n]) } != negated:
                    p += 1
                    n += 1
                    continue
                default: break
                }
            }
            guard let last = star else { return false }
            star = (last.p, last.n + 1)
            p = last.p + 1
            n = last.n + 1
        }
        while p < tokens.count && tokens[p] == .any { p += 1 }
        return p == tokens.count
    }
}
