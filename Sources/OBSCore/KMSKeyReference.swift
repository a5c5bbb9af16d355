/// A key as a user names it, the one parser of key references for the local KMS (CLI and `obsctl serve`) and for
/// Huawei KMS: a key id, a URN `REGION:DOMAIN:key/ID` (what OBS's `x-obs-server-side-encryption-kms-key-id` also
/// takes), an alias, or `alias/NAME` (the form S3 and AWS KMS take, and SDKs send), which names the alias NAME.
public enum KMSKeyReference: Sendable, Equatable {
    /// `domain` is the URN's domain, which must be the KMS's own; nil for a bare id.
    case keyID(String, domain: String?)
    case alias(String)

    /// The prefix S3 and AWS KMS put before an alias; Huawei's aliases never carry it, so it is not part of one.
    public static let aliasPrefix = "alias/"

    /// Huawei KMS's key id form: `^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$`.
    public static func isKeyID(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12]
            && groups.allSatisfy { $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) } }
    }

    public init(_ ref: String) {
        let urn = ref.range(of: ":key/").map { (ref[..<$0.lowerBound].split(separator: ":"), ref[$0.upperBound...]) }
        if let (scope, id) = urn, scope.count == 2, Self.isKeyID(String(id)) {
            self = .keyID(String(id), domain: String(scope[1]))
        } else if Self.isKeyID(ref) {
            self = .keyID(ref, domain: nil)
        } else if ref.hasPrefix(Self.aliasPrefix), ref.count > Self.aliasPrefix.count {
            self = .alias(String(ref.dropFirst(Self.aliasPrefix.count)))
        } else {
            self = .alias(ref)
        }
    }

    /// The key id, for an id or URN.
    public var keyID: String? {
        if case .keyID(let id, _) = self { return id }
        return nil
    }
}
