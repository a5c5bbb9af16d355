import OBSCore

/// KMS's operations take key ids only, so an alias is found in the key list (`kms:cmk:list`) and an id or URN is
/// described (`kms:cmk:get`).
extension KMSKeyReference {
    /// The key `ref` names among `keys` (a full listing), or the not-found error (exit 5) naming it.
    public static func find(_ ref: String, in keys: [KMSKeyDetails]) throws -> KMSKeyDetails {
        let found: KMSKeyDetails?
        switch KMSKeyReference(ref) {
        case .keyID(let id, _, _): found = keys.first { $0.keyID == id }
        case .alias(let alias): found = keys.first { $0.keyAlias == alias }
        }
        guard let found else { throw OBSError.kmsNotFound(ref) }
        return found
    }
}
