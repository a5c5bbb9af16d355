import Foundation
import OBSCore
import OBSCrypto

/// What Huawei KMS's API needs beyond the CLI's key administration (served by `obsctl serve --kms-listen`): data
/// keys handed out and taken back as bytes, alias and description updates, and the ids IAM reports. Same records,
/// same `kms:*` policy, same audit log as the CLI.
extension LocalKMS {
    /// Data keys are AES-256 keys: the wrapped form (`DataKeyBlob`) holds exactly 32 bytes.
    public static let dataKeyLength = 32

    /// A data key issued under a CMK: the plaintext (secret) and its wrapped form, which only this keystore opens.
    public struct WrappedDataKey: Sendable {
        public var keyID: String
        public var plaintext: SecretBytes
        public var ciphertext: [UInt8]
    }

    /// The 32-hex project id this store reports for `region` (stable: derived from the root key).
    public func projectID(region: String) throws -> String {
        try derivedID(label: "project-id/\(region)")
    }

    /// create-datakey: a fresh data key under the CMK `ref` (id, URN or alias), which must be enabled.
    /// Needs kms:cmk:get and kms:dek:create.
    public func createDataKey(_ ref: String, context: [String: String]) throws -> WrappedDataKey {
        let issued = try generateDataKey(keyRef: ref, context: context)
        return WrappedDataKey(keyID: issued.keyID, plaintext: issued.dek, ciphertext: issued.blob.encoded)
    }

    /// encrypt-datakey: wraps a caller's 32-byte data key under the CMK `ref`. Needs kms:dek:crypto.
    public func encryptDataKey(_ ref: String, plaintext: SecretBytes, context: [String: String]) throws
        -> (keyID: String, ciphertext: [UInt8])
    {
        let op = "encrypt-datakey"
        try require([.dekCrypto], operation: op, keyID: ref)
        let record = try resolve(ref)
        try requireUsable(record, operation: op, action: .dekCrypto)
        guard plaintext.count == Self.dataKeyLength else {
            throw OBSError(
                code: "KMS.InvalidDataKeyLength",
                message: "a data key is \(Self.dataKeyLength) bytes here, not \(plaintext.count)",
                httpStatus: 400, category: .usage)
        }
        let blob = try seal(plaintext, under: record, context: context)
        try audit.record(operation: op, keyID: record.keyID, action: .dekCrypto, outcome: "ok")
        return (record.keyID, blob.encoded)
    }

    /// decrypt-datakey: the data key inside `ciphertext`, which must have been wrapped under the CMK `ref` with
    /// the same context. A ciphertext that is malformed, names another key or does not open is refused as
    /// `KMS.InvalidCiphertext` (the caller's input, not the store, is wrong). Needs kms:dek:crypto.
    public func decryptDataKey(_ ref: String, ciphertext: [UInt8], context: [String: String]) throws -> SecretBytes {
        let op = "decrypt-datakey"
        try require([.dekCrypto], operation: op, keyID: ref)
        let record = try resolve(ref)
        func invalid(_ why: String) -> OBSError {
            try? audit.record(operation: op, keyID: record.keyID, action: .dekCrypto, outcome: "error", detail: why)
            return OBSError(
                code: "KMS.InvalidCiphertext",
                message: "cipher_text \(why): pass the cipher_text that create-datakey or encrypt-datakey returned "
                    + "for key \(record.keyID), with the same additional_authenticated_data",
                httpStatus: 400, category: .usage, resource: record.keyID)
        }
        guard let blob = try? DataKeyBlob.decode(ciphertext) else { throw invalid("is not a data key of this KMS") }
        guard blob.keyID == record.keyID else { throw invalid("was made under another key") }
        try requireUsable(record, operation: op, action: .dekCrypto)
        guard let material = try record.material(version: blob.cmkVersion, root: try rootKey.key()) else {
            throw invalid("names a key version this key does not have")
        }
        guard let dek = try? blob.open(material: material, context: context) else {
            throw invalid("does not open")
        }
        try audit.record(operation: op, keyID: record.keyID, action: .dekCrypto, outcome: "ok")
        return dek
    }

    /// update-key-alias: a new alias for a customer key (not a default key's). Needs kms:cmk:update.
    public func updateKeyAlias(_ ref: String, alias: String) throws -> KMSKeyInfo {
        try Self.validateAlias(alias)
        let op = "update-key-alias"
        try require([.cmkUpdate], operation: op, keyID: ref)
        let target = try resolve(ref)
        return try withKeystoreLock {
            if let other = try findAlias(alias), other.keyID != target.keyID {
                throw OBSError(
                    code: "KMS.AliasAlreadyExists",
                    message: "a key with alias '\(alias)' already exists; pick another alias",
                    httpStatus: 400, category: .conflict)
            }
            return try mutate(target.keyID, operation: op, action: .cmkUpdate) { r in
                guard !r.defaultKey else { throw Self.invalidState(r, "is a default key, whose alias is fixed") }
                guard r.state != .deleted else { throw OBSError.kmsKeyDeleted(r.keyID) }
                r.alias = alias
            }
        }.info()
    }

    /// update-key-description: at most 255 bytes. Needs kms:cmk:update.
    public func updateKeyDescription(_ ref: String, description: String) throws -> KMSKeyInfo {
        guard description.utf8.count <= 255 else {
            throw OBSError(
                code: "KMS.InvalidParameter", message: "description is longer than 255 bytes",
                httpStatus: 400, category: .usage)
        }
        let op = "update-key-description"
        try require([.cmkUpdate], operation: op, keyID: ref)
        let target = try resolve(ref)
        return try mutate(target.keyID, operation: op, action: .cmkUpdate) { r in
            guard r.state != .deleted else { throw OBSError.kmsKeyDeleted(r.keyID) }
            r.description = description
        }.info()
    }
}
