import Foundation
import OBSCore
import OBSTime

/// Strict readers for OBS and S3 response bodies. Element names are matched without regard to namespace (OBS says
/// `xmlns="http://obs.<region>.myhuaweicloud.com/doc/2015-06-30/"`, S3 `http://s3.amazonaws.com/doc/2006-03-01/`).
///
/// Every parser throws `OBSError` with code `MalformedXML` (category `.general`, `httpStatus` 0, a message naming the
/// response and what was wrong) for an empty, truncated or otherwise malformed body, a body with a DTD, the wrong root
/// element, or a missing or unreadable required field. None returns partial data. A well-formed `<Error>` document
/// where a result was expected (S3 and OBS can answer 200 and still fail, e.g. CompleteMultipartUpload and copies)
/// throws an `OBSError` carrying that document's code, message, request id and resource.
public enum OBSXMLParser {
    /// The fields of an `<Error>` document; nil when the body is not a well-formed `<Error>` document (including an
    /// empty body: HEAD answers and some 4xx/5xx have none).
    public static func error(_ body: [UInt8]) -> ServiceError? {
        guard let root = try? XMLTree.parse(body, what: "error response"), root.name == "Error" else { return nil }
        return serviceError(root)
    }

    /// ListBuckets: `ListAllMyBucketsResult/Buckets/Bucket/{Name, CreationDate, Location?}`.
    public static func listBuckets(_ body: [UInt8]) throws -> [ListedBucket] {
        let what = "ListBuckets response"
        let root = try document(body, roots: ["ListAllMyBucketsResult"], what: what)
        return try (root.child("Buckets")?.children("Bucket") ?? []).enumerated().map { index, bucket in
            let name = try required(bucket, "Name", what: what, in: "Bucket #\(index + 1)")
            return ListedBucket(
                name: name,
                creationDate: try date(bucket, "CreationDate", what: what),
                location: optional(bucket, "Location"))
        }
    }

    /// ListObjects (v1): `ListBucketResult{IsTruncated, NextMarker, EncodingType, Contents*, CommonPrefixes/Prefix*}`.
    /// With `EncodingType=url` the keys, common prefixes and `NextMarker` are percent-decoded (`+` is a space).
    /// `nextMarker` is nil unless `IsTruncated` is true; then it is `NextMarker`, or when that is missing the later
    /// (byte order) of the last key and the last common prefix. A truncated page with neither throws: it would
    /// otherwise make the caller list the same page again forever.
    public static func listObjects(_ body: [UInt8]) throws -> ObjectListPage {
        let what = "ListObjects response"
        let root = try document(body, roots: ["ListBucketResult"], what: what)
        let urlEncoded: Bool
        switch root.child("EncodingType").map({ XMLValue.trimmed($0.text).lowercased() }) {
        case nil, "": urlEncoded = false
        case "url": urlEncoded = true
        case let other?: throw XMLTree.malformed(what, "unknown EncodingType '\(other)' (only 'url' is defined)")
        }
        func decoded(_ raw: String, _ field: String) throws -> String {
            guard urlEncoded else { return raw }
            guard let s = XMLValue.urlDecoded(raw) else {
                throw XMLTree.malformed(what, "\(field) '\(raw)' is not valid URL encoding (EncodingType=url)")
            }
            return s
        }

        let isTruncated = try truncated(root, what: what)

        let objects: [ListedObject] = try root.children("Contents").enumerated().map { index, entry in
            let place = "Contents #\(index + 1)"
            guard let keyNode = entry.child("Key") else { throw XMLTree.malformed(what, "\(place) has no Key") }
            let key = try decoded(keyNode.text, "Key")
            guard !key.isEmpty else { throw XMLTree.malformed(what, "\(place) has an empty Key") }
            guard let sizeNode = entry.child("Size") else {
                throw XMLTree.malformed(what, "\(place) (\(key)) has no Size")
            }
            guard let size = XMLValue.size(sizeNode.text) else {
                throw XMLTree.malformed(what, "\(place) (\(key)) has Size '\(sizeNode.text)', not a byte count")
            }
            return ListedObject(
                key: key,
                lastModified: try date(entry, "LastModified", what: what),
                etag: entry.child("ETag").map { XMLValue.trimmed($0.text) } ?? "",
                size: size,
                storageClass: optional(entry, "StorageClass"))
        }

        let prefixes: [String] = try root.children("CommonPrefixes").flatMap { group in
            try group.children("Prefix").map { try decoded($0.text, "CommonPrefixes/Prefix") }
        }

        var nextMarker: String? = nil
        if isTruncated {
            if let raw = root.child("NextMarker")?.text, !raw.isEmpty {
                nextMarker = try decoded(raw, "NextMarker")
            } else {
                let candidates = [objects.last?.key, prefixes.last].compactMap { $0 }
                nextMarker = candidates.max { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
            }
            guard nextMarker != nil else {
                throw XMLTree.malformed(
                    what, "IsTruncated is true but there is no NextMarker, key or common prefix to continue from")
            }
        }
        return ObjectListPage(
            objects: objects, commonPrefixes: prefixes, isTruncated: isTruncated, nextMarker: nextMarker)
    }

    /// ListMultipartUploads (`GET /?uploads`), requested without `encoding-type` (SeaweedFS labels its keys
    /// `url`-encoded without encoding them). A truncated page continues from the `NextKeyMarker` and
    /// `NextUploadIdMarker` the server gave, and only those, as awscli does: SeaweedFS pages by upload id alone and
    /// sends no NextKeyMarker, and a key marker made up from the last key would skip what follows it.
    /// Whether a ListObjectVersions page (`?versions`) holds any version or delete marker.
    public static func listsVersions(_ body: [UInt8]) throws -> Bool {
        let root = try document(body, roots: ["ListVersionsResult"], what: "ListObjectVersions response")
        return root.child("Version") != nil || root.child("DeleteMarker") != nil
    }

    public static func listMultipartUploads(_ body: [UInt8]) throws -> UploadListPage {
        let what = "ListMultipartUploads response"
        let root = try document(body, roots: ["ListMultipartUploadsResult"], what: what)
        let isTruncated = try truncated(root, what: what)
        let uploads: [ListedUpload] = try root.children("Upload").enumerated().map { index, entry in
            let place = "Upload #\(index + 1)"
            guard let key = entry.child("Key")?.text, !key.isEmpty else {
                throw XMLTree.malformed(what, "\(place) has no Key")
            }
            guard let id = entry.child("UploadId").map({ XMLValue.trimmed($0.text) }), !id.isEmpty else {
                throw XMLTree.malformed(what, "\(place) (\(key)) has no UploadId")
            }
            return ListedUpload(key: key, uploadID: id, initiated: try date(entry, "Initiated", what: what))
        }
        guard isTruncated else {
            return UploadListPage(uploads: uploads, isTruncated: false, nextKeyMarker: nil, nextUploadIDMarker: nil)
        }
        // The key marker as sent, spaces included (a key may end in one); the upload id trimmed.
        let keyMarker = root.child("NextKeyMarker").map(\.text).flatMap { $0.isEmpty ? nil : $0 }
        let idMarker = optional(root, "NextUploadIdMarker")
        guard keyMarker != nil || idMarker != nil else {
            throw XMLTree.malformed(
                what, "IsTruncated is true but there is no NextKeyMarker or NextUploadIdMarker to continue from")
        }
        return UploadListPage(
            uploads: uploads, isTruncated: true, nextKeyMarker: keyMarker, nextUploadIDMarker: idMarker)
    }

    /// `IsTruncated`: false when absent.
    private static func truncated(_ root: XMLNode, what: String) throws -> Bool {
        guard let t = root.child("IsTruncated") else { return false }
        guard let b = XMLValue.bool(t.text) else {
            throw XMLTree.malformed(what, "IsTruncated is '\(t.text)', not true or false")
        }
        return b
    }

    /// GetBucketEncryption: `ServerSideEncryptionConfiguration/Rule/ApplyServerSideEncryptionByDefault`.
    /// `kms` and `aws:kms` give `.kms(keyID:)` with `KMSMasterKeyID` (nil when absent or empty); `AES256` gives `.obs`.
    /// Any other algorithm throws rather than being mistaken for one of these.
    public static func bucketEncryption(_ body: [UInt8]) throws -> BucketEncryption {
        let what = "GetBucketEncryption response"
        let root = try document(body, roots: ["ServerSideEncryptionConfiguration"], what: what)
        guard let rule = root.descendant("Rule", "ApplyServerSideEncryptionByDefault") else {
            throw XMLTree.malformed(what, "no Rule/ApplyServerSideEncryptionByDefault element")
        }
        let algorithm = try required(rule, "SSEAlgorithm", what: what, in: "ApplyServerSideEncryptionByDefault")
        switch algorithm {
        case "kms", "aws:kms": return .kms(keyID: optional(rule, "KMSMasterKeyID"))
        case "AES256": return .obs
        default:
            throw XMLTree.malformed(what, "unsupported SSEAlgorithm '\(algorithm)' (expected kms, aws:kms or AES256)")
        }
    }

    /// GetBucketLocation: the text of `<Location>` (OBS) or `<LocationConstraint>` (S3); empty gives "".
    public static func location(_ body: [UInt8]) throws -> String {
        let root = try document(body, roots: ["Location", "LocationConstraint"], what: "GetBucketLocation response")
        return XMLValue.trimmed(root.text)
    }

    /// InitiateMultipartUpload: `InitiateMultipartUploadResult/UploadId`.
    public static func initiateMultipartUpload(_ body: [UInt8]) throws -> String {
        let what = "InitiateMultipartUpload response"
        let root = try document(body, roots: ["InitiateMultipartUploadResult"], what: what)
        return try required(root, "UploadId", what: what, in: "InitiateMultipartUploadResult")
    }

    /// CompleteMultipartUpload: `CompleteMultipartUploadResult/ETag`, quotes kept. The server can answer 200 and put
    /// an `<Error>` in the body; that throws an `OBSError` with the error's code.
    public static func completeMultipartUpload(_ body: [UInt8]) throws -> String {
        let what = "CompleteMultipartUpload response"
        // moto 5 names the root CompleteMultipartUploadResponse; OBS and S3 CompleteMultipartUploadResult.
        let root = try document(
            body, roots: ["CompleteMultipartUploadResult", "CompleteMultipartUploadResponse"], what: what)
        return try required(root, "ETag", what: what, in: root.name)
    }

    /// CopyObject (`CopyObjectResult`) or UploadPart-Copy (`CopyPartResult`): `ETag` (quotes kept), `LastModified`,
    /// and the CRC-32C the server states for what it copied (`ChecksumCRC32C`), if any.
    /// A body without an ETag means the copy failed (OBS answers 200 before the copy is done): that throws.
    public static func copyResult(_ body: [UInt8]) throws -> (etag: String, lastModified: Date?, crc32c: String?) {
        let what = "copy response"
        let root = try document(body, roots: ["CopyObjectResult", "CopyPartResult"], what: what)
        guard let etag = optional(root, "ETag") else {
            throw XMLTree.malformed(what, "\(root.name) has no ETag, so the copy did not complete")
        }
        return (etag, try date(root, "LastModified", what: what), optional(root, "ChecksumCRC32C"))
    }

    /// DeleteObjects: `DeleteResult{Deleted/Key*, Error/{Key, Code, Message}*}` in document order. Keys are
    /// percent-decoded if the result says `EncodingType=url`.
    public static func deleteResult(_ body: [UInt8]) throws -> DeleteResult {
        let what = "DeleteObjects response"
        let root = try document(body, roots: ["DeleteResult"], what: what)
        let urlEncoded = root.child("EncodingType").map { XMLValue.trimmed($0.text).lowercased() == "url" } ?? false
        func key(_ node: XMLNode, _ place: String) throws -> String {
            guard let raw = node.child("Key")?.text, !raw.isEmpty else {
                throw XMLTree.malformed(what, "\(place) has no Key")
            }
            guard urlEncoded else { return raw }
            guard let k = XMLValue.urlDecoded(raw) else {
                throw XMLTree.malformed(what, "\(place) Key '\(raw)' is not valid URL encoding")
            }
            return k
        }
        let deleted = try root.children("Deleted").enumerated().map { try key($1, "Deleted #\($0 + 1)") }
        let errors = try root.children("Error").enumerated().map { index, e in
            let place = "Error #\(index + 1)"
            return (
                key: try key(e, place),
                code: try required(e, "Code", what: what, in: place),
                message: e.child("Message").map { XMLValue.trimmed($0.text) } ?? ""
            )
        }
        return DeleteResult(deleted: deleted, errors: errors)
    }

    // MARK: - Helpers

    /// Parses `body` and checks its root. A well-formed `<Error>` root (when not itself expected) throws the error it
    /// describes; any other unexpected root throws `MalformedXML`.
    private static func document(_ body: [UInt8], roots: Set<String>, what: String) throws -> XMLNode {
        let root = try XMLTree.parse(body, what: what)
        if roots.contains(root.name) { return root }
        if root.name == "Error" { throw embeddedError(serviceError(root), what: what) }
        let expected = roots.sorted().map { "<\($0)>" }.joined(separator: " or ")
        throw XMLTree.malformed(what, "expected root element \(expected), found <\(root.name)>")
    }

    private static func serviceError(_ root: XMLNode) -> ServiceError {
        ServiceError(
            code: root.child("Code").map { XMLValue.trimmed($0.text) } ?? "",
            message: root.child("Message").map { XMLValue.trimmed($0.text) } ?? "",
            requestID: optional(root, "RequestId"),
            hostID: optional(root, "HostId"),
            resource: optional(root, "Resource"))
    }

    /// An `<Error>` that arrived in a successful (2xx) response.
    private static func embeddedError(_ e: ServiceError, what: String) -> OBSError {
        let code = e.code.isEmpty ? "InternalError" : e.code
        let category: OBSError.Category
        switch code {
        case "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "TooManyRequests":
            category = .transient
        case "AccessDenied": category = .accessDenied
        case "NoSuchBucket", "NoSuchKey", "NoSuchUpload", "NoSuchVersion": category = .notFound
        case _ where code.hasPrefix("KMS."): category = .kms
        default: category = .general
        }
        let detail = e.message.isEmpty ? "" : ": \(e.message)"
        return OBSError(
            code: code, message: "\(what) carries an error despite a success status: \(code)\(detail)",
            httpStatus: 200, category: category, requestID: e.requestID, resource: e.resource)
    }

    /// Trimmed text of child `name`; nil when absent or empty.
    private static func optional(_ node: XMLNode, _ name: String) -> String? {
        guard let t = node.child(name).map({ XMLValue.trimmed($0.text) }), !t.isEmpty else { return nil }
        return t
    }

    private static func required(_ node: XMLNode, _ name: String, what: String, in place: String) throws -> String {
        guard let t = optional(node, name) else { throw XMLTree.malformed(what, "\(place) has no \(name)") }
        return t
    }

    /// Child `name` as a date: nil when absent or empty, a throw when present but not ISO 8601.
    private static func date(_ node: XMLNode, _ name: String, what: String) throws -> Date? {
        guard let t = optional(node, name) else { return nil }
        guard let d = Timestamps.parseISO8601(t) else {
            throw XMLTree.malformed(what, "\(name) '\(t)' is not an ISO 8601 time")
        }
        return d
    }
}
