import Foundation
import OBSCore

/// The account in `<Owner>` and `<Initiator>`. OBS writes only the id (the domain id); S3 adds a display name
/// (the id when none is given).
public struct XMLOwner: Sendable, Equatable {
    public var id: String
    public var displayName: String?

    public init(id: String, displayName: String? = nil) { self.id = id; self.displayName = displayName }
}

/// The fields of an `<Error>` body beyond `ServiceError`'s, in the order given, written between `Message` and
/// `RequestId` as S3 does: `BucketName`, `Key`, or the signature details `signatureMismatch` makes.
public typealias ErrorDetails = [(name: String, value: String)]

/// One page of ListObjects (v1) or ListObjectsV2, as the request asked for it.
public struct ObjectListingResponse: Sendable {
    /// The paging fields that differ between the two versions.
    public enum Version: Sendable, Equatable {
        /// `Marker` (the request's, empty when none) and `NextMarker` (when truncated; S3 sends it only with a
        /// delimiter, OBS always).
        case v1(marker: String, nextMarker: String?)
        /// `ContinuationToken` and `StartAfter` echo the request; `NextContinuationToken` when truncated. The tokens
        /// are the server's own, opaque and never URL-encoded.
        case v2(continuationToken: String?, nextContinuationToken: String?, startAfter: String?)
    }

    public var bucket: String
    public var prefix: String
    public var delimiter: String?
    public var maxKeys: Int
    public var isTruncated: Bool
    public var objects: [ListedObject]
    public var commonPrefixes: [String]
    /// Written in every `Contents` when set: always in v1, in v2 only with `fetch-owner=true`.
    public var owner: XMLOwner?
    /// The request said `encoding-type=url`.
    public var urlEncoded: Bool
    public var version: Version

    public init(
        bucket: String, prefix: String, delimiter: String?, maxKeys: Int, isTruncated: Bool, objects: [ListedObject],
        commonPrefixes: [String], owner: XMLOwner?, urlEncoded: Bool, version: Version
    ) {
        self.bucket = bucket; self.prefix = prefix; self.delimiter = delimiter; self.maxKeys = maxKeys
        self.isTruncated = isTruncated; self.objects = objects; self.commonPrefixes = commonPrefixes
        self.owner = owner; self.urlEncoded = urlEncoded; self.version = version
    }
}

/// One page of ListParts (`GET /key?uploadId=`).
public struct PartListResponse: Sendable {
    public var bucket: String
    public var key: String
    public var uploadID: String
    public var owner: XMLOwner
    public var storageClass: String
    /// The request's `part-number-marker` (0 when none).
    public var partNumberMarker: Int
    /// The last part number of this page, where the next one starts; nil when the page is empty.
    public var nextPartNumberMarker: Int?
    public var maxParts: Int
    public var isTruncated: Bool
    public var parts: [UploadedPart]
    public var urlEncoded: Bool
    /// The flexible checksum algorithm the upload was initiated with (S3's `ChecksumAlgorithm`), if any, and its
    /// `ChecksumType`.
    public var checksumAlgorithm: String? = nil
    public var checksumType: String? = nil

    public init(
        bucket: String, key: String, uploadID: String, owner: XMLOwner, storageClass: String = "STANDARD",
        partNumberMarker: Int, nextPartNumberMarker: Int?, maxParts: Int, isTruncated: Bool, parts: [UploadedPart],
        urlEncoded: Bool = false
    ) {
        self.bucket = bucket; self.key = key; self.uploadID = uploadID; self.owner = owner
        self.storageClass = storageClass; self.partNumberMarker = partNumberMarker
        self.nextPartNumberMarker = nextPartNumberMarker; self.maxParts = maxParts; self.isTruncated = isTruncated
        self.parts = parts; self.urlEncoded = urlEncoded
    }
}

/// One page of ListMultipartUploads (`GET /?uploads`).
public struct UploadListResponse: Sendable {
    public var bucket: String
    /// The request's `key-marker` and `upload-id-marker` (empty when none).
    public var keyMarker: String
    public var uploadIDMarker: String
    /// Where the next page starts; written when truncated.
    public var nextKeyMarker: String?
    public var nextUploadIDMarker: String?
    public var prefix: String
    public var delimiter: String?
    public var maxUploads: Int
    public var isTruncated: Bool
    public var uploads: [ListedUpload]
    public var commonPrefixes: [String]
    public var owner: XMLOwner
    public var storageClass: String
    public var urlEncoded: Bool

    public init(
        bucket: String, keyMarker: String = "", uploadIDMarker: String = "", nextKeyMarker: String?,
        nextUploadIDMarker: String?, prefix: String, delimiter: String? = nil, maxUploads: Int, isTruncated: Bool,
        uploads: [ListedUpload], commonPrefixes: [String] = [], owner: XMLOwner, storageClass: String = "STANDARD",
        urlEncoded: Bool = false
    ) {
        self.bucket = bucket; self.keyMarker = keyMarker; self.uploadIDMarker = uploadIDMarker
        self.nextKeyMarker = nextKeyMarker; self.nextUploadIDMarker = nextUploadIDMarker; self.prefix = prefix
        self.delimiter = delimiter; self.maxUploads = maxUploads; self.isTruncated = isTruncated
        self.uploads = uploads; self.commonPrefixes = commonPrefixes; self.owner = owner
        self.storageClass = storageClass; self.urlEncoded = urlEncoded
    }
}

extension ListedObject {
    /// A listing entry for an object as the storage reports it (no class: STANDARD).
    public init(_ info: ObjectInfo) {
        self.init(
            key: info.key.value, lastModified: info.lastModified, etag: info.etag, size: info.size,
            storageClass: info.storageClass ?? "STANDARD")
    }
}
