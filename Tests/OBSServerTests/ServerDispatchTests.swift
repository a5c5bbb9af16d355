import Foundation
import OBSCore
import OBSSigner
import Testing

@testable import OBSServer

/// Which operation a request is: subresources the store does not have are refused, never read as another one.
@Suite struct ServerDispatchTests {
    @Test func unsupportedSubresourcesAnswer501() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("disp")
        for (path, query) in [
            ("/disp", [("acl", String?.none)]), ("/disp", [("cors", nil)]), ("/disp/k", [("tagging", nil)]),
            ("/disp", [("prefix", "a"), ("lifecycle", "")]),
        ] {
            let answer = try await f.send(f.request("GET", path, query: query))
            #expect(answer.status == 501, "\(path)?\(query): \(answer.text)")
            #expect(answer.text.contains("<Code>NotImplemented</Code>"))
        }
        // A parameter that merely contains such a word is an ordinary listing.
        let listing = try await f.send(f.request("GET", "/disp", query: [("prefix", "acl")]))
        #expect(listing.status == 200, "\(listing.text)")
    }

    /// No versioning in the store: a version listing shows each object as its one version (null id, latest), as S3
    /// and OBS list a bucket that never had versioning; clients such as `obsctl bucket delete` rely on the answer.
    @Test func versionListing() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("vers")
        for version in [SignatureVersion.obs, .v4] {
            let empty = try await f.send(f.request("GET", "/vers", query: [("versions", nil)], version: version))
            #expect(empty.status == 200, "\(empty.text)")
            #expect(empty.text.contains("<ListVersionsResult") && !empty.text.contains("<Version>"), "\(empty.text)")
        }
        for key in ["a", "b", "c"] {
            let put = try await f.send(f.request("PUT", "/vers/\(key)", body: Array("x".utf8)))
            #expect(put.status == 200, "\(put.text)")
        }
        let page = try await f.send(
            f.request("GET", "/vers", query: [("versions", nil), ("max-keys", "2")], version: .v4))
        #expect(page.status == 200, "\(page.text)")
        #expect(page.text.components(separatedBy: "<Version>").count == 3, "\(page.text)")
        #expect(page.element("VersionId") == "null" && page.element("IsLatest") == "true", "\(page.text)")
        #expect(page.element("IsTruncated") == "true" && page.element("NextKeyMarker") == "b", "\(page.text)")
        let rest = try await f.send(
            f.request("GET", "/vers", query: [("versions", nil), ("key-marker", "b")], version: .v4))
        #expect(rest.element("Key") == "c" && rest.element("IsTruncated") == "false", "\(rest.text)")
    }

    /// Bucket creation reads default encryption under the dialect's prefix, with the upload rules: a key id needs
    /// SSE-KMS. The other prefix is unsigned, and ignored.
    @Test func bucketCreateEncryptionHeaders() async throws {
        let f = try ServerFixture()
        let refused = try await f.send(
            f.request(
                "PUT", "/enc-refused",
                headers: [("x-obs-server-side-encryption", "AES256"), (SSEHeaders.obsKMSKeyID, "some-key")]))
        #expect(refused.status == 400, "\(refused.text)")
        #expect(try await f.backend.listBuckets().isEmpty)
        let created = try await f.send(
            f.request("PUT", "/enc-kms", headers: [("x-obs-server-side-encryption", "kms")], version: .obs))
        #expect(created.status == 200, "\(created.text)")
        #expect(try await f.backend.bucketEncryption(try BucketName("enc-kms")) == .kms(keyID: nil))
        let unsigned = try await f.send(
            f.request("PUT", "/enc-none", headers: [("x-amz-server-side-encryption", "aws:kms")], version: .obs))
        #expect(unsigned.status == 200, "\(unsigned.text)")
        #expect(try await f.backend.bucketEncryption(try BucketName("enc-none")) == nil)
    }
}
