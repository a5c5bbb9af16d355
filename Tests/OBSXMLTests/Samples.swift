import Foundation
@testable import OBSXML

/// Response bodies shaped as OBS (namespaced `http://obs.<region>.myhuaweicloud.com/doc/2015-06-30/`) and S3
/// (`http://s3.amazonaws.com/doc/2006-03-01/`) send them. None ends in a newline, so every proper prefix of one is
/// a truncated document.
enum Sample {
    static let obsNS = "http://obs.cn-north-4.myhuaweicloud.com/doc/2015-06-30/"
    static let s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// 2024-10-15T07:20:09Z, the date of the protocol document's signing vectors.
    static let t0 = Date(timeIntervalSince1970: 1_728_976_809)

    static let obsListObjects = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <ListBucketResult xmlns="\(obsNS)">
          <Name>examplebucket</Name>
          <Prefix>logs/</Prefix>
          <Marker></Marker>
          <NextMarker>logs/b&amp;c.txt</NextMarker>
          <MaxKeys>2</MaxKeys>
          <Delimiter>/</Delimiter>
          <IsTruncated>true</IsTruncated>
          <Contents>
            <Key>logs/a &amp; b &lt;1&gt;.txt</Key>
            <LastModified>2024-10-15T07:20:09.000Z</LastModified>
            <ETag>"5d41402abc4b2a76b9719d911017c592"</ETag>
            <Size>5</Size>
            <Owner>
              <ID>783fc6652cf246c096ea836694f71855</ID>
            </Owner>
            <StorageClass>STANDARD</StorageClass>
            <Type>NORMAL</Type>
          </Contents>
          <Contents>
            <Key>logs/b&amp;c.txt</Key>
            <LastModified>2024-10-15T07:20:10Z</LastModified>
            <ETag>"065947336a2f2a95ba8899f3675c3be6-2"</ETag>
            <Size>10485760</Size>
            <Owner>
              <ID>783fc6652cf246c096ea836694f71855</ID>
            </Owner>
            <StorageClass>WARM</StorageClass>
            <Type>NORMAL</Type>
          </Contents>
          <CommonPrefixes>
            <Prefix>logs/2024/</Prefix>
          </CommonPrefixes>
          <CommonPrefixes>
            <Prefix>logs/2025/</Prefix>
          </CommonPrefixes>
        </ListBucketResult>
        """

    /// S3 style, one line, `EncodingType=url`, truncated without `NextMarker` (S3 only sends it with a delimiter).
    static let s3ListObjectsURL = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="\(s3NS)"><Name>b</Name><Prefix>dir%2F</Prefix><Marker></Marker><MaxKeys>3</MaxKeys>\
        <Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>\
        <Contents><Key>dir/100%25</Key><LastModified>2024-10-15T07:20:09.123Z</LastModified>\
        <ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass>\
        </Contents>\
        <Contents><Key>dir/hello+world%2Bplus.txt</Key><LastModified>2024-10-15T07:20:09Z</LastModified>\
        <ETag>"abc"</ETag><Size>9223372036854775807</Size></Contents>\
        <CommonPrefixes><Prefix>dir/sub+dir%2F</Prefix></CommonPrefixes>\
        <CommonPrefixes><Prefix>dir/zz%E4%BD%A0%E5%A5%BD/</Prefix></CommonPrefixes>\
        </ListBucketResult>
        """

    static let obsListBuckets = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <ListAllMyBucketsResult xmlns="\(obsNS)">
          <Owner>
            <ID>783fc6652cf246c096ea836694f71855</ID>
          </Owner>
          <Buckets>
            <Bucket>
              <Name>examplebucket</Name>
              <CreationDate>2024-10-15T07:20:09.000Z</CreationDate>
              <Location>cn-north-4</Location>
              <BucketType>OBJECT</BucketType>
            </Bucket>
            <Bucket>
              <Name>examplebucket2</Name>
              <CreationDate>2024-10-15T07:20:09Z</CreationDate>
            </Bucket>
          </Buckets>
        </ListAllMyBucketsResult>
        """

    static let s3ListBuckets = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListAllMyBucketsResult xmlns="\(s3NS)"><Owner><ID>abc</ID><DisplayName>me</DisplayName></Owner><Buckets>\
        <Bucket><Name>a.b-c</Name><CreationDate>2024-10-15T07:20:09.000Z</CreationDate></Bucket></Buckets>\
        </ListAllMyBucketsResult>
        """

    static let emptyListBuckets =
        "<ListAllMyBucketsResult xmlns=\"\(obsNS)\"><Owner><ID>x</ID></Owner><Buckets/></ListAllMyBucketsResult>"

    static let obsError = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error>
          <Code>NoSuchKey</Code>
          <Message><![CDATA[The resource you requested does not exist: a&b <c>]]></Message>
          <Resource>/example-bucket/object</Resource>
          <RequestId>001B21A61C6C0000013402C4616D5285</RequestId>
          <HostId>RkRCRDJENDc5MzdGQkQ4OUY3MTI4NTQ3NDk2Mjg0M0FBQUFBQUFBYmJiYmJiYmJD</HostId>
        </Error>
        """

    static let s3InternalError = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message>\
        <RequestId>656c76696e6727732072657175657374</RequestId>\
        <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>
        """

    static let obsEncryptionKMS = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <ServerSideEncryptionConfiguration xmlns="\(obsNS)">
          <Rule>
            <ApplyServerSideEncryptionByDefault>
              <SSEAlgorithm>kms</SSEAlgorithm>
              <KMSMasterKeyID>cn-north-4:783fc6652cf246c096ea836694f71855:key/522d6070-5ad3-4765-9737-9312ddc72cdb\
        </KMSMasterKeyID>
              <ProjectID>0123456789abcdef0123456789abcdef</ProjectID>
            </ApplyServerSideEncryptionByDefault>
          </Rule>
        </ServerSideEncryptionConfiguration>
        """

    static let s3EncryptionAWSKMS =
        "<ServerSideEncryptionConfiguration xmlns=\"\(s3NS)\"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>"
        + "aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"

    static let obsEncryptionAES =
        "<ServerSideEncryptionConfiguration xmlns=\"\(obsNS)\"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>"
        + "AES256</SSEAlgorithm><KMSMasterKeyID></KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule>"
        + "</ServerSideEncryptionConfiguration>"

    static let obsLocation =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Location xmlns=\"\(obsNS)\">"
        + "cn-north-4</Location>"
    static let s3LocationEmpty = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"\(s3NS)\"/>"
    static let s3Location = "<LocationConstraint xmlns=\"\(s3NS)\">eu-west-1</LocationConstraint>"

    static let initiate = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <InitiateMultipartUploadResult xmlns="\(obsNS)">
          <Bucket>examplebucket</Bucket>
          <Key>big &amp; large.bin</Key>
          <UploadId>0000018A2B3C4D5E6F708192A3B4C5D6</UploadId>
        </InitiateMultipartUploadResult>
        """

    static let complete = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <CompleteMultipartUploadResult xmlns="\(obsNS)">
          <Location>/examplebucket/big.bin</Location>
          <Bucket>examplebucket</Bucket>
          <Key>big.bin</Key>
          <ETag>"065947336a2f2a95ba8899f3675c3be6-2"</ETag>
        </CompleteMultipartUploadResult>
        """

    static let copyObject = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <CopyObjectResult xmlns="\(obsNS)">
          <LastModified>2024-10-15T07:20:09.000Z</LastModified>
          <ETag>"5d41402abc4b2a76b9719d911017c592"</ETag>
        </CopyObjectResult>
        """

    static let copyPart =
        "<CopyPartResult xmlns=\"\(s3NS)\"><LastModified>2024-10-15T07:20:09Z</LastModified>"
        + "<ETag>&quot;7d793037a0760186574b0282f2f435e7&quot;</ETag></CopyPartResult>"

    static let deleteResult = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <DeleteResult xmlns="\(obsNS)">
          <Deleted>
            <Key>a&amp;b.txt</Key>
          </Deleted>
          <Error>
            <Key>locked.txt</Key>
            <Code>AccessDenied</Code>
            <Message>Access Denied</Message>
          </Error>
          <Deleted>
            <Key>dir/c d.txt</Key>
            <DeleteMarker>true</DeleteMarker>
            <DeleteMarkerVersionId>G001018455D5F0A7FFFF</DeleteMarkerVersionId>
          </Deleted>
        </DeleteResult>
        """

    static let quietDeleteResult = "<DeleteResult xmlns=\"\(s3NS)\"/>"

    static let obsListUploads = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <ListMultipartUploadsResult xmlns="\(obsNS)">
          <Bucket>examplebucket</Bucket>
          <KeyMarker></KeyMarker>
          <UploadIdMarker></UploadIdMarker>
          <NextKeyMarker>logs/b.bin</NextKeyMarker>
          <NextUploadIdMarker>00000174F3A8F5D7</NextUploadIdMarker>
          <Prefix>logs/</Prefix>
          <MaxUploads>2</MaxUploads>
          <IsTruncated>true</IsTruncated>
          <Upload>
            <Key>logs/a &amp; b.bin</Key>
            <UploadId>00000174F3A8F5D6</UploadId>
            <Initiator><ID>783fc6652cf246c096ea836694f71855</ID></Initiator>
            <StorageClass>STANDARD</StorageClass>
            <Initiated>2024-10-15T07:20:09.000Z</Initiated>
          </Upload>
          <Upload>
            <Key>logs/b.bin</Key>
            <UploadId>00000174F3A8F5D7</UploadId>
            <Initiated>2024-10-15T07:20:09.000Z</Initiated>
          </Upload>
        </ListMultipartUploadsResult>
        """

    /// SeaweedFS's shape: a truncated page with NextUploadIdMarker but no NextKeyMarker.
    static let s3ListUploadsNoKeyMarker = """
        <ListMultipartUploadsResult xmlns="\(s3NS)"><Bucket>b</Bucket><IsTruncated>true</IsTruncated>\
        <NextUploadIdMarker>id-1</NextUploadIdMarker><Upload><Initiated>2024-10-15T07:20:09Z</Initiated>\
        <Key>a b+c.txt</Key>\
        <UploadId>id-1</UploadId></Upload></ListMultipartUploadsResult>
        """
}

/// Each public parser, named, so failure cases can run against all of them.
struct ParserUnderTest: Sendable, CustomStringConvertible {
    let description: String
    let run: @Sendable ([UInt8]) throws -> Void
    /// A valid body for this parser.
    let valid: String

    static let all: [ParserUnderTest] = [
        .init(description: "listBuckets", run: { _ = try OBSXMLParser.listBuckets($0) }, valid: Sample.obsListBuckets),
        .init(description: "listObjects", run: { _ = try OBSXMLParser.listObjects($0) }, valid: Sample.obsListObjects),
        .init(
            description: "listObjects(url)", run: { _ = try OBSXMLParser.listObjects($0) },
            valid: Sample.s3ListObjectsURL),
        .init(
            description: "bucketEncryption", run: { _ = try OBSXMLParser.bucketEncryption($0) },
            valid: Sample.obsEncryptionKMS),
        .init(description: "location", run: { _ = try OBSXMLParser.location($0) }, valid: Sample.obsLocation),
        .init(
            description: "initiateMultipartUpload", run: { _ = try OBSXMLParser.initiateMultipartUpload($0) },
            valid: Sample.initiate),
        .init(
            description: "completeMultipartUpload", run: { _ = try OBSXMLParser.completeMultipartUpload($0) },
            valid: Sample.complete),
        .init(
            description: "copyResult(object)", run: { _ = try OBSXMLParser.copyResult($0) }, valid: Sample.copyObject),
        .init(description: "copyResult(part)", run: { _ = try OBSXMLParser.copyResult($0) }, valid: Sample.copyPart),
        .init(description: "deleteResult", run: { _ = try OBSXMLParser.deleteResult($0) }, valid: Sample.deleteResult),
        .init(
            description: "listMultipartUploads", run: { _ = try OBSXMLParser.listMultipartUploads($0) },
            valid: Sample.obsListUploads),
    ]
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
