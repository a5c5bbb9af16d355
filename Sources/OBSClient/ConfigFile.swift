import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads and rewrites `$XDG_CONFIG_HOME/obsctl/config` for `obsctl config set|get|list`. The file is written
/// whole through a 0600 temp file and a rename, so it is never seen half-written or readable by others.
public struct ConfigFile {
    public static let knownKeys = ["endpoint", "region", "signature", "ca_bundle", "access_key_id", "secret_access_key", "security_token"]
    public static let secretKeys: Set<String> = ["secret_access_key", "security_token"]

    public let path: String
    public private(set) var sections: [String: [String: String]]

    public init(environment: [String: String]) throws {
        path = ConfigProfile.path(environment: environment)
        guard FileManager.default.fileExists(atPath: path) else { sections = [:]; return }
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
            throw OBSError.configuration(String(format: "config file %@ is readable by group or others (mode %04o); run 'chmod 600 %@'", path, Int(st.st_mode & 0o777), path))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw OBSError.configuration("cannot read \(path)") }
        sections = ConfigProfile.parse(text)
    }

    public static func validate(key: String, value: String) throws {
        guard knownKeys.contains(key) else {
            throw OBSError.invalidArgument("unknown config key '\(key)'; known keys: \(knownKeys.joined(separator: ", "))")
        }
        guard !value.contains("\n"), !value.isEmpty else { throw OBSError.invalidArgument("the value for '\(key)' must be one non-empty line") }
        if key == "signature", !["obs", "v2", "v4"].contains(value) { throw OBSError.invalidArgument("signature must be obs, v2 or v4") }
    }

    public mutating func set(profile: String, key: String, value: String) throws {
        try Self.validate(key: key, value: value)
        sections[profile, default: [:]][key] = value
    }

    public mutating func unset(profile: String, key: String) { sections[profile]?[key] = nil }

    /// Replaces a whole profile (`config import`): no key of the old one stays to mix with the new ones.
    public mutating func replace(profile: String, with values: [String: String]) throws {
        for (key, value) in values { try Self.validate(key: key, value: value) }
        sections[profile] = values
    }

    public func save() throws {
        var text = "# obsctl configuration (see README). Secrets live here: keep this file 0600.\n"
        for name in sections.keys.sorted() {
            text += "\n[\(name)]\n"
            for key in sections[name]!.keys.sorted() { text += "\(key) = \(sections[name]![key]!)\n" }
        }
        let dir = LocalPath.parent(path)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let tmp = dir + "/.config.tmp-\(getpid())"
        let fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OBSError.configuration("cannot write \(tmp): \(String(cString: strerror(errno)))") }
        do {
            defer { close(fd) }
            try Array(text.utf8).withUnsafeBytes { try FileDescriptorSink.writeAll(fd, $0, path: tmp) }
            guard fsync(fd) == 0 else { throw OBSError.configuration("cannot fsync \(tmp)") }
        } catch { unlink(tmp); throw error }
        guard rename(tmp, path) == 0 else { unlink(tmp); throw OBSError.configuration("cannot replace \(path): \(String(cString: strerror(errno)))") }
    }
}
