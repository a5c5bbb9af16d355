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

    /// Appends, in either dialect, are refused and change nothing: S3's `x-amz-write-offset-bytes` on a PUT and
    /// OBS's `POST ?append&position=`, never taken as a PUT that overwrites the object.
    @Test func appendsAreRefused() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("app")
        _ = try await f.send(f.request("PUT", "/app/k", body: Array("0123456789".utf8)))
        let s3 = try await f.send(
            f.request(
                "PUT", "/app/k", headers: [("x-amz-write-offset-bytes", "10")], body: Array("ABC".utf8), version: .v4))
        #expect(s3.status == 501 && s3.element("Code") == "NotImplemented", "\(s3.text)")
        for method in ["POST", "PUT"] {
            let obs = try await f.send(
                f.request(method, "/app/k", query: [("append", nil), ("position", "10")], body: Array("ABC".utf8)))
            #expect(obs.status == 501 && obs.element("Code") == "NotImplemented", "\(obs.text)")
        }
        let get = try await f.send(f.request("GET", "/app/k"))
        #expect(get.status == 200 && get.text == "0123456789", "\(get.text)")
    }

    /// A path, query or copy source that percent-decodes to bytes that are not UTF-8 is 400 InvalidURI (with a
    /// request id, in the request's dialect), never read with U+FFFD in place of the bytes: `k%FFz` and `k%FEz`
    /// would be one key, and `k%EF%BF%BDz` (U+FFFD itself) a third name for it.
    @Test(arguments: [SignatureVersion.obs, .v4])
    func invalidUTF8IsRefused(_ version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("utf")
        func expectInvalidURI(_ answer: Answer, _ what: String) {
            #expect(answer.status == 400 && answer.element("Code") == "InvalidURI", "\(what): \(answer.text)")
            #expect(answer.element("RequestId")?.isEmpty == false, "\(what): \(answer.text)")
        }
        for path in ["/utf/k%FFz", "/utf/k%C3", "/utf/%FE"] {
            let put = try await f.send(f.request("PUT", path, body: [1], version: version))
            expectInvalidURI(put, path)
            expectInvalidURI(try await f.send(f.request("GET", path, version: version)), path)
            expectInvalidURI(try await f.send(f.request("DELETE", path, version: version)), path)
        }
        let replacement = try await f.send(f.request("PUT", "/utf/k%EF%BF%BDz", body: [2], version: version))
        #expect(replacement.status == 200, "\(replacement.text)")
        let listing = try await f.send(f.request("GET", "/utf", version: version))
        #expect(listing.text.components(separatedBy: "<Key>").count == 2, "only the U+FFFD key: \(listing.text)")
        // Query values: the request as signed, its query replaced by raw bytes (refused before the signature).
        for name in ["prefix", "marker", "start-after", "continuation-token", "delimiter"] {
            let signed = f.request("GET", "/utf", version: version)
            let raw = ServerRequest(
                method: "GET", rawPath: "/utf", rawQuery: "list-type=2&\(name)=a%FF", headers: signed.headers)
            expectInvalidURI(try await f.send(raw), name)
        }
        let source = (version == .obs ? "x-obs-" : "x-amz-") + "copy-source"
        let copy = try await f.send(
            f.request("PUT", "/utf/copy", headers: [(source, "/utf/k%FFz")], version: version))
        expectInvalidURI(copy, "copy source")
        #expect(try await !f.exists("utf", "copy"))
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
