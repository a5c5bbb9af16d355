import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSXML

struct BucketEncryptionBodyTests {
    /// docs/obs-protocol.md §2.5 V3: the 189-byte PutBucketEncryption body, `Content-MD5: v7b37vQsrVHnxOHZkngwdw==`.
    @Test func kmsWithoutKeyMatchesProtocolVector() {
        let body = OBSXMLBody.bucketEncryption(.kms(keyID: nil), dialect: .obs)
        let expected =
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>"
            + "kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
        #expect(body == expected.bytes)
        #expect(body.count == 189)
        #expect(Base64.encode(Digest.md5(body)) == "v7b37vQsrVHnxOHZkngwdw==")
    }

    @Test func exactBytesPerDialect() {
        let pre = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
        let post = "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
        let key = "cn-north-4:783fc6652cf246c096ea836694f71855:key/522d6070-5ad3-4765-9737-9312ddc72cdb"
        #expect(
            OBSXMLBody.bucketEncryption(.kms(keyID: key), dialect: .obs)
                == (pre + "<SSEAlgorithm>kms</SSEAlgorithm><KMSMasterKeyID>\(key)</KMSMasterKeyID>" + post).bytes)
        #expect(
            OBSXMLBody.bucketEncryption(.kms(keyID: key), dialect: .aws)
                == (pre + "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>\(key)</KMSMasterKeyID>" + post).bytes)
        #expect(
            OBSXMLBody.bucketEncryption(.kms(keyID: nil), dialect: .aws)
                == (pre + "<SSEAlgorithm>aws:kms</SSEAlgorithm>" + post).bytes)
        #expect(
            OBSXMLBody.bucketEncryption(.kms(keyID: ""), dialect: .obs)
                == (pre + "<SSEAlgorithm>kms</SSEAlgorithm>" + post).bytes)
        for dialect in [XMLDialect.obs, .aws] {
            #expect(
                OBSXMLBody.bucketEncryption(.obs, dialect: dialect)
                    == (pre + "<SSEAlgorithm>AES256</SSEAlgorithm>" + post).bytes)
        }
    }

    @Test(
        arguments: [XMLDialect.obs, .aws],
        [
            BucketEncryption.obs, .kms(keyID: nil), .kms(keyID: "522d6070-5ad3-4765-9737-9312ddc72cdb"),
            .kms(keyID: "region:783fc6652cf246c096ea836694f71855:key/522d6070-5ad3-4765-9737-9312ddc72cdb"),
        ])
    func roundTrip(dialect: XMLDialect, encryption: BucketEncryption) throws {
        #expect(
            try OBSXMLParser.bucketEncryption(OBSXMLBody.bucketEncryption(encryption, dialect: dialect)) == encryption)
    }
}

struct CreateBucketBodyTests {
    @Test func exactBytes() {
        #expect(
            OBSXMLBody.createBucketConfiguration(location: "cn-north-4", dialect: .obs)
                == "<CreateBucketConfiguration><Location>cn-north-4</Location></CreateBucketConfiguration>".bytes)
        #expect(
            OBSXMLBody.createBucketConfiguration(location: "eu-west-1", dialect: .aws)
                == ("<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>"
                + "</CreateBucketConfiguration>").bytes)
        #expect(
            OBSXMLBody.createBucketConfiguration(location: "a&b<c>\"'", dialect: .obs)
                == ("<CreateBucketConfiguration><Location>a&amp;b&lt;c&gt;&quot;&apos;</Location>"
                + "</CreateBucketConfiguration>").bytes)
    }

    @Test(arguments: [XMLDialect.obs, .aws], ["cn-north-4", "", "a&b<c>d\"e'f", " spaced "])
    func roundTrip(dialect: XMLDialect, location: String) throws {
        let body = OBSXMLBody.createBucketConfiguration(location: location, dialect: dialect)
        let root = try XMLTree.parse(body, what: "test")
        #expect(root.name == "CreateBucketConfiguration")
        #expect(root.children.count == 1)
        #expect(root.child(dialect == .obs ? "Location" : "LocationConstraint")?.text == location)
        // The matching response shape goes through the public parser.
        let tag = dialect == .obs ? "Location" : "LocationConstraint"
        let response = "<\(tag) xmlns=\"\(Sample.obsNS)\">\(XMLWriter.escape(location))</\(tag)>"
        #expect(try OBSXMLParser.location(response.bytes) == location.trimmingCharacters(in: .whitespaces))
    }
}

struct CompleteMultipartBodyTests {
    @Test func exactBytesSortedAndEscaped() {
        let body = OBSXMLBody.completeMultipartUpload(parts: [
            (number: 2, etag: "\"7d793037a0760186574b0282f2f435e7\""),
            (number: 1, etag: "5d41402abc4b2a76b9719d911017c592"),
        ])
        let expected =
            "<CompleteMultipartUpload>"
            + "<Part><PartNumber>1</PartNumber><ETag>5d41402abc4b2a76b9719d911017c592</ETag></Part>"
            + "<Part><PartNumber>2</PartNumber><ETag>&quot;7d793037a0760186574b0282f2f435e7&quot;</ETag></Part>"
            + "</CompleteMultipartUpload>"
        #expect(body == expected.bytes)
        #expect(
            OBSXMLBody.completeMultipartUpload(parts: []) == "<CompleteMultipartUpload></CompleteMultipartUpload>".bytes
        )
    }

    @Test func crc32cPerPartAfterTheETag() {
        let body = OBSXMLBody.completeMultipartUpload(
            parts: [(number: 2, etag: "\"b\""), (number: 1, etag: "\"a\"")],
            crc32c: [1: "4waSgw==", 2: "AAAAAA=="])
        let expected =
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag><ChecksumCRC32C>"
            + "4waSgw==</ChecksumCRC32C></Part><Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag>"
            + "<ChecksumCRC32C>AAAAAA==</ChecksumCRC32C></Part></CompleteMultipartUpload>"
        #expect(body == expected.bytes)
    }

    @Test func roundTripKeepsQuotesAndOrder() throws {
        let parts = (1...12).reversed().map {
            (number: $0, etag: "\"\(String(repeating: String($0 % 10), count: 32))\"")
        }
        let root = try XMLTree.parse(OBSXMLBody.completeMultipartUpload(parts: parts), what: "test")
        #expect(root.name == "CompleteMultipartUpload")
        let read = root.children("Part").map { (Int($0.child("PartNumber")!.text)!, $0.child("ETag")!.text) }
        #expect(read.map(\.0) == Array(1...12))
        #expect(read.map(\.1) == parts.reversed().map(\.etag))
    }
}

struct DeleteObjectsBodyTests {
    @Test func exactBytes() {
        #expect(
            OBSXMLBody.deleteObjects(keys: ["a.txt", "b&c/<d>.txt"], quiet: true)
                == ("<Delete><Quiet>true</Quiet><Object><Key>a.txt</Key></Object><Object><Key>"
                + "b&amp;c/&lt;d&gt;.txt</Key></Object></Delete>").bytes)
        #expect(
            OBSXMLBody.deleteObjects(keys: ["x"], quiet: false)
                == "<Delete><Quiet>false</Quiet><Object><Key>x</Key></Object></Delete>".bytes)
    }

    static let awkwardKeys = [
        "plain.txt", "a&b<c>d\"e'f.txt", "dir/sub dir/ file ", "tab\there", "line\nfeed", "cr\rlf\r\n",
        "日本語/🙂.bin", "100%+plus", "]]>", "&amp;",
    ]

    @Test func roundTripKeepsEveryKeyExactly() throws {
        let root = try XMLTree.parse(OBSXMLBody.deleteObjects(keys: Self.awkwardKeys, quiet: true), what: "test")
        #expect(root.name == "Delete")
        #expect(root.child("Quiet")?.text == "true")
        #expect(root.children("Object").map { $0.child("Key")?.text } == Self.awkwardKeys)
    }

    @Test func escapeCoversMarkupAndControlCharacters() {
        #expect(XMLWriter.escape("&<>\"'") == "&amp;&lt;&gt;&quot;&apos;")
        #expect(XMLWriter.escape("a\rb") == "a&#13;b")
        #expect(XMLWriter.escape("a\u{1}b\u{1F}") == "a&#x1;b&#x1F;")
        #expect(XMLWriter.escape("tab\tnl\n日本") == "tab\tnl\n日本")
    }
}
