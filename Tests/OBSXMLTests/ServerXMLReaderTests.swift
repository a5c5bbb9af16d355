import Foundation
import Testing
import OBSCore
@testable import OBSXML

/// A refusal the server answers as 400 MalformedXML, its message naming `mentioning`.
private func expectRefused(
    _ mentioning: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    #expect(sourceLocation: sourceLocation) {
        try body()
    } throws: { error in
        guard let e = error as? OBSError else { return false }
        return e.code == "MalformedXML" && e.httpStatus == 400 && e.message.hasPrefix("malformed ")
            && e.message.contains(mentioning)
    }
}

private let s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

/// Request bodies as botocore 1.43 (`rest-xml` serializer) and esdk-obs-python 3.26 (`Convertor.trans_*`, OBS and
/// V2 signatures) write them, captured by running their serializers.
enum ClientSample {
    static let botoCreateBucket =
        "<CreateBucketConfiguration xmlns=\"\(s3NS)\"><LocationConstraint>eu-west-1</LocationConstraint>"
        + "</CreateBucketConfiguration>"
    static let botoEncryptionKMS =
        "<ServerSideEncryptionConfiguration xmlns=\"\(s3NS)\"><Rule><ApplyServerSideEncryptionByDefault>"
        + "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/k</KMSMasterKeyID>"
        + "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"
        + "</ServerSideEncryptionConfiguration>"
    static let botoEncryptionAES =
        "<ServerSideEncryptionConfiguration xmlns=\"\(s3NS)\"><Rule><ApplyServerSideEncryptionByDefault>"
        + "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
        + "</ServerSideEncryptionConfiguration>"
    /// botocore writes a CR literally, so XML's line-end handling turns the key's CR LF into LF (on S3 too).
    static let botoDelete =
        "<Delete xmlns=\"\(s3NS)\"><Object><Key>a&amp;b&lt;c&gt;\"'\r\n\t x</Key></Object><Object><Key>k2</Key>"
        + "<VersionId>v1</VersionId></Object><Quiet>true</Quiet></Delete>"
    static let botoComplete =
        "<CompleteMultipartUpload xmlns=\"\(s3NS)\"><Part><ETag>\"e1\"</ETag><PartNumber>1</PartNumber>"
        + "<ChecksumCRC32C>AAAAAA==</ChecksumCRC32C></Part><Part><ETag>\"e2\"</ETag><PartNumber>2</PartNumber></Part>"
        + "</CompleteMultipartUpload>"

    static let esdkCreateBucketOBS =
        "<CreateBucketConfiguration><Location>cn-north-4</Location></CreateBucketConfiguration>"
    static let esdkCreateBucketV2 =
        "<CreateBucketConfiguration><LocationConstraint>cn-north-4</LocationConstraint></CreateBucketConfiguration>"
    static let esdkEncryptionOBS =
        "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>kms"
        + "</SSEAlgorithm><KMSMasterKeyID>key-1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule>"
        + "</ServerSideEncryptionConfiguration>"
    static let esdkDelete =
        "<Delete><Quiet>true</Quiet><Object><Key>a&amp;b&lt;c&gt; +x</Key></Object><Object><Key>k2</Key>"
        + "<VersionId>v1</VersionId></Object></Delete>"
    static let esdkDeleteURL =
        "<Delete><Quiet>false</Quiet><EncodingType>url</EncodingType><Object><Key>a%26b%3Cc%3E+%2Bx%2F%C3%A9</Key>"
        + "</Object></Delete>"
    static let esdkComplete =
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part><Part><PartNumber>2"
        + "</PartNumber><ETag>\"e2\"</ETag></Part></CompleteMultipartUpload>"
}

struct CreateBucketConfigurationReaderTests {
    @Test func acceptsEveryClient() throws {
        for dialect in [XMLDialect.obs, .aws] {
            let body = OBSXMLBody.createBucketConfiguration(location: "cn-north-4", dialect: dialect)
            #expect(try ServerXMLReader.createBucketConfiguration(body) == "cn-north-4")
        }
        #expect(try ServerXMLReader.createBucketConfiguration(ClientSample.botoCreateBucket.bytes) == "eu-west-1")
        #expect(try ServerXMLReader.createBucketConfiguration(ClientSample.esdkCreateBucketOBS.bytes) == "cn-north-4")
        #expect(try ServerXMLReader.createBucketConfiguration(ClientSample.esdkCreateBucketV2.bytes) == "cn-north-4")
        // No body, no element, an empty element (S3's us-east-1), a pretty-printed one.
        #expect(try ServerXMLReader.createBucketConfiguration([]) == nil)
        #expect(try ServerXMLReader.createBucketConfiguration(" \r\n".bytes) == nil)
        #expect(try ServerXMLReader.createBucketConfiguration("<CreateBucketConfiguration/>".bytes) == nil)
        #expect(
            try ServerXMLReader.createBucketConfiguration(
                "<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>".bytes) == "")
        #expect(
            try ServerXMLReader.createBucketConfiguration(
                "<?xml version=\"1.0\"?>\n<CreateBucketConfiguration>\n  <Location> r1 </Location>\n"
                    .appending("</CreateBucketConfiguration>\n").bytes) == "r1")
    }

    @Test(arguments: [
        (
            "<CreateBucketConfiguration><Location>a</Location><LocationConstraint>a</LocationConstraint>"
                + "</CreateBucketConfiguration>", "both"
        ),
        (
            "<CreateBucketConfiguration><Location>a</Location><Location>b</Location></CreateBucketConfiguration>",
            "2 Location"
        ),
        (
            "<CreateBucketConfiguration><Location><Name>a</Name><Type>AvailabilityZone</Type></Location>"
                + "</CreateBucketConfiguration>", "inside <Location>"
        ),
        (
            "<CreateBucketConfiguration><Bucket><Type>Directory</Type></Bucket></CreateBucketConfiguration>",
            "<Bucket>"
        ),
        ("<CreateBucketConfiguration>eu<Location>a</Location></CreateBucketConfiguration>", "text"),
        ("<LocationConstraint>a</LocationConstraint>", "root element"),
        ("<CreateBucketConfiguration><Location>a</Location>", "truncated"),
        ("<!DOCTYPE x [<!ENTITY e \"a\">]><CreateBucketConfiguration/>", "DTD"),
        ("region", "syntax error"),
    ])
    func refuses(_ body: String, _ mentioning: String) {
        expectRefused(mentioning) { _ = try ServerXMLReader.createBucketConfiguration(body.bytes) }
    }
}

struct BucketEncryptionReaderTests {
    @Test func acceptsEveryClient() throws {
        let urn = "cn-north-4:783fc6652cf246c096ea836694f71855:key/522d6070-5ad3-4765-9737-9312ddc72cdb"
        for dialect in [XMLDialect.obs, .aws] {
            for e in [BucketEncryption.obs, .kms(keyID: nil), .kms(keyID: urn)] {
                let request = try ServerXMLReader.bucketEncryption(OBSXMLBody.bucketEncryption(e, dialect: dialect))
                #expect(request.encryption == e && request.projectID == nil && request.bucketKeyEnabled == nil)
            }
        }
        let boto = try ServerXMLReader.bucketEncryption(ClientSample.botoEncryptionKMS.bytes)
        #expect(boto.encryption == .kms(keyID: "alias/k") && boto.bucketKeyEnabled == true)
        #expect(try ServerXMLReader.bucketEncryption(ClientSample.botoEncryptionAES.bytes).encryption == .obs)
        #expect(
            try ServerXMLReader.bucketEncryption(ClientSample.esdkEncryptionOBS.bytes).encryption
                == .kms(keyID: "key-1"))
        let withProject = try ServerXMLReader.bucketEncryption(
            ("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>kms"
                + "</SSEAlgorithm><KMSMasterKeyID></KMSMasterKeyID><ProjectID>p1</ProjectID>"
                + "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>").bytes)
        #expect(withProject.encryption == .kms(keyID: nil) && withProject.projectID == "p1")
    }

    private static func body(_ apply: String, rule: String = "") -> String {
        "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>\(apply)"
            + "</ApplyServerSideEncryptionByDefault>\(rule)</Rule></ServerSideEncryptionConfiguration>"
    }

    @Test(arguments: [
        (body("<SSEAlgorithm>SM4</SSEAlgorithm>"), "unsupported SSEAlgorithm 'SM4'"),
        (body("<SSEAlgorithm>aes256</SSEAlgorithm>"), "unsupported SSEAlgorithm"),
        (body("<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID>"), "only to SSEAlgorithm kms"),
        (body("<KMSMasterKeyID>k</KMSMasterKeyID>"), "no SSEAlgorithm"),
        (body("<SSEAlgorithm> </SSEAlgorithm>"), "no SSEAlgorithm"),
        (body("<SSEAlgorithm>kms</SSEAlgorithm><SSEAlgorithm>AES256</SSEAlgorithm>"), "2 SSEAlgorithm"),
        (body("<SSEAlgorithm>kms</SSEAlgorithm><Extra/>"), "<Extra>"),
        (
            body("<SSEAlgorithm>kms</SSEAlgorithm>", rule: "<BucketKeyEnabled>yes</BucketKeyEnabled>"),
            "BucketKeyEnabled"
        ),
        ("<ServerSideEncryptionConfiguration><Rule/></ServerSideEncryptionConfiguration>", "no ApplyServer"),
        ("<ServerSideEncryptionConfiguration/>", "0 Rule"),
        (
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>kms"
                + "</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule><Rule/>"
                + "</ServerSideEncryptionConfiguration>",
            "2 Rule"
        ),
        ("", "empty"),
        ("<ServerSideEncryption/>", "root element"),
    ])
    func refuses(_ body: String, _ mentioning: String) {
        expectRefused(mentioning) { _ = try ServerXMLReader.bucketEncryption(body.bytes) }
    }
}

struct DeleteObjectsReaderTests {
    /// obsctl's own builder, tricky keys included (its CR survives as `&#13;`), quiet or not.
    @Test(arguments: [true, false])
    func acceptsObsctlBodies(_ quiet: Bool) throws {
        let keys = trickyKeys + ["k"]
        let request = try ServerXMLReader.deleteObjects(OBSXMLBody.deleteObjects(keys: keys, quiet: quiet))
        #expect(
            request
                == ServerXMLReader.DeleteRequest(
                    quiet: quiet, objects: keys.map { ServerXMLReader.DeleteObject(key: $0) }))
    }

    @Test func acceptsSDKBodies() throws {
        let boto = try ServerXMLReader.deleteObjects(ClientSample.botoDelete.bytes)
        #expect(
            boto
                == ServerXMLReader.DeleteRequest(
                    quiet: true,
                    objects: [.init(key: "a&b<c>\"'\n\t x"), .init(key: "k2", versionID: "v1")]))
        let esdk = try ServerXMLReader.deleteObjects(ClientSample.esdkDelete.bytes)
        #expect(esdk.quiet && esdk.objects == [.init(key: "a&b<c> +x"), .init(key: "k2", versionID: "v1")])
        #expect(!esdk.urlEncoded)
        let url = try ServerXMLReader.deleteObjects(ClientSample.esdkDeleteURL.bytes)
        #expect(
            url == ServerXMLReader.DeleteRequest(quiet: false, objects: [.init(key: "a&b<c> +x/é")], urlEncoded: true))
    }

    /// S3's conditions on an Object: the ETag as sent (trimmed); LastModifiedTime and Size named, for the server to
    /// refuse.
    @Test func conditions() throws {
        let request = try ServerXMLReader.deleteObjects(
            ("<Delete><Object><Key>a</Key><ETag> \"e1\" </ETag></Object><Object><Key>b</Key><ETag>*</ETag>"
                + "<Size>3</Size><LastModifiedTime>2030-01-01T00:00:00Z</LastModifiedTime></Object></Delete>").bytes)
        #expect(
            request.objects == [
                .init(key: "a", etag: "\"e1\""),
                .init(key: "b", etag: "*", otherConditions: ["LastModifiedTime", "Size"]),
            ])
    }

    /// 1000 keys of the longest kind, every byte escaped: within the size limit. One more key is refused by
    /// count, many more by the tag bound, before any tree is built.
    @Test func limits() throws {
        let longKey = String(repeating: "\"", count: 1024)
        let full = OBSXMLBody.deleteObjects(keys: Array(repeating: longKey, count: 1000), quiet: true)
        #expect(full.count <= ServerXMLReader.maxDeleteBytes)
        #expect(try ServerXMLReader.deleteObjects(full).objects.count == 1000)
        expectRefused("at most 1000") {
            _ = try ServerXMLReader.deleteObjects(
                OBSXMLBody.deleteObjects(keys: (0...1000).map { "k\($0)" }, quiet: true))
        }
        expectRefused("too many elements") {
            _ = try ServerXMLReader.deleteObjects(
                OBSXMLBody.deleteObjects(keys: (0..<5000).map { "k\($0)" }, quiet: true))
        }
        expectRefused("too many elements") {
            _ = try ServerXMLReader.deleteObjects(
                ("<Delete>" + String(repeating: "<!---->", count: 20000) + "</Delete>").bytes)
        }
        expectRefused("at most \(ServerXMLReader.maxDeleteBytes)") {
            var big = Array("<Delete><Object><Key>".utf8)
            big += [UInt8](repeating: UInt8(ascii: "k"), count: ServerXMLReader.maxDeleteBytes)
            big += Array("</Key></Object></Delete>".utf8)
            _ = try ServerXMLReader.deleteObjects(big)
        }
    }

    @Test(arguments: [
        ("<Delete><Quiet>true</Quiet></Delete>", "no Object"),
        ("<Delete><Object><Key></Key></Object></Delete>", "Object #1 has no Key"),
        ("<Delete><Object><VersionId>v</VersionId></Object></Delete>", "Object #1 has no Key"),
        ("<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>", "2 Key"),
        ("<Delete><Object><Key>a<b/></Key></Object></Delete>", "inside <Key>"),
        ("<Delete><Object><Key>a</Key><Owner>1</Owner></Object></Delete>", "<Owner>"),
        ("<Delete><Object><Key>a</Key><ETag> </ETag></Object></Delete>", "empty ETag"),
        ("<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>", "Quiet is 'yes'"),
        ("<Delete><Quiet>true</Quiet><Quiet>false</Quiet><Object><Key>a</Key></Object></Delete>", "2 Quiet"),
        ("<Delete><EncodingType>base64</EncodingType><Object><Key>a</Key></Object></Delete>", "EncodingType"),
        ("<Delete><EncodingType>url</EncodingType><Object><Key>a%zz</Key></Object></Delete>", "URL encoding"),
        ("<Delete><EncodingType>url</EncodingType><Object><Key>%FF</Key></Object></Delete>", "URL encoding"),
        ("<Delete>x<Object><Key>a</Key></Object></Delete>", "text beside"),
        ("<Delete><Object><Key>a</Key></Object>", "truncated"),
        ("<Delete><Object><Key>a&#1;</Key></Object></Delete>", "Delete request body"),
        ("<Delete><Object><Key>a&nbsp;</Key></Object></Delete>", "Delete request body"),
        ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Delete/>", "encoding"),
        ("<Objects><Object><Key>a</Key></Object></Objects>", "root element is <Objects>"),
        (
            "<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                + "<Delete><Object><Key>&b;</Key></Object></Delete>",
            "DTD"
        ),
    ])
    func refuses(_ body: String, _ mentioning: String) {
        expectRefused(mentioning) { _ = try ServerXMLReader.deleteObjects(body.bytes) }
    }
}

struct CompleteMultipartUploadReaderTests {
    @Test func acceptsEveryClient() throws {
        let parts = [(number: 1, etag: "\"e1\""), (number: 2, etag: "e2"), (number: 10000, etag: "\"a&b\"")]
        #expect(
            try ServerXMLReader.completeMultipartUpload(OBSXMLBody.completeMultipartUpload(parts: parts))
                == parts.map { ServerXMLReader.CompletedPart(number: $0.number, etag: $0.etag) })
        let withCRC = try ServerXMLReader.completeMultipartUpload(
            OBSXMLBody.completeMultipartUpload(parts: parts, crc32c: [1: "yZRlqg==", 2: "AAAAAA=="]))
        #expect(withCRC.map(\.checksums) == [["CRC32C": "yZRlqg=="], ["CRC32C": "AAAAAA=="], [:]])
        #expect(
            try ServerXMLReader.completeMultipartUpload(ClientSample.botoComplete.bytes)
                == [
                    .init(number: 1, etag: "\"e1\"", checksums: ["CRC32C": "AAAAAA=="]),
                    .init(number: 2, etag: "\"e2\""),
                ])
        #expect(
            try ServerXMLReader.completeMultipartUpload(ClientSample.esdkComplete.bytes)
                == [.init(number: 1, etag: "\"e1\""), .init(number: 2, etag: "\"e2\"")])
        // Document order is kept: the backend, not the reader, answers InvalidPartOrder.
        let reversed =
            "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>b</ETag></Part><Part>"
            + "<PartNumber> 1 </PartNumber><ETag> a </ETag></Part></CompleteMultipartUpload>"
        #expect(try ServerXMLReader.completeMultipartUpload(reversed.bytes).map(\.number) == [2, 1])
        #expect(try ServerXMLReader.completeMultipartUpload(reversed.bytes).map(\.etag) == ["b", "a"])
        let zeros =
            "<CompleteMultipartUpload><Part><PartNumber>0000000000010000</PartNumber><ETag>e</ETag></Part>"
            + "</CompleteMultipartUpload>"
        #expect(try ServerXMLReader.completeMultipartUpload(zeros.bytes).map(\.number) == [10000])
    }

    @Test func limits() throws {
        let all = (1...10000).map { (number: $0, etag: "\"0123456789abcdef0123456789abcdef\"") }
        let body = OBSXMLBody.completeMultipartUpload(
            parts: all, crc32c: Dictionary(uniqueKeysWithValues: all.map { ($0.number, "AAAAAA==") }))
        #expect(body.count <= ServerXMLReader.maxCompleteBytes)
        #expect(try ServerXMLReader.completeMultipartUpload(body).count == 10000)
        let tooMany = all + [(number: 10000, etag: "x")]
        expectRefused("at most 10000") {
            _ = try ServerXMLReader.completeMultipartUpload(OBSXMLBody.completeMultipartUpload(parts: tooMany))
        }
    }

    private static func part(_ inner: String) -> String {
        "<CompleteMultipartUpload><Part>\(inner)</Part></CompleteMultipartUpload>"
    }

    @Test(arguments: [
        ("<CompleteMultipartUpload/>", "no Part"),
        (part("<ETag>e</ETag>"), "no PartNumber"),
        (part("<PartNumber>1</PartNumber>"), "no ETag"),
        (part("<PartNumber>1</PartNumber><ETag> </ETag>"), "no ETag"),
        (part("<PartNumber>0</PartNumber><ETag>e</ETag>"), "PartNumber '0'"),
        (part("<PartNumber>10001</PartNumber><ETag>e</ETag>"), "from 1 to 10000"),
        (part("<PartNumber>-1</PartNumber><ETag>e</ETag>"), "PartNumber '-1'"),
        (part("<PartNumber>000</PartNumber><ETag>e</ETag>"), "PartNumber '000'"),
        (part("<PartNumber></PartNumber><ETag>e</ETag>"), "PartNumber ''"),
        (part("<PartNumber>+1</PartNumber><ETag>e</ETag>"), "PartNumber '+1'"),
        (part("<PartNumber>1.0</PartNumber><ETag>e</ETag>"), "PartNumber"),
        (part("<PartNumber>99999999999999999999999</PartNumber><ETag>e</ETag>"), "PartNumber"),
        (part("<PartNumber>one</PartNumber><ETag>e</ETag>"), "PartNumber 'one'"),
        (part("<PartNumber>1</PartNumber><PartNumber>2</PartNumber><ETag>e</ETag>"), "2 PartNumber"),
        (part("<PartNumber>1</PartNumber><ETag>e</ETag><Size>5</Size>"), "<Size>"),
        (part("<PartNumber>1</PartNumber><ETag>e</ETag><ChecksumMD5>x</ChecksumMD5>"), "<ChecksumMD5>"),
        ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>", "truncated"),
        ("<CompleteMultipartUploadResult/>", "root element"),
        ("", "empty"),
    ])
    func refuses(_ body: String, _ mentioning: String) {
        expectRefused(mentioning) { _ = try ServerXMLReader.completeMultipartUpload(body.bytes) }
    }
}
