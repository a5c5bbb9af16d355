/// The Huawei KMS operations obsctl calls or serves (docs/kms-api.md section 4): every one a `POST` of a JSON body
/// to `/v1.0/{project_id}/kms/<name>`, reads included, each allowed by one IAM action (section 6).
public enum KMSOperation: String, Sendable, CaseIterable {
    case createKey = "create-key"
    case listKeys = "list-keys"
    case describeKey = "describe-key"
    case enableKey = "enable-key"
    case disableKey = "disable-key"
    case scheduleKeyDeletion = "schedule-key-deletion"
    case cancelKeyDeletion = "cancel-key-deletion"
    case updateKeyAlias = "update-key-alias"
    case updateKeyDescription = "update-key-description"
    case createDatakey = "create-datakey"
    case createDatakeyWithoutPlaintext = "create-datakey-without-plaintext"
    case encryptDatakey = "encrypt-datakey"
    case decryptDatakey = "decrypt-datakey"

    /// `/v1.0/<project>/kms/<operation>`. The project id must already be checked (`KMSSettings.checkProjectID`).
    public func path(projectID: String) -> String { "/v1.0/\(projectID)/kms/\(rawValue)" }

    /// The IAM action that allows it, as a denial names it.
    public var iamAction: String {
        switch self {
        case .createKey: return "kms:cmk:create"
        case .listKeys: return "kms:cmk:list"
        case .describeKey: return "kms:cmk:get"
        case .enableKey: return "kms:cmk:enable"
        case .disableKey: return "kms:cmk:disable"
        case .scheduleKeyDeletion, .cancelKeyDeletion, .updateKeyAlias, .updateKeyDescription: return "kms:cmk:update"
        case .createDatakey, .createDatakeyWithoutPlaintext: return "kms:dek:create"
        case .encryptDatakey, .decryptDatakey: return "kms:dek:crypto"
        }
    }
}
