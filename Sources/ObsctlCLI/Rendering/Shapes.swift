import Foundation
import OBSCore

// The shapes results share, as README.md's output section names them: an object, a bucket, its encryption, a
// KMS key, a multipart upload, a failure. Sizes are bytes, times RFC 3339 UTC, absent values null.

/// An *object*: `stat`, `ls` entries, the `object` of a transfer record.
struct ObjectShape: Encodable {
    let bucket: String
    let key: String
    let size: Int64
    let etag: String
    /// A remote listing does not say the content type: null (unknown), as elsewhere, not "".
    @Nullable var contentType: String?
    let lastModified: String
    let metadata: [String: String]
    /// The standard headers stored with it (Cache-Control, Content-Encoding...), by canonical name.
    let headers: [String: String]
    let sse: SSE

    struct SSE: Encodable {
        @Nullable var mode: String?
        @Nullable var origin: String?
        @Nullable var kmsKeyID: String?
        @Nullable var kmsKeyURN: String?
        @Nullable var customerKeyMD5: String?
        /// The KMS key's alias, when KMS could be asked (`stat`, `ls`); null otherwise.
        @Nullable var kmsKeyAlias: String? = nil

        enum CodingKeys: String, CodingKey {
            case mode, origin, kmsKeyID = "kms_key_id", kmsKeyURN = "kms_key_urn", customerKeyMD5 = "customer_key_md5"
            case kmsKeyAlias = "kms_key_alias"
        }
    }

    enum CodingKeys: String, CodingKey {
        case bucket, key, size, etag, contentType = "content_type", lastModified = "last_modified", metadata, headers
        case sse
    }

    init(_ o: ObjectInfo) { self.init(o, kmsKeyAlias: nil) }

    /// `kmsKeyAlias`: the alias of `o`'s KMS key, when the command looked it up (`KMSAliases`).
    init(_ o: ObjectInfo, kmsKeyAlias: String?) {
        bucket = o.bucket.value
        key = o.key.value
        size = o.size
        etag = o.etag
        contentType = o.contentType.isEmpty ? nil : o.contentType
        lastModified = JSONShape.time(o.lastModified)
        metadata = o.userMetadata
        headers = o.headerMetadata
        sse = SSE(
            mode: o.sseMode?.rawValue, origin: o.sseOrigin?.rawValue, kmsKeyID: o.kmsKeyID,
            kmsKeyURN: o.kmsKeyURN, customerKeyMD5: o.customerKeyMD5, kmsKeyAlias: kmsKeyAlias)
    }
}

/// A bucket's default encryption: `{"mode","algorithm","kms_key_id"}`, or null for none.
struct EncryptionShape: Encodable {
    let mode: String
    let algorithm: String
    @Nullable var kmsKeyID: String?

    enum CodingKeys: String, CodingKey { case mode, algorithm, kmsKeyID = "kms_key_id" }

    init(_ e: BucketEncryption) { mode = e.mode.rawValue; algorithm = e.algorithm; kmsKeyID = e.kmsKeyID }
}

/// A *bucket*: `bucket create`, the entries of `bucket list`.
struct BucketShape: Encodable {
    let name: String
    let location: String
    let storageClass: String
    let created: String
    @Nullable var encryption: EncryptionShape?

    enum CodingKeys: String, CodingKey { case name, location, storageClass = "storage_class", created, encryption }

    init(_ b: BucketInfo) {
        name = b.name.value
        location = b.location
        storageClass = StorageClassArgument(b.storageClass).rawValue
        created = JSONShape.time(b.created)
        encryption = b.encryption.map(EncryptionShape.init)
    }
}

/// A *key* of the KMS: `kms key create/describe/...`, the entries of `kms key list`.
struct KeyShape: Encodable {
    let keyID: String
    let urn: String
    @Nullable var alias: String?
    let description: String
    let state: String
    /// Huawei KMS's numeric key state (2 enabled, 3 disabled, 4 pending deletion), for scripts written against it.
    let keyState: Int
    let defaultKey: Bool
    let created: String
    @Nullable var deletionDate: String?

    enum CodingKeys: String, CodingKey {
        case keyID = "key_id", urn, alias, description, state, keyState = "key_state", defaultKey = "default_key"
        case created, deletionDate = "deletion_date"
    }

    init(_ k: KMSKeyInfo) {
        keyID = k.keyID
        urn = k.urn
        alias = k.alias
        description = k.description
        state = k.state.rawValue
        keyState = k.state.huaweiCode
        defaultKey = k.isDefaultKey
        created = JSONShape.time(k.created)
        deletionDate = k.deletionDate.map(JSONShape.time)
    }
}

/// An *upload* (a multipart upload in progress): `{"bucket","key","url","upload_id","initiated"}`.
struct UploadShape: Encodable {
    let bucket: String
    let key: String
    let uploadID: String
    let url: String
    /// Null when the server did not say.
    @Nullable var initiated: String?

    enum CodingKeys: String, CodingKey { case bucket, key, uploadID = "upload_id", url, initiated }

    init(_ u: MultipartUploadInfo) {
        bucket = u.bucket.value
        key = u.key
        uploadID = u.uploadID
        url = "obs://\(u.bucket)/\(u.key)"
        initiated = u.initiated.map(JSONShape.time)
    }
}

/// A failed item of a command over several: `{"item","code","message","exit_code"}` (type `failure` in NDJSON).
struct FailureShape: Encodable {
    let item: String
    let code: String
    let message: String
    let exitCode: Int

    enum CodingKeys: String, CodingKey { case item, code, message, exitCode = "exit_code" }

    init(_ item: String, _ e: OBSError) {
        self.item = item
        code = e.code
        message = e.message
        exitCode = Int(ObsctlExitCode(e.category).rawValue)
    }

    var record: Record { Record("failure", self) }
}
