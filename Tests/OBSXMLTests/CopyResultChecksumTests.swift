import Testing
@testable import OBSXML

/// The CRC-32C an UploadPart-Copy answer states comes from the same parse as its ETag.
struct CopyResultChecksumTests {
    @Test func partStatesItsCRC32C() throws {
        let body =
            "<CopyPartResult><LastModified>2024-10-15T07:20:09Z</LastModified><ETag>&quot;e&quot;</ETag>"
            + "<ChecksumCRC32C> 4waSgw== </ChecksumCRC32C></CopyPartResult>"
        let result = try OBSXMLParser.copyResult(body.bytes)
        #expect(result.etag == "\"e\"" && result.crc32c == "4waSgw==")
    }

    @Test func noCRC32CWhenTheServerStatesNone() throws {
        #expect(try OBSXMLParser.copyResult(Sample.copyPart.bytes).crc32c == nil)
        #expect(try OBSXMLParser.copyResult(Sample.copyObject.bytes).crc32c == nil)
    }
}
