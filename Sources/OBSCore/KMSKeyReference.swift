import Foundation

/// A key as a user names it, the one parser of key references for the local KMS (CLI and `obsctl serve`) and for
/// Huawei KMS: a key id, a URN `REGION:DOMAIN:key/ID` (what OBS's `x-obs-server-side-encryption-kms-key-id` also
/// takes), an alias, or `alias/NAME` (the form S3 and AWS KMS take, and SDKs send), which names the alias NAME.
public enum KMSKeyReference: Sendable, Equatable {
    /// `domain` and `region` are the URN's, which must be the KMS's own; nil for a bare id. The id is lowercased:
    /// ids are UUIDs, which compare without case (RFC 9562), and Huawei KMS writes them in lowercase.
    case keyID(String, domain: String?, region: String? = nil)
    case alias(String)

    /// The prefix S3 and AWS KMS put before an alias; Huawei's aliases never carry it, so it is not part of one.
    public static let aliasPrefix = "alias/"

    /// Huawei KMS's key id form: `^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$`.
    public static func isKeyID(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12]
            && groups.allSatisfy { $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) } }
    }

    /// `s` as a key id, in any case of its letters; nil when it is not one.
    static func keyID(_ s: some StringProtocol) -> String? {
        let lowered = String(s).lowercased()
        return s.utf8.allSatisfy({ $0 < 0x80 }) && isKeyID(lowered) ? lowered : nil
    }

    /// The alias of the default key of OBS's SSE-KMS, made on first use.
    public static let defaultKeyAlias = "obs/default"

    public init(_ ref: String) {
        // A URN's parts in any case, as its id: Huawei writes them in lowercase, and a `:KEY/` typed by hand must not
        // fall through to an alias lookup that an alias of that shape could answer.
        let urn = ref.range(of: ":key/", options: .caseInsensitive).map {
            (ref[..<$0.lowerBound].split(separator: ":"), ref[$0.upperBound...])
        }
        if let (scope, id) = urn, scope.count == 2, let id = Self.keyID(id) {
            self = .keyID(id, domain: scope[1].lowercased(), region: scope[0].lowercased())
        } else if let id = Self.keyID(ref) {
            self = .keyID(id, domain: nil)
        } else if ref.hasPrefix(Self.aliasPrefix), ref.count > Self.aliasPrefix.count {
            self = .alias(String(ref.dropFirst(Self.aliasPrefix.count)))
        } else {
            self = .alias(ref)
        }
    }

    /// The key id, for an id or URN.
    public var keyID: String? {
        if case .keyID(let id, _, _) = self { return id }
        return nil
    }

    /// Whether `alias`, given back as a reference, would name something else or read as another form: a key id in
    /// any case, a URN's shape (`...:key/...`), or `alias/NAME`. Such an alias could take over lookups meant for a key.
    public static func isAmbiguousAlias(_ alias: String) -> Bool {
        let lowered = alias.lowercased()
        return KMSKeyReference(alias) != .alias(alias) || lowered.contains(":key/") || lowered.hasPrefix(aliasPrefix)
    }

    /// Whether `ref` names `obs/default` (also as `alias/obs/default`): the key made on first use, so naming it is
    /// the same as naming no key, on either backend.
    public static func namesDefaultKey(_ ref: String) -> Bool { KMSKeyReference(ref) == .alias(defaultKeyAlias) }
}
