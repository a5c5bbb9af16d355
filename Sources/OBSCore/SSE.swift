import OBSCrypto

/// How an object is (or is to be) encrypted at rest.
public enum SSEMode: String, Sendable, Codable, CaseIterable {
    // Not `none`: on an `SSEMode?` that name would silently mean nil.
    case unencrypted = "none", obs, kms, c

    /// The value OBS puts in `x-obs-server-side-encryption` on objects (nil when not encrypted or SSE-C).
    public var obsHeaderValue: String? {
        switch self {
        case .kms: return "kms";
        case .obs: return "AES256";
        case .unencrypted, .c: return nil
        }
    }
    public var displayName: String {
        switch self {
        case .unencrypted: return "none";
        case .obs: return "SSE-OBS";
        case .kms: return "SSE-KMS";
        case .c: return "SSE-C"
        }
    }
}

/// Whether an object's encryption was asked for in the upload request or inherited from the bucket default.
public enum SSEOrigin: String, Sendable, Codable { case request, bucketDefault = "bucket-default" }

/// A customer-provided key (SSE-C): exactly 32 bytes, AES256. Only the wrapped data key is ever stored; the key
/// itself travels with each request and is wiped when this value goes away.
public struct CustomerKey: Sendable, CustomStringConvertible {
    public static let algorithm = "AES256"
    public let key: SecretBytes
    /// Base64 of MD5 over the raw key, as OBS's `...-customer-key-MD5` header carries it. Not secret.
    public let keyMD5: String

    public init(key: SecretBytes) throws {
        guard key.count == 32 else {
            throw OBSError.invalidCustomerKey(
                "SSE-C key must be 32 bytes (AES-256), got \(key.count); generate one with 'head -c 32 /dev/urandom > "
                    + "key.bin'"
            )
        }
        self.key = key
        self.keyMD5 = Base64.encode(Digest.md5(key))
    }

    /// Validates a key as the OBS headers present it: algorithm, base64 key and base64 MD5 must agree.
    public init(algorithm: String, keyBase64: String, keyMD5: String) throws {
        guard algorithm == Self.algorithm else {
            throw OBSError(
                code: "InvalidEncryptionAlgorithmError", message: "SSE-C algorithm must be AES256, got '\(algorithm)'",
                httpStatus: 400, category: .customerKey)
        }
        guard let raw = Base64.decode(keyBase64) else {
            throw OBSError.invalidCustomerKey("SSE-C key is not valid base64")
        }
        try self.init(key: SecretBytes(copying: raw))
        guard self.keyMD5 == keyMD5 else { throw OBSError.invalidCustomerKey("SSE-C key MD5 does not match the key") }
    }

    public var description: String { "SSE-C key (MD5 \(keyMD5))" }
}

/// The encryption an upload asks for. `nil` at the call site means "no header": the bucket default applies.
public enum SSERequest: Sendable, CustomStringConvertible {
    case unencrypted
    case obs
    /// `keyID` nil means the default key `obs/default`, created on first use.
    case kms(keyID: String?)
    case customer(CustomerKey)

    /// The customer key of an SSE-C request.
    public var customerKey: CustomerKey? {
        if case .customer(let k) = self { return k }
        return nil
    }

    /// The KMS key an SSE-KMS request names (nil: none named, or not SSE-KMS).
    public var kmsKeyID: String? {
        if case .kms(let id) = self { return id }
        return nil
    }

    public var mode: SSEMode {
        switch self {
        case .unencrypted: return .unencrypted;
        case .obs: return .obs;
        case .kms: return .kms;
        case .customer: return .c
        }
    }

    public var description: String {
        switch self {
        case .unencrypted: return "none"
        case .obs: return "SSE-OBS"
        case .kms(let id): return "SSE-KMS (\(id ?? "obs/default"))"
        case .customer(let k): return "SSE-C (key MD5 \(k.keyMD5))"
        }
    }
}

/// A bucket's default encryption: SSE-KMS (optionally with a key) or SSE-OBS. SSE-C cannot be a default.
public enum BucketEncryption: Sendable, Equatable, Codable {
    case obs
    case kms(keyID: String?)

    /// `SSEAlgorithm` in OBS's `ServerSideEncryptionConfiguration`.
    public var algorithm: String {
        switch self {
        case .obs: return "AES256";
        case .kms: return "kms"
        }
    }
    public var kmsKeyID: String? { if case .kms(let id) = self { return id }; return nil }
    public var mode: SSEMode {
        switch self {
        case .obs: return .obs;
        case .kms: return .kms
        }
    }
    public var asRequest: SSERequest {
        switch self {
        case .obs: return .obs;
        case .kms(let id): return .kms(keyID: id)
        }
    }
}

/// The SSE rules both backends share, in one place.
public enum SSERules {
    /// Builds an upload's SSE request from its options and enforces "one method per upload":
    /// `mode` is "kms", "obs", "c" or nil; a KMS key id needs `kms`; a customer key needs `c` or no mode.
    /// Returns nil when nothing was asked for, so the bucket default applies.
    public static func request(mode: SSEMode?, kmsKeyID: String?, customerKey: CustomerKey?) throws -> SSERequest? {
        try checkKeyID(kmsKeyID)
        if let id = kmsKeyID, mode != .kms {
            throw OBSError.invalidArgument(
                "--kms-key-id '\(id)' needs --sse kms; SSE-KMS is the only method that takes a KMS key")
        }
        switch (mode, customerKey) {
        case (nil, nil): return nil
        case (nil, let k?), (.c?, let k?): return .customer(k)
        case (.c?, nil):
            throw OBSError.invalidCustomerKey(
                "--sse c needs a customer key: pass --sse-c-key-file FILE or --sse-c-key-env VAR")
        case (let m?, _?):
            throw OBSError.invalidArgument(
                "only one encryption method per upload: --sse \(m.rawValue) cannot be combined with an SSE-C key; drop "
                    + "one of them"
            )
        case (.kms?, nil): return .kms(keyID: kmsKeyID)
        case (.obs?, nil): return .obs
        case (.unencrypted?, nil): return .unencrypted
        }
    }

    /// `--kms-key-id ''` (an unset shell variable) or one no header can carry is a usage error, found before any
    /// KMS is asked about it (a key that does not exist would be exit 5).
    static func checkKeyID(_ kmsKeyID: String?) throws {
        guard let id = kmsKeyID else { return }
        if id.trimmingCharacters(in: .whitespaces).isEmpty {
            throw OBSError.invalidArgument(
                "--kms-key-id is empty; name a key (id, URN or alias), or leave the option out for obs/default")
        }
        try HeaderValues.checkValue(id, "KMS key id '\(HeaderValues.printable(id))'")
    }

    /// What an upload gets: its own request if it made one, else the bucket default, else no encryption.
    public static func effective(request: SSERequest?, bucketDefault: BucketEncryption?) -> (SSERequest, SSEOrigin) {
        if let r = request { return (r, .request) }
        if let d = bucketDefault { return (d.asRequest, .bucketDefault) }
        return (.unencrypted, .request)
    }

    /// A bucket default from `--sse kms|obs [--kms-key-id]`.
    public static func bucketDefault(mode: SSEMode?, kmsKeyID: String?) throws -> BucketEncryption? {
        try checkKeyID(kmsKeyID)
        if let id = kmsKeyID, mode != .kms {
            throw OBSError.invalidArgument("--kms-key-id '\(id)' needs --sse kms")
        }
        switch mode {
        case nil, .unencrypted?: return nil
        case .obs?: return .obs
        case .kms?: return .kms(keyID: kmsKeyID)
        case .c?:
            throw OBSError.invalidArgument(
                "SSE-C cannot be a bucket default: OBS never stores customer keys; use --sse kms or --sse obs")
        }
    }
}
