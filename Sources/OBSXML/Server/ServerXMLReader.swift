import Foundation
import OBSCore

/// The request bodies `obsctl serve` reads: what obsctl's own builders (`OBSXMLBody`), botocore and esdk-obs-python
/// send, in either dialect and with or without a namespace. Strict: every failure throws an `OBSError` with code
/// `MalformedXML`, HTTP status 400 and a message naming the body and what is wrong (the server answers it as is):
/// a body over its size limit (checked before parsing; the server stops reading at `limit + 1` bytes), anything
/// `XMLTree` refuses (truncated, DTDs, other encodings, ...), the wrong root, an element the operation does not
/// define, an element given twice, text where only elements belong, a missing or unreadable value.
public enum ServerXMLReader {
    /// Size limits of the bodies, in bytes. A Delete body names at most 1000 keys of at most 1024 bytes, each
    /// byte at worst escaped to 6 (`&quot;`); a CompleteMultipartUpload body lists at most 10000 parts with
    /// their checksums.
    public static let maxConfigurationBytes = 64 << 10
    public static let maxDeleteBytes = 8 << 20
    public static let maxCompleteBytes = 8 << 20
    public static let maxDeleteKeys = 1000
    public static let maxParts = 10000

    /// One key of a batch delete.
    public struct DeleteObject: Sendable, Equatable {
        public var key: String
        public var versionID: String?
        /// S3's conditional delete: the object is deleted only if its ETag is this one (as sent, quotes and all;
        /// `*`: if there is one).
        public var etag: String?
        /// The other conditions S3 defines on an `Object` (`LastModifiedTime`, `Size`), by element name: given, not
        /// read (S3 checks them in directory buckets only).
        public var otherConditions: [String]
        public init(key: String, versionID: String? = nil, etag: String? = nil, otherConditions: [String] = []) {
            self.key = key; self.versionID = versionID; self.etag = etag; self.otherConditions = otherConditions
        }
    }

    /// A DeleteObjects (`POST /?delete`) request: with `quiet` the answer lists only failures; `urlEncoded` (OBS's
    /// `EncodingType` element) means the keys arrived percent-encoded (already decoded here) and the answer must
    /// encode them too.
    public struct DeleteRequest: Sendable, Equatable {
        public var quiet: Bool
        public var objects: [DeleteObject]
        public var urlEncoded: Bool
        public init(quiet: Bool, objects: [DeleteObject], urlEncoded: Bool = false) {
            self.quiet = quiet; self.objects = objects; self.urlEncoded = urlEncoded
        }
    }

    /// One `<Part>` of a CompleteMultipartUpload request. `checksums`: the part's `Checksum*` elements by
    /// algorithm (`CRC32C`, `CRC32`, `CRC64NVME`, `SHA1`, `SHA256`), as sent.
    public struct CompletedPart: Sendable, Equatable {
        public var number: Int
        public var etag: String
        public var checksums: [String: String]
        public init(number: Int, etag: String, checksums: [String: String] = [:]) {
            self.number = number; self.etag = etag; self.checksums = checksums
        }
    }

    /// A PutBucketEncryption request. `projectID` (OBS, a key of another project) and `bucketKeyEnabled` (S3) are
    /// returned as sent for the server to judge.
    public struct EncryptionRequest: Sendable, Equatable {
        public var encryption: BucketEncryption
        public var projectID: String?
        public var bucketKeyEnabled: Bool?
        public init(encryption: BucketEncryption, projectID: String? = nil, bucketKeyEnabled: Bool? = nil) {
            self.encryption = encryption; self.projectID = projectID; self.bucketKeyEnabled = bucketKeyEnabled
        }
    }

    /// CreateBucket: the region of `CreateBucketConfiguration/Location` (OBS) or `LocationConstraint` (S3), trimmed;
    /// nil when the body is empty or names none (the server's default region). Only one of the two may be given.
    public static func createBucketConfiguration(_ body: [UInt8]) throws -> String? {
        let what = "CreateBucketConfiguration"
        if body.allSatisfy(XMLTree.isSpace) { return nil }
        let root = try document(body, root: what, limit: maxConfigurationBytes, maxTags: 64)
        let fields = try Fields(root, what: what, allowed: ["Location", "LocationConstraint"])
        let location = try fields.leaf("Location")
        let constraint = try fields.leaf("LocationConstraint")
        if location != nil && constraint != nil {
            throw malformed(what, "it names both Location and LocationConstraint; give one")
        }
        return (location ?? constraint).map(XMLValue.trimmed)
    }

    /// PutBucketEncryption: `ServerSideEncryptionConfiguration/Rule/ApplyServerSideEncryptionByDefault/
    /// {SSEAlgorithm, KMSMasterKeyID?, ProjectID?}` and `Rule/BucketKeyEnabled?`; exactly one rule. `kms` and
    /// `aws:kms` give SSE-KMS (an empty key id: the default key), `AES256` SSE-OBS, which takes no key id.
    public static func bucketEncryption(_ body: [UInt8]) throws -> EncryptionRequest {
        let what = "ServerSideEncryptionConfiguration"
        let root = try document(body, root: what, limit: maxConfigurationBytes, maxTags: 64)
        let rules = try Fields(root, what: what, allowed: ["Rule"])
        guard rules.all("Rule").count == 1, let rule = rules.all("Rule").first else {
            throw malformed(what, "it has \(rules.all("Rule").count) Rule elements; give exactly one")
        }
        let ruleFields = try Fields(
            rule, what: what, allowed: ["ApplyServerSideEncryptionByDefault", "BucketKeyEnabled"])
        guard let apply = try ruleFields.one("ApplyServerSideEncryptionByDefault") else {
            throw malformed(what, "Rule has no ApplyServerSideEncryptionByDefault")
        }
        let bucketKey = try ruleFields.leaf("BucketKeyEnabled").map { text in
            guard let b = XMLValue.bool(text) else {
                throw malformed(what, "BucketKeyEnabled is '\(text)', not true or false")
            }
            return b
        }
        let sse = try Fields(apply, what: what, allowed: ["SSEAlgorithm", "KMSMasterKeyID", "ProjectID"])
        guard let algorithm = try sse.leaf("SSEAlgorithm").map(XMLValue.trimmed), !algorithm.isEmpty else {
            throw malformed(what, "ApplyServerSideEncryptionByDefault has no SSEAlgorithm")
        }
        let keyID = try sse.leaf("KMSMasterKeyID").map(XMLValue.trimmed).flatMap { $0.isEmpty ? nil : $0 }
        let project = try sse.leaf("ProjectID").map(XMLValue.trimmed).flatMap { $0.isEmpty ? nil : $0 }
        let encryption: BucketEncryption
        switch algorithm {
        case "kms", "aws:kms": encryption = .kms(keyID: keyID)
        case "AES256":
            guard keyID == nil else {
                throw malformed(what, "KMSMasterKeyID applies only to SSEAlgorithm kms or aws:kms, not AES256")
            }
            encryption = .obs
        default:
            throw malformed(what, "unsupported SSEAlgorithm '\(algorithm)'; use kms, aws:kms or AES256")
        }
        return EncryptionRequest(encryption: encryption, projectID: project, bucketKeyEnabled: bucketKey)
    }

    /// DeleteObjects: `Delete{Quiet?, EncodingType?, Object+{Key, VersionId?, ETag?, LastModifiedTime?, Size?}}`,
    /// objects in document order, 1 to 1000 of them. A key is taken as sent (spaces kept); with `EncodingType` `url`
    /// it is percent-decoded (`+` is a space), as esdk-obs-python encodes it.
    public static func deleteObjects(_ body: [UInt8]) throws -> DeleteRequest {
        let what = "Delete"
        // Object, Key, VersionId and ETag open and close: 8 tags a key. Twice that, so that a body with somewhat too
        // many keys gets the message that counts them.
        let root = try document(body, root: what, limit: maxDeleteBytes, maxTags: 16 * maxDeleteKeys + 64)
        let fields = try Fields(root, what: what, allowed: ["Quiet", "EncodingType", "Object"])
        let quiet = try fields.leaf("Quiet").map { text in
            guard let b = XMLValue.bool(text) else { throw malformed(what, "Quiet is '\(text)', not true or false") }
            return b
        }
        let urlEncoded: Bool
        switch try fields.leaf("EncodingType").map({ XMLValue.trimmed($0).lowercased() }) {
        case nil: urlEncoded = false
        case "url": urlEncoded = true
        case let other?: throw malformed(what, "unknown EncodingType '\(other)'; only 'url' is defined")
        }
        let entries = fields.all("Object")
        guard !entries.isEmpty else { throw malformed(what, "it names no Object to delete") }
        guard entries.count <= maxDeleteKeys else {
            throw malformed(what, "it names \(entries.count) objects; one request deletes at most \(maxDeleteKeys)")
        }
        let objects: [DeleteObject] = try entries.enumerated().map { index, entry in
            let conditions = ["LastModifiedTime", "Size"]
            let object = try Fields(
                entry, what: what, allowed: Set(["Key", "VersionId", "ETag"] + conditions), index: index)
            guard var key = try object.leaf("Key"), !key.isEmpty else {
                throw malformed(what, "\(object.place) has no Key")
            }
            if urlEncoded {
                guard let decoded = XMLValue.urlDecoded(key), !decoded.isEmpty else {
                    throw malformed(
                        what, "\(object.place) Key '\(key)' is not valid URL encoding (EncodingType=url)")
                }
                key = decoded
            }
            let version = try object.leaf("VersionId").map(XMLValue.trimmed).flatMap { $0.isEmpty ? nil : $0 }
            let etag = try object.leaf("ETag").map(XMLValue.trimmed)
            if etag?.isEmpty == true { throw malformed(what, "\(object.place) has an empty ETag") }
            return DeleteObject(
                key: key, versionID: version, etag: etag,
                otherConditions: try conditions.filter { try object.leaf($0) != nil })
        }
        return DeleteRequest(quiet: quiet ?? false, objects: objects, urlEncoded: urlEncoded)
    }

    /// CompleteMultipartUpload: `CompleteMultipartUpload{Part+{PartNumber, ETag, Checksum*?}}` in document order
    /// (the backend checks that they ascend: `InvalidPartOrder`). Part numbers are 1 to 10000; ETags are taken
    /// trimmed, quotes as sent.
    public static func completeMultipartUpload(_ body: [UInt8]) throws -> [CompletedPart] {
        let what = "CompleteMultipartUpload"
        let checksumNames = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]
        let partChildren = Set(["PartNumber", "ETag"] + checksumNames.map { "Checksum" + $0 })
        // Part, PartNumber, ETag and five checksums: 16 tags a part, and room to count a few too many.
        let root = try document(body, root: what, limit: maxCompleteBytes, maxTags: 20 * maxParts + 64)
        let parts = try Fields(root, what: what, allowed: ["Part"]).all("Part")
        guard !parts.isEmpty else { throw malformed(what, "it lists no Part") }
        guard parts.count <= maxParts else {
            throw malformed(what, "it lists \(parts.count) parts; an upload has at most \(maxParts)")
        }
        return try parts.enumerated().map { index, node in
            let part = try Fields(node, what: what, allowed: partChildren, index: index)
            guard let numberText = try part.leaf("PartNumber") else {
                throw malformed(what, "\(part.place) has no PartNumber")
            }
            // Leading zeros are allowed (XML Schema's integer); past them at most 5 digits, so no overflow.
            let digits = XMLValue.trimmed(numberText)
            let significant = digits.drop { $0 == "0" }
            guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                significant.utf8.count <= 5, let number = Int(significant.isEmpty ? "0" : significant),
                (1...maxParts).contains(number)
            else {
                throw malformed(
                    what, "\(part.place) has PartNumber '\(numberText)', not a number from 1 to \(maxParts)")
            }
            guard let etag = try part.leaf("ETag").map(XMLValue.trimmed), !etag.isEmpty else {
                throw malformed(what, "\(part.place) (PartNumber \(number)) has no ETag")
            }
            var checksums: [String: String] = [:]
            for child in node.children where child.name.hasPrefix("Checksum") {
                // `leaf` refuses a second element of the name and one with elements inside.
                let value = XMLValue.trimmed(try part.leaf(child.name) ?? "")
                checksums[String(child.name.dropFirst("Checksum".count))] = value
            }
            return CompletedPart(number: number, etag: etag, checksums: checksums)
        }
    }

    // MARK: - Helpers

    /// Checks the size and the number of tags (every `<`: an element's start and end, a comment, ...) before
    /// parsing, so that neither the tree nor the time to build it can exceed what a valid body needs; then parses
    /// and checks the root's name.
    private static func document(_ body: [UInt8], root: String, limit: Int, maxTags: Int) throws -> XMLNode {
        guard body.count <= limit else {
            throw malformed(root, "the body has \(body.count) bytes; at most \(limit) are accepted")
        }
        var tags = 0
        for c in body where c == UInt8(ascii: "<") { tags += 1 }
        guard tags <= maxTags else {
            throw malformed(root, "the body has too many elements (\(tags) tags; at most \(maxTags))")
        }
        let node: XMLNode
        do {
            node = try XMLTree.parse(body, what: "\(root) request body", from: .request)
        } catch let e as OBSError {
            throw OBSError(code: "MalformedXML", message: e.message, httpStatus: 400, category: .usage)
        }
        guard node.name == root else {
            throw malformed(root, "the root element is <\(node.name)>, expected <\(root)>")
        }
        return node
    }

    static func malformed(_ what: String, _ detail: String) -> OBSError {
        OBSError(
            code: "MalformedXML", message: "malformed \(what) request body: \(detail)", httpStatus: 400,
            category: .usage)
    }

    /// The children of one element, checked: only `allowed` names, no text beside them.
    private struct Fields {
        let node: XMLNode
        let what: String
        /// The element's position among its like (`Object #3`), for messages; nil for one that occurs once.
        let index: Int?

        /// `Object #3`, or the element's name; made only for a message.
        var place: String { index.map { "\(node.name) #\($0 + 1)" } ?? node.name }

        init(_ node: XMLNode, what: String, allowed: Set<String>, index: Int? = nil) throws {
            self.node = node; self.what = what; self.index = index
            if let unknown = node.children.first(where: { !allowed.contains($0.name) }) {
                throw malformed(
                    what,
                    "\(place) has an element <\(unknown.name)> this request does not define; "
                        + "expected \(allowed.sorted().joined(separator: ", "))")
            }
            if !node.children.isEmpty, !node.text.utf8.allSatisfy(XMLTree.isSpace) {
                throw malformed(what, "\(place) has text beside its elements")
            }
        }

        func all(_ name: String) -> [XMLNode] { node.children(name) }

        /// The element `name` when present once; a throw when it is there twice.
        func one(_ name: String) throws -> XMLNode? {
            let found = node.children(name)
            guard found.count <= 1 else { throw malformed(what, "\(place) has \(found.count) \(name) elements") }
            return found.first
        }

        /// The text of element `name` (untrimmed) when present once; a throw when it is there twice or has
        /// elements inside.
        func leaf(_ name: String) throws -> String? {
            guard let element = try one(name) else { return nil }
            guard element.children.isEmpty else {
                throw malformed(what, "\(place) has elements inside <\(name)>, which holds only text")
            }
            return element.text
        }
    }
}
