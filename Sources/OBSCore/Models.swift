import Foundation

/// OBS's storage classes: Standard, Infrequent Access (WARM), Archive (COLD) and Deep Archive.
public enum StorageClass: String, Sendable, Codable, CaseIterable {
    case standard = "STANDARD", warm = "WARM", cold = "COLD", deepArchive = "DEEP_ARCHIVE"
}

public struct BucketInfo: Sendable, Equatable {
    public var name: BucketName
    public var location: String
    public var storageClass: StorageClass
    public var created: Date
    public var encryption: BucketEncryption?

    public init(
        name: BucketName, location: String, storageClass: StorageClass, created: Date, encryption: BucketEncryption?
    ) {
        self.name = name; self.location = location; self.storageClass = storageClass; self.created = created;
        self.encryption = encryption
    }
}

/// What `stat` and uploads report about an object.
public struct ObjectInfo: Sendable, Equatable {
    public var bucket: BucketName
    public var key: ObjectKey
    public var size: Int64
    public var etag: String
    public var contentType: String
    public var lastModified: Date
    public var userMetadata: [String: String]
    /// nil when the answer does not say (an OBS listing carries no SSE fields).
    public var sseMode: SSEMode?
    /// nil when unknown (a remote HEAD cannot tell a bucket default from an explicit request).
    public var sseOrigin: SSEOrigin?
    /// Bare key id (UUID) for SSE-KMS objects.
    public var kmsKeyID: String?
    /// Full form `<region>:<domain>:key/<uuid>`, as OBS reports it.
    public var kmsKeyURN: String?
    /// Base64 MD5 of the SSE-C key, taken from the request (never stored).
    public var customerKeyMD5: String?
    /// The whole content's CRC-32C obsctl recorded in the object's metadata when it wrote it, as a remote HEAD
    /// read it (kept out of `userMetadata`): what a copy must carry over.
    public var recordedChecksum: String?
    /// The object's storage class as a remote HEAD states it (`STANDARD_IA`, `WARM`, ...); nil when the answer
    /// names none, which S3 and OBS mean as the standard class.
    public var storageClass: String?
    /// The sizes of the parts a multipart upload made it of, in order, where the backend keeps them (the embedded
    /// store: what `?partNumber=N` reads); nil for an object written whole, or when unknown (remote).
    public var partSizes: [Int64]? = nil
    /// The whole content's CRC-32C (base64, as `x-amz-checksum-crc32c`) where the backend keeps one: the embedded
    /// store computes it on every write, and `obsctl serve` answers it in checksum mode.
    public var contentCRC32C: String? = nil
    /// The standard HTTP headers stored with the object (`HeaderMetadata.names`: Cache-Control, Content-Encoding,
    /// ...), answered again on GET and HEAD, where the backend keeps them (the embedded store).
    public var headerMetadata: [String: String] = [:]

    public init(
        bucket: BucketName, key: ObjectKey, size: Int64, etag: String, contentType: String, lastModified: Date,
        userMetadata: [String: String], sseMode: SSEMode?, sseOrigin: SSEOrigin?, kmsKeyID: String? = nil,
        kmsKeyURN: String? = nil, customerKeyMD5: String? = nil, recordedChecksum: String? = nil,
        storageClass: String? = nil
    ) {
        self.bucket = bucket; self.key = key; self.size = size; self.etag = etag; self.contentType = contentType
        self.lastModified = lastModified; self.userMetadata = userMetadata; self.sseMode = sseMode;
        self.sseOrigin = sseOrigin
        self.kmsKeyID = kmsKeyID; self.kmsKeyURN = kmsKeyURN; self.customerKeyMD5 = customerKeyMD5
        self.recordedChecksum = recordedChecksum
        self.storageClass = storageClass
    }
}

/// One page of a listing with `delimiter`: objects and common prefixes, in key order.
public struct ObjectListing: Sendable {
    public var objects: [ObjectInfo]
    public var commonPrefixes: [String]
    public var nextMarker: String?
    /// Entries found but not readable (the embedded backend's damaged metadata), left out of `objects`. A caller
    /// reports them: a listing that drops them silently would look complete when it is not.
    public var unreadable: [UnreadableObject]
    public init(
        objects: [ObjectInfo], commonPrefixes: [String], nextMarker: String?,
        unreadable: [UnreadableObject] = []
    ) {
        self.objects = objects; self.commonPrefixes = commonPrefixes; self.nextMarker = nextMarker
        self.unreadable = unreadable
    }
}

/// An object a listing found but could not read. `error` names it and how to remove it.
public struct UnreadableObject: Sendable {
    /// nil when even the key cannot be told (the metadata naming it is destroyed).
    public var key: ObjectKey?
    public var error: OBSError
    public init(key: ObjectKey?, error: OBSError) { self.key = key; self.error = error }
}

/// What `bucket list` found: the buckets it could read, and those whose record it could not (the embedded
/// backend's damaged `bucket.json`), left out of `buckets` for the caller to report.
public struct BucketListing: Sendable {
    public var buckets: [BucketInfo]
    public var unreadable: [UnreadableBucket]
    public init(buckets: [BucketInfo], unreadable: [UnreadableBucket] = []) {
        self.buckets = buckets; self.unreadable = unreadable
    }
}

/// A bucket a listing found but could not read. `error` names its record and what to do about it.
public struct UnreadableBucket: Sendable {
    public var name: BucketName
    public var error: OBSError
    public init(name: BucketName, error: OBSError) { self.name = name; self.error = error }
}

public struct CreateBucketRequest: Sendable {
    public var name: BucketName
    public var location: String
    public var storageClass: StorageClass
    public var encryption: BucketEncryption?
    public init(name: BucketName, location: String, storageClass: StorageClass, encryption: BucketEncryption?) {
        self.name = name; self.location = location; self.storageClass = storageClass; self.encryption = encryption
    }
}

public struct PutObjectRequest: Sendable {
    public var bucket: BucketName
    public var key: ObjectKey
    /// nil: no SSE asked for, the bucket default applies.
    public var sse: SSERequest?
    public var contentType: String
    public var userMetadata: [String: String]
    public var transfer: TransferOptions
    /// The storage class to write the object in; nil: the server's default (the bucket's class on OBS, standard on
    /// S3). Re-encryption in place passes the object's own, which a copy would otherwise reset.
    public var storageClass: String?
    /// Initiate only: the flexible checksum algorithm the parts will declare (S3's `x-amz-checksum-algorithm`).
    public var checksumAlgorithm: String? = nil
    /// Initiate only: `FULL_OBJECT` when the object's checksum is to be its whole bytes' (S3's
    /// `x-amz-checksum-type`); nil for `COMPOSITE`.
    public var checksumType: String? = nil
    /// Write only if the object is as the caller expects (S3's conditional writes); nil: unconditionally.
    public var precondition: WritePrecondition? = nil
    /// Standard HTTP headers to store with the object and answer on GET and HEAD (`HeaderMetadata`).
    public var headerMetadata: [String: String] = [:]
    public init(
        bucket: BucketName, key: ObjectKey, sse: SSERequest?, contentType: String = "application/octet-stream",
        userMetadata: [String: String] = [:], transfer: TransferOptions = TransferOptions(),
        storageClass: String? = nil
    ) {
        self.bucket = bucket; self.key = key; self.sse = sse; self.contentType = contentType;
        self.userMetadata = userMetadata
        self.transfer = transfer
        self.storageClass = storageClass
    }
}

/// The checksum a remote server verifies an upload's bytes with (a mismatch fails the request).
/// md5: `Content-MD5`, which every S3 and OBS server checks, at the cost of an MD5 pass over the bytes.
/// crc32c: `x-amz-checksum-crc32c`, about ten times cheaper with the CPU's CRC32 instruction, checked by S3 and
/// by the S3-compatible servers that implement flexible checksums. none: no checksum (TLS still protects the bytes).
public enum UploadChecksum: String, Sendable, CaseIterable {
    /// `off`, not `none`: on an `UploadChecksum?` a case named `none` reads as nil.
    case md5, crc32c, off = "none"
}

/// How a remote transfer is cut into parts. The local backend streams any size in one pass and ignores these.
public struct TransferOptions: Sendable, Equatable {
    /// Objects larger than this go up as multipart uploads (obsutil's default: 50 MiB).
    public var multipartThreshold: Int64
    /// nil: chosen from the object size as obsutil does (9 MiB below 100 MiB ... 50 MiB from 5 GiB).
    public var partSize: Int64?
    /// Parts in flight at once, at most (fewer when `requests` has none to spare).
    public var parallelism: Int

    /// nil: crc32c with an S3 signature (v2, v4), md5 with OBS's own (its servers document Content-MD5).
    public var checksum: UploadChecksum?
    /// The run's bound on requests in flight (`--jobs`): the parts after a file's first one start only on spare
    /// requests of it. nil: `parallelism` alone bounds them.
    public var requests: RequestBudget?

    public init(
        multipartThreshold: Int64 = 50 << 20, partSize: Int64? = nil, parallelism: Int = 4,
        checksum: UploadChecksum? = nil, requests: RequestBudget? = nil
    ) {
        self.multipartThreshold = multipartThreshold; self.partSize = partSize; self.parallelism = max(1, parallelism)
        self.checksum = checksum; self.requests = requests
    }
}

public struct GetObjectRequest: Sendable {
    public var bucket: BucketName
    public var key: ObjectKey
    public var customerKey: CustomerKey?
    /// For a remote download into a `RandomAccessSink`: objects larger than `partSize` (default 16 MiB) are
    /// fetched as ranged GETs, up to `parallelism` at a time. The local backend ignores it.
    public var transfer: TransferOptions
    /// The object's size as a listing gave it, if known: it only sizes buffers (a small object needs no large
    /// receive buffer), and is never trusted for the bytes, which may have changed since.
    public var sizeHint: Int64? = nil
    public init(
        bucket: BucketName, key: ObjectKey, customerKey: CustomerKey? = nil,
        transfer: TransferOptions = TransferOptions()
    ) {
        self.bucket = bucket; self.key = key; self.customerKey = customerKey; self.transfer = transfer
    }
}

public struct CopyObjectRequest: Sendable {
    public var source: GetObjectRequest
    public var destination: PutObjectRequest
    /// Keep the source's content type and metadata when the destination names none (OBS's COPY directive).
    public var replaceMetadata: Bool
    /// The source's ETag as the caller read it: a source changed since then fails the copy (412, exit 10) and
    /// nothing is written, so an in-place re-encryption never puts old bytes over a newer write.
    public var sourceIfMatch: String?
    /// The source as the caller's own HEAD read it, its ETag equal to `sourceIfMatch`: the copy then takes its
    /// size and recorded checksum from it instead of reading the source again (the pin makes the server refuse
    /// any other version, so they cannot be stale), and checks the result's encryption from the copy's answer
    /// where the server states it there.
    public var sourceInfo: ObjectInfo?
    public init(
        source: GetObjectRequest, destination: PutObjectRequest, replaceMetadata: Bool, sourceIfMatch: String? = nil,
        sourceInfo: ObjectInfo? = nil
    ) {
        self.source = source; self.destination = destination; self.replaceMetadata = replaceMetadata
        self.sourceIfMatch = sourceIfMatch; self.sourceInfo = sourceInfo
    }
}

/// A multipart upload in progress: its parts are stored, and billed, but are no object until it is completed.
public struct MultipartUploadInfo: Sendable, Equatable {
    public var bucket: BucketName
    public var key: String
    public var uploadID: String
    public var initiated: Date?
    /// The encryption the parts are stored under, where the backend says (S3 and OBS answer it on Initiate).
    public var sseMode: SSEMode? = nil
    public var kmsKeyURN: String? = nil
    /// The class the object will be stored in, where the backend says; nil: STANDARD.
    public var storageClass: String? = nil
    /// The flexible checksum algorithm the upload was initiated with (`PartChecksum.algorithms`), if any.
    public var checksumAlgorithm: String? = nil
    /// `FULL_OBJECT` or `COMPOSITE` when the upload has an algorithm (S3's `ChecksumType`).
    public var checksumType: String? = nil

    public init(bucket: BucketName, key: String, uploadID: String, initiated: Date?) {
        self.bucket = bucket; self.key = key; self.uploadID = uploadID; self.initiated = initiated
    }
}

/// One part of a multipart upload, as UploadPart and ListParts report it.
public struct UploadedPart: Sendable, Equatable {
    public var partNumber: Int
    public var etag: String
    public var size: Int64
    public var lastModified: Date
    /// The encryption the part is stored under, where the backend says (S3 and OBS answer it on UploadPart).
    public var sseMode: SSEMode? = nil
    public var kmsKeyURN: String? = nil
    /// The flexible checksum the part was uploaded with (S3's `x-amz-checksum-*`), verified and kept.
    public var checksum: PartChecksum? = nil

    public init(partNumber: Int, etag: String, size: Int64, lastModified: Date) {
        self.partNumber = partNumber; self.etag = etag; self.size = size; self.lastModified = lastModified
    }
}

/// A part's flexible checksum: `algorithm` as S3's XML names it (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`:
/// `Checksum<algorithm>`), `value` in base64.
public struct PartChecksum: Sendable, Equatable {
    public var algorithm: String
    public var value: String

    public init(algorithm: String, value: String) { self.algorithm = algorithm; self.value = value }

    public static let algorithms = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]

    /// S3's checksum type of an upload of `algorithm` that names none (or was recorded before types were kept):
    /// CRC-64/NVME's only type, FULL_OBJECT; the others' default, COMPOSITE.
    public static func defaultType(of algorithm: String) -> String {
        algorithm == "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE"
    }
}

/// A body that verifies a flexible checksum as it is read (`serve`'s checked body): once read whole, the part it
/// carries keeps that checksum (`MultipartUploads.uploadPart`).
public protocol ChecksummedSource: ByteSource {
    /// The algorithm of the checksum the body declares (`PartChecksum.algorithms`), known before it is read.
    var declaredChecksumAlgorithm: String? { get }
    /// The checksum the body declared, compared with its bytes; nil before its end, or when no value was given.
    var verifiedChecksum: PartChecksum? { get }
}

/// Names one upload of one object. `customerKey`: the SSE-C key of an upload initiated with one, required on every
/// part and on Complete (OBS's rule), never stored.
/// S3's conditional writes (`If-None-Match: *`, `If-Match: ETAG` on PutObject and CompleteMultipartUpload): checked
/// when the write commits, under the lock that orders writes to the object, so no other write slips in between.
public enum WritePrecondition: Sendable, Equatable {
    /// Create only: there must be no object under the key.
    case absent
    /// Replace only this version: the object's ETag (without quotes) must be this one.
    case etag(String)
    /// Replace only: there must be an object under the key (`If-Match: *`).
    case present

    /// The failure when an object `current` (its ETag; nil when there is none) does not meet it, else nil.
    public func failure(current: String?, bucket: String, key: String) -> OBSError? {
        switch (self, current) {
        case (.absent, nil), (.present, _?): return nil
        case (.etag(let wanted), let current?) where wanted == current: return nil
        case (.etag, nil), (.present, nil): return OBSError.noSuchKey(bucket, key)
        default:
            return OBSError(
                code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold",
                httpStatus: 412, category: .conflict, resource: "\(bucket)/\(key)")
        }
    }
}

/// The least every part but the last of a multipart upload must hold: S3's 5 MiB; OBS documents 100 KB, which its
/// SDKs (and obsctl's `--part-size`) take as 100 KiB.
public enum PartSizeMinimum {
    public static let s3: Int64 = 5 << 20
    public static let obs: Int64 = 100 << 10
}

public struct MultipartUploadTarget: Sendable {
    public var bucket: BucketName
    public var key: ObjectKey
    public var uploadID: String
    public var customerKey: CustomerKey?
    /// Complete only if the object is as the caller expects; nil: unconditionally.
    public var precondition: WritePrecondition? = nil
    /// Complete only if the parts listed hold this many bytes in all (S3's `x-amz-mp-object-size`); nil: any.
    public var expectedSize: Int64? = nil
    /// Complete only if every part but the last holds at least this many bytes: S3's rule unless the caller speaks
    /// for OBS (`PartSizeMinimum`).
    public var minimumPartSize: Int64 = PartSizeMinimum.s3

    public init(bucket: BucketName, key: ObjectKey, uploadID: String, customerKey: CustomerKey? = nil) {
        self.bucket = bucket; self.key = key; self.uploadID = uploadID; self.customerKey = customerKey
    }
}
