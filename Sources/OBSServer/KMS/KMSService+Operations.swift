import Foundation
import OBSCore
import OBSCrypto
import OBSLocalBackend

/// The key and data-key operations, with KMS's field names, string values and answer shapes.
extension KMSService {
    static let operations: Set<String> = [
        "create-key", "list-keys", "describe-key", "enable-key", "disable-key", "schedule-key-deletion",
        "cancel-key-deletion", "create-datakey", "create-datakey-without-plaintext", "encrypt-datakey",
        "decrypt-datakey", "update-key-alias", "update-key-description",
    ]

    /// The only key spec the local KMS has: every key is an AES-256 key, and data keys are 256 bits.
    static let keySpec = "AES_256"

    func dispatch(_ operation: String?, _ body: KMSRequestBody) throws -> ServerResponse {
        switch operation ?? "" {
        case "create-key": return try createKey(body)
        case "list-keys": return try listKeys(body)
        case "describe-key":
            return KMSJSONAnswer.ok(["key_info": details(try live(kms.describeKey(try body.required("key_id"))))])
        case "enable-key": return stateAnswer(try kms.enableKey(try body.required("key_id")), nested: true)
        case "disable-key": return stateAnswer(try kms.disableKey(try body.required("key_id")), nested: true)
        case "schedule-key-deletion":
            let days = try body.required("pending_days")
            guard let n = Int(days), LocalKMS.deletionWindow.contains(n) else {
                throw KMSFailure(400, "KMS.1401", "pending_days must be 7 to 1096, not '\(days)'")
            }
            return stateAnswer(try kms.scheduleKeyDeletion(try body.required("key_id"), pendingDays: n), nested: false)
        case "cancel-key-deletion":
            return stateAnswer(try kms.cancelKeyDeletion(try body.required("key_id")), nested: false)
        case "create-datakey": return try createDataKey(body, plaintext: true)
        case "create-datakey-without-plaintext": return try createDataKey(body, plaintext: false)
        case "encrypt-datakey": return try encryptDataKey(body)
        case "decrypt-datakey": return try decryptDataKey(body)
        case "update-key-alias":
            let info = try kms.updateKeyAlias(try body.required("key_id"), alias: try body.required("key_alias"))
            return KMSJSONAnswer.ok(["key_info": ["key_id": info.keyID, "key_alias": info.alias ?? ""]])
        case "update-key-description":
            let info = try kms.updateKeyDescription(
                try body.required("key_id"), description: try body.required("key_description"))
            return KMSJSONAnswer.ok(["key_info": ["key_id": info.keyID, "key_description": info.description]])
        default: throw KMSFailure.gateway(404, "APIGW.0101", "no such KMS operation")
        }
    }

    private func createKey(_ body: KMSRequestBody) throws -> ServerResponse {
        let alias = try body.required("key_alias")
        if let spec = try body.optional("key_spec"), spec != Self.keySpec {
            throw KMSFailure(400, "KMS.0308", "key_spec '\(spec)' is not available here: use AES_256")
        }
        if let usage = try body.optional("key_usage"), usage != "ENCRYPT_DECRYPT" {
            throw KMSFailure(400, "KMS.0308", "key_usage '\(usage)' is not available here: use ENCRYPT_DECRYPT")
        }
        if let origin = try body.optional("origin"), origin != "kms" {
            throw KMSFailure(400, "KMS.0308", "origin '\(origin)' is not available here: use kms")
        }
        let info = try kms.createKey(alias: alias, description: try body.optional("key_description") ?? "")
        return KMSJSONAnswer.ok([
            "key_info": ["key_id": info.keyID, "domain_id": Self.domain(info), "region_id": region]
        ])
    }

    /// Paging with `marker` as an offset into the keys in creation order, as KMS's numeric markers behave.
    /// Without `key_spec` KMS lists AES_256 keys only; `ALL` lists every spec (here both are every key).
    private func listKeys(_ body: KMSRequestBody) throws -> ServerResponse {
        let limitText = try body.optional("limit")
        let markerText = try body.optional("marker")
        let state = try body.optional("key_state")
        let spec = try body.optional("key_spec") ?? Self.keySpec
        var limit = 1000
        if let limitText, !limitText.isEmpty {
            guard let n = Int(limitText), (1...1000).contains(n) else {
                throw KMSFailure(400, "KMS.1601", "limit must be 1 to 1000, not '\(limitText)'")
            }
            limit = n
        }
        var offset = 0
        if let markerText, !markerText.isEmpty {
            guard let n = Int(markerText), n >= 0 else {
                throw KMSFailure(400, "KMS.1602", "marker must be a number >= 0, not '\(markerText)'")
            }
            offset = n
        }
        if let state, state.count != 1 || !"12345".contains(state) {
            throw KMSFailure(400, "KMS.0308", "key_state must be one of 1 to 5, not '\(state)'")
        }
        let keys = try kms.listKeys().filter { key in
            key.state != .deleted && (spec == "ALL" || spec == Self.keySpec)
                && (state == nil || state == String(key.state.huaweiCode))
        }
        let page = Array(keys.dropFirst(offset).prefix(limit))
        let truncated = offset + page.count < keys.count
        return KMSJSONAnswer.ok([
            "keys": page.map(\.keyID), "key_details": page.map(details),
            "next_marker": truncated ? String(offset + page.count) : "", "truncated": truncated ? "true" : "false",
            "total": keys.count,
        ])
    }

    private func createDataKey(_ body: KMSRequestBody, plaintext: Bool) throws -> ServerResponse {
        let ref = try body.required("key_id")
        if let spec = try body.optional("key_spec"), spec != Self.keySpec {
            throw KMSFailure(400, "KMS.1902", "key_spec '\(spec)' is not available here: use AES_256")
        }
        if let length = try body.optional("datakey_length"), length != "256" {
            throw KMSFailure(400, "KMS.1901", "datakey_length must be 256 (bits) here, not '\(length)'")
        }
        let key = try kms.createDataKey(ref, context: try Self.context(body))
        var answer = ["key_id": key.keyID, "cipher_text": Hex.encode(key.ciphertext)]
        if plaintext { answer["plain_text"] = Hex.encode(key.plaintext.copyBytes()) }
        return KMSJSONAnswer.ok(answer)
    }

    /// `plain_text` is hex of the data key followed by its SHA-256; `datakey_plain_length` is the key's bytes.
    private func encryptDataKey(_ body: KMSRequestBody) throws -> ServerResponse {
        let ref = try body.required("key_id")
        let lengthText = try body.required("datakey_plain_length")
        guard let length = Int(lengthText), length == LocalKMS.dataKeyLength else {
            throw KMSFailure(
                400, "KMS.2102", "datakey_plain_length must be \(LocalKMS.dataKeyLength) here, not '\(lengthText)'")
        }
        guard let bytes = Hex.decode(try body.required("plain_text")) else {
            throw KMSFailure(400, "KMS.2101", "plain_text is not hex")
        }
        guard bytes.count == length + 32 else {
            throw KMSFailure(
                400, "KMS.2104", "plain_text holds \(bytes.count) bytes, not datakey_plain_length + 32 (SHA-256)")
        }
        let dek = SecretBytes(copying: Array(bytes.prefix(length)))
        guard constantTimeEquals(Digest.sha256(Array(bytes.prefix(length))), Array(bytes.suffix(32))) else {
            throw KMSFailure(400, "KMS.2103", "the SHA-256 at the end of plain_text does not match the data key")
        }
        let sealed = try kms.encryptDataKey(ref, plaintext: dek, context: try Self.context(body))
        return KMSJSONAnswer.ok([
            "key_id": sealed.keyID, "cipher_text": Hex.encode(sealed.ciphertext),
            "datakey_length": String(length),
        ])
    }

    private func decryptDataKey(_ body: KMSRequestBody) throws -> ServerResponse {
        let ref = try body.required("key_id")
        let lengthText = try body.required("datakey_cipher_length")
        guard Int(lengthText) == LocalKMS.dataKeyLength else {
            throw KMSFailure(
                400, "KMS.2202", "datakey_cipher_length must be \(LocalKMS.dataKeyLength) here, not '\(lengthText)'")
        }
        guard let cipher = Hex.decode(try body.required("cipher_text")) else {
            throw KMSFailure(400, "KMS.2201", "cipher_text is not hex")
        }
        let dek = try kms.decryptDataKey(ref, ciphertext: cipher, context: try Self.context(body)).copyBytes()
        return KMSJSONAnswer.ok([
            "data_key": Hex.encode(dek), "datakey_length": String(dek.count),
            "datakey_dgst": Hex.encode(Digest.sha256(dek)),
        ])
    }

    /// KMS's additional authenticated data binds a wrapped data key like the local KMS's encryption context.
    static func context(_ body: KMSRequestBody) throws -> [String: String] {
        guard let aad = try body.optional("additional_authenticated_data") else { return [:] }
        guard aad.utf8.count <= 128 else {
            throw KMSFailure(400, "KMS.0308", "additional_authenticated_data is longer than 128 bytes")
        }
        return ["additional_authenticated_data": aad]
    }

    /// A deleted key (its tombstone) is gone as far as KMS's API goes.
    private func live(_ info: KMSKeyInfo) throws -> KMSKeyInfo {
        guard info.state != .deleted else { throw OBSError.kmsNotFound(info.keyID) }
        return info
    }

    private func stateAnswer(_ info: KMSKeyInfo, nested: Bool) -> ServerResponse {
        let state: [String: Any] = ["key_id": info.keyID, "key_state": String(info.state.huaweiCode)]
        return KMSJSONAnswer.ok(nested ? ["key_info": state] : state)
    }

    static func domain(_ info: KMSKeyInfo) -> String {
        let parts = info.urn.split(separator: ":")
        return parts.count >= 2 ? String(parts[1]) : ""
    }

    static func milliseconds(_ date: Date) -> String { String(Int64((date.timeIntervalSince1970 * 1000).rounded())) }

    /// KeyDetails: every field a string, dates in milliseconds since 1970.
    func details(_ info: KMSKeyInfo) -> [String: Any] {
        [
            "key_id": info.keyID, "domain_id": Self.domain(info), "key_alias": info.alias ?? "", "realm": region,
            "key_spec": Self.keySpec, "key_usage": "ENCRYPT_DECRYPT", "key_description": info.description,
            "creation_date": Self.milliseconds(info.created),
            "scheduled_deletion_date": info.deletionDate.map(Self.milliseconds) ?? "",
            "key_state": String(info.state.huaweiCode), "default_key_flag": info.isDefaultKey ? "1" : "0",
            "key_type": "1", "expiration_time": "", "origin": "kms", "key_rotation_enabled": "false",
            "sys_enterprise_project_id": "0", "keystore_id": "0",
        ]
    }
}
