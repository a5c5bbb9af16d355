import Foundation

/// KMS key states, with the numbers Huawei KMS uses in `key_state`.
public enum KMSKeyState: String, Sendable, Codable {
    case enabled, disabled, pendingDeletion = "pending-deletion", deleted

    public var huaweiCode: Int {
        switch self {
        case .enabled: return 2;
        case .disabled: return 3;
        case .pendingDeletion: return 4;
        case .deleted: return 0
        }
    }
    public var displayName: String {
        switch self {
        case .enabled: return "enabled";
        case .disabled: return "disabled";
        case .pendingDeletion: return "pending deletion";
        case .deleted: return "deleted"
        }
    }
}

public struct KMSKeyInfo: Sendable, Equatable {
    public var keyID: String
    public var urn: String
    public var alias: String?
    public var description: String
    public var state: KMSKeyState
    public var isDefaultKey: Bool
    public var created: Date
    public var deletionDate: Date?

    public init(
        keyID: String, urn: String, alias: String?, description: String, state: KMSKeyState, isDefaultKey: Bool,
        created: Date, deletionDate: Date?
    ) {
        self.keyID = keyID; self.urn = urn; self.alias = alias; self.description = description; self.state = state
        self.isDefaultKey = isDefaultKey; self.created = created; self.deletionDate = deletionDate
    }
}

/// Key administration. The local KMS implements it; against a remote endpoint the CLI says it manages the local
/// KMS only.
public protocol KeyManagement: AnyObject {
    func createKey(alias: String?, description: String) throws -> KMSKeyInfo
    func listKeys() throws -> [KMSKeyInfo]
    /// `ref` is a bare key id, `<region>:<domain>:key/<id>`, or an alias.
    func describeKey(_ ref: String) throws -> KMSKeyInfo
    func enableKey(_ ref: String) throws -> KMSKeyInfo
    func disableKey(_ ref: String) throws -> KMSKeyInfo
    func scheduleKeyDeletion(_ ref: String, pendingDays: Int) throws -> KMSKeyInfo
    func cancelKeyDeletion(_ ref: String) throws -> KMSKeyInfo
}
