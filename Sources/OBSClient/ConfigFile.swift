import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// `$XDG_CONFIG_HOME/obsctl/config` (INI style): profiles as sections of `key = value` lines.
///
///     # comments (# or ;) and blank lines are kept
///     [default]
///     endpoint = https://obs.cn-north-4.myhuaweicloud.com
///     access_key_id = ...
///     secret_access_key = ...
///
/// The file holds secrets, so it is refused when group or others can read it. It is kept as its lines, so that
/// `config set` changes one line (or appends one at the end of its section, or a new section at the end of the file)
/// and everything else, comments, blank lines and the order of keys and sections, stays as the user wrote it. It is
/// written whole through a 0600 temp file and a rename, so it is never seen half-written or readable by others.
public struct ConfigFile {
    public static let knownKeys = [
        "endpoint", "region", "signature", "ca_bundle", "access_key_id", "secret_access_key", "security_token",
        "kms_endpoint", "project_id", "iam_endpoint",
    ]
    public static let secretKeys: Set<String> = ["secret_access_key", "security_token"]

    /// The selected profile: its section name and values.
    public typealias Profile = (name: String, values: [String: String])

    public let path: String
    /// The file's lines, without their line ends.
    public private(set) var lines: [String]

    /// One meaningful line: a section header or a `key = value` assignment, with its index in `lines`.
    private enum Line {
        case section(String)
        case assignment(key: String, value: String)
    }

    public static func path(environment env: [String: String]) -> String {
        if let p = env["OBSCTL_CONFIG"], !p.isEmpty { return p }
        let home = env["HOME"] ?? NSHomeDirectory()
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        return base + "/obsctl/config"
    }

    /// The file at `path(environment:)`; empty when it does not exist.
    public init(environment: [String: String]) throws {
        let path = Self.path(environment: environment)
        self.init(path: path, text: try Self.read(path) ?? "")
    }

    /// The file's content as `text` (tests, and `init(environment:)`).
    public init(path: String, text: String) {
        self.path = path
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }  // the final line end
        self.lines = lines
    }

    /// The named profile (`--profile`, `OBSCTL_PROFILE`, else "default"); nil when the file does not exist or
    /// has no such section and none was asked for explicitly.
    public static func load(environment env: [String: String], name explicit: String?) throws -> Profile? {
        let fromEnv = env["OBSCTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }  // empty counts as unset
        let name = explicit ?? fromEnv ?? "default"
        let path = path(environment: env)
        guard let text = try read(path) else {
            if explicit != nil {
                throw OBSError.configuration("profile '\(name)' requested but \(path) does not exist")
            }
            return nil
        }
        let file = ConfigFile(path: path, text: text)
        try file.checkLines()
        let sections = file.sections
        guard let values = sections[name] else {
            if explicit != nil || fromEnv != nil {
                let names = sections.keys.sorted().joined(separator: ", ")
                throw OBSError.configuration("profile '\(name)' is not in \(path); profiles there: \(names)")
            }
            return nil
        }
        return (name, values)
    }

    /// The file's text, nil when it does not exist; refused when group or others may read it.
    private static func read(_ path: String) throws -> String? {
        do {
            let bytes = try SmallFile.read(path, limit: maximumSize, privateOnly: true)
            return String(decoding: bytes.copyBytes(), as: UTF8.self)
        } catch .missing {
            return nil
        } catch .exposed(let mode) {
            throw OBSError.configuration(
                "config file \(path) is readable by group or others (mode \(mode)); run 'chmod 600 \(path)'")
        } catch {
            throw OBSError.configuration("config file \(path) \(error.phrase); fix or remove it")
        }
    }

    /// A config file of profiles is a few KiB; anything past this is not one.
    static let maximumSize = 1 << 20

    // MARK: - Reading

    /// What a line means: nil for blank lines, comments and lines outside any grammar (kept, ignored).
    private static func meaning(_ raw: String) -> Line? {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { return nil }
        if line.hasPrefix("[") && line.hasSuffix("]") {
            return .section(String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces))
        }
        guard let eq = line.firstIndex(of: "=") else { return nil }
        return .assignment(
            key: line[..<eq].trimmingCharacters(in: .whitespaces),
            value: line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces))
    }

    /// Every line means something: a header, a known `key = value` inside a section, a comment or a blank line. A
    /// typo (`[default`, `endpoint https://...`, `acess_key_id = ...`) would otherwise be dropped in silence, and
    /// obsctl would quietly use other settings (the local store, say): exit 12, naming the line and the fix. A key
    /// set twice in one profile (also across repeated sections) is refused the same way, as awscli's parser refuses
    /// it: which of two endpoints or key ids was meant is not obsctl's to guess.
    public func checkLines() throws {
        var inSection = false
        var section = ""
        var firstLine: [String: [String: Int]] = [:]  // profile -> key -> the line that set it
        for (at, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let whereAt = "\(path) line \(at + 1)"
            switch Self.meaning(raw) {
            case .section(let name)?:
                do { try Self.validate(profile: name) } catch let e as OBSError {
                    throw OBSError.configuration("\(whereAt): \(e.message)")
                }
                inSection = true
                section = name
            case .assignment(let key, let value)?:
                guard inSection else {
                    throw OBSError.configuration(
                        "\(whereAt): '\(key)' comes before any [profile] header; move it into one")
                }
                do { try Self.validate(key: key, value: value) } catch let e as OBSError {
                    throw OBSError.configuration("\(whereAt): \(e.message)")
                }
                if let first = firstLine[section]?[key] {
                    throw OBSError.configuration(
                        "\(whereAt): '\(key)' is set again in [\(section)] (first on line \(first)); delete one of "
                            + "the two lines")
                }
                firstLine[section, default: [:]][key] = at + 1
            case nil:
                throw OBSError.configuration(
                    "\(whereAt) is neither a [profile] header nor a key = value line; fix it, or start it with # "
                        + "to keep it as a comment")
            }
        }
    }

    /// Every profile and its values. A section may appear more than once (its keys merge); a later assignment of a key
    /// wins (`checkLines` refuses such a file); assignments before the first section are ignored.
    public var sections: [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        var section: String?
        for raw in lines {
            switch Self.meaning(raw) {
            case .section(let name)?:
                section = name
                out[name, default: [:]] = out[name] ?? [:]
            case .assignment(let key, let value)? where section != nil:
                out[section!, default: [:]][key] = value
            default:
                continue
            }
        }
        return out
    }

    /// For each line, the section it belongs to (nil before the first header).
    private var owners: [String?] {
        var section: String?
        return lines.map { raw in
            if case .section(let name)? = Self.meaning(raw) { section = name }
            return section
        }
    }

    // MARK: - Changing

    /// A value as the file may hold it: a known key, one line, and for the keys obsctl can check by form alone
    /// (signature, the endpoints) a valid one. `invalidArgument` errors: `config set` is exit 2; `checkLines` names
    /// the line and makes them configuration errors.
    public static func validate(key: String, value: String) throws {
        guard knownKeys.contains(key) else {
            let known = knownKeys.joined(separator: ", ")
            throw OBSError.invalidArgument("unknown config key '\(key)'; known keys: \(known)")
        }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }), !value.isEmpty else {
            throw OBSError.invalidArgument("the value for '\(key)' must be one non-empty line of printable characters")
        }
        if key == "region", !RegionName.isSafe(value) {
            throw OBSError.invalidArgument(RegionName.problem(value, from: "the value given"))
        }
        if key == "signature", !["obs", "v2", "v4"].contains(value) {
            throw OBSError.invalidArgument("signature must be obs, v2 or v4")
        }
        if ["endpoint", "kms_endpoint", "iam_endpoint"].contains(key) {
            do { try RemoteConfiguration.checkEndpoint(value) } catch let e as OBSError {
                throw OBSError.invalidArgument("\(key): \(e.message)")
            }
        }
    }

    /// A profile name, as `[name]` can hold it and a reader finds it again: not empty, no brackets, no control
    /// characters, no blanks at either end.
    public static func validate(profile name: String) throws {
        guard !name.isEmpty, name.trimmingCharacters(in: .whitespaces) == name,
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "[" || $0 == "]" })
        else {
            throw OBSError.invalidArgument(
                "profile name '\(name)' is not usable: give a non-empty name without brackets, control characters or "
                    + "blanks at either end")
        }
    }

    /// Sets `key` in `profile`: the line that assigns it now (the last one, which is the one read) is rewritten in
    /// place; otherwise a line is added after the section's last key (or its header), or a new section at the end.
    public mutating func set(profile: String, key: String, value: String) throws {
        try Self.validate(profile: profile)
        try Self.validate(key: key, value: value)
        let line = "\(key) = \(value)"
        if let at = assignments(of: key, in: profile).last {
            lines[at] = line
        } else {
            insert([line], into: profile)
        }
    }

    /// Removes every line that assigns `key` in `profile`.
    public mutating func unset(profile: String, key: String) {
        for at in assignments(of: key, in: profile).reversed() { lines.remove(at: at) }
    }

    /// Replaces a whole profile (`config import`): no key of the old one stays to mix with the new ones. The
    /// section's comments stay; the new keys follow its last remaining line, in key order.
    public mutating func replace(profile: String, with values: [String: String]) throws {
        try Self.validate(profile: profile)
        for (key, value) in values { try Self.validate(key: key, value: value) }
        let owners = owners
        for at in lines.indices.reversed() where owners[at] == profile {
            if case .assignment? = Self.meaning(lines[at]) { lines.remove(at: at) }
        }
        insert(values.keys.sorted().map { "\($0) = \(values[$0]!)" }, into: profile)
    }

    /// Indices of the lines assigning `key` in `profile`, in file order.
    private func assignments(of key: String, in profile: String) -> [Int] {
        let owners = owners
        return lines.indices.filter { at in
            guard owners[at] == profile, case .assignment(let k, _)? = Self.meaning(lines[at]) else { return false }
            return k == key
        }
    }

    /// Adds `new` after the last header or assignment of `profile` (its last occurrence), so that blank lines and
    /// comments that lead into the next section stay with it; a new section goes at the end of the file.
    private mutating func insert(_ new: [String], into profile: String) {
        let owners = owners
        if let last = lines.indices.last(where: { owners[$0] == profile && Self.meaning(lines[$0]) != nil }) {
            lines.insert(contentsOf: new, at: last + 1)
            return
        }
        if lines.isEmpty {
            lines = ["# obsctl configuration (see README). Secrets live here: keep this file 0600."]
        }
        if lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == false { lines.append("") }
        lines += ["[\(profile)]"] + new
    }

    public var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }

    public func save() throws {
        // A config file that is a symbolic link (dotfiles) is written where it points, as it is read: replacing
        // the link would leave the file it names behind, still read by nothing.
        var target = path
        var st = stat()
        if lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                throw OBSError.configuration(
                    "cannot write \(path): it is a symbolic link to nothing (\(OBSError.reason(errno))); fix or remove "
                        + "the link")
            }
            target = String(cString: resolved)
            free(resolved)
        }
        let dir = LocalPath.parent(target)
        do {
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw OBSError.configuration(
                "cannot create the directory \(dir) for \(target): check its parent's permissions, or set "
                    + "OBSCTL_CONFIG to a file elsewhere")
        }
        // It holds secrets: created 0600, never through a file or link someone put at the temporary's name.
        do { try AtomicFile.write(Array(text.utf8), to: target, mode: 0o600) } catch {
            let message = "cannot \(error.step) \(error.path): \(error.reason)"
            // Where the file lives is the configuration's problem (exit 12); a full disk or a failing one is local
            // I/O (exit 1), as for any other write.
            let placement: Set<Int32> = [EACCES, EPERM, EROFS, ENOTDIR, ELOOP, EISDIR, ENOENT, ENAMETOOLONG]
            throw placement.contains(error.errno) ? OBSError.configuration(message) : OBSError.localIO(message)
        }
    }
}
