import Foundation
import OBSCore
import OBSCrypto
import OBSTime

/// `meta.json`, the single commit point of an object: renaming it into place publishes the object.
///
/// For encrypted objects every field is covered by an HMAC under `HKDF(DEK, salt: uid, "obsctl/v1/meta-mac")`,
/// verified after the data key unwraps and before the first byte is served, so edits to size, part list, file
/// names, SSE fields, ETag or user metadata are caught. Unencrypted objects are MAC'd under a root-key-derived key,
/// and their bytes are checked on every read against `data_mac` (see `PlainDataCheck`).
///
/// Written by `encoded()` and read by `init(json:)`, both by hand: much cheaper than Codable, and the file is written
/// and read on every PUT and GET. Members are named in snake case (`object_uid`); optionals absent are left out.
struct ObjectMeta: Equatable {
    struct Wrap: Equatable { var salt: String; var nonce: String; var sealed: String }
    struct SSE: Equatable {
        var mode: SSEMode
        var origin: SSEOrigin
        var kmsKeyID: String?
        var kmsKeyURN: String?
        var kmsBlob: String?
        var wrap: Wrap?
    }
    struct Part: Equatable { var n: UInt32; var size: Int64; var file: String }
    struct Layout: Equatable { var aead: String?; var chunk: Int?; var parts: [Part] }

    var format: Int = 1
    var bucket: String
    var key: String
    var objectUID: String
    var size: Int64
    var contentType: String
    var userMetadata: [String: String]
    var lastModified: String
    var etag: String
    var sse: SSE
    var layout: Layout
    /// Unencrypted objects written since the data check exists: the GMAC of their bytes (see `PlainDataCheck`).
    var dataMAC: String? = nil
    /// The plaintext's CRC-32C (base64), computed as it is written: in clear for an unencrypted object (and for
    /// encrypted ones stored before `crc32cSealed`), absent in objects stored before either existed.
    var crc32c: String? = nil
    /// An encrypted object's CRC-32C, sealed (`SealedCRC`, part 0).
    var crc32cSealed: String? = nil
    /// Standard HTTP headers stored with the object (`HeaderMetadata`); nil when there are none.
    var headerMetadata: [String: String]? = nil
    /// The storage class the object was written in; nil for STANDARD (and objects written before it was kept).
    var storageClass: String? = nil
    /// The flexible checksum algorithm a multipart upload was initiated with (S3's `x-amz-checksum-algorithm`,
    /// `PartChecksum.algorithms`): its parts must declare no other, and Complete must list each part's.
    var checksumAlgorithm: String? = nil
    /// How the parts' checksums make the object's (S3's `x-amz-checksum-type`): `FULL_OBJECT`, or nil for
    /// `COMPOSITE`, the default of every algorithm but CRC-64/NVME.
    var checksumType: String? = nil
    /// The multipart upload that produced the object, so that a Complete retried after it succeeded is answered
    /// as the first was (S3 does). Not covered by the MAC: it grants nothing (the retry also checks the ETag, and
    /// is answered only what a listing shows), and obsctl versions that know no such field still verify the MAC.
    var uploadID: String? = nil
    var mac: String?

    var uidBytes: [UInt8] { Hex.decode(objectUID) ?? [] }
    var wrapContext: WrapContext { WrapContext(bucket: bucket, key: key, uid: uidBytes) }

    func canonicalBytes() -> [UInt8] {
        var w = CanonicalWriter(label: "obsctl/v1/object-meta")
        w.appendU32(UInt32(format)); w.append(bucket); w.append(key); w.append(objectUID); w.appendI64(size)
        w.append(contentType); w.append(userMetadata); w.append(lastModified); w.append(etag)
        w.append(sse.mode.rawValue); w.append(sse.origin.rawValue); w.append(sse.kmsKeyID); w.append(sse.kmsKeyURN)
        w.append(sse.kmsBlob); w.append(sse.wrap?.salt); w.append(sse.wrap?.nonce); w.append(sse.wrap?.sealed)
        w.append(layout.aead); w.appendI64(Int64(layout.chunk ?? -1)); w.appendU32(UInt32(layout.parts.count))
        for p in layout.parts { w.appendU32(p.n); w.appendI64(p.size); w.append(p.file) }
        // Appended only when present, so the MAC of metadata written before the field existed still verifies;
        // removing it from newer metadata changes these bytes and fails the MAC.
        if let dataMAC { w.append("data_mac"); w.append(dataMAC) }
        if let crc32c { w.append("crc32c"); w.append(crc32c) }
        if let crc32cSealed { w.append("crc32c_sealed"); w.append(crc32cSealed) }
        if let headerMetadata { w.append("header_metadata"); w.append(headerMetadata) }
        if let storageClass { w.append("storage_class"); w.append(storageClass) }
        if let checksumAlgorithm { w.append("checksum_algorithm"); w.append(checksumAlgorithm) }
        if let checksumType { w.append("checksum_type"); w.append(checksumType) }
        return w.bytes
    }

    static func macKey(dek: SecretBytes, uid: [UInt8]) -> SecretBytes {
        HKDF.sha256(key: dek, salt: uid, info: Array("obsctl/v1/meta-mac".utf8))
    }

    /// Unencrypted objects have no data key; their metadata is MAC'd under a key derived from the root key, so an
    /// encrypted object cannot be relabelled as a plain one (and its bytes served unauthenticated).
    static func plainMacKey(root: SecretBytes, uid: [UInt8]) -> SecretBytes {
        HKDF.sha256(key: root, salt: uid, info: Array("obsctl/v1/plain-meta-mac".utf8))
    }

    /// An opaque ETag for encrypted objects: OBS's ETag under SSE is not the plaintext MD5 either. It is keyed and
    /// covers every chunk tag, so it changes with the content and reveals nothing about the plaintext.
    static func encryptedETag(macKey: SecretBytes, tagDigest: [UInt8]) -> String {
        Hex.encode(HMAC.sha256(key: macKey, data: Array("obsctl/v1/etag".utf8) + tagDigest).prefix(16))
    }

    mutating func seal(macKey: SecretBytes) { mac = Base64.encode(HMAC.sha256(key: macKey, data: canonicalBytes())) }

    func verify(macKey: SecretBytes) -> Bool {
        guard let mac, let stored = Base64.decode(mac) else { return false }
        return constantTimeEquals(stored, HMAC.sha256(key: macKey, data: canonicalBytes()))
    }

    /// meta.json's bytes: one JSON object, members in name order, absent optionals left out. Written by hand, as
    /// it is read (`init(json:)`): JSONEncoder was 3.5% of a small PUT's CPU in `obsctl serve`.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        JSONObjectWriter.object(into: &out) { o in
            o.string("bucket", bucket)
            o.string("checksum_algorithm", checksumAlgorithm)
            o.string("checksum_type", checksumType)
            o.string("content_type", contentType)
            o.string("crc32c", crc32c)
            o.string("crc32c_sealed", crc32cSealed)
            o.string("data_mac", dataMAC)
            o.string("etag", etag)
            o.number("format", format)
            if let headerMetadata {
                o.object("header_metadata") { m in
                    for name in headerMetadata.keys.sorted() { m.string(name, headerMetadata[name]) }
                }
            }
            o.string("key", key)
            o.string("last_modified", lastModified)
            o.object("layout") { l in
                l.string("aead", layout.aead)
                l.number("chunk", layout.chunk)
                l.array("parts", layout.parts) { p, part in
                    p.string("file", part.file)
                    p.number("n", part.n)
                    p.number("size", part.size)
                }
            }
            o.string("mac", mac)
            o.string("object_uid", objectUID)
            o.number("size", size)
            o.object("sse") { e in
                e.string("kms_blob", sse.kmsBlob)
                e.string("kms_key_id", sse.kmsKeyID)
                e.string("kms_key_urn", sse.kmsKeyURN)
                e.string("mode", sse.mode.rawValue)
                e.string("origin", sse.origin.rawValue)
                if let wrap = sse.wrap {
                    e.object("wrap") { w in
                        w.string("nonce", wrap.nonce)
                        w.string("salt", wrap.salt)
                        w.string("sealed", wrap.sealed)
                    }
                }
            }
            o.string("storage_class", storageClass)
            o.string("upload_id", uploadID)
            o.object("user_metadata") { m in
                for name in userMetadata.keys.sorted() { m.string(name, userMetadata[name]) }
            }
        }
        return out
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> ObjectMeta {
        guard let m = try? ObjectMeta(json: JSONValue.parse(bytes)) else {
            throw OBSError.integrity("object metadata \(path) does not parse")
        }
        guard m.format == 1 else { throw OBSError.integrity("object metadata format \(m.format) is not supported") }
        return m
    }

    /// The object as the storage protocol describes it. `root` opens an encrypted object's sealed CRC-32C; nil
    /// (a listing, which answers none) leaves it out.
    func info(customerKeyMD5: String? = nil, root: (() throws -> SecretBytes)?) throws -> ObjectInfo {
        var info = ObjectInfo(
            bucket: try BucketName(bucket), key: try ObjectKey(key), size: size, etag: etag, contentType: contentType,
            lastModified: Timestamps.parseISO8601(lastModified) ?? Date(timeIntervalSince1970: 0),
            userMetadata: userMetadata,
            sseMode: sse.mode, sseOrigin: sse.origin, kmsKeyID: sse.kmsKeyID, kmsKeyURN: sse.kmsKeyURN,
            customerKeyMD5: sse.mode == .c ? customerKeyMD5 : nil)
        // A whole object is one part numbered 0; a completed upload keeps its parts, numbered from 1.
        if !layout.parts.isEmpty, layout.parts.allSatisfy({ $0.n > 0 }) { info.partSizes = layout.parts.map(\.size) }
        info.contentCRC32C = crc32c
        info.headerMetadata = headerMetadata ?? [:]
        info.storageClass = storageClass  // nil for STANDARD, as OBS's and S3's HEAD leave the header out
        if let crc32cSealed, let root {
            info.contentCRC32C = SealedCRC.apply(crc32cSealed, root: try root(), uid: uidBytes, part: 0)
        }
        return info
    }

    /// An SSE-KMS object's metadata names the key its data key is wrapped under, which the wrapped key itself names
    /// in clear: the two must agree (checked wherever the metadata is read, `placementProblem`). The MAC over both
    /// needs the data key, which only a download unwraps, so without this a `stat`, a report (`--require kms
    /// --kms-key-id`) or apply's decision trusted an edited key id: an object shown under the key a user would then
    /// keep, while its data key needs the one they would delete. nil when they agree, else what is wrong.
    var kmsKeyProblem: String? {
        guard sse.mode == .kms, let text = sse.kmsBlob else { return nil }
        guard let bytes = Base64.decode(text), let blob = try? DataKeyBlob.decode(bytes) else {
            return "its wrapped data key is damaged"
        }
        let urnMatches = sse.kmsKeyURN.map { $0.hasSuffix(":key/" + blob.keyID) } ?? true
        guard sse.kmsKeyID == blob.keyID, urnMatches else {
            return "its metadata names KMS key \(sse.kmsKeyID ?? "none") but its data key is wrapped under "
                + "\(blob.keyID)"
        }
        return nil
    }

    /// Records the plaintext's CRC-32C: in clear for an unencrypted object, else sealed under `root`.
    mutating func setCRC32C(_ crc: String?, root: () throws -> SecretBytes) rethrows {
        guard let crc, sse.mode != .unencrypted else { (crc32c, crc32cSealed) = (crc, nil); return }
        (crc32c, crc32cSealed) = (nil, SealedCRC.apply(crc, root: try root(), uid: uidBytes, part: 0))
    }
}

extension ObjectMeta {
    /// The metadata in this JSON, as `encoded()` writes it (and as JSONEncoder wrote it before): every member
    /// required unless optional here, unknown members ignored, an optional member may also be null.
    init(json: JSONValue) throws {
        let f = try JSONFields(json)
        let sse = try f.fields("sse"), layout = try f.fields("layout")
        self.init(
            format: try f.integer("format"), bucket: try f.string("bucket"), key: try f.string("key"),
            objectUID: try f.string("object_uid"), size: try f.integer("size"),
            contentType: try f.string("content_type"), userMetadata: try f.stringMap("user_metadata"),
            lastModified: try f.string("last_modified"), etag: try f.string("etag"),
            sse: SSE(
                mode: try sse.value("mode"), origin: try sse.value("origin"),
                kmsKeyID: try sse.optionalString("kms_key_id"), kmsKeyURN: try sse.optionalString("kms_key_urn"),
                kmsBlob: try sse.optionalString("kms_blob"),
                wrap: try sse.optionalFields("wrap").map { w in
                    Wrap(salt: try w.string("salt"), nonce: try w.string("nonce"), sealed: try w.string("sealed"))
                }),
            layout: Layout(
                aead: try layout.optionalString("aead"), chunk: try layout.optionalInteger("chunk"),
                parts: try layout.array("parts").map { value in
                    let p = try JSONFields(value, path: ".layout.parts")
                    return Part(n: try p.integer("n"), size: try p.integer("size"), file: try p.string("file"))
                }),
            dataMAC: try f.optionalString("data_mac"), crc32c: try f.optionalString("crc32c"),
            crc32cSealed: try f.optionalString("crc32c_sealed"),
            headerMetadata: try f.optionalStringMap("header_metadata"),
            storageClass: try f.optionalString("storage_class"),
            checksumAlgorithm: try f.optionalString("checksum_algorithm"), mac: try f.optionalString("mac"))
        checksumType = try f.optionalString("checksum_type")
        uploadID = try f.optionalString("upload_id")
    }
}

/// `bucket.json`: a bucket's settings, including its default encryption. Editing the default touches this file only.
struct BucketRecord: Codable, Equatable {
    struct Encryption: Codable, Equatable {
        var algorithm: String  // "kms" or "AES256", as OBS's SSEAlgorithm
        var kmsKeyID: String?
        var updated: String
        enum CodingKeys: String, CodingKey { case algorithm, kmsKeyID = "kms_key_id", updated }
    }

    var format: Int = 1
    var name: String
    var location: String
    var storageClass: StorageClass
    var created: String
    var encryption: Encryption?
    /// Bound into the MAC and checked against the state file outside the store (see `StateManifest`): an older
    /// copy put back is refused. Absent in records written before rollback detection.
    var generation: UInt64?
    /// HMAC under a root-key-derived key: a hand edit (say, switching the default encryption off) is refused.
    var mac: String?

    enum CodingKeys: String, CodingKey {
        case format, name, location, storageClass = "storage_class", created, encryption, generation, mac
    }

    func canonicalBytes() -> [UInt8] {
        var w = CanonicalWriter(label: "obsctl/v1/bucket-record")
        w.appendU32(UInt32(format)); w.append(name); w.append(location); w.append(storageClass.rawValue);
        w.append(created)
        w.append(encryption?.algorithm); w.append(encryption?.kmsKeyID); w.append(encryption?.updated)
        if let generation { w.appendU64(generation) }  // absent: the bytes (and MAC) of a record from before
        return w.bytes
    }

    static func macKey(root: SecretBytes) -> SecretBytes {
        HKDF.sha256(key: root, info: Array("obsctl/v1/bucket-record".utf8))
    }

    mutating func seal(macKey: SecretBytes) { mac = Base64.encode(HMAC.sha256(key: macKey, data: canonicalBytes())) }

    func verify(macKey: SecretBytes) -> Bool {
        guard let mac, let stored = Base64.decode(mac) else { return false }
        return constantTimeEquals(stored, HMAC.sha256(key: macKey, data: canonicalBytes()))
    }

    /// The class an object written here is stored in: the one asked for, else the bucket's (OBS's rule; S3's
    /// buckets are all STANDARD). nil for STANDARD, which the metadata leaves out.
    func objectStorageClass(requested: String?) -> String? {
        let name = requested ?? storageClass.rawValue
        return name == StorageClass.standard.rawValue ? nil : name
    }

    var bucketEncryption: BucketEncryption? {
        guard let e = encryption else { return nil }
        return e.algorithm == "kms" ? .kms(keyID: e.kmsKeyID) : .obs
    }

    func info() throws -> BucketInfo {
        BucketInfo(
            name: try BucketName(name), location: location, storageClass: storageClass,
            created: Timestamps.parseISO8601(created) ?? Date(timeIntervalSince1970: 0), encryption: bucketEncryption)
    }
}
