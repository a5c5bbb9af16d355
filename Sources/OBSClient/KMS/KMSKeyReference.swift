import OBSCore

/// A key as a user names it to Huawei KMS: a key id, a URN `REGION:DOMAIN:key/ID` (what OBS's
/// `x-obs-server-side-encryption-kms-key-id` also takes), or an alias. KMS's operations take key ids only, so an
/// alias is found in the key list (`kms:cmk:list`) and an id or URN is described (`kms:cmk:get`).
public enum KMSKeyReference: Sendable, Equatable {
    case keyID(String)
    case alias(String)

    /// KMS's key id form: `^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$`.
    public static func isKeyID(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12]
            && groups.allSatisfy { $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) } }
    }

    public init(_ ref: String) {
        if let range = ref.range(of: ":key/"), ref[..<range.lowerBound].split(separator: ":").count == 2,
            Self.isKeyID(String(ref[range.upperBound...]))
        {
            self = .keyID(String(ref[range.upperBound...]))
        } else if Self.isKeyID(ref) {
            self = .keyID(ref)
        } else {
            self = .alias(ref)
        }
    }

    /// The key `ref` names among `keys` (a full listing), or the not-found error (exit 5) naming it.
    public static func find(_ ref: String, in keys: [KMSKeyDetails]) throws -> KMSKeyDetails {
        let found: KMSKeyDetails?
        switch KMSKeyReference(ref) {
        case .keyID(let id): found = keys.first { $0.keyID == id }
        case .alias(let alias): found = keys.first { $0.keyAlias == alias }
        }
        guard let found else { throw OBSError.kmsNotFound(ref) }
        return found
    }
}
