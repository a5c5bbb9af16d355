import Foundation
import OBSCore

// Huawei KMS request and response bodies (docs/kms-api.md section 4). Every field is a JSON string except
// `total` (an integer); responses are read leniently (fields optional, unknown ones ignored, `truncated` and
// `total` as string or literal) so that a field KMS adds or drops does not break a listing.

/// A request body: its fields in the SDK model's order, nil for absent.
public protocol KMSRequestBody: Sendable {
    var fields: [(name: String, value: String?)] { get }
}

extension KMSRequestBody {
    /// The JSON bytes to send (`KMSJSON`).
    public func json() -> [UInt8] { KMSJSON.object(fields) }
}

/// `create-key` (CreateKeyRequestBody). `key_spec` defaults to AES_256 on the server.
public struct KMSCreateKeyBody: KMSRequestBody, Decodable, Equatable {
    public var keyAlias: String
    public var keySpec: String?
    public var keyUsage: String?
    public var keyDescription: String?
    public var origin: String?
    public var enterpriseProjectID: String?
    public var sequence: String?

    public init(
        keyAlias: String, keySpec: String? = nil, keyUsage: String? = nil, keyDescription: String? = nil,
        origin: String? = nil, enterpriseProjectID: String? = nil, sequence: String? = nil
    ) {
        self.keyAlias = keyAlias; self.keySpec = keySpec; self.keyUsage = keyUsage
        self.keyDescription = keyDescription; self.origin = origin; self.enterpriseProjectID = enterpriseProjectID
        self.sequence = sequence
    }

    enum CodingKeys: String, CodingKey {
        case keyAlias = "key_alias", keySpec = "key_spec", keyUsage = "key_usage", keyDescription = "key_description"
        case origin, enterpriseProjectID = "enterprise_project_id", sequence
    }

    public var fields: [(name: String, value: String?)] {
        [
            ("key_alias", keyAlias), ("key_spec", keySpec), ("key_usage", keyUsage),
            ("key_description", keyDescription),
            ("origin", origin), ("enterprise_project_id", enterpriseProjectID), ("sequence", sequence),
        ]
    }
}

/// `list-keys` (ListKeysRequestBody). Without `key_spec` KMS lists AES_256 keys only: send `ALL` for every key.
public struct KMSListKeysBody: KMSRequestBody, Decodable, Equatable {
    public var limit: String?
    public var marker: String?
    public var keyState: String?
    public var keySpec: String?
    public var enterpriseProjectID: String?
    public var sequence: String?

    public init(
        limit: String? = nil, marker: String? = nil, keyState: String? = nil, keySpec: String? = nil,
        enterpriseProjectID: String? = nil, sequence: String? = nil
    ) {
        self.limit = limit; self.marker = marker; self.keyState = keyState; self.keySpec = keySpec
        self.enterpriseProjectID = enterpriseProjectID; self.sequence = sequence
    }

    enum CodingKeys: String, CodingKey {
        case limit, marker, keyState = "key_state", keySpec = "key_spec"
        case enterpriseProjectID = "enterprise_project_id", sequence
    }

    public var fields: [(name: String, value: String?)] {
        [
            ("limit", limit), ("marker", marker), ("key_state", keyState), ("key_spec", keySpec),
            ("enterprise_project_id", enterpriseProjectID), ("sequence", sequence),
        ]
    }
}

/// `describe-key`, `enable-key`, `disable-key`, `cancel-key-deletion` (OperateKeyRequestBody).
public struct KMSKeyIDBody: KMSRequestBody, Decodable, Equatable {
    public var keyID: String
    public var sequence: String?

    public init(keyID: String, sequence: String? = nil) { self.keyID = keyID; self.sequence = sequence }

    enum CodingKeys: String, CodingKey { case keyID = "key_id", sequence }

    public var fields: [(name: String, value: String?)] { [("key_id", keyID), ("sequence", sequence)] }
}

/// `schedule-key-deletion` (ScheduleKeyDeletionRequestBody): `pending_days` "7" to "1096".
public struct KMSScheduleDeletionBody: KMSRequestBody, Decodable, Equatable {
    public var keyID: String
    public var pendingDays: String
    public var sequence: String?

    public init(keyID: String, pendingDays: Int, sequence: String? = nil) {
        self.keyID = keyID; self.pendingDays = String(pendingDays); self.sequence = sequence
    }

    enum CodingKeys: String, CodingKey { case keyID = "key_id", pendingDays = "pending_days", sequence }

    public var fields: [(name: String, value: String?)] {
        [("key_id", keyID), ("pending_days", pendingDays), ("sequence", sequence)]
    }
}

/// KeyDetails: one key as `list-keys` and `describe-key` describe it. Dates are epoch milliseconds as strings
/// (the docs say seconds; every example is milliseconds), `""` when unset.
public struct KMSKeyDetails: Decodable, Sendable, Equatable {
    public var keyID: String
    public var domainID: String?
    public var keyAlias: String?
    public var realm: String?
    public var keySpec: String?
    public var keyUsage: String?
    public var keyDescription: String?
    public var creationDate: String?
    public var scheduledDeletionDate: String?
    public var keyState: String?
    public var defaultKeyFlag: String?
    public var keyType: String?
    public var origin: String?

    enum CodingKeys: String, CodingKey {
        case keyID = "key_id", domainID = "domain_id", keyAlias = "key_alias", realm, keySpec = "key_spec"
        case keyUsage = "key_usage", keyDescription = "key_description", creationDate = "creation_date"
        case scheduledDeletionDate = "scheduled_deletion_date", keyState = "key_state"
        case defaultKeyFlag = "default_key_flag", keyType = "key_type", origin
    }

    public var state: KMSRemoteKeyState { KMSRemoteKeyState(code: keyState ?? "") }

    /// The default key OBS creates for SSE-KMS without a key id.
    public var isOBSDefault: Bool { keyAlias == "obs/default" }

    /// A key OBS can encrypt objects with (SSE-KMS): symmetric (AES_256, or SM4 where offered) and for
    /// encryption; keys for signing, asymmetric or HMAC keys cannot.
    public var canEncryptOBSObjects: Bool {
        ["AES_256", "SM4"].contains(keySpec ?? "AES_256") && (keyUsage ?? "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
    }

    /// The key as the CLI shows keys of the local KMS: URN `REGION:DOMAIN:key/ID` (`realm`, else `region`).
    public func info(region: String?) -> KMSKeyInfo {
        KMSKeyInfo(
            keyID: keyID,
            urn: "\(realm.flatMap { $0.isEmpty ? nil : $0 } ?? region ?? ""):\(domainID ?? ""):key/\(keyID)",
            alias: keyAlias.flatMap { $0.isEmpty ? nil : $0 }, description: keyDescription ?? "",
            state: state.local, isDefaultKey: defaultKeyFlag == "1" || isOBSDefault,
            created: creationDate.flatMap(Self.date) ?? Date(timeIntervalSince1970: 0),
            deletionDate: scheduledDeletionDate.flatMap(Self.date))
    }

    /// Epoch milliseconds, or seconds for values too small to be milliseconds after 1973; nil for `""` or junk.
    static func date(_ text: String) -> Date? {
        guard let n = Int64(text), n >= 0 else { return nil }
        return Date(timeIntervalSince1970: n >= 100_000_000_000 ? Double(n) / 1000 : Double(n))
    }
}

/// Huawei's `key_state`, with the local KMS's nearest state.
public enum KMSRemoteKeyState: Sendable, Equatable {
    case pendingActivation, enabled, disabled, pendingDeletion, pendingImport, frozen
    case unknown(String)

    public init(code: String) {
        switch code {
        case "1": self = .pendingActivation
        case "2": self = .enabled
        case "3": self = .disabled
        case "4": self = .pendingDeletion
        case "5": self = .pendingImport
        case "7": self = .frozen
        default: self = .unknown(code)
        }
    }

    public var code: String {
        switch self {
        case .pendingActivation: return "1"
        case .enabled: return "2"
        case .disabled: return "3"
        case .pendingDeletion: return "4"
        case .pendingImport: return "5"
        case .frozen: return "7"
        case .unknown(let c): return c
        }
    }

    public var displayName: String {
        switch self {
        case .pendingActivation: return "pending activation"
        case .enabled: return "enabled"
        case .disabled: return "disabled"
        case .pendingDeletion: return "pending deletion"
        case .pendingImport: return "pending import"
        case .frozen: return "frozen"
        case .unknown(let c): return "in state \(c)"
        }
    }

    /// The local state with the same consequence: only `enabled` encrypts; the states the local KMS lacks
    /// (pending activation or import, frozen, unknown) are unusable keys, shown as disabled.
    public var local: KMSKeyState {
        switch self {
        case .enabled: return .enabled
        case .pendingDeletion: return .pendingDeletion
        case .disabled, .pendingActivation, .pendingImport, .frozen, .unknown: return .disabled
        }
    }

    /// Nil for a key that can encrypt; else the error (exit 5) that refuses it before any byte is sent.
    public func unusable(keyID: String) -> OBSError? {
        switch self {
        case .enabled: return nil
        case .disabled, .pendingDeletion: return OBSError.kmsDisabled(keyID, state: displayName)
        case .pendingActivation, .pendingImport, .frozen, .unknown:
            return OBSError(
                code: "KMS.DisabledException",
                message: "KMS key \(keyID) is \(displayName) and cannot encrypt; "
                    + (self == .pendingImport
                        ? "import its key material in the KMS console first" : "see it in the KMS console"),
                httpStatus: 400, category: .kms, resource: keyID)
        }
    }
}

/// `create-key`: `{"key_info": {"key_id", "domain_id", "region_id"}}`.
public struct KMSCreateKeyResponse: Decodable, Sendable, Equatable {
    public struct Info: Decodable, Sendable, Equatable {
        public var keyID: String
        public var domainID: String?
        public var regionID: String?
        enum CodingKeys: String, CodingKey { case keyID = "key_id", domainID = "domain_id", regionID = "region_id" }
    }
    public var keyInfo: Info
    enum CodingKeys: String, CodingKey { case keyInfo = "key_info" }
}

/// `describe-key`: `{"key_info": KeyDetails}`.
public struct KMSDescribeKeyResponse: Decodable, Sendable, Equatable {
    public var keyInfo: KMSKeyDetails
    enum CodingKeys: String, CodingKey { case keyInfo = "key_info" }
}

/// `list-keys`: one page. `truncated` is `"true"`/`"false"`, `total` an integer.
public struct KMSListKeysResponse: Decodable, Sendable, Equatable {
    public var keys: [String]
    public var keyDetails: [KMSKeyDetails]
    public var nextMarker: String?
    public var truncated: Bool
    public var total: Int?

    enum CodingKeys: String, CodingKey {
        case keys, keyDetails = "key_details", nextMarker = "next_marker", truncated, total
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        keys = try c.decodeIfPresent([String].self, forKey: .keys) ?? []
        keyDetails = try c.decodeIfPresent([KMSKeyDetails].self, forKey: .keyDetails) ?? []
        nextMarker = try c.decodeIfPresent(String.self, forKey: .nextMarker)
        if let b = try? c.decodeIfPresent(Bool.self, forKey: .truncated) {
            truncated = b
        } else {
            let text = try c.decodeIfPresent(String.self, forKey: .truncated) ?? "false"
            guard text == "true" || text == "false" else {
                throw DecodingError.dataCorruptedError(
                    forKey: .truncated, in: c, debugDescription: "truncated is '\(text)', not \"true\" or \"false\"")
            }
            truncated = text == "true"
        }
        if let n = try? c.decodeIfPresent(Int.self, forKey: .total) {
            total = n
        } else {
            total = (try? c.decodeIfPresent(String.self, forKey: .total)).flatMap { Int($0) }
        }
    }
}

/// `enable-key` / `disable-key` answer `{"key_info": {"key_id", "key_state"}}`; `schedule-key-deletion` and
/// `cancel-key-deletion` the same fields flat. Both shapes are read by each.
public struct KMSKeyStateResponse: Decodable, Sendable, Equatable {
    public var keyID: String
    public var keyState: String

    struct Fields: Decodable {
        var keyID: String
        var keyState: String
        enum CodingKeys: String, CodingKey { case keyID = "key_id", keyState = "key_state" }
    }
    enum CodingKeys: String, CodingKey { case keyInfo = "key_info" }

    public init(from decoder: Decoder) throws {
        let wrapped = try decoder.container(keyedBy: CodingKeys.self)
        let f = try wrapped.decodeIfPresent(Fields.self, forKey: .keyInfo) ?? Fields(from: decoder)
        keyID = f.keyID
        keyState = f.keyState
    }

    public var state: KMSRemoteKeyState { KMSRemoteKeyState(code: keyState) }
}

extension KMSOperation {
    /// Reads a 2xx answer of this operation; an unreadable one is a general error naming the operation.
    public func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(body)) } catch {
            throw OBSError(
                code: "KMS.UnreadableResponse",
                message: "Huawei KMS answered \(rawValue) with a body obsctl cannot read (\(Self.reason(error))); "
                    + "check that --kms-endpoint points at Huawei KMS",
                httpStatus: 0, category: .general)
        }
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "no field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c),
            DecodingError.dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not JSON" : "bad field \(path)"
        default: return "not JSON"
        }
    }
}
