import Foundation
import OBSCore
import OBSSigner
import Testing

@testable import OBSServer

/// A header sent twice is signed as one value, the two joined with `,` (SigV4, V2 and OBS's signature alike), and
/// S3 reads that joined value. serve reads it so too, everywhere: a reader taking one copy (the first here, the last
/// there) stored a request as other than it was signed, two encryption methods one of which was ignored.
@Suite struct ServerRepeatedHeaderTests {
    @Test func joinedInTheOrderSentWhereTheFirstStood() {
        let joined = ServerRequest.joiningRepeated([
            ("Host", "h"), ("X-Amz-Meta-A", "1"), ("Content-Type", "text/plain"), ("x-amz-meta-a", " 2 "),
            ("X-AMZ-META-A", "3"),
        ])
        #expect(joined.map(\.name) == ["Host", "X-Amz-Meta-A", "Content-Type"])
        #expect(joined.map(\.value) == ["h", "1,2,3", "text/plain"])
    }

    @Test(arguments: [SignatureVersion.v4, .obs])
    func twoEncryptionMethodsAreRefusedAndNothingIsStored(_ version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("dup1")
        let p = version == .v4 ? "x-amz-" : "x-obs-"
        let put = try await f.send(
            f.request(
                "PUT", "/dup1/k",
                headers: [("\(p)server-side-encryption", "kms"), ("\(p)server-side-encryption", "AES256")]
                    .map { version == .v4 && $0.1 == "kms" ? ($0.0, "aws:kms") : $0 },
                body: [1, 2, 3], version: version))
        #expect(put.status == 400, "\(put.text)")
        #expect(try await f.exists("dup1", "k") == false)
    }

    @Test(arguments: [SignatureVersion.v4, .obs])
    func repeatedMetadataAndHeadersAreStoredAsSigned(_ version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("dup2")
        let p = version == .v4 ? "x-amz-" : "x-obs-"
        let put = try await f.send(
            f.request(
                "PUT", "/dup2/k",
                headers: [
                    ("\(p)meta-a", "1"), ("Cache-Control", "no-cache"), ("\(p)meta-a", "2"),
                    ("Cache-Control", "max-age=3"),
                ],
                body: [1], version: version))
        #expect(put.status == 200, "\(put.text)")
        let head = try await f.send(f.request("HEAD", "/dup2/k", version: version))
        #expect(head.header("\(p)meta-a") == "1,2")
        #expect(head.header("Cache-Control") == "no-cache,max-age=3")
    }
}
