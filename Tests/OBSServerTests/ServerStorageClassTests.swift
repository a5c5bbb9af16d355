import Foundation
import OBSCore
import OBSSigner
import Testing

@testable import OBSServer

/// Storage classes are kept with the object and answered (HEAD, GET, listings) as S3 and OBS answer them; an OBS
/// bucket's class is its objects' default. Features the store does not keep are refused, never dropped.
@Suite struct ServerStorageClassTests {
    @Test func keptAndAnsweredInBothDialects() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let put = try await f.send(
            f.request("PUT", "/b1xx/ia", headers: [("x-amz-storage-class", "STANDARD_IA")], body: [1], version: .v4))
        #expect(put.status == 200, "\(put.text)")
        _ = try await f.send(f.request("PUT", "/b1xx/plain", body: [2]))
        let head = try await f.send(f.request("HEAD", "/b1xx/ia", version: .v4))
        #expect(head.header("x-amz-storage-class") == "STANDARD_IA")
        #expect(try await f.send(f.request("GET", "/b1xx/ia")).header("x-obs-storage-class") == "WARM")  // OBS's name
        // STANDARD is left out of HEAD, as S3 and OBS do, and named in listings.
        #expect(try await f.send(f.request("HEAD", "/b1xx/plain", version: .v4)).header("x-amz-storage-class") == nil)
        let listing = try await f.send(f.request("GET", "/b1xx", query: [("list-type", "2")], version: .v4))
        #expect(listing.text.contains("<Key>ia</Key>"))
        let classes = listing.text.components(separatedBy: "<StorageClass>").dropFirst().map {
            String($0.prefix { $0 != "<" })
        }
        #expect(classes == ["STANDARD_IA", "STANDARD"], "\(listing.text)")

        // A copy takes the class it asks for, else the default: not the source's (S3's and OBS's rule).
        _ = try await f.send(
            f.request("PUT", "/b1xx/copied", headers: [("x-amz-copy-source", "/b1xx/ia")], version: .v4))
        #expect(try await f.send(f.request("HEAD", "/b1xx/copied", version: .v4)).header("x-amz-storage-class") == nil)
        _ = try await f.send(
            f.request(
                "PUT", "/b1xx/cold", headers: [("x-obs-copy-source", "/b1xx/plain"), ("x-obs-storage-class", "COLD")]))
        #expect(try await f.send(f.request("HEAD", "/b1xx/cold")).header("x-obs-storage-class") == "COLD")

        // A multipart upload's class is the one its Initiate asked for.
        let id = try #require(
            try await f.send(
                f.request(
                    "POST", "/b1xx/mp", query: [("uploads", nil)], headers: [("x-amz-storage-class", "GLACIER")],
                    version: .v4)
            ).element("UploadId"))
        let part = try await f.send(
            f.request("PUT", "/b1xx/mp", query: [("partNumber", "1"), ("uploadId", id)], body: [3], version: .v4))
        let etag = try #require(part.header("ETag"))
        // ListParts and ListMultipartUploads name it too, each dialect in its own words; another upload is STANDARD.
        _ = try await f.send(f.request("POST", "/b1xx/mp2", query: [("uploads", nil)], version: .v4))
        for (version, name) in [(SignatureVersion.v4, "GLACIER"), (.obs, "COLD")] {
            let parts = try await f.send(f.request("GET", "/b1xx/mp", query: [("uploadId", id)], version: version))
            #expect(parts.element("StorageClass") == name, "\(parts.text)")
            let uploads = try await f.send(f.request("GET", "/b1xx", query: [("uploads", nil)], version: version))
            let classes = uploads.text.components(separatedBy: "<StorageClass>").dropFirst().map {
                String($0.prefix { $0 != "<" })
            }
            #expect(classes == [name, "STANDARD"], "\(uploads.text)")
        }
        let body = Array(
            ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\(etag)</ETag></Part>"
                + "</CompleteMultipartUpload>").utf8)
        #expect(try await f.send(f.request("POST", "/b1xx/mp", query: [("uploadId", id)], body: body)).status == 200)
        #expect(
            try await f.send(f.request("HEAD", "/b1xx/mp", version: .v4)).header("x-amz-storage-class") == "GLACIER")
    }

    /// OBS's WARM and COLD are S3's STANDARD_IA and GLACIER: each dialect hears its own name, whichever was sent.
    @Test func namesPerDialect() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b4xx")
        _ = try await f.send(f.request("PUT", "/b4xx/w", headers: [("x-obs-storage-class", "WARM")], body: [1]))
        _ = try await f.send(
            f.request("PUT", "/b4xx/g", headers: [("x-amz-storage-class", "GLACIER")], body: [1], version: .v4))
        #expect(
            try await f.send(f.request("HEAD", "/b4xx/w", version: .v4)).header("x-amz-storage-class") == "STANDARD_IA")
        #expect(try await f.send(f.request("HEAD", "/b4xx/g")).header("x-obs-storage-class") == "COLD")
        let s3 = try await f.send(f.request("GET", "/b4xx", query: [("list-type", "2")], version: .v4))
        #expect(s3.text.contains("<StorageClass>STANDARD_IA</StorageClass>") && !s3.text.contains("WARM"), "\(s3.text)")
        let obs = try await f.send(f.request("GET", "/b4xx"))
        #expect(obs.text.contains("<StorageClass>COLD</StorageClass>") && !obs.text.contains("GLACIER"), "\(obs.text)")
    }

    @Test func obsBucketClassIsTheObjectsDefault() async throws {
        let f = try ServerFixture()
        let created = try await f.send(f.request("PUT", "/warm", headers: [("x-obs-storage-class", "WARM")]))
        #expect(created.status == 200, "\(created.text)")
        #expect(try await f.send(f.request("HEAD", "/warm")).header("x-obs-storage-class") == "WARM")
        _ = try await f.send(f.request("PUT", "/warm/k", body: [1]))
        #expect(try await f.send(f.request("HEAD", "/warm/k")).header("x-obs-storage-class") == "WARM")
        // An explicit STANDARD wins over the bucket's class.
        _ = try await f.send(f.request("PUT", "/warm/s", headers: [("x-obs-storage-class", "STANDARD")], body: [1]))
        #expect(try await f.send(f.request("HEAD", "/warm/s")).header("x-obs-storage-class") == nil)
        // OBS's fourth class, Deep Archive, is a bucket default too.
        let deep = try await f.send(f.request("PUT", "/deep", headers: [("x-obs-storage-class", "DEEP_ARCHIVE")]))
        #expect(deep.status == 200, "\(deep.text)")
        #expect(try await f.send(f.request("HEAD", "/deep")).header("x-obs-storage-class") == "DEEP_ARCHIVE")
        _ = try await f.send(f.request("PUT", "/deep/k", body: [1]))
        #expect(try await f.send(f.request("HEAD", "/deep/k")).header("x-obs-storage-class") == "DEEP_ARCHIVE")
        let bad = try await f.send(f.request("PUT", "/frozen", headers: [("x-obs-storage-class", "FROZEN")]))
        #expect(bad.status == 400 && bad.element("Code") == "InvalidStorageClass", "\(bad.text)")
        #expect(try await f.send(f.request("HEAD", "/frozen")).status == 404)
    }

    @Test(arguments: [
        ("x-amz-storage-class", "FAST"), ("x-amz-tagging", "a=b"), ("x-amz-website-redirect-location", "/x"),
        ("x-amz-object-lock-mode", "GOVERNANCE"), ("x-obs-tagging", "a=b"), ("x-amz-acl", "public-read"),
        ("x-amz-grant-read", "id=someone"), ("x-obs-acl", "public-read-write"), ("x-amz-tagging-directive", "REPLACE"),
        ("x-amz-server-side-encryption-context", "eyJhIjoiYiJ9"), ("x-amz-write-offset-bytes", "0"),
    ])
    func refusedAndNothingStored(_ header: String, _ value: String) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        // Each header under the prefix of the signature it is sent with (the other prefix is ignored).
        let version: SignatureVersion = header.hasPrefix("x-obs-") ? .obs : .v4
        let put = try await f.send(f.request("PUT", "/b1xx/k", headers: [(header, value)], body: [1], version: version))
        #expect(put.status == 400 || put.status == 501, "\(put.text)")
        #expect(put.element("Code") == (header.hasSuffix("storage-class") ? "InvalidStorageClass" : "NotImplemented"))
        #expect(try await !f.exists("b1xx", "k"))
        let initiate = try await f.send(
            f.request("POST", "/b1xx/k", query: [("uploads", nil)], headers: [(header, value)], version: version))
        #expect(initiate.status == put.status && initiate.element("UploadId") == nil)
        _ = try await f.send(f.request("PUT", "/b1xx/src", body: [1]))
        let copySource = (version == .obs ? "x-obs-" : "x-amz-") + "copy-source"
        let copy = try await f.send(
            f.request("PUT", "/b1xx/k", headers: [(copySource, "/b1xx/src"), (header, value)], version: version))
        #expect(copy.status == put.status)
        #expect(try await !f.exists("b1xx", "k"))
    }

    /// What asks for nothing beyond what the store does is taken: the owner's own ACL, copying tags there are none
    /// of. A bucket with object lock is refused, and not made.
    @Test func acceptedAsNoOpsAndBucketFeatures() async throws {
        let f = try ServerFixture()
        let locked = try await f.send(
            f.request("PUT", "/locked", headers: [("x-amz-bucket-object-lock-enabled", "true")], version: .v4))
        #expect(locked.status == 501 && locked.element("Code") == "NotImplemented", "\(locked.text)")
        #expect(try await f.send(f.request("HEAD", "/locked", version: .v4)).status == 404)
        let publicBucket = try await f.send(f.request("PUT", "/open", headers: [("x-obs-acl", "public-read")]))
        #expect(publicBucket.status == 501, "\(publicBucket.text)")
        let created = try await f.send(f.request("PUT", "/b2xx", headers: [("x-amz-acl", "private")], version: .v4))
        #expect(created.status == 200, "\(created.text)")
        let put = try await f.send(
            f.request(
                "PUT", "/b2xx/k", headers: [("x-amz-acl", "bucket-owner-full-control")], body: [1], version: .v4))
        #expect(put.status == 200, "\(put.text)")
        let copy = try await f.send(
            f.request(
                "PUT", "/b2xx/c", headers: [("x-amz-copy-source", "/b2xx/k"), ("x-amz-tagging-directive", "COPY")],
                version: .v4))
        #expect(copy.status == 200, "\(copy.text)")
    }
}
