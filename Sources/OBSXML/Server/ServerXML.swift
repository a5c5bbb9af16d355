import Foundation
import OBSCore
import OBSCrypto

/// The response bodies `obsctl serve` writes, in OBS's dialect for OBS-signed requests and S3's for the rest: UTF-8
/// with an XML declaration, the dialect's default namespace on the root (none on `<Error>`, as both services do),
/// times as `2006-02-03T16:45:09.000Z`, ETags in quotes. Each is the counterpart of a client parser
/// (`OBSXMLParser`, botocore, esdk-obs-python).
///
/// Text is escaped as `XMLWriter` does (`&<>"'`, CR as `&#13;`). A character XML 1.0 cannot carry at all (a C0
/// control other than tab, LF and CR) is written as a character reference in what teaches the client keys (the
/// listings, DeleteResult), as S3 does, which XML 1.0 parsers refuse: such keys can only be listed with
/// `encoding-type=url`, on S3 as here, and a wrong key is never handed out. Where the key is only echoed (errors,
/// multipart answers) it is replaced by U+FFFD instead, so that the answer stays readable.
public enum ServerXML {
    /// `<Error>`: `Code`, `Message`, `Resource` (when set), `details`, `RequestId`, `HostId`; always readable (a
    /// key with a control character in it shows U+FFFD there), so that the client gets at least the code.
    public static func error(_ e: ServiceError, details: ErrorDetails = []) -> [UInt8] {
        ServerXMLSupport.document("Error", namespace: nil) { x in
            x.element("Code", readable: e.code)
            x.element("Message", readable: e.message)
            if let resource = e.resource { x.element("Resource", readable: resource) }
            for (name, value) in details { x.element(name, readable: value) }
            if let id = e.requestID { x.element("RequestId", readable: id) }
            if let host = e.hostID { x.element("HostId", readable: host) }
        }
    }

    /// The details of a `SignatureDoesNotMatch` error, as S3 gives them, so that a client can see where its
    /// signing differed: the access key id (`AWSAccessKeyId` in the S3 dialect, `AccessKeyId` in OBS's), the
    /// string to sign and its bytes in hex, the signature provided, and for SigV4 the canonical request and its bytes.
    public static func signatureMismatch(
        accessKeyID: String, stringToSign: String, signatureProvided: String, canonicalRequest: String? = nil,
        dialect: XMLDialect
    ) -> ErrorDetails {
        var d: ErrorDetails = [
            (dialect == .aws ? "AWSAccessKeyId" : "AccessKeyId", accessKeyID),
            ("StringToSign", stringToSign),
            ("SignatureProvided", signatureProvided),
            ("StringToSignBytes", hexBytes(stringToSign)),
        ]
        if let canonicalRequest {
            d += [("CanonicalRequest", canonicalRequest), ("CanonicalRequestBytes", hexBytes(canonicalRequest))]
        }
        return d
    }

    /// Each UTF-8 byte as two lower-case hex digits, separated by spaces (S3's `StringToSignBytes`).
    static func hexBytes(_ text: String) -> String {
        let hex = Array(Hex.encode(text.utf8).utf8)
        return stride(from: 0, to: hex.count, by: 2).map { String(decoding: hex[$0..<$0 + 2], as: UTF8.self) }
            .joined(separator: " ")
    }

    /// ListBuckets: `ListAllMyBucketsResult{Owner, Buckets/Bucket*{Name, CreationDate, Location?}}`. A bucket's
    /// `Location` is written when set: the caller sets it when the request asked (`x-obs-location: true`).
    /// `prefix`: the one asked for, echoed; `continuationToken`: where the next page starts, when this one is cut.
    public static func listBuckets(
        _ buckets: [ListedBucket], owner: XMLOwner, dialect: XMLDialect, prefix: String? = nil,
        continuationToken: String? = nil
    ) -> [UInt8] {
        ServerXMLSupport.document("ListAllMyBucketsResult", namespace: dialect.namespace) { x in
            x.owner("Owner", owner, dialect)
            x.open("Buckets")
            for b in buckets {
                x.open("Bucket")
                x.element("Name", b.name)
                if let created = b.creationDate { x.element("CreationDate", created) }
                if let location = b.location { x.element("Location", location) }
                x.close("Bucket")
            }
            x.close("Buckets")
            if let continuationToken { x.element("ContinuationToken", continuationToken) }
            if let prefix { x.element("Prefix", prefix) }
        }
    }

    /// ListObjects v1 or v2 (`ListBucketResult`). With `urlEncoded` the keys, common prefixes, `Prefix`,
    /// `Delimiter`, `Marker`, `NextMarker` and `StartAfter` are percent-encoded and `EncodingType` says `url`.
    public static func listObjects(_ page: ObjectListingResponse, dialect: XMLDialect) -> [UInt8] {
        listing("ListBucketResult", page, dialect: dialect, entry: "Contents") { x in
            let url = page.urlEncoded
            switch page.version {
            case .v1(let marker, let nextMarker):
                x.element("Marker", marker, urlEncoded: url)
                if page.isTruncated, let next = nextMarker { x.element("NextMarker", next, urlEncoded: url) }
            case .v2(let token, let nextToken, let startAfter):
                x.element("KeyCount", page.objects.count + page.commonPrefixes.count)
                if let token { x.element("ContinuationToken", token) }
                if page.isTruncated, let next = nextToken { x.element("NextContinuationToken", next) }
                if let startAfter { x.element("StartAfter", startAfter, urlEncoded: url) }
            }
        }
    }

    /// ListObjectVersions of a store without versioning: each object is its only version, `VersionId` null and
    /// latest, as S3 and OBS list a bucket that never had versioning. `page.version` is `.v1` with the key markers.
    public static func listVersions(_ page: ObjectListingResponse, dialect: XMLDialect) -> [UInt8] {
        listing("ListVersionsResult", page, dialect: dialect, entry: "Version") { x in
            guard case .v1(let marker, let nextMarker) = page.version else { return }
            x.element("KeyMarker", marker, urlEncoded: page.urlEncoded)
            x.element("VersionIdMarker", "")
            if page.isTruncated, let next = nextMarker {
                x.element("NextKeyMarker", next, urlEncoded: page.urlEncoded)
                x.element("NextVersionIdMarker", "null")
            }
        }
    }

    /// The one writer of a listing document: the elements every listing shares, in S3's order, around `markers`
    /// (the paging elements, which differ per listing), then the entries.
    private static func listing(
        _ root: String, _ page: ObjectListingResponse, dialect: XMLDialect, entry: String,
        markers: (inout XMLWriter) -> Void
    ) -> [UInt8] {
        let url = page.urlEncoded
        return ServerXMLSupport.document(root, namespace: dialect.namespace) { x in
            x.element("Name", page.bucket)
            x.element("Prefix", page.prefix, urlEncoded: url)
            markers(&x)
            x.element("MaxKeys", page.maxKeys)
            if let d = page.delimiter { x.element("Delimiter", d, urlEncoded: url) }
            if url { x.element("EncodingType", "url") }
            x.element("IsTruncated", page.isTruncated)
            entries(&x, page, dialect: dialect, element: entry)
        }
    }

    /// The objects and common prefixes of a listing page; `Version` entries (ListObjectVersions) also state each
    /// object as its own only version.
    private static func entries(
        _ x: inout XMLWriter, _ page: ObjectListingResponse, dialect: XMLDialect, element: String
    ) {
        let url = page.urlEncoded
        for o in page.objects {
            x.open(element)
            x.element("Key", o.key, urlEncoded: url)
            if element == "Version" {
                x.element("VersionId", "null")
                x.element("IsLatest", true)
            }
            if let modified = o.lastModified { x.element("LastModified", modified) }
            x.element("ETag", ServerXMLSupport.quotedETag(o.etag))
            x.element("Size", o.size)
            if let owner = page.owner { x.owner("Owner", owner, dialect) }
            x.element("StorageClass", o.storageClass ?? "STANDARD")
            x.close(element)
        }
        for p in page.commonPrefixes {
            x.open("CommonPrefixes")
            x.element("Prefix", p, urlEncoded: url)
            x.close("CommonPrefixes")
        }
    }

    /// GetBucketVersioning of a bucket that never had versioning: an empty `VersioningConfiguration`, as S3 and OBS
    /// answer then.
    public static func versioningNeverEnabled(dialect: XMLDialect) -> [UInt8] {
        ServerXMLSupport.document("VersioningConfiguration", namespace: dialect.namespace) { _ in }
    }

    /// GetBucketLocation: `<Location>` in OBS's dialect, `<LocationConstraint>` in S3's, the region as text.
    public static func location(_ region: String, dialect: XMLDialect) -> [UInt8] {
        ServerXMLSupport.document(dialect == .obs ? "Location" : "LocationConstraint", namespace: dialect.namespace) {
            $0.text(region)
        }
    }

    /// GetBucketEncryption: `ServerSideEncryptionConfiguration/Rule/ApplyServerSideEncryptionByDefault/
    /// {SSEAlgorithm, KMSMasterKeyID?}`, the algorithm `kms` (OBS) or `aws:kms` (S3) for SSE-KMS, `AES256` for
    /// SSE-OBS; the key id only when the bucket names one.
    public static func bucketEncryption(_ e: BucketEncryption, dialect: XMLDialect) -> [UInt8] {
        ServerXMLSupport.document("ServerSideEncryptionConfiguration", namespace: dialect.namespace) { x in
            x.open("Rule")
            x.open("ApplyServerSideEncryptionByDefault")
            switch e {
            case .obs: x.element("SSEAlgorithm", "AES256")
            case .kms: x.element("SSEAlgorithm", dialect == .obs ? "kms" : "aws:kms")
            }
            if let key = e.kmsKeyID, !key.isEmpty { x.element("KMSMasterKeyID", key) }
            x.close("ApplyServerSideEncryptionByDefault")
            x.close("Rule")
        }
    }

    /// InitiateMultipartUpload: `InitiateMultipartUploadResult{Bucket, Key, UploadId}`.
    public static func initiateMultipartUpload(
        bucket: String, key: String, uploadID: String, urlEncoded: Bool = false, dialect: XMLDialect
    ) -> [UInt8] {
        ServerXMLSupport.document("InitiateMultipartUploadResult", namespace: dialect.namespace) { x in
            x.element("Bucket", bucket)
            x.element("Key", echo: key, urlEncoded: urlEncoded)
            x.element("UploadId", uploadID)
            if urlEncoded { x.element("EncodingType", "url") }
        }
    }

    /// CompleteMultipartUpload: `CompleteMultipartUploadResult{Location, Bucket, Key, ETag}`; `location` is the
    /// object's URL.
    public static func completeMultipartUpload(
        location: String, bucket: String, key: String, etag: String, urlEncoded: Bool = false, dialect: XMLDialect
    ) -> [UInt8] {
        ServerXMLSupport.document("CompleteMultipartUploadResult", namespace: dialect.namespace) { x in
            x.element("Location", location)
            x.element("Bucket", bucket)
            x.element("Key", echo: key, urlEncoded: urlEncoded)
            x.element("ETag", ServerXMLSupport.quotedETag(etag))
            if urlEncoded { x.element("EncodingType", "url") }
        }
    }

    /// CopyObject: `CopyObjectResult{LastModified, ETag}`.
    public static func copyObject(etag: String, lastModified: Date, dialect: XMLDialect) -> [UInt8] {
        copyResult("CopyObjectResult", etag: etag, lastModified: lastModified, dialect: dialect)
    }

    /// UploadPart-Copy: `CopyPartResult{LastModified, ETag, Checksum<ALGORITHM>?}`, the checksum when the upload
    /// was initiated with an algorithm (S3 computes the copied part's then).
    public static func copyPart(etag: String, lastModified: Date, checksum: PartChecksum? = nil, dialect: XMLDialect)
        -> [UInt8]
    {
        copyResult("CopyPartResult", etag: etag, lastModified: lastModified, checksum: checksum, dialect: dialect)
    }

    private static func copyResult(
        _ root: String, etag: String, lastModified: Date, checksum: PartChecksum? = nil, dialect: XMLDialect
    ) -> [UInt8] {
        ServerXMLSupport.document(root, namespace: dialect.namespace) { x in
            x.element("LastModified", lastModified)
            x.element("ETag", ServerXMLSupport.quotedETag(etag))
            if let checksum { x.element("Checksum" + checksum.algorithm, checksum.value) }
        }
    }

    /// ListParts: `ListPartsResult{Bucket, Key, UploadId, Initiator, Owner, StorageClass, ChecksumAlgorithm?,
    /// ChecksumType?, PartNumberMarker, NextPartNumberMarker, MaxParts, IsTruncated, Part*{PartNumber,
    /// LastModified, ETag, Size, Checksum<ALGORITHM>?}}`.
    public static func listParts(_ page: PartListResponse, dialect: XMLDialect) -> [UInt8] {
        ServerXMLSupport.document("ListPartsResult", namespace: dialect.namespace) { x in
            x.element("Bucket", page.bucket)
            x.element("Key", echo: page.key, urlEncoded: page.urlEncoded)
            x.element("UploadId", page.uploadID)
            x.owner("Initiator", page.owner, dialect)
            x.owner("Owner", page.owner, dialect)
            x.element("StorageClass", page.storageClass)
            if let algorithm = page.checksumAlgorithm {
                x.element("ChecksumAlgorithm", algorithm)
                x.element("ChecksumType", page.checksumType ?? "COMPOSITE")
            }
            x.element("PartNumberMarker", page.partNumberMarker)
            if let next = page.nextPartNumberMarker { x.element("NextPartNumberMarker", next) }
            x.element("MaxParts", page.maxParts)
            x.element("IsTruncated", page.isTruncated)
            if page.urlEncoded { x.element("EncodingType", "url") }
            for p in page.parts {
                x.open("Part")
                x.element("PartNumber", p.partNumber)
                x.element("LastModified", p.lastModified)
                x.element("ETag", ServerXMLSupport.quotedETag(p.etag))
                x.element("Size", p.size)
                if let checksum = p.checksum { x.element("Checksum" + checksum.algorithm, checksum.value) }
                x.close("Part")
            }
        }
    }

    /// ListMultipartUploads: `ListMultipartUploadsResult{Bucket, KeyMarker, UploadIdMarker, NextKeyMarker,
    /// NextUploadIdMarker, Prefix, Delimiter, MaxUploads, IsTruncated, Upload*{Key, UploadId, Initiator, Owner,
    /// StorageClass, Initiated, ChecksumAlgorithm?, ChecksumType?}, CommonPrefixes*}`. The next markers are written
    /// only for a truncated page.
    public static func listMultipartUploads(_ page: UploadListResponse, dialect: XMLDialect) -> [UInt8] {
        let url = page.urlEncoded
        return ServerXMLSupport.document("ListMultipartUploadsResult", namespace: dialect.namespace) { x in
            x.element("Bucket", page.bucket)
            x.element("KeyMarker", page.keyMarker, urlEncoded: url)
            x.element("UploadIdMarker", page.uploadIDMarker)
            if page.isTruncated {
                if let next = page.nextKeyMarker { x.element("NextKeyMarker", next, urlEncoded: url) }
                if let next = page.nextUploadIDMarker { x.element("NextUploadIdMarker", next) }
            }
            x.element("Prefix", page.prefix, urlEncoded: url)
            if let d = page.delimiter { x.element("Delimiter", d, urlEncoded: url) }
            x.element("MaxUploads", page.maxUploads)
            if url { x.element("EncodingType", "url") }
            x.element("IsTruncated", page.isTruncated)
            for u in page.uploads {
                x.open("Upload")
                x.element("Key", u.key, urlEncoded: url)
                x.element("UploadId", u.uploadID)
                x.owner("Initiator", page.owner, dialect)
                x.owner("Owner", page.owner, dialect)
                x.element("StorageClass", u.storageClass ?? page.storageClass)
                if let initiated = u.initiated { x.element("Initiated", initiated) }
                if let algorithm = u.checksumAlgorithm {
                    x.element("ChecksumAlgorithm", algorithm)
                    x.element("ChecksumType", u.checksumType ?? "COMPOSITE")
                }
                x.close("Upload")
            }
            for p in page.commonPrefixes {
                x.open("CommonPrefixes")
                x.element("Prefix", p, urlEncoded: url)
                x.close("CommonPrefixes")
            }
        }
    }

    /// DeleteObjects: `DeleteResult{Deleted*{Key}, Error*{Key, Code, Message}}`. `quiet` (the request's `Quiet`)
    /// leaves out the keys deleted; `urlEncoded` (the request's `EncodingType`) percent-encodes the keys.
    public static func deleteResult(_ result: DeleteResult, quiet: Bool, urlEncoded: Bool = false, dialect: XMLDialect)
        -> [UInt8]
    {
        ServerXMLSupport.document("DeleteResult", namespace: dialect.namespace) { x in
            if urlEncoded { x.element("EncodingType", "url") }
            if !quiet {
                for key in result.deleted {
                    x.open("Deleted")
                    x.element("Key", key, urlEncoded: urlEncoded)
                    x.close("Deleted")
                }
            }
            for e in result.errors {
                x.open("Error")
                x.element("Key", e.key, urlEncoded: urlEncoded)
                x.element("Code", e.code)
                x.element("Message", e.message)
                x.close("Error")
            }
        }
    }
}
