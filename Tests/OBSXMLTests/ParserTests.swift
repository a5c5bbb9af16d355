import Foundation
import Testing
import OBSCore
@testable import OBSXML

struct ListMultipartUploadsParserTests {
    @Test func obsPage() throws {
        let page = try OBSXMLParser.listMultipartUploads(Sample.obsListUploads.bytes)
        #expect(
            page
                == UploadListPage(
                    uploads: [
                        ListedUpload(key: "logs/a & b.bin", uploadID: "00000174F3A8F5D6", initiated: Sample.t0),
                        ListedUpload(key: "logs/b.bin", uploadID: "00000174F3A8F5D7", initiated: Sample.t0),
                    ],
                    isTruncated: true, nextKeyMarker: "logs/b.bin", nextUploadIDMarker: "00000174F3A8F5D7"))
    }

    /// A truncated page with only NextUploadIdMarker (SeaweedFS) continues from that alone; keys are taken as sent
    /// (no encoding-type is asked for, so a '+' stays a '+').
    @Test func uploadIDMarkerAlone() throws {
        let page = try OBSXMLParser.listMultipartUploads(Sample.s3ListUploadsNoKeyMarker.bytes)
        #expect(page.uploads == [ListedUpload(key: "a b+c.txt", uploadID: "id-1", initiated: Sample.t0)])
        #expect(page.nextKeyMarker == nil && page.nextUploadIDMarker == "id-1")
    }

    @Test func emptyAndMalformedPages() throws {
        let empty = try OBSXMLParser.listMultipartUploads(
            "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>".bytes)
        #expect(empty.uploads.isEmpty && !empty.isTruncated && empty.nextKeyMarker == nil)
        for (body, mentioning) in [
            ("<ListMultipartUploadsResult><Upload><Key>k</Key></Upload></ListMultipartUploadsResult>", "UploadId"),
            ("<ListMultipartUploadsResult><Upload><UploadId>i</UploadId></Upload></ListMultipartUploadsResult>", "Key"),
            (
                "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><Upload><Key>k</Key><UploadId>i</UploadId>"
                    + "</Upload></ListMultipartUploadsResult>",
                "continue"
            ),
            (
                "<ListMultipartUploadsResult><Upload><Key>k</Key><UploadId>i</UploadId><Initiated>yesterday</Initiated>"
                    + "</Upload></ListMultipartUploadsResult>",
                "Initiated"
            ),
        ] {
            expectMalformed(mentioning: mentioning) { _ = try OBSXMLParser.listMultipartUploads(body.bytes) }
        }
    }
}

struct ListObjectsParserTests {
    @Test func obsNamespacedPage() throws {
        let page = try OBSXMLParser.listObjects(Sample.obsListObjects.bytes)
        #expect(
            page
                == ObjectListPage(
                    objects: [
                        ListedObject(
                            key: "logs/a & b <1>.txt", lastModified: Sample.t0,
                            etag: "\"5d41402abc4b2a76b9719d911017c592\"",
                            size: 5, storageClass: "STANDARD"),
                        ListedObject(
                            key: "logs/b&c.txt", lastModified: Sample.t0 + 1,
                            etag: "\"065947336a2f2a95ba8899f3675c3be6-2\"",
                            size: 10_485_760, storageClass: "WARM"),
                    ],
                    commonPrefixes: ["logs/2024/", "logs/2025/"],
                    isTruncated: true,
                    nextMarker: "logs/b&c.txt"))
    }

    @Test func s3URLEncodedPageFallsBackToLaterOfKeyAndPrefix() throws {
        let page = try OBSXMLParser.listObjects(Sample.s3ListObjectsURL.bytes)
        #expect(page.objects.map(\.key) == ["dir/100%", "dir/hello world+plus.txt"])
        #expect(page.objects.map(\.etag) == ["\"5d41402abc4b2a76b9719d911017c592\"", "\"abc\""])
        #expect(page.objects.map(\.size) == [0, Int64.max])
        #expect(page.objects[0].lastModified == Sample.t0 + 0.123)
        #expect(page.objects[1].storageClass == nil)
        #expect(page.commonPrefixes == ["dir/sub dir/", "dir/zz你好/"])
        #expect(page.isTruncated)
        #expect(page.nextMarker == "dir/zz你好/")
    }

    @Test func fallbackPicksTheKeyWhenItSortsLater() throws {
        let xml =
            "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>b/\u{00E9}</Key><Size>1</Size></Contents>"
            + "<Contents><Key>b/zz</Key><Size>1</Size></Contents><CommonPrefixes><Prefix>b/y/</Prefix></CommonPrefixes>"
            + "</ListBucketResult>"
        #expect(try OBSXMLParser.listObjects(xml.bytes).nextMarker == "b/zz")
        // Byte order, not Unicode collation: "b/é" (0xC3...) sorts after "b/zz".
        let xml2 =
            "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>b/zz</Key><Size>1</Size></Contents>"
            + "<Contents><Key>b/\u{00E9}</Key><Size>1</Size></Contents></ListBucketResult>"
        #expect(try OBSXMLParser.listObjects(xml2.bytes).nextMarker == "b/\u{00E9}")
    }

    @Test func encodedNextMarkerIsDecoded() throws {
        let xml =
            "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextMarker>"
            + "a%20b%2Bc</NextMarker><Contents><Key>a%20a</Key><Size>1</Size></Contents></ListBucketResult>"
        #expect(try OBSXMLParser.listObjects(xml.bytes).nextMarker == "a b+c")
    }

    @Test func completeListingHasNoMarker() throws {
        let xml =
            "<ListBucketResult xmlns=\"\(Sample.s3NS)\"><Name>b</Name><IsTruncated>false</IsTruncated><NextMarker>"
            + "zzz</NextMarker><Contents><Key>k</Key><Size>3</Size><ETag>\"e\"</ETag></Contents></ListBucketResult>"
        let page = try OBSXMLParser.listObjects(xml.bytes)
        #expect(!page.isTruncated && page.nextMarker == nil && page.objects.count == 1)
        let empty = try OBSXMLParser.listObjects(
            "<ListBucketResult><Name>b</Name><IsTruncated>false</IsTruncated></ListBucketResult>".bytes)
        #expect(empty == ObjectListPage(objects: [], commonPrefixes: [], isTruncated: false, nextMarker: nil))
    }

    @Test func fullPageOfAThousandKeys() throws {
        var xml = "<ListBucketResult xmlns=\"\(Sample.obsNS)\"><IsTruncated>true</IsTruncated>"
        for i in 0..<1000 {
            xml +=
                "<Contents><Key>k/\(String(format: "%04d", i))&amp;</Key><LastModified>"
                + "2024-10-15T07:20:09.000Z</LastModified><ETag>\"5d41402abc4b2a76b9719d911017c592\"</ETag><Size>"
                + "\(i)</Size><StorageClass>STANDARD</StorageClass></Contents>"
        }
        xml += "</ListBucketResult>"
        let page = try OBSXMLParser.listObjects(xml.bytes)
        #expect(page.objects.count == 1000 && page.objects.last?.size == 999)
        #expect(page.nextMarker == "k/0999&")
    }

    @Test func prefixedElementNamesMatchToo() throws {
        let xml =
            "<s3:ListBucketResult xmlns:s3=\"\(Sample.s3NS)\"><s3:IsTruncated>false</s3:IsTruncated>"
            + "<s3:Contents><s3:Key>k</s3:Key><s3:Size>3</s3:Size></s3:Contents></s3:ListBucketResult>"
        #expect(try OBSXMLParser.listObjects(xml.bytes).objects.map(\.key) == ["k"])
    }

    @Test func keysKeepSurroundingWhitespace() throws {
        let xml = "<ListBucketResult><Contents><Key> spaced key </Key><Size>1</Size></Contents></ListBucketResult>"
        #expect(try OBSXMLParser.listObjects(xml.bytes).objects.first?.key == " spaced key ")
    }

    @Test(arguments: [
        ("<Contents><Size>1</Size></Contents>", "has no Key"),
        ("<Contents><Key></Key><Size>1</Size></Contents>", "empty Key"),
        ("<Contents><Key>k</Key></Contents>", "has no Size"),
        ("<Contents><Key>k</Key><Size>-1</Size></Contents>", "Size"),
        ("<Contents><Key>k</Key><Size>12abc</Size></Contents>", "Size"),
        ("<Contents><Key>k</Key><Size>99999999999999999999</Size></Contents>", "Size"),
        ("<Contents><Key>k</Key><Size>1</Size><LastModified>yesterday</LastModified></Contents>", "LastModified"),
        ("<IsTruncated>maybe</IsTruncated>", "IsTruncated"),
        ("<IsTruncated>true</IsTruncated>", "continue from"),
        ("<EncodingType>url</EncodingType><Contents><Key>bad%zzkey</Key><Size>1</Size></Contents>", "URL encoding"),
        ("<EncodingType>url</EncodingType><Contents><Key>trunc%4</Key><Size>1</Size></Contents>", "URL encoding"),
        ("<EncodingType>url</EncodingType><Contents><Key>notutf8%FF</Key><Size>1</Size></Contents>", "URL encoding"),
        ("<EncodingType>base64</EncodingType>", "EncodingType"),
    ])
    func semanticallyBrokenPagesThrow(inner: String, mentions: String) {
        expectMalformed(mentioning: mentions) {
            _ = try OBSXMLParser.listObjects("<ListBucketResult>\(inner)</ListBucketResult>".bytes)
        }
    }
}

struct ListBucketsParserTests {
    @Test func obsWithLocation() throws {
        #expect(
            try OBSXMLParser.listBuckets(Sample.obsListBuckets.bytes) == [
                ListedBucket(name: "examplebucket", creationDate: Sample.t0, location: "cn-north-4"),
                ListedBucket(name: "examplebucket2", creationDate: Sample.t0, location: nil),
            ])
    }

    @Test func s3AndEmpty() throws {
        #expect(
            try OBSXMLParser.listBuckets(Sample.s3ListBuckets.bytes) == [
                ListedBucket(name: "a.b-c", creationDate: Sample.t0, location: nil)
            ])
        #expect(try OBSXMLParser.listBuckets(Sample.emptyListBuckets.bytes) == [])
    }

    @Test func bucketWithoutNameThrows() {
        expectMalformed(mentioning: "Name") {
            _ = try OBSXMLParser.listBuckets(
                ("<ListAllMyBucketsResult><Buckets><Bucket><CreationDate>2024-10-15T07:20:09Z</CreationDate></Bucket>"
                    + "</Buckets></ListAllMyBucketsResult>").bytes)
        }
    }
}

struct ErrorParserTests {
    @Test func obsErrorWithCDATA() {
        #expect(
            OBSXMLParser.error(Sample.obsError.bytes)
                == ServiceError(
                    code: "NoSuchKey", message: "The resource you requested does not exist: a&b <c>",
                    requestID: "001B21A61C6C0000013402C4616D5285",
                    hostID: "RkRCRDJENDc5MzdGQkQ4OUY3MTI4NTQ3NDk2Mjg0M0FBQUFBQUFBYmJiYmJiYmJD",
                    resource: "/example-bucket/object"))
    }

    @Test func s3ErrorWithoutResource() {
        let e = OBSXMLParser.error(Sample.s3InternalError.bytes)
        #expect(e?.code == "InternalError" && e?.resource == nil && e?.requestID == "656c76696e6727732072657175657374")
    }

    @Test func namespacedAndEntityEscaped() {
        let xml =
            "<Error xmlns=\"\(Sample.obsNS)\"><Code>KMS.DisabledException</Code><Message>"
            + "key &quot;k&quot; is disabled</Message></Error>"
        #expect(
            OBSXMLParser.error(xml.bytes)
                == ServiceError(code: "KMS.DisabledException", message: "key \"k\" is disabled"))
    }

    @Test(arguments: [
        "", "  \n", Sample.obsListObjects, "<Error><Code>NoSuchKey</Code>", "<Error><Code>X</Code></Err>",
        "<Error><Code>&bogus;</Code></Error>", "not xml at all", "<html><body>502 Bad Gateway</body></html>",
    ])
    func nonErrorBodiesGiveNil(_ body: String) {
        #expect(OBSXMLParser.error(body.bytes) == nil)
    }
}

struct SmallResultParserTests {
    @Test func bucketEncryption() throws {
        #expect(
            try OBSXMLParser.bucketEncryption(Sample.obsEncryptionKMS.bytes)
                == .kms(keyID: "cn-north-4:783fc6652cf246c096ea836694f71855:key/522d6070-5ad3-4765-9737-9312ddc72cdb"))
        #expect(try OBSXMLParser.bucketEncryption(Sample.s3EncryptionAWSKMS.bytes) == .kms(keyID: nil))
        #expect(try OBSXMLParser.bucketEncryption(Sample.obsEncryptionAES.bytes) == .obs)
    }

    @Test func bucketEncryptionRejectsUnknownOrMissingAlgorithm() {
        let wrap = { (inner: String) in
            ("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                + "\(inner)</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>").bytes
        }
        expectMalformed(mentioning: "SM4") {
            _ = try OBSXMLParser.bucketEncryption(wrap("<SSEAlgorithm>SM4</SSEAlgorithm>"))
        }
        expectMalformed(mentioning: "SSEAlgorithm") {
            _ = try OBSXMLParser.bucketEncryption(wrap("<KMSMasterKeyID>k</KMSMasterKeyID>"))
        }
        expectMalformed(mentioning: "Rule") {
            _ = try OBSXMLParser.bucketEncryption("<ServerSideEncryptionConfiguration/>".bytes)
        }
    }

    @Test func location() throws {
        #expect(try OBSXMLParser.location(Sample.obsLocation.bytes) == "cn-north-4")
        #expect(try OBSXMLParser.location(Sample.s3Location.bytes) == "eu-west-1")
        #expect(try OBSXMLParser.location(Sample.s3LocationEmpty.bytes) == "")
        #expect(try OBSXMLParser.location("<Location></Location>".bytes) == "")
    }

    @Test func initiateAndComplete() throws {
        #expect(try OBSXMLParser.initiateMultipartUpload(Sample.initiate.bytes) == "0000018A2B3C4D5E6F708192A3B4C5D6")
        #expect(
            try OBSXMLParser.completeMultipartUpload(Sample.complete.bytes) == "\"065947336a2f2a95ba8899f3675c3be6-2\"")
        expectMalformed(mentioning: "UploadId") {
            _ = try OBSXMLParser.initiateMultipartUpload(
                "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key></InitiateMultipartUploadResult>".bytes)
        }
        expectMalformed(mentioning: "ETag") {
            _ = try OBSXMLParser.completeMultipartUpload(
                "<CompleteMultipartUploadResult><Key>k</Key><ETag></ETag></CompleteMultipartUploadResult>".bytes)
        }
    }

    /// S3 and OBS may answer CompleteMultipartUpload with 200 and put the failure in the body.
    @Test func errorInsideA200CompleteBodyThrowsItsCode() {
        #expect {
            _ = try OBSXMLParser.completeMultipartUpload(Sample.s3InternalError.bytes)
        } throws: { error in
            guard let e = error as? OBSError else { return false }
            return e.code == "InternalError" && e.category == .transient
                && e.requestID == "656c76696e6727732072657175657374"
                && e.message.contains("We encountered an internal error")
        }
        #expect {
            _ = try OBSXMLParser.completeMultipartUpload(
                ("<Error><Code>InvalidPartOrder</Code><Message>parts out of order</Message><Resource>/b/k</Resource>"
                    + "</Error>").bytes)
        } throws: { ($0 as? OBSError)?.code == "InvalidPartOrder" && ($0 as? OBSError)?.resource == "/b/k" }
    }

    @Test func copyResults() throws {
        let object = try OBSXMLParser.copyResult(Sample.copyObject.bytes)
        #expect(object.etag == "\"5d41402abc4b2a76b9719d911017c592\"" && object.lastModified == Sample.t0)
        let part = try OBSXMLParser.copyResult(Sample.copyPart.bytes)
        #expect(part.etag == "\"7d793037a0760186574b0282f2f435e7\"" && part.lastModified == Sample.t0)
    }

    @Test func copyWithoutETagOrWithErrorThrows() {
        expectMalformed(mentioning: "ETag") {
            _ = try OBSXMLParser.copyResult(
                "<CopyObjectResult><LastModified>2024-10-15T07:20:09.000Z</LastModified></CopyObjectResult>".bytes)
        }
        expectMalformed(mentioning: "ETag") { _ = try OBSXMLParser.copyResult("<CopyPartResult/>".bytes) }
        #expect { _ = try OBSXMLParser.copyResult(Sample.s3InternalError.bytes) } throws: {
            ($0 as? OBSError)?.code == "InternalError"
        }
        #expect { _ = try OBSXMLParser.copyResult(Sample.obsError.bytes) } throws: {
            ($0 as? OBSError)?.code == "NoSuchKey" && ($0 as? OBSError)?.category == .notFound
        }
    }

    @Test func deleteResult() throws {
        let r = try OBSXMLParser.deleteResult(Sample.deleteResult.bytes)
        #expect(
            r
                == DeleteResult(
                    deleted: ["a&b.txt", "dir/c d.txt"],
                    errors: [(key: "locked.txt", code: "AccessDenied", message: "Access Denied")]))
        #expect(
            r
                != DeleteResult(
                    deleted: ["a&b.txt", "dir/c d.txt"],
                    errors: [(key: "locked.txt", code: "AccessDenied", message: "other")]))
        #expect(r != DeleteResult(deleted: ["a&b.txt", "dir/c d.txt"], errors: []))
        #expect(try OBSXMLParser.deleteResult(Sample.quietDeleteResult.bytes) == DeleteResult(deleted: [], errors: []))
        let encoded =
            "<DeleteResult><EncodingType>url</EncodingType><Deleted><Key>a%26b+c</Key></Deleted>"
            + "<Error><Key>x%2By</Key><Code>AccessDenied</Code></Error></DeleteResult>"
        #expect(
            try OBSXMLParser.deleteResult(encoded.bytes)
                == DeleteResult(deleted: ["a&b c"], errors: [(key: "x+y", code: "AccessDenied", message: "")]))
        expectMalformed(mentioning: "Key") {
            _ = try OBSXMLParser.deleteResult("<DeleteResult><Deleted></Deleted></DeleteResult>".bytes)
        }
        expectMalformed(mentioning: "Code") {
            _ = try OBSXMLParser.deleteResult("<DeleteResult><Error><Key>k</Key></Error></DeleteResult>".bytes)
        }
    }

    /// Responses are parsed from many tasks at once by the HTTP client.
    @Test func concurrentParsesAgree() async throws {
        let expected = try OBSXMLParser.listObjects(Sample.obsListObjects.bytes)
        let results = try await withThrowingTaskGroup(of: ObjectListPage.self) { group in
            for _ in 0..<64 { group.addTask { try OBSXMLParser.listObjects(Sample.obsListObjects.bytes) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 == expected })
    }
}

/// Asserts that `body` throws `MalformedXML` (category `.general`, status 0) whose message contains `mentioning`.
func expectMalformed(
    mentioning: String = "", sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    #expect(sourceLocation: sourceLocation) {
        try body()
    } throws: { error in
        guard let e = error as? OBSError else { return false }
        return e.code == "MalformedXML" && e.category == .general && e.httpStatus == 0
            && e.message.hasPrefix("malformed ") && (mentioning.isEmpty || e.message.contains(mentioning))
    }
}
