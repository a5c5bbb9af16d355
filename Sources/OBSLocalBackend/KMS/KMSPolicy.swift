import Foundation
import OBSCore

/// The kms:* actions the local KMS checks, with OBS's names.
public enum KMSAction: String, CaseIterable, Sendable {
    case cmkGet = "kms:cmk:get", cmkList = "kms:cmk:list", cmkCreate = "kms:cmk:create"
    case cmkUpdate = "kms:cmk:update"  // enable, disable, schedule and cancel deletion
    case dekCreate = "kms:dek:create", dekCrypto = "kms:dek:crypto"

    /// The five actions OBS documents as needed for SSE-KMS uploads and downloads.
    static let obsDocumented: [KMSAction] = [.cmkGet, .cmkList, .cmkCreate, .dekCreate, .dekCrypto]
}

/// `kms/policy.json`: what the local identity may do. Absent means allow all. An explicit deny wins over an allow;
/// patterns are exact action names or end in `*`.
///
///     {"allow": ["kms:*"], "deny": ["kms:dek:create"], "mode": "obs-doc"}
///
/// `mode: "obs-doc"` requires all five documented actions for every SSE-KMS upload and download, as OBS's
/// documentation lists them as a set; the default mode checks only the actions each step needs.
///
/// The file is read strictly: an unknown key, an unknown action or a pattern that matches no action is refused
/// (exit 12), because a typo in a deny list would otherwise allow what it meant to deny.
public struct KMSPolicy: Sendable {
    public var allow: [String]?
    public var deny: [String]
    public var requireDocumentedSet: Bool

    static let allowAll = KMSPolicy(allow: nil, deny: [], requireDocumentedSet: false)
    static let keys = ["allow", "deny", "mode"]
    static let modes = ["per-step", "obs-doc"]

    public var mode: String { requireDocumentedSet ? "obs-doc" : "per-step" }

    /// The policy in force: the file's (parsed again only when it changed, through `cache`), or allow-all.
    static func load(_ path: String, cache: ParsedFileCache<KMSPolicy>) throws -> KMSPolicy {
        try readable(path) { try cache.value(at: path) { try parse($0, path: path) } } ?? .allowAll
    }

    /// The policy in the file, or nil when there is none.
    static func loadIfPresent(_ path: String) throws -> KMSPolicy? {
        guard let bytes = try readable(path, { try FileIO.readAll(path) }) else { return nil }
        return try parse(bytes, path: path)
    }

    private static func readable<T>(_ path: String, _ read: () throws -> T) throws -> T {
        do { return try read() } catch let e as OBSError where e.category != .configuration {  // not parse's own
            throw OBSError.configuration(
                "KMS policy \(path) cannot be read (\(e.message)); fix it or "
                    + "delete it to allow all actions")
        }
    }

    /// The policy in `bytes`, read from `path` (named in errors).
    static func parse(_ bytes: [UInt8], path: String) throws -> KMSPolicy {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw OBSError.configuration(
                "KMS policy \(path) is not a JSON object; fix it or delete it to allow all actions")
        }
        if let name = JSONText.firstDuplicateName(bytes) {
            throw bad(path, "'\(name)' appears twice in one object (only one could count)")
        }
        for key in obj.keys.sorted() where !keys.contains(key) {
            throw bad(path, "unknown key '\(key)'\(suggestion(key, among: keys)); the keys are allow, deny and mode")
        }
        func list(_ name: String) throws -> [String]? {
            guard let v = obj[name] else { return nil }
            guard let a = v as? [String] else { throw bad(path, "'\(name)' must be a list of action names") }
            for pattern in a { try validate(pattern, in: name, path: path) }
            return a
        }
        var mode = "per-step"
        if let m = obj["mode"] {
            guard let s = m as? String, modes.contains(s) else {
                throw bad(path, "mode must be \"per-step\" or \"obs-doc\", not \(m as? String ?? "\(m)")")
            }
            mode = s
        }
        return KMSPolicy(
            allow: try list("allow"), deny: try list("deny") ?? [], requireDocumentedSet: mode == "obs-doc")
    }

    /// An exact action name, or a prefix ending in `*` that matches at least one action.
    static func validate(_ pattern: String, in list: String, path: String) throws {
        let names = KMSAction.allCases.map(\.rawValue)
        if names.contains(pattern) { return }
        if pattern.hasSuffix("*") {
            let prefix = pattern.dropLast()
            if !prefix.contains("*"), names.contains(where: { $0.hasPrefix(prefix) }) { return }
        }
        throw bad(
            path,
            "unknown action '\(pattern)' in \"\(list)\"\(suggestion(pattern, among: names)); "
                + "the actions are \(names.joined(separator: ", ")), or a prefix of them ending in *")
    }

    private static func bad(_ path: String, _ what: String) -> OBSError {
        OBSError.configuration(
            "KMS policy \(path): \(what); fix it (format: 'obsctl kms policy --help') or "
                + "delete it to allow all actions")
    }

    /// " (did you mean 'x'?)" when `word` is a valid name up to case and surrounding spaces.
    private static func suggestion(_ word: String, among names: [String]) -> String {
        let w = word.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let valid = names.contains(w) || (w.hasSuffix("*") && names.contains { $0.hasPrefix(w.dropLast()) })
        return valid && w != word ? " (did you mean '\(w)'?)" : ""
    }

    public func permits(_ action: KMSAction) -> Bool {
        if deny.contains(where: { Self.matches($0, action.rawValue) }) { return false }
        guard let allow else { return true }
        return allow.contains(where: { Self.matches($0, action.rawValue) })
    }

    static func matches(_ pattern: String, _ action: String) -> Bool {
        if pattern.hasSuffix("*") { return action.hasPrefix(pattern.dropLast()) }
        return pattern == action
    }
}

/// The policy in force and where it comes from, for `obsctl kms policy show`.
public struct KMSPolicyInForce: Sendable {
    /// The policy file's path, whether or not it exists.
    public var path: String
    /// False when no file exists and the built-in default (allow every action) applies.
    public var fromFile: Bool
    public var policy: KMSPolicy
}
