import Foundation
import OBSCore
import OBSCrypto
import OBSTime

/// One customer master key, stored as `kms/keys/<key_id>.json`. The key material of each version is sealed under
/// the root key and bound to the key id and version; the whole record carries an HMAC under a key derived from the
/// root key, so a hand edit (say, `state` from disabled to enabled) is refused as corruption.
struct KeyRecord: Codable, Equatable {
    struct Version: Codable, Equatable {
        var v: UInt32
        var created: String
        var salt: String
        var nonce: String
        var sealed: String
    }

    var format: Int = 1
    var keyID: String
    var domainID: String
    var region: String
    var alias: String?
    var description: String
    var defaultKey: Bool
    var keySpec: String = "AES_256"
    var state: KMSKeyState
    var created: String
    var deletionDate: String?
    var versions: [Version]
    var primaryVersion: UInt32
    /// Bound into the MAC and checked against the state file (see `StateManifest`); absent in older records.
    var generation: UInt64?
    var mac: String?

    enum CodingKeys: String, CodingKey {
        case format, keyID = "key_id", domainID = "domain_id", region, alias, description, defaultKey = "default_key",
            keySpec = "key_spec", state, created, deletionDate = "deletion_date", versions,
            primaryVersion = "primary_version", generation, mac
    }

    var urn: String { "\(region):\(domainID):key/\(keyID)" }

    func canonicalBytes() -> [UInt8] {
        var w = CanonicalWriter(label: "obsctl/v1/keystore-record")
        w.appendU32(UInt32(format)); w.append(keyID); w.append(domainID); w.append(region); w.append(alias)
        w.append(description); w.appendU32(defaultKey ? 1 : 0); w.append(keySpec); w.append(state.rawValue)
        w.append(created); w.append(deletionDate); w.appendU32(primaryVersion)
        w.appendU32(UInt32(versions.count))
        for v in versions {
            w.appendU32(v.v); w.append(v.created); w.append(v.salt); w.append(v.nonce); w.append(v.sealed)
        }
        if let generation { w.appendU64(generation) }  // absent: the bytes (and MAC) of a record from before
        return w.bytes
    }

    static func recordKey(root: SecretBytes) -> SecretBytes {
        HKDF.sha256(key: root, info: Array("obsctl/v1/keystore-record".utf8))
    }

    mutating func seal(recordKey: SecretBytes) {
        mac = Base64.encode(HMAC.sha256(key: recordKey, data: canonicalBytes()))
    }

    func verify(recordKey: SecretBytes) -> Bool {
        guard let mac, let stored = Base64.decode(mac) else { return false }
        return constantTimeEquals(stored, HMAC.sha256(key: recordKey, data: canonicalBytes()))
    }

    // Key material: sealed under HKDF(root, salt, "obsctl/v1/cmk-wrap"), AAD binds key id and version.
    static func materialAAD(keyID: String, version: UInt32) -> [UInt8] {
        var w = CanonicalWriter(label: "obsctl/v1/cmk-material"); w.append(keyID); w.appendU32(version); return w.bytes
    }

    static func sealMaterial(
        _ material: SecretBytes, root: SecretBytes, keyID: String, version: UInt32, created: String
    ) throws -> Version {
        let salt = Random.bytes(16), nonce = Random.bytes(12)
        let kek = HKDF.sha256(key: root, salt: salt, info: Array("obsctl/v1/cmk-wrap".utf8))
        let sealed = try AESGCM(key: kek).seal(
            nonce: nonce, aad: materialAAD(keyID: keyID, version: version), plaintext: material)
        return Version(
            v: version, created: created, salt: Base64.encode(salt), nonce: Base64.encode(nonce),
            sealed: Base64.encode(sealed))
    }

    func material(version: UInt32, root: SecretBytes) throws -> SecretBytes? {
        guard let v = versions.first(where: { $0.v == version }) else { return nil }
        guard let salt = Base64.decode(v.salt), let nonce = Base64.decode(v.nonce), let sealed = Base64.decode(v.sealed)
        else {
            throw OBSError.integrity("keystore record \(keyID) is corrupted")
        }
        let kek = HKDF.sha256(key: root, salt: salt, info: Array("obsctl/v1/cmk-wrap".utf8))
        do {
            return try AESGCM(key: kek).open(
                nonce: nonce, aad: Self.materialAAD(keyID: keyID, version: version), sealed: sealed)
        } catch { throw OBSError.integrity("keystore record \(keyID) is corrupted: its key material does not unseal") }
    }

    func info() -> KMSKeyInfo {
        KMSKeyInfo(
            // A deleted key's alias was released (tombstones from before the release still hold it).
            keyID: keyID, urn: urn, alias: state == .deleted ? nil : alias, description: description, state: state,
            isDefaultKey: defaultKey,
            created: Timestamps.parseISO8601(created) ?? Date(timeIntervalSince1970: 0),
            deletionDate: deletionDate.flatMap(Timestamps.parseISO8601))
    }
}
