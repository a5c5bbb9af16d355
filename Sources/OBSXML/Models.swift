import Foundation

/// Which vocabulary a request body uses. OBS's own scheme says `<Location>` and `kms`; the S3-compatible (AWS
/// signature) scheme says `<LocationConstraint>` and `aws:kms`. `AES256` is the same in both.
public enum XMLDialect: Sendable {
    case obs, aws
}

/// The fields of an `<Error>` response body.
public struct ServiceError: Sendable, Equatable {
    public var code: String
    public var message: String
    public var requestID: String?
    public var hostID: String?
    public var resource: String?

    public init(code: String, message: String, requestID: String? = nil, hostID: String? = nil, resource: String? = nil)
    {
        self.code = code; self.message = message; self.requestID = requestID; self.hostID = hostID;
        self.resource = resource
    }
}

/// One `<Bucket>` of a ListBuckets (`ListAllMyBucketsResult`) response. `location` is only present when OBS was asked
/// for it (`x-obs-location: true`).
public struct ListedBucket: Sendable, Equatable {
    public var name: String
    public var creationDate: Date?
    public var location: String?

    public init(name: String, creationDate: Date?, location: String?) {
        self.name = name; self.creationDate = creationDate; self.location = location
    }
}

/// One `<Contents>` entry of a ListObjects response. `etag` keeps its quotes as sent.
public struct ListedObject: Sendable, Equatable {
    public var key: String
    public var lastModified: Date?
    public var etag: String
    public var size: Int64
    public var storageClass: String?

    public init(key: String, lastModified: Date?, etag: String, size: Int64, storageClass: String?) {
        self.key = key; self.lastModified = lastModified; self.etag = etag; self.size = size;
        self.storageClass = storageClass
    }
}

/// One page of a ListObjects (v1) response, keys already percent-decoded when the server used `EncodingType=url`.
public struct ObjectListPage: Sendable, Equatable {
    public var objects: [ListedObject]
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    /// Where the next page starts: nil when the listing is complete. `NextMarker` when the server sent one, else the
    /// later (in byte order) of the last key and the last common prefix.
    public var nextMarker: String?

    public init(objects: [ListedObject], commonPrefixes: [String], isTruncated: Bool, nextMarker: String?) {
        self.objects = objects; self.commonPrefixes = commonPrefixes; self.isTruncated = isTruncated;
        self.nextMarker = nextMarker
    }
}

/// One `<Upload>` of a ListMultipartUploads response: a multipart upload begun and neither completed nor aborted.
public struct ListedUpload: Sendable, Equatable {
    public var key: String
    public var uploadID: String
    public var initiated: Date?
    /// The class the object will have, as the server names it; nil: the page's (`UploadListResponse`).
    public var storageClass: String?
    /// The flexible checksum algorithm the upload was initiated with (S3's `ChecksumAlgorithm`), if any, and its
    /// `ChecksumType` (`FULL_OBJECT` or `COMPOSITE`).
    public var checksumAlgorithm: String?
    public var checksumType: String?

    public init(
        key: String, uploadID: String, initiated: Date?, storageClass: String? = nil, checksumAlgorithm: String? = nil,
        checksumType: String? = nil
    ) {
        self.key = key; self.uploadID = uploadID; self.initiated = initiated; self.storageClass = storageClass
        self.checksumAlgorithm = checksumAlgorithm; self.checksumType = checksumType
    }
}

/// One page of a ListMultipartUploads response; the markers are where the next page starts (nil when complete).
public struct UploadListPage: Sendable, Equatable {
    public var uploads: [ListedUpload]
    public var isTruncated: Bool
    public var nextKeyMarker: String?
    public var nextUploadIDMarker: String?

    public init(uploads: [ListedUpload], isTruncated: Bool, nextKeyMarker: String?, nextUploadIDMarker: String?) {
        self.uploads = uploads; self.isTruncated = isTruncated; self.nextKeyMarker = nextKeyMarker;
        self.nextUploadIDMarker = nextUploadIDMarker
    }
}

/// A DeleteObjects (`POST /?delete`) response: keys deleted and per-key failures. With `Quiet` the server lists only
/// the failures.
public struct DeleteResult: Sendable, Equatable {
    public var deleted: [String]
    public var errors: [(key: String, code: String, message: String)]

    public init(deleted: [String], errors: [(key: String, code: String, message: String)]) {
        self.deleted = deleted; self.errors = errors
    }

    public static func == (a: DeleteResult, b: DeleteResult) -> Bool {
        a.deleted == b.deleted
            && a.errors.count == b.errors.count
            && zip(a.errors, b.errors).allSatisfy { $0.key == $1.key && $0.code == $1.code && $0.message == $1.message }
    }
}
