import Foundation
import OBSCore
import OBSCrypto
import OBSTime
#if canImport(Glibc)
import Glibc
#endif

/// The embedded KMS: customer master keys with OBS's ids, aliases and states; the default key `obs/default`;
/// data keys wrapped under a CMK; kms:* permission checks; an audit log of every operation.
///
/// Every permission check runs before any side effect. Every mutation happens under `kms/keystore.lock` and is
/// fsynced before it is used, so a key is durable before the first data key is issued under it.
public final class LocalKMS: KeyManagement, Sendable {
    public static let defaultKeyAlias = KMSKeyReference.defaultKeyAlias
    public static let region = "local"

    let paths: LocalPaths
    let rootKey: RootKeyProvider
    let audit: AuditLog
    let state: StateManifest
    /// Verified key records (see `ParsedFileCache`): each KMS call checks every record, fail closed.
    private let records = ParsedFileCache<KeyRecord>()
    private let policies = ParsedFileCache<KMSPolicy>(limit: 1)

    init(paths: LocalPaths, rootKey: RootKeyProvider, state: StateManifest) {
        self.paths = paths
        self.rootKey = rootKey
        self.state = state
        let anchor = StateManifest(paths: paths, environment: state.environment, rootKey: rootKey, name: ".audit")
        self.audit = AuditLog(path: paths.auditLog, headPath: paths.auditHead, anchor: anchor) {
            AuditLog.chainKey(root: try rootKey.key())
        }
    }

    // MARK: Identifiers

    /// Huawei's key id shape (`KMSKeyReference.isKeyID`, the one definition).
    static func isKeyID(_ s: String) -> Bool { KMSKeyReference.isKeyID(s) }

    /// The 32-hex domain id of this store (IAM's `domain_id`, the middle of key URNs), derived from the root key
    /// (stable, nothing to keep in sync).
    public func domainID() throws -> String { try derivedID(label: "domain-id") }

    /// A stable 32-hex id of this store for `label`, derived from the root key.
    func derivedID(label: String) throws -> String {
        Hex.encode(HMAC.sha256(key: try rootKey.key(), data: Array("obsctl/v1/\(label)".utf8)).prefix(16))
    }

    static func validateAlias(_ alias: String) throws {
        let ok =
            (1...255).contains(alias.utf8.count)
            && alias.utf8.allSatisfy { c in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || ":/_-".utf8.contains(c)
            }
        guard ok else {
            throw OBSError(
                code: "KMS.InvalidParameter",
                message: "alias '\(alias)' is invalid: use 1 to 255 of a-z A-Z 0-9 : / _ -",
                httpStatus: 400, category: .usage)
        }
        // An alias must name itself when given back as a reference: not shaped as a key id or URN, and without the
        // `alias/` prefix, which references strip.
        guard !KMSKeyReference.isAmbiguousAlias(alias) else {
            throw OBSError(
                code: "KMS.InvalidParameter",
                message: "alias '\(alias)' reads as a key id, a URN or 'alias/NAME': choose a name of another shape",
                httpStatus: 400, category: .usage)
        }
        guard !alias.lowercased().hasSuffix("/default") else {
            throw OBSError(
                code: "KMS.InvalidParameter",
                message: "alias '\(alias)' is reserved: aliases ending in "
                    + "/default belong to service default keys",
                httpStatus: 400, category: .usage)
        }
    }

    // MARK: Records

    private func recordKey() throws -> SecretBytes { KeyRecord.recordKey(root: try rootKey.key()) }

    private func readRecord(_ keyID: String) throws -> KeyRecord? {
        // The state before the record (see `StateManifest.expectedGeneration`).
        guard FileIO.exists(paths.keyRecord(keyID)) else { return nil }
        let expected = try state.expectedGeneration(StateManifest.keyEntry(keyID))
        // Under the keystore lock every read is fresh: it may be a read-modify-write (see `ParsedFileCache`).
        let parsed = try records.value(at: paths.keyRecord(keyID), fresh: holdingKeystoreLock) { bytes in
            guard let record = try? JSONDecoder().decode(KeyRecord.self, from: Data(bytes)), record.keyID == keyID,
                record.verify(recordKey: try recordKey())
            else {
                throw OBSError.integrity(
                    "keystore record \(keyID) is corrupted (its MAC does not verify); restore "
                        + "kms/keys from a backup")
            }
            return record
        }
        guard let record = parsed else { return nil }
        try state.check(
            StateManifest.keyEntry(keyID), generation: record.generation, expected: expected,
            file: paths.keyRecord(keyID))
        return record
    }

    private func writeRecord(_ record: KeyRecord, crashPoint: String? = nil) throws {
        try state.commit(StateManifest.keyEntry(record.keyID), current: record.generation) { gen in
            var r = record
            r.generation = gen
            r.seal(recordKey: try recordKey())
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try FileIO.atomicWrite(Array(try enc.encode(r)), to: paths.keyRecord(r.keyID), crashPointPrefix: crashPoint)
        }
    }

    /// Loads a record, destroying its key material first if its deletion date has passed.
    func loadRecord(_ keyID: String) throws -> KeyRecord? {
        guard let r = try readRecord(keyID) else { return nil }
        return try purgeIfDue(r)
    }

    private func purgeIfDue(_ r: KeyRecord) throws -> KeyRecord {
        guard r.state == .pendingDeletion, let d = r.deletionDate.flatMap(Timestamps.parseISO8601),
            d <= LocalClock.now()
        else {
            return r
        }
        return try mutate(r.keyID, operation: "purge-key", action: nil) { rec in
            guard rec.state == .pendingDeletion else { return }
            rec.state = .deleted
            rec.versions = []  // the key material is gone for good; the tombstone keeps the id from being reused
            rec.alias = nil  // released: another key may take it, and no listing shows two keys under one alias
        }
    }

    private func allRecords() throws -> [KeyRecord] {
        // Key records are never removed (deletion leaves a tombstone): one the state file knows but the disk lacks
        // was removed by hand, or the keystore was replaced by an older copy.
        for id in try state.keyIDs() where !FileIO.exists(paths.keyRecord(id)) {
            throw OBSError.integrity(
                "keystore record \(paths.keyRecord(id)) is missing (the store wrote it "
                    + "before, per its state file \(state.path)); restore kms/keys from your backup (if you removed "
                    + "the keystore on purpose, also remove \(state.path))")
        }
        return try FileIO.listExistingDirectory(paths.keysDir)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .compactMap { try loadRecord(String($0.dropLast(5))) }
            .sorted { $0.created == $1.created ? $0.keyID < $1.keyID : $0.created < $1.created }
    }

    /// `records`: the keystore as `require` just read it in the same operation, rather than read again.
    func findAlias(_ alias: String, among records: [KeyRecord]? = nil) throws -> KeyRecord? {
        try (records ?? allRecords()).first { $0.alias == alias && $0.state != .deleted }
    }

    /// A bare id, `<region>:<domain>:key/<id>` (this store's domain only), an alias, or `alias/<alias>`, as
    /// `KMSKeyReference` parses them for every caller. `records`: as for `findAlias`.
    func resolve(_ ref: String, among records: [KeyRecord]? = nil) throws -> KeyRecord {
        switch KMSKeyReference(ref) {
        case .keyID(let id, let domain, let region):
            if let domain, try domain != domainID() { break }
            let found = try records.map { $0.first { $0.keyID == id } } ?? loadRecord(id)
            // A URN of another region names a key of another KMS, even with this store's domain.
            if let found, region == nil || region == found.region { return found }
        case .alias(let alias):
            if let rec = try findAlias(alias, among: records) { return rec }
        }
        throw OBSError.kmsNotFound(ref)
    }

    /// Set on the thread that holds the keystore lock: flock is per open file, so taking it again from inside
    /// (a purge found while creating a key) would wait for ourselves. Per thread, because `obsctl serve` calls
    /// one LocalKMS from several threads, and another thread must wait for the lock rather than skip it.
    private var holdingKeystoreLock: Bool {
        get { Thread.current.threadDictionary[lockHolderKey] != nil }
        set { Thread.current.threadDictionary[lockHolderKey] = newValue ? true : nil }
    }
    private var lockHolderKey: String { "obsctl.keystore-lock.\(ObjectIdentifier(self).hashValue)" }

    func withKeystoreLock<R>(_ body: () throws -> R) throws -> R {
        if holdingKeystoreLock { return try body() }
        try FileIO.makeDirectories(paths.keysDir)
        return try FileLock.withLock(paths.keystoreLock) {
            // Temp files of a writer that died before its rename are leftovers; with the lock held, none is live.
            FileIO.sweepAbandonedTemps(paths.keysDir)
            FileIO.sweepAbandonedTemps(paths.kmsDir)  // policy.json and audit.head are replaced there
            holdingKeystoreLock = true
            defer { holdingKeystoreLock = false }
            return try body()
        }
    }

    /// Read-modify-write of one record under the keystore lock.
    @discardableResult
    func mutate(
        _ keyID: String, operation: String, action: KMSAction?,
        _ change: (inout KeyRecord) throws -> Void
    ) throws -> KeyRecord {
        try withKeystoreLock {
            guard var r = try readRecord(keyID) else { throw OBSError.kmsNotFound(keyID) }
            do { try change(&r) } catch {
                try? audit.record(
                    operation: operation, keyID: keyID, action: action, outcome: "error",
                    detail: (error as? OBSError)?.code)
                throw error
            }
            // Logged (and fsynced) before the commit: a change that cannot be logged does not happen.
            try audit.record(operation: operation, keyID: keyID, action: action, outcome: "ok", durable: true)
            do { try writeRecord(r) } catch {
                try? audit.record(
                    operation: operation, keyID: keyID, action: action, outcome: "error",
                    detail: "commit failed")
                throw error
            }
            return r
        }
    }

    /// A new key's line is fsynced before its record is committed, so no key exists that the log does not name.
    private func logThenCommit(_ r: KeyRecord, operation: String, action: KMSAction, detail: String?) throws {
        try audit.record(
            operation: operation, keyID: r.keyID, action: action, outcome: "ok", detail: detail,
            durable: true)
        do { try writeRecord(r, crashPoint: "kms-create") } catch {
            try? audit.record(
                operation: operation, keyID: r.keyID, action: action, outcome: "error",
                detail: "commit failed")
            throw error
        }
    }

    /// Checks the audit log's MAC chain and head (`obsctl kms audit verify`).
    public func verifyAuditLog() throws -> (path: String, lines: Int, unverifiedPrefix: Int) {
        _ = try rootKey.key()
        let v = try audit.verify()
        return (v.path, v.lines, v.unverifiedPrefix)
    }

    private func newRecord(alias: String?, description: String, defaultKey: Bool) throws -> KeyRecord {
        let keyID = UUID().uuidString.lowercased()
        let now = Timestamps.rfc3339(LocalClock.now())
        let material = Random.secret(32)
        let version = try KeyRecord.sealMaterial(
            material, root: try rootKey.key(), keyID: keyID, version: 1,
            created: now)
        return KeyRecord(
            keyID: keyID, domainID: try domainID(), region: Self.region, alias: alias,
            description: description, defaultKey: defaultKey, state: .enabled, created: now,
            deletionDate: nil, versions: [version], primaryVersion: 1)
    }

    // MARK: Permissions

    /// Returns the records it read (every one verified), for the rest of the same operation: a data key's
    /// operation reads the keystore once, not once per check and lookup. `records`: those, passed back to a second
    /// check in the same operation.
    @discardableResult
    func require(_ actions: [KMSAction], operation: String, keyID: String?, records known: [KeyRecord]? = nil)
        throws -> [KeyRecord]
    {
        // Every KMS operation needs the right root key, even on an empty keystore: a wrong or missing key fails
        // here rather than listing nothing.
        _ = try rootKey.key()
        // Fail closed: one record that fails its MAC means the keystore was tampered with, and no KMS operation
        // proceeds until it is restored.
        let records = try known ?? allRecords()
        let policy = try KMSPolicy.load(paths.policyFile, cache: policies)
        let needed =
            policy.requireDocumentedSet && (operation == "create-datakey" || operation == "decrypt-datakey")
            ? KMSAction.obsDocumented : actions
        for action in needed where !policy.permits(action) {
            try? audit.record(operation: operation, keyID: keyID, action: action, outcome: "denied")
            throw OBSError.kmsPermissionDenied(action.rawValue)
        }
        return records
    }

    /// The state of the key `ref` names, when the policy lets the caller describe keys (`kms:cmk:get`); else, or
    /// when no such key exists, nil. Nothing is audited: a display's side note (`bucket encryption show`), not a
    /// KMS operation of the user's.
    public func stateIfDescribable(_ ref: String) -> KMSKeyState? {
        guard let policy = try? KMSPolicy.load(paths.policyFile, cache: policies), policy.permits(.cmkGet) else {
            return nil
        }
        return (try? resolve(ref))?.state
    }

    /// The policy in force: the file's, or the built-in default. Reading it needs no kms:* action.
    public func policyInForce() throws -> KMSPolicyInForce {
        let file = try KMSPolicy.loadIfPresent(paths.policyFile)
        return KMSPolicyInForce(path: paths.policyFile, fromFile: file != nil, policy: file ?? .allowAll)
    }

    /// As below, the refusal recorded in the audit log as `operation`'s error.
    func requireUsable(_ r: KeyRecord, operation: String, action: KMSAction) throws {
        do { try requireUsable(r) } catch {
            try? audit.record(
                operation: operation, keyID: r.keyID, action: action, outcome: "error",
                detail: (error as? OBSError)?.code)
            throw error
        }
    }

    func requireUsable(_ r: KeyRecord) throws {
        switch r.state {
        case .enabled: return
        case .disabled, .pendingDeletion: throw OBSError.kmsDisabled(r.keyID, state: r.state.displayName)
        case .deleted: throw OBSError.kmsKeyDeleted(r.keyID)
        }
    }

    // MARK: KeyManagement

    public func createKey(alias: String?, description: String) throws -> KMSKeyInfo {
        if let alias { try Self.validateAlias(alias) }
        guard description.utf8.count <= 255 else {
            throw OBSError(
                code: "KMS.InvalidParameter", message: "description is longer than 255 bytes",
                httpStatus: 400, category: .usage)
        }
        try require([.cmkCreate], operation: "create-key", keyID: nil)
        let record: KeyRecord = try withKeystoreLock {
            if let alias, try findAlias(alias) != nil {
                throw OBSError(
                    code: "KMS.AliasAlreadyExists",
                    message: "a key with alias '\(alias)' already exists; pick another alias",
                    httpStatus: 400, category: .conflict)
            }
            let r = try newRecord(alias: alias, description: description, defaultKey: false)
            try logThenCommit(r, operation: "create-key", action: .cmkCreate, detail: nil)
            return r
        }
        return record.info()
    }

    public func listKeys() throws -> [KMSKeyInfo] {
        try require([.cmkList], operation: "list-keys", keyID: nil)
        let keys = try allRecords().map { $0.info() }
        try audit.record(operation: "list-keys", keyID: nil, action: .cmkList, outcome: "ok")
        return keys
    }

    public func describeKey(_ ref: String) throws -> KMSKeyInfo {
        try require([.cmkGet], operation: "describe-key", keyID: ref)
        let r = try resolve(ref)
        try audit.record(operation: "describe-key", keyID: r.keyID, action: .cmkGet, outcome: "ok")
        return r.info()
    }

    public func enableKey(_ ref: String) throws -> KMSKeyInfo {
        try stateChange(ref, operation: "enable-key") { r in
            switch r.state {
            case .enabled, .disabled: r.state = .enabled
            case .pendingDeletion:
                throw Self.invalidState(
                    r,
                    "is pending deletion; cancel the deletion first with "
                        + "'obsctl kms key cancel-deletion \(r.keyID)'")
            case .deleted: throw OBSError.kmsKeyDeleted(r.keyID)
            }
        }
    }

    public func disableKey(_ ref: String) throws -> KMSKeyInfo {
        try stateChange(ref, operation: "disable-key") { r in
            guard !r.defaultKey else {
                throw Self.invalidState(r, "is the default key obs/default, which cannot be disabled")
            }
            switch r.state {
            case .enabled, .disabled: r.state = .disabled
            case .pendingDeletion:
                throw Self.invalidState(
                    r,
                    "is pending deletion, and so unusable already; to keep it but disabled, cancel the deletion "
                        + "('obsctl kms key cancel-deletion \(r.keyID)'), which leaves it disabled")
            case .deleted: throw OBSError.kmsKeyDeleted(r.keyID)
            }
        }
    }

    public static let deletionWindow = 7...1096

    public func scheduleKeyDeletion(_ ref: String, pendingDays: Int) throws -> KMSKeyInfo {
        guard Self.deletionWindow.contains(pendingDays) else {
            throw OBSError(
                code: "KMS.InvalidParameter",
                message: "--days must be between 7 and 1096, got \(pendingDays)",
                httpStatus: 400, category: .usage)
        }
        return try stateChange(ref, operation: "schedule-key-deletion") { r in
            guard !r.defaultKey else {
                throw Self.invalidState(r, "is the default key obs/default, which cannot be deleted")
            }
            switch r.state {
            case .enabled, .disabled:
                r.state = .pendingDeletion
                r.deletionDate = Timestamps.rfc3339(LocalClock.now().addingTimeInterval(Double(pendingDays) * 86400))
            case .pendingDeletion: throw Self.invalidState(r, "is already pending deletion")
            case .deleted: throw OBSError.kmsKeyDeleted(r.keyID)
            }
        }
    }

    public func cancelKeyDeletion(_ ref: String) throws -> KMSKeyInfo {
        try stateChange(ref, operation: "cancel-key-deletion") { r in
            if r.state == .deleted { throw OBSError.kmsKeyDeleted(r.keyID) }  // too late: nothing to cancel
            guard r.state == .pendingDeletion else {
                throw Self.invalidState(
                    r, "is \(r.state.displayName), not pending deletion: there is nothing to cancel")
            }
            r.state = .disabled  // as AWS KMS: the key comes back disabled and must be enabled on purpose
            r.deletionDate = nil
        }
    }

    private func stateChange(
        _ ref: String, operation: String,
        _ change: (inout KeyRecord) throws -> Void
    ) throws -> KMSKeyInfo {
        try require([.cmkUpdate], operation: operation, keyID: ref)
        let r = try resolve(ref)
        return try mutate(r.keyID, operation: operation, action: .cmkUpdate, change).info()
    }

    static func invalidState(_ r: KeyRecord, _ what: String) -> OBSError {
        OBSError(
            code: "KMS.KMSInvalidStateException", message: "KMS key \(r.keyID) \(what)", httpStatus: 400,
            category: .kms, resource: r.keyID)
    }

    // MARK: Data keys (what uploads and downloads call)

    struct IssuedDataKey {
        var dek: SecretBytes
        var blob: DataKeyBlob
        var keyID: String
        var urn: String
    }

    /// Checks that an upload could get a data key under `ref` now: the key exists and is enabled. Nothing is
    /// created. Used to validate a bucket default's key when it is set, so that a default under a disabled key
    /// (or one pending deletion) is refused then, not at every upload after.
    func resolveKeyID(_ ref: String) throws -> String {
        try require([.cmkGet], operation: "describe-key", keyID: ref)
        let record = try resolve(ref)
        try requireUsable(record, operation: "describe-key", action: .cmkGet)
        return record.keyID
    }

    /// A fresh data key wrapped under the CMK `ref`, or under `obs/default` (created on first use) when nil.
    func generateDataKey(keyRef ref: String?, context: [String: String]) throws -> IssuedDataKey {
        // Never nil when it may create the default key.
        guard let record = try encryptionKey(ref, create: true) else {
            throw OBSError.kmsNotFound(Self.defaultKeyAlias)
        }
        let dek = Random.secret(32)
        let blob = try seal(dek, under: record, context: context)
        try audit.record(operation: "create-datakey", keyID: record.keyID, action: .dekCreate, outcome: "ok")
        return IssuedDataKey(dek: dek, blob: blob, keyID: record.keyID, urn: record.urn)
    }

    /// Whether a data key could be made under `ref` (nil: `obs/default`) now, with every check `generateDataKey`
    /// makes, but none made and nothing created: for a dry run, which must fail as its run would (exit 5).
    public func checkEncryptionKey(_ ref: String?) throws {
        _ = try encryptionKey(ref, create: false)
    }

    /// The key a new data key is made under, once permissions and state allow it. `create`: `obs/default` is
    /// created when missing; else nil stands for the key the run would create.
    private func encryptionKey(_ ref: String?, create: Bool) throws -> KeyRecord? {
        let op = "create-datakey"
        let record: KeyRecord
        if let ref, !KMSKeyReference.namesDefaultKey(ref) {
            record = try resolve(ref, among: try require([.cmkGet, .dekCreate], operation: op, keyID: ref))
        } else {
            let records = try require([.cmkList], operation: op, keyID: Self.defaultKeyAlias)
            if let existing = try findAlias(Self.defaultKeyAlias, among: records) {
                try require([.dekCreate], operation: op, keyID: existing.keyID, records: records)
                record = existing
            } else {
                try require([.cmkCreate, .dekCreate], operation: op, keyID: Self.defaultKeyAlias, records: records)
                guard create else { return nil }
                record = try createDefaultKeyOnce()
            }
        }
        try requireUsable(record, operation: op, action: .dekCreate)
        return record
    }

    /// `dek` wrapped under the primary version of `record`'s key material.
    func seal(_ dek: SecretBytes, under record: KeyRecord, context: [String: String]) throws -> DataKeyBlob {
        guard let material = try record.material(version: record.primaryVersion, root: try rootKey.key()) else {
            throw OBSError.kmsKeyDeleted(record.keyID)
        }
        return try DataKeyBlob.seal(
            dek: dek, keyID: record.keyID, cmkVersion: record.primaryVersion, material: material, context: context)
    }

    /// Creates `obs/default` under the keystore lock, re-checking inside it so racing processes create exactly one.
    private func createDefaultKeyOnce() throws -> KeyRecord {
        try withKeystoreLock {
            if let r = try findAlias(Self.defaultKeyAlias) { return r }
            let r = try newRecord(
                alias: Self.defaultKeyAlias,
                description: "Default key for OBS server-side encryption", defaultKey: true)
            try logThenCommit(r, operation: "create-key", action: .cmkCreate, detail: "default key")
            return r
        }
    }

    /// Unwraps a data key stored with an object. The key must exist, be enabled and still have its material.
    func decryptDataKey(blob bytes: [UInt8], context: [String: String]) throws -> SecretBytes {
        let op = "decrypt-datakey"
        let blob = try DataKeyBlob.decode(bytes)
        let (record, material) = try decryptionKey(blob, operation: op)
        let dek: SecretBytes
        do { dek = try blob.open(material: material, context: context) } catch {
            try? audit.record(
                operation: op, keyID: record.keyID, action: .dekCrypto, outcome: "error",
                detail: "unwrap failed")
            throw OBSError.integrity(
                "the object's data key does not unwrap under KMS key \(record.keyID) "
                    + "(metadata altered or moved)")
        }
        try audit.record(operation: op, keyID: record.keyID, action: .dekCrypto, outcome: "ok")
        return dek
    }

    /// Whether `decryptDataKey` would get as far as unwrapping the data key: permitted, its KMS key known, usable and
    /// holding the blob's key material. Nothing is unwrapped and only a refusal is audited: a dry run's check.
    func checkDecryptionKey(blob bytes: [UInt8]) throws {
        _ = try decryptionKey(try DataKeyBlob.decode(bytes), operation: "decrypt-datakey")
    }

    /// The record and key material that unwrap `blob`, once the policy and the key's state allow it.
    private func decryptionKey(_ blob: DataKeyBlob, operation op: String) throws -> (KeyRecord, SecretBytes) {
        let records = try require([.dekCrypto], operation: op, keyID: blob.keyID)
        guard let record = records.first(where: { $0.keyID == blob.keyID }) else {
            // Key ids are never reused and deleted keys keep a tombstone: a blob naming no record was altered.
            try? audit.record(
                operation: op, keyID: blob.keyID, action: .dekCrypto, outcome: "error",
                detail: "no such key record")
            throw OBSError.integrity("the object's data key names KMS key \(blob.keyID), which this keystore never had")
        }
        try requireUsable(record, operation: op, action: .dekCrypto)
        guard let material = try record.material(version: blob.cmkVersion, root: try rootKey.key()) else {
            throw OBSError.kmsKeyDeleted(record.keyID)
        }
        return (record, material)
    }
}
