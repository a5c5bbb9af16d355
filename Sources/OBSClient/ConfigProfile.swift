import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// One section of `$XDG_CONFIG_HOME/obsctl/config` (INI style):
///
///     [default]
///     endpoint = https://obs.cn-north-4.myhuaweicloud.com
///     access_key_id = ...
///     secret_access_key = ...
///
/// The file holds secrets, so it is refused when group or others can read it.
public struct ConfigProfile: Sendable {
    public var name: String
    public var values: [String: String]

    public static func path(environment env: [String: String]) -> String {
        if let p = env["OBSCTL_CONFIG"], !p.isEmpty { return p }
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (env["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/obsctl/config"
    }

    /// The named profile (`--profile`, `OBSCTL_PROFILE`, else "default"); nil when the file does not exist or
    /// has no such section and none was asked for explicitly.
    public static func load(environment env: [String: String], name explicit: String?) throws -> ConfigProfile? {
        let fromEnv = env["OBSCTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }  // empty counts as unset
        let name = explicit ?? fromEnv ?? "default"
        let path = path(environment: env)
        var st = stat()
        guard stat(path, &st) == 0 else {
            if explicit != nil { throw OBSError.configuration("profile '\(name)' requested but \(path) does not exist") }
            return nil
        }
        guard st.st_mode & 0o077 == 0 else {
            throw OBSError.configuration(String(format: "config file %@ is readable by group or others (mode %04o); run 'chmod 600 %@'", path, Int(st.st_mode & 0o777), path))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw OBSError.configuration("cannot read \(path)") }
        let sections = parse(text)
        guard let values = sections[name] else {
            if explicit != nil || fromEnv != nil {
                throw OBSError.configuration("profile '\(name)' is not in \(path); profiles there: \(sections.keys.sorted().joined(separator: ", "))")
            }
            return nil
        }
        return ConfigProfile(name: name, values: values)
    }

    static func parse(_ text: String) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        var section: String? = nil
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                out[section!, default: [:]] = out[section!] ?? [:]
                continue
            }
            guard let s = section, let eq = line.firstIndex(of: "=") else { continue }
            out[s, default: [:]][line[..<eq].trimmingCharacters(in: .whitespaces)] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }
}
