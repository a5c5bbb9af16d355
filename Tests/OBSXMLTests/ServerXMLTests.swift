import Foundation
import Testing
import OBSCore
@testable import OBSXML

/// Keys that exercise escaping: markup characters, CR (XML would turn it into LF), tab, LF, spaces at the ends, `+`
/// and `%` (URL encoding), non-ASCII.
let trickyKeys = [
    "a&b<c>d\"e'f", "cr\rhere", "crlf\r\n", "tab\tand\nlf", " lead and trail ", "plus+%25 percent",
    "dir/你好/🙂.txt", "~tilde*star",
]

/// Keys XML 1.0 cannot carry as text: they round trip only with `encoding-type=url`.
let controlKeys = ["ctl\u{01}x", "esc\u{1B}[0m", "del\u{7F}nul-adjacent\u{1F}"]

/// A time with milliseconds a Double holds exactly, so that parsing the written form gives the same Date.
let tMillis = Date(timeIntervalSince1970: 1_728_976_809.125)

let owner = XMLOwner(id: "783fc6652cf246c096ea836694f71855", displayName: "alice")

private func parse(_ body: [UInt8]) throws -> XMLNode { try XMLTree.parse(body, what: "test") }

private func text(_ body: [UInt8]) -> String { String(decoding: body, as: UTF8.self) }

struct ServerXMLFrameTests {
    /// Every document starts with the declaration and, except `<Error>`, puts the dialect's namespace on the root
    /// as `xmlns="..."` (the form esdk-obs-python strips before parsing).
    @Test(arguments: [XMLDialect.obs, .aws])
    func declarationAndNamespace(_ dialect: XMLDialect) {
        let ns =
            dialect == .obs ? "http://obs.myhwclouds.com/doc/2015-06-30/" : "http://s3.amazonaws.com/doc/2006-03-01/"
        let bodies: [(String, [UInt8])] = [
            ("ListAllMyBucketsResult", ServerXML.listBuckets([], owner: owner, dialect: dialect)),
            (
                "InitiateMultipartUploadResult",
                ServerXML.initiateMultipartUpload(bucket: "b", key: "k", uploadID: "u", dialect: dialect)
            ),
            ("CopyObjectResult", ServerXML.copyObject(etag: "e", lastModified: tMillis, dialect: dialect)),
            (
                "DeleteResult",
                ServerXML.deleteResult(DeleteResult(deleted: [], errors: []), quiet: true, dialect: dialect)
            ),
        ]
        for (root, body) in bodies {
            #expect(text(body).hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(root) xmlns=\"\(ns)\">"))
            #expect(text(body).hasSuffix("</\(root)>"))
        }
        let error = text(ServerXML.error(ServiceError(code: "NoSuchKey", message: "m")))
        #expect(
            error
                == ServerXMLSupport.declaration + "<Error><Code>NoSuchKey</Code><Message>m</Message></Error>"
        )
    }

    /// The formats themselves are MillisecondTimestampTests' cases; here the writer uses that form and the client's
    /// parser reads it back.
    @Test(arguments: [(1_728_976_809.125, "2024-10-15T07:20:09.125Z")])
    func timestamps(_ seconds: Double, _ expected: String) {
        let date = Date(timeIntervalSince1970: seconds)
        var writer = XMLWriter()
        writer.element("T", date)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "<T>\(expected)</T>")
        let back = try? OBSXMLParser.copyResult(
            "<CopyObjectResult><ETag>e</ETag><LastModified>\(expected)</LastModified></CopyObjectResult>".bytes)
        #expect(back?.lastModified.map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }

    @Test(arguments: [
        ("plain/key-1_2.txt*", "plain/key-1_2.txt*"),
        ("a b+c", "a+b%2Bc"),
        ("100%", "100%25"),
        ("~&<>\"'", "%7E%26%3C%3E%22%27"),
        ("\r\n\t\u{01}\u{7F}", "%0D%0A%09%01%7F"),
        ("é🙂", "%C3%A9%F0%9F%99%82"),
    ])
    func urlEncoding(_ key: String, _ expected: String) {
        #expect(ServerXMLSupport.urlEncoded(key) == expected)
        #expect(XMLValue.urlDecoded(expected) == key)
    }

    @Test func etagsAreQuotedOnce() {
        #expect(ServerXMLSupport.quotedETag("abc") == "\"abc\"")
        #expect(ServerXMLSupport.quotedETag("\"abc-2\"") == "\"abc-2\"")
        #expect(ServerXMLSupport.quotedETag("\"") == "\"\"\"")
        #expect(ServerXMLSupport.quotedETag("") == "\"\"")
    }
}

struct ServerErrorXMLTests {
    @Test func roundTripsThroughTheClientParser() throws {
        for key in trickyKeys {
            let e = ServiceError(
                code: "NoSuchKey", message: "The specified key does not exist: \(key)", requestID: "0000018A2B3C",
                hostID: "host/id+==", resource: "/bucket/\(key)")
            #expect(OBSXMLParser.error(ServerXML.error(e, details: [("Key", key)])).map(normalized) == normalized(e))
            let root = try parse(ServerXML.error(e, details: [("BucketName", "bucket"), ("Key", key)]))
            #expect(root.child("Key")?.text == key && root.child("BucketName")?.text == "bucket")
            #expect(
                root.children.map(\.name) == [
                    "Code", "Message", "Resource", "BucketName", "Key", "RequestId", "HostId",
                ])
        }
    }

    /// A key XML cannot carry still gives a readable error: U+FFFD stands for each such character.
    @Test func controlCharactersKeepTheErrorReadable() throws {
        let e = ServiceError(
            code: "NoSuchKey", message: "no key a\u{01}b", requestID: "R", hostID: "H", resource: "/b/a\u{01}b\u{FFFF}")
        let parsed = try #require(OBSXMLParser.error(ServerXML.error(e, details: [("Key", "a\u{1F}b\r")])))
        #expect(parsed.code == "NoSuchKey" && parsed.message == "no key a\u{FFFD}b")
        #expect(parsed.resource == "/b/a\u{FFFD}b\u{FFFD}")
        #expect(try parse(ServerXML.error(e, details: [("Key", "a\u{1F}b\r")])).child("Key")?.text == "a\u{FFFD}b\r")
    }

    /// The client parser trims; the server's values have no surrounding space except the keys, which are checked
    /// untrimmed through the tree.
    private func normalized(_ e: ServiceError) -> ServiceError {
        ServiceError(
            code: e.code, message: XMLValue.trimmed(e.message), requestID: e.requestID, hostID: e.hostID,
            resource: e.resource.map(XMLValue.trimmed))
    }

    /// The string to sign keeps its LFs and any CR, and its bytes are listed as S3 lists them.
    @Test(arguments: [XMLDialect.obs, .aws])
    func signatureMismatchDetails(_ dialect: XMLDialect) throws {
        let sts = "GET\n\n\r\nTue, 15 Oct 2024 07:20:09 GMT\n/bucket/a&b"
        let canonical = "GET\n/bucket/a%26b\n\nhost:127.0.0.1\n\nhost\nUNSIGNED-PAYLOAD"
        let details = ServerXML.signatureMismatch(
            accessKeyID: "AKID", stringToSign: sts, signatureProvided: "sig=", canonicalRequest: canonical,
            dialect: dialect)
        let e = ServiceError(
            code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match",
            requestID: "R1", hostID: "H1")
        let root = try parse(ServerXML.error(e, details: details))
        let keyElement = dialect == .aws ? "AWSAccessKeyId" : "AccessKeyId"
        #expect(root.child(keyElement)?.text == "AKID")
        #expect(root.child("StringToSign")?.text == sts)
        #expect(root.child("CanonicalRequest")?.text == canonical)
        #expect(root.child("SignatureProvided")?.text == "sig=")
        #expect(root.child("StringToSignBytes")?.text.hasPrefix("47 45 54 0a 0a 0d 0a 54") == true)
        #expect(root.child("StringToSignBytes")?.text.split(separator: " ").count == sts.utf8.count)
        #expect(root.child("CanonicalRequestBytes")?.text.split(separator: " ").count == canonical.utf8.count)
        #expect(OBSXMLParser.error(ServerXML.error(e, details: details)) == e)
        #expect(
            ServerXML.signatureMismatch(accessKeyID: "A", stringToSign: "s", signatureProvided: "p", dialect: dialect)
                .map(\.name) == [keyElement, "StringToSign", "SignatureProvided", "StringToSignBytes"])
    }
}

struct ServerListXMLTests {
    @Test(arguments: [XMLDialect.obs, .aws])
    func bucketsRoundTrip(_ dialect: XMLDialect) throws {
        let buckets = [
            ListedBucket(name: "alpha", creationDate: tMillis, location: "cn-north-4"),
            ListedBucket(name: "beta.b-2", creationDate: Date(timeIntervalSince1970: 1_138_985_109), location: nil),
        ]
        let body = ServerXML.listBuckets(buckets, owner: owner, dialect: dialect)
        #expect(try OBSXMLParser.listBuckets(body) == buckets)
        let ownerNode = try #require(try parse(body).child("Owner"))
        #expect(ownerNode.child("ID")?.text == owner.id)
        #expect((ownerNode.child("DisplayName") != nil) == (dialect == .aws))
        #expect(try OBSXMLParser.listBuckets(ServerXML.listBuckets([], owner: owner, dialect: dialect)).isEmpty)
    }

    private func objects(_ keys: [String]) -> [ListedObject] {
        keys.enumerated().map { i, key in
            ListedObject(
                key: key, lastModified: tMillis.addingTimeInterval(Double(i)),
                etag: "\"5d41402abc4b2a76b9719d911017c59\(i % 10)\"", size: Int64(i) * 1_000_000_007,
                storageClass: "STANDARD")
        }
    }

    /// v1 with every tricky key, raw and URL-encoded; the client parser gives back the same page, the next marker
    /// included.
    @Test(arguments: [XMLDialect.obs, .aws], [false, true])
    func objectsV1RoundTrip(_ dialect: XMLDialect, _ url: Bool) throws {
        let keys = trickyKeys + (url ? controlKeys : [])
        let prefixes = ["p&q/", "sp ace/", "cr\r/"] + (url ? ["c\u{02}/"] : [])
        let page = ObjectListingResponse(
            bucket: "bucket", prefix: "", delimiter: "/", maxKeys: 1000, isTruncated: true, objects: objects(keys),
            commonPrefixes: prefixes, owner: owner, urlEncoded: url,
            version: .v1(marker: "a b&c", nextMarker: "~tilde*star"))
        let body = ServerXML.listObjects(page, dialect: dialect)
        let parsed = try OBSXMLParser.listObjects(body)
        #expect(
            parsed
                == ObjectListPage(
                    objects: objects(keys), commonPrefixes: prefixes, isTruncated: true, nextMarker: "~tilde*star"))
        let root = try parse(body)
        #expect(root.child("Marker")?.text == (url ? "a+b%26c" : "a b&c"))
        #expect(root.child("Delimiter")?.text == "/")
        #expect((root.child("EncodingType")?.text) == (url ? "url" : nil))
        #expect(root.child("Name")?.text == "bucket" && root.child("MaxKeys")?.text == "1000")
        #expect(root.children("Contents").allSatisfy { $0.child("Owner")?.child("ID")?.text == owner.id })
        #expect(root.child("Contents")?.child("LastModified")?.text == "2024-10-15T07:20:09.125Z")
    }

    /// `/` stays as it is in URL encoding, as on S3; the delimiter above is `/` too, so check a delimiter that
    /// needs encoding.
    @Test func delimiterAndPrefixAreEncoded() throws {
        let page = ObjectListingResponse(
            bucket: "b", prefix: "a b/", delimiter: "|", maxKeys: 2, isTruncated: false, objects: [],
            commonPrefixes: [], owner: nil, urlEncoded: true, version: .v1(marker: "", nextMarker: nil))
        let root = try parse(ServerXML.listObjects(page, dialect: .aws))
        #expect(root.child("Prefix")?.text == "a+b/" && root.child("Delimiter")?.text == "%7C")
        #expect(root.child("NextMarker") == nil && root.child("IsTruncated")?.text == "false")
    }

    /// A key XML 1.0 cannot carry makes a raw listing unreadable, as on S3: the client must ask for URL encoding.
    @Test func controlCharacterNeedsURLEncoding() {
        let page = ObjectListingResponse(
            bucket: "b", prefix: "", delimiter: nil, maxKeys: 1000, isTruncated: false, objects: objects(["a\u{01}"]),
            commonPrefixes: [], owner: owner, urlEncoded: false, version: .v1(marker: "", nextMarker: nil))
        #expect(text(ServerXML.listObjects(page, dialect: .obs)).contains("<Key>a&#x1;</Key>"))
        #expect(throws: OBSError.self) { try OBSXMLParser.listObjects(ServerXML.listObjects(page, dialect: .obs)) }
    }

    @Test(arguments: [XMLDialect.obs, .aws], [false, true])
    func objectsV2(_ dialect: XMLDialect, _ url: Bool) throws {
        let keys = trickyKeys + (url ? controlKeys : [])
        let page = ObjectListingResponse(
            bucket: "bucket", prefix: "dir/ x", delimiter: nil, maxKeys: 3, isTruncated: true, objects: objects(keys),
            commonPrefixes: ["dir/ x1/"], owner: nil, urlEncoded: url,
            version: .v2(continuationToken: "tok+/=", nextContinuationToken: "next+/=", startAfter: "s a"))
        let body = ServerXML.listObjects(page, dialect: dialect)
        // The v1 reader shares the root and the entries: the same keys come back.
        let parsed = try OBSXMLParser.listObjects(body)
        #expect(parsed.objects == objects(keys) && parsed.commonPrefixes == ["dir/ x1/"] && parsed.isTruncated)
        let root = try parse(body)
        #expect(root.child("KeyCount")?.text == String(keys.count + 1))
        #expect(root.child("ContinuationToken")?.text == "tok+/=")
        #expect(root.child("NextContinuationToken")?.text == "next+/=")
        #expect(root.child("StartAfter")?.text == (url ? "s+a" : "s a"))
        #expect(root.child("Prefix")?.text == (url ? "dir/+x" : "dir/ x"))
        #expect(root.child("Marker") == nil && root.child("NextMarker") == nil)
        #expect(root.children("Contents").allSatisfy { $0.child("Owner") == nil })
        #expect(
            root.child("Contents")?.children.map(\.name) == ["Key", "LastModified", "ETag", "Size", "StorageClass"])
        // The last page names no next token.
        var last = page
        last.isTruncated = false
        #expect(try parse(ServerXML.listObjects(last, dialect: dialect)).child("NextContinuationToken") == nil)
    }

    @Test(arguments: [XMLDialect.obs, .aws])
    func uploadsRoundTrip(_ dialect: XMLDialect) throws {
        let uploads = trickyKeys.enumerated().map { i, key in
            ListedUpload(key: key, uploadID: "0000017\(i)F3A8F5D6", initiated: tMillis)
        }
        let page = UploadListResponse(
            bucket: "bucket", nextKeyMarker: trickyKeys.last,
            nextUploadIDMarker: "0000017\(trickyKeys.count - 1)F3A8F5D6",
            prefix: "", maxUploads: 1000, isTruncated: true, uploads: uploads, owner: owner)
        let body = ServerXML.listMultipartUploads(page, dialect: dialect)
        #expect(
            try OBSXMLParser.listMultipartUploads(body)
                == UploadListPage(
                    uploads: uploads, isTruncated: true, nextKeyMarker: trickyKeys.last,
                    nextUploadIDMarker: "0000017\(trickyKeys.count - 1)F3A8F5D6"))
        let upload = try #require(try parse(body).child("Upload"))
        #expect(upload.child("Initiator")?.child("ID")?.text == owner.id)
        #expect(upload.child("Initiated")?.text == "2024-10-15T07:20:09.125Z")
        var complete = page
        complete.isTruncated = false
        let done = try OBSXMLParser.listMultipartUploads(ServerXML.listMultipartUploads(complete, dialect: dialect))
        #expect(!done.isTruncated && done.nextKeyMarker == nil && done.uploads == uploads)
        // URL-encoded: the keys and markers are encoded and labelled.
        complete.urlEncoded = true
        complete.commonPrefixes = ["c\u{01} /"]
        let root = try parse(ServerXML.listMultipartUploads(complete, dialect: dialect))
        #expect(root.child("EncodingType")?.text == "url")
        #expect(root.children("Upload").map { XMLValue.urlDecoded($0.child("Key")!.text) } == trickyKeys)
        #expect(root.child("CommonPrefixes")?.child("Prefix")?.text == "c%01+/")
    }

    @Test(arguments: [XMLDialect.obs, .aws])
    func parts(_ dialect: XMLDialect) throws {
        let parts = (1...3).map {
            UploadedPart(partNumber: $0, etag: "e\($0)", size: Int64($0) << 20, lastModified: tMillis)
        }
        let page = PartListResponse(
            bucket: "bucket", key: "a&b\r", uploadID: "U1", owner: owner, partNumberMarker: 0,
            nextPartNumberMarker: 3, maxParts: 3, isTruncated: true, parts: parts)
        let root = try parse(ServerXML.listParts(page, dialect: dialect))
        #expect(root.name == "ListPartsResult")
        #expect(root.child("Key")?.text == "a&b\r" && root.child("UploadId")?.text == "U1")
        #expect(root.child("NextPartNumberMarker")?.text == "3" && root.child("IsTruncated")?.text == "true")
        #expect(root.child("Initiator")?.child("ID")?.text == owner.id)
        #expect((root.child("Owner")?.child("DisplayName")?.text) == (dialect == .aws ? "alice" : nil))
        let back = root.children("Part").map {
            [
                $0.child("PartNumber")?.text, $0.child("LastModified")?.text, $0.child("ETag")?.text,
                $0.child("Size")?.text,
            ]
        }
        #expect(back == parts.map { ["\($0.partNumber)", "2024-10-15T07:20:09.125Z", "\"\($0.etag)\"", "\($0.size)"] })
    }
}

struct ServerResultXMLTests {
    @Test(arguments: [XMLDialect.obs, .aws])
    func location(_ dialect: XMLDialect) throws {
        for region in ["cn-north-4", "", "a&b<c>"] {
            let body = ServerXML.location(region, dialect: dialect)
            #expect(try OBSXMLParser.location(body) == region)
            #expect(try parse(body).name == (dialect == .obs ? "Location" : "LocationConstraint"))
        }
    }

    @Test(arguments: [XMLDialect.obs, .aws])
    func bucketEncryption(_ dialect: XMLDialect) throws {
        let urn = "cn-north-4:783fc6652cf246c096ea836694f71855:key/522d6070-5ad3-4765-9737-9312ddc72cdb"
        for e in [BucketEncryption.obs, .kms(keyID: nil), .kms(keyID: urn), .kms(keyID: "alias/a&b")] {
            let body = ServerXML.bucketEncryption(e, dialect: dialect)
            #expect(try OBSXMLParser.bucketEncryption(body) == e)
            // And the server's own reader takes back what it writes.
            #expect(try ServerXMLReader.bucketEncryption(body).encryption == e)
        }
        let algorithm = try parse(ServerXML.bucketEncryption(.kms(keyID: nil), dialect: dialect))
            .descendant("Rule", "ApplyServerSideEncryptionByDefault", "SSEAlgorithm")?.text
        #expect(algorithm == (dialect == .obs ? "kms" : "aws:kms"))
        #expect(
            try OBSXMLParser.bucketEncryption(ServerXML.bucketEncryption(.kms(keyID: ""), dialect: dialect))
                == .kms(keyID: nil))
    }

    @Test(arguments: [XMLDialect.obs, .aws])
    func multipartResults(_ dialect: XMLDialect) throws {
        for key in trickyKeys {
            let initiated = ServerXML.initiateMultipartUpload(bucket: "b", key: key, uploadID: "U-1", dialect: dialect)
            #expect(try OBSXMLParser.initiateMultipartUpload(initiated) == "U-1")
            #expect(try parse(initiated).child("Key")?.text == key)

            let completed = ServerXML.completeMultipartUpload(
                location: "http://127.0.0.1:9000/b/k", bucket: "b", key: key, etag: "abc-2", dialect: dialect)
            #expect(try OBSXMLParser.completeMultipartUpload(completed) == "\"abc-2\"")
            let root = try parse(completed)
            #expect(root.children.map(\.name) == ["Location", "Bucket", "Key", "ETag"])
            #expect(root.child("Key")?.text == key && root.child("Location")?.text == "http://127.0.0.1:9000/b/k")
        }
        // An echoed key that XML cannot carry: readable, U+FFFD in its place; encoded when asked.
        for key in controlKeys {
            let initiated = ServerXML.initiateMultipartUpload(bucket: "b", key: key, uploadID: "U", dialect: dialect)
            #expect(try OBSXMLParser.initiateMultipartUpload(initiated) == "U")
            #expect(try parse(initiated).child("Key")?.text == ServerXMLSupport.readable(key))
            #expect(ServerXMLSupport.readable(key) != key && ServerXMLSupport.readable(key).contains("\u{FFFD}"))
            let completed = ServerXML.completeMultipartUpload(
                location: "l", bucket: "b", key: key, etag: "e", dialect: dialect)
            #expect(try OBSXMLParser.completeMultipartUpload(completed) == "\"e\"")
            let parts = PartListResponse(
                bucket: "b", key: key, uploadID: "U", owner: owner, partNumberMarker: 0, nextPartNumberMarker: nil,
                maxParts: 1000, isTruncated: false, parts: [])
            #expect(
                try parse(ServerXML.listParts(parts, dialect: dialect)).child("Key")?.text
                    == ServerXMLSupport.readable(key))
        }
        for key in controlKeys {
            let root = try parse(
                ServerXML.initiateMultipartUpload(
                    bucket: "b", key: key, uploadID: "U", urlEncoded: true, dialect: dialect))
            #expect(root.child("Key").flatMap { XMLValue.urlDecoded($0.text) } == key)
            #expect(root.child("EncodingType")?.text == "url")
        }
    }

    @Test(arguments: [XMLDialect.obs, .aws])
    func copyResults(_ dialect: XMLDialect) throws {
        let object = try OBSXMLParser.copyResult(
            ServerXML.copyObject(etag: "\"e1\"", lastModified: tMillis, dialect: dialect))
        #expect(object.etag == "\"e1\"" && object.lastModified == tMillis)
        let part = try OBSXMLParser.copyResult(ServerXML.copyPart(etag: "e2", lastModified: tMillis, dialect: dialect))
        #expect(part.etag == "\"e2\"" && part.lastModified == tMillis)
        #expect(
            try parse(ServerXML.copyPart(etag: "e2", lastModified: tMillis, dialect: dialect)).name == "CopyPartResult")
    }

    @Test(arguments: [XMLDialect.obs, .aws], [false, true])
    func deleteResults(_ dialect: XMLDialect, _ url: Bool) throws {
        let keys = trickyKeys + (url ? controlKeys : [])
        let result = DeleteResult(
            deleted: keys, errors: [(key: "locked&", code: "AccessDenied", message: "Access Denied <x>")])
        #expect(
            try OBSXMLParser.deleteResult(
                ServerXML.deleteResult(result, quiet: false, urlEncoded: url, dialect: dialect)) == result)
        let quiet = try OBSXMLParser.deleteResult(
            ServerXML.deleteResult(result, quiet: true, urlEncoded: url, dialect: dialect))
        #expect(quiet == DeleteResult(deleted: [], errors: result.errors))
        let empty = ServerXML.deleteResult(DeleteResult(deleted: ["k"], errors: []), quiet: true, dialect: dialect)
        #expect(try OBSXMLParser.deleteResult(empty) == DeleteResult(deleted: [], errors: []))
    }
}
