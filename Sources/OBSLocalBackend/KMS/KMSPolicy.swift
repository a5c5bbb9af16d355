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
struct KMSPolicy {
    var allow: [String]?
    var deny: [String]
    var requireDocumentedSet: Bool

    static let allowAll = KMSPolicy(allow: nil, deny: [], requireDocumentedSet: false)

    static func load(_ path: String) throws -> KMSPolicy {
        guard let bytes = try FileIO.readAll(path) else { return .allowAll }
        guard let obj = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw OBSError.configuration("KMS policy \(path) is not a JSON object; fix it or delete it to allow all actions")
        }
        func list(_ name: String) throws -> [String]? {
            guard let v = obj[name] else { return nil }
            guard let a = v as? [String] else { throw OBSError.configuration("KMS policy \(path): '\(name)' must be a list of action names") }
            return a
        }
        let mode = obj["mode"] as? String
        if let mode, mode != "obs-doc", mode != "per-step" {
            throw OBSError.configuration("KMS policy \(path): mode must be \"per-step\" or \"obs-doc\", not \"\(mode)\"")
        }
        return KMSPolicy(allow: try list("allow"), deny: try list("deny") ?? [], requireDocumentedSet: mode == "obs-doc")
    }

    func permits(_ action: KMSAction) -> Bool {
        if deny.contains(where: { Self.matches($0, action.rawValue) }) { return false }
        guard let allow else { return true }
        return allow.contains(where: { Self.matches($0, action.rawValue) })
    }

    static func matches(_ pattern: String, _ action: String) -> Bool {
        if pattern.hasSuffix("*") { return action.hasPrefix(pattern.dropLast()) }
        return pattern == action
    }
}
