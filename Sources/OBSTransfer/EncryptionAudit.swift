import OBSCore

/// How one stored object is encrypted, as a HEAD reports it. An SSE-C object read without its key is still known
/// to be SSE-C (the server refuses the HEAD for that reason): `customerKeyMD5` is then nil.
public struct ObjectEncryption: Sendable, Equatable {
    public var mode: SSEMode
    /// Bare key id of an SSE-KMS object.
    public var kmsKeyID: String?
    /// `<region>:<domain>:key/<id>`, when the backend reports it.
    public var kmsKeyURN: String?
    public var customerKeyMD5: String?

    public init(mode: SSEMode, kmsKeyID: String? = nil, kmsKeyURN: String? = nil, customerKeyMD5: String? = nil) {
        self.mode = mode; self.kmsKeyID = kmsKeyID; self.kmsKeyURN = kmsKeyURN; self.customerKeyMD5 = customerKeyMD5
    }

    public init(_ info: ObjectInfo) {
        self.init(
            mode: info.sseMode ?? .unencrypted, kmsKeyID: info.kmsKeyID, kmsKeyURN: info.kmsKeyURN,
            customerKeyMD5: info.customerKeyMD5)
    }

    /// Whether this object is under KMS key `ref`: its bare id, its URN, or a URN ending in `key/<ref>`.
    public func isUnderKMSKey(_ ref: String) -> Bool {
        guard mode == .kms else { return false }
        if ref == kmsKeyID || ref == kmsKeyURN { return true }
        if let id = kmsKeyID, ref.hasSuffix(":key/" + id) { return true }
        return kmsKeyURN?.hasSuffix(":key/" + ref) ?? false
    }

    /// Whether `e`, a copy's KMS failure, concerns the key the copy writes under (`targetKey`, nil for the default
    /// key), so that every other copy of the run would fail alike, rather than the key its source is under (that
    /// object alone). With the source's encryption known, a failure that does not name the source's key is the
    /// target's; without it, only one naming `targetKey` (as the error's resource or in its message) is.
    ///
    /// A policy's denial is the same for every object, but not every object needs what it denies. The local KMS
    /// names the permission as the resource: `kms:dek:create` (a new data key) is the target's; `kms:dek:crypto`
    /// (unwrapping a data key) the source's when the source is under KMS (or its encryption is unknown). A denial
    /// that names neither counts as the target's where there is evidence: the source's encryption read, or the
    /// target's key named. The caller has checked that the copy writes under KMS.
    public static func failureConcernsTarget(_ e: OBSError, targetKey: String?, source: ObjectEncryption?) -> Bool {
        guard e.category == .kms else { return false }
        if e.code == "AccessDenied" {
            switch e.resource {
            case "kms:dek:create"?: return true
            case "kms:dek:crypto"?: return source.map { $0.mode != .kms } ?? false
            default: return source != nil || targetKey != nil
            }
        }
        if let source {
            guard let key = e.resource else { return true }
            return !source.isUnderKMSKey(key)
        }
        guard let targetKey else { return false }
        return e.resource == targetKey || e.message.contains(targetKey)
    }

    /// The key an SSE-KMS object is counted under in a summary: its id, else its URN.
    public var kmsKeyLabel: String? { mode == .kms ? (kmsKeyID ?? kmsKeyURN ?? "unknown") : nil }
}

/// What every object under a prefix must meet: `--require`, or the bucket's default encryption.
public enum EncryptionRequirement: Sendable, Equatable, CustomStringConvertible {
    case unencrypted
    case obs
    /// `keyID` nil: any KMS key will do (a default naming no key means the provider's default key).
    case kms(keyID: String?)
    /// `keyMD5` nil: any customer key.
    case customer(keyMD5: String?)
    /// Any encryption at all.
    case any

    /// The requirement a bucket's default sets: objects written now get it.
    public init(_ bucketDefault: BucketEncryption) {
        switch bucketDefault {
        case .obs: self = .obs
        case .kms(let id): self = .kms(keyID: id)
        }
    }

    /// What an object copied with `request` ends up with.
    public init(_ request: SSERequest) {
        switch request {
        case .unencrypted: self = .unencrypted
        case .obs: self = .obs
        case .kms(let id): self = .kms(keyID: id)
        case .customer(let key): self = .customer(keyMD5: key.keyMD5)
        }
    }

    public func isMet(by e: ObjectEncryption) -> Bool {
        switch self {
        case .unencrypted: return e.mode == .unencrypted
        case .obs: return e.mode == .obs
        case .kms(nil): return e.mode == .kms
        case .kms(let id?): return e.isUnderKMSKey(id)
        case .customer(nil): return e.mode == .c
        case .customer(let md5?): return e.mode == .c && e.customerKeyMD5 == md5
        case .any: return e.mode != .unencrypted
        }
    }

    public var description: String {
        switch self {
        case .unencrypted: return "no encryption"
        case .obs: return "SSE-OBS"
        case .kms(nil): return "SSE-KMS"
        case .kms(let id?): return "SSE-KMS under key \(id)"
        case .customer(nil): return "SSE-C"
        case .customer(let md5?): return "SSE-C with key MD5 \(md5)"
        case .any: return "any encryption"
        }
    }
}

/// Objects and their bytes.
public struct Tally: Sendable, Equatable, Encodable {
    public var objects: Int = 0
    public var bytes: Int64 = 0
    public init(objects: Int = 0, bytes: Int64 = 0) { self.objects = objects; self.bytes = bytes }
    public mutating func add(_ size: Int64) { objects += 1; bytes += size }
}

/// The per-mode and per-key counts of `bucket encryption report`, built one object at a time (so a caller can
/// stream the objects and keep only this). Modes and keys come out sorted, for stable output.
public struct EncryptionSummary: Sendable, Equatable {
    public let requirement: EncryptionRequirement?
    public let bucketDefault: BucketEncryption?
    public private(set) var total = Tally()
    public private(set) var byMode: [SSEMode: Tally] = [:]
    public private(set) var byKMSKey: [String: Tally] = [:]
    /// Objects that do not meet the requirement (none counted without one).
    public private(set) var shortfall = Tally()
    /// Objects whose encryption is not what the bucket's default would give them now (none without a default).
    public private(set) var differingFromDefault = Tally()
    /// Objects whose encryption could not be read (access denied, damaged): they count as falling short.
    public private(set) var unreadable = Tally()

    public init(requirement: EncryptionRequirement?, bucketDefault: BucketEncryption?) {
        self.requirement = requirement; self.bucketDefault = bucketDefault
    }

    /// Counts one object; returns whether it meets the requirement (true without one).
    @discardableResult
    public mutating func add(_ e: ObjectEncryption, size: Int64) -> Bool {
        total.add(size)
        byMode[e.mode, default: Tally()].add(size)
        if let label = e.kmsKeyLabel { byKMSKey[label, default: Tally()].add(size) }
        if let d = bucketDefault, !EncryptionRequirement(d).isMet(by: e) { differingFromDefault.add(size) }
        guard let requirement, !requirement.isMet(by: e) else { return true }
        shortfall.add(size)
        return false
    }

    /// Counts an object whose encryption could not be read.
    public mutating func addUnreadable(size: Int64) {
        total.add(size)
        unreadable.add(size)
    }

    /// Modes in a fixed order (none, SSE-OBS, SSE-KMS, SSE-C), those with no object left out.
    public var modes: [(mode: SSEMode, tally: Tally)] { SSEMode.allCases.compactMap { m in byMode[m].map { (m, $0) } } }
    public var kmsKeys: [(key: String, tally: Tally)] { byKMSKey.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
}

/// What `bucket encryption apply` does with one object.
public enum ApplyDecision: Sendable, Equatable {
    /// Already encrypted as asked: nothing to do (what makes a second run idempotent).
    case alreadyRight
    /// Copy onto itself with the new encryption; `sourceKey`: the object is SSE-C and the given key opens it.
    case convert
    /// SSE-C, and no source key was given: its bytes cannot be read, so it stays as it is.
    case skipNoCustomerKey
    /// SSE-C under another key than the one given.
    case skipOtherCustomerKey

    /// The decision for an object encrypted as `e`, given the target and the MD5 of `--source-sse-c-key`, if any.
    public init(_ e: ObjectEncryption, target: EncryptionRequirement, sourceKeyMD5: String?) {
        if target.isMet(by: e) { self = .alreadyRight; return }
        guard e.mode == .c else { self = .convert; return }
        guard let sourceKeyMD5 else { self = .skipNoCustomerKey; return }
        // A HEAD with the given key succeeds only if it is the object's key; nil MD5: the HEAD was refused.
        self = e.customerKeyMD5 == sourceKeyMD5 ? .convert : .skipOtherCustomerKey
    }

    public var skipReason: String? {
        switch self {
        case .alreadyRight, .convert: return nil
        case .skipNoCustomerKey:
            return "SSE-C object: give its key with --source-sse-c-key-file or --source-sse-c-key-env to convert it"
        case .skipOtherCustomerKey: return "SSE-C object under another key than --source-sse-c-key"
        }
    }
}

/// The `--dry-run` plan (and the tally of a real run): what would change, per current mode.
public struct ApplyPlan: Sendable, Equatable {
    public private(set) var convert = Tally()
    public private(set) var convertByMode: [SSEMode: Tally] = [:]
    public private(set) var alreadyRight = Tally()
    public private(set) var skipped = Tally()

    public init() {}

    public mutating func add(_ decision: ApplyDecision, mode: SSEMode, size: Int64) {
        switch decision {
        case .alreadyRight: alreadyRight.add(size)
        case .convert:
            convert.add(size)
            convertByMode[mode, default: Tally()].add(size)
        case .skipNoCustomerKey, .skipOtherCustomerKey: skipped.add(size)
        }
    }

    public var modes: [(mode: SSEMode, tally: Tally)] {
        SSEMode.allCases.compactMap { m in convertByMode[m].map { (m, $0) } }
    }
}
