import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Testing

@testable import OBSServer

/// A subresource serve does not know is 501 with nothing changed, whatever the method: never read as the plain
/// operation of the same method (a DELETE of the bucket, a PUT of the object, a listing).
@Suite struct ServerSubresourceTests {
    @Test(arguments: [
        ("DELETE", "metadataTable", SignatureVersion.v4), ("DELETE", "metadataConfiguration", .v4),
        ("DELETE", "directcoldaccess", .obs), ("DELETE", "customdomain", .obs), ("PUT", "storageClass", .obs),
        ("GET", "storageClass", .obs), ("PUT", "session", .v4), ("PUT", "uploads", .v4), ("DELETE", "Tagging", .v4),
    ])
    func bucketSubresources(_ method: String, _ name: String, _ version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("keep1")
        let upload = try await f.send(f.request("POST", "/keep1/pending", query: [("uploads", nil)], version: version))
        let uploadID = try #require(upload.element("UploadId"))
        let r = try await f.send(f.request(method, "/keep1", query: [(name, nil)], version: version))
        #expect(r.status == 501 && r.element("Code") == "NotImplemented", "\(r.text)")
        #expect(try await f.send(f.request("HEAD", "/keep1", version: version)).status == 200)
        let uploads = try await f.send(f.request("GET", "/keep1", query: [("uploads", nil)], version: version))
        #expect(uploads.text.contains(uploadID), "the bucket's upload went: \(uploads.text)")
    }

    @Test(arguments: [
        ([("truncate", nil), ("length", "5")], [(String, String)](), SignatureVersion.obs),
        ([("modify", nil), ("position", "8")], [], .obs),
        ([("renameObject", nil)], [("x-amz-rename-source", "/b1xx/other")], .v4),
    ])
    func objectSubresources(
        _ query: [(String, String?)], _ headers: [(String, String)], _ version: SignatureVersion
    ) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let original = Array("0123456789".utf8)
        _ = try await f.send(f.request("PUT", "/b1xx/f", body: original, version: version))
        _ = try await f.send(f.request("PUT", "/b1xx/other", body: [1], version: version))
        let r = try await f.send(
            f.request("PUT", "/b1xx/f", query: query, headers: headers, body: Array("zz".utf8), version: version))
        #expect(r.status == 501, "\(r.text)")
        let got = try await f.send(f.request("GET", "/b1xx/f", version: version))
        #expect(got.body == original)
        #expect(
            try await f.send(f.request("DELETE", "/b1xx/f", query: [("tagging", nil)], version: version)).status == 501)
        #expect(try await f.exists("b1xx", "f"))
    }

    /// A parameter that names no subresource (a cache-buster, an SDK's marker) is ignored, as S3 ignores it,
    /// whatever the operation and the scheme: the signature is checked as the client made it, over the whole query
    /// for SigV4 (a parameter added after signing is a mismatch), over the subresources for V2 and OBS.
    @Test(arguments: [SignatureVersion.v4, .v2, .obs])
    func unknownParametersIgnored(_ version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b8xx")
        let extra: [(String, String?)] = [("t", "1712345678"), ("cachebust", "")]
        let put = try await f.send(f.request("PUT", "/b8xx/k", query: extra, body: [5], version: version))
        #expect(put.status == 200, "\(version): \(put.text)")
        let get = try await f.send(f.request("GET", "/b8xx/k", query: extra, version: version))
        #expect(get.status == 200 && get.body == [5], "\(version): \(get.text)")
        let list = try await f.send(f.request("GET", "/b8xx", query: extra + [("prefix", "k")], version: version))
        #expect(list.status == 200 && list.element("Key") == "k", "\(version): \(list.text)")
        let created = try await f.send(f.request("PUT", "/b9xx", query: extra, version: version))
        #expect(created.status == 200, "\(version): \(created.text)")
        let deleted = try await f.send(f.request("DELETE", "/b8xx/k", query: extra, version: version))
        #expect(deleted.status == 204, "\(version): \(deleted.text)")
        #expect(try await !f.exists("b8xx", "k"))
        #expect(try await f.send(f.request("DELETE", "/b9xx", query: extra, version: version)).status == 204)

        _ = try await f.send(f.request("PUT", "/b8xx/p", body: [6], version: version))
        let presigned = f.presigned("GET", "/b8xx/p", query: [("t", "1")], version: version)
        #expect(try await f.send(presigned).body == [6], "\(version): a presigned URL signing a cache-buster")
        // Appended after signing: V2 and OBS sign no such parameter, SigV4 signs the whole query.
        let signed = f.presigned("GET", "/b8xx/p", version: version)
        let answer = try await f.send(
            ServerRequest(
                method: "GET", rawPath: signed.rawPath, rawQuery: signed.rawQuery + "&t=2", headers: signed.headers,
                body: BufferSource([])))
        if version == .v4 {
            #expect(answer.status == 403 && answer.element("Code") == "SignatureDoesNotMatch", "\(answer.text)")
        } else {
            #expect(answer.status == 200 && answer.body == [6], "\(version): \(answer.text)")
        }
    }

    @Test(
        "a bare name is a subresource, listed or not: 501 on every fallback, and nothing changes",
        arguments: [
            "abac", "obsbucketalias", "fscreatehardlink", "x-obs-trash", "x-obs-accesslabel", "X-Amz-Future",
            "cachebust",
        ])
    func bareNamesRefused(_ name: String) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b7xx")
        _ = try await f.send(f.request("PUT", "/b7xx/k", body: [1]))
        let bare: [(String, String?)] = [(name, nil)]
        for (method, path, body) in [
            ("PUT", "/b7xx/k", [UInt8](repeating: 9, count: 3)), ("DELETE", "/b7xx/k", []), ("GET", "/b7xx/k", []),
            ("DELETE", "/b7xx", []), ("PUT", "/b6xx", []), ("GET", "/b7xx", []),
        ] {
            let answer = try await f.send(f.request(method, path, query: bare, body: body))
            #expect(answer.status == 501, "\(method) \(path)?\(name): \(answer.status) \(answer.text)")
        }
        #expect(try await f.send(f.request("GET", "/b7xx/k")).body == [1])
        #expect(try await f.send(f.request("HEAD", "/b6xx")).status == 404)
    }

    @Test("presigned URLs and SDK markers are no subresources")
    func argumentsStillTaken() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b2xx")
        // AWS SDK JS v3 and PHP put the payload hash in the query, and move x-amz-* headers there too.
        let extra = [("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"), ("x-amz-meta-colour", "red"), ("x-id", "PutObject")]
        let presignedPut = try await f.send(f.presigned("PUT", "/b2xx/p", query: extra, body: [7]))
        #expect(presignedPut.status == 200, "\(presignedPut.text)")
        for version in [SignatureVersion.v4, .v2, .obs] {
            let presignedGet = try await f.send(f.presigned("GET", "/b2xx/p", version: version))
            #expect(presignedGet.status == 200 && presignedGet.body == [7], "\(version): \(presignedGet.text)")
        }
        let put = try await f.send(f.request("PUT", "/b2xx/k", query: [("x-id", "PutObject")], body: [1], version: .v4))
        #expect(put.status == 200, "\(put.text)")
        let get = try await f.send(
            f.request(
                "GET", "/b2xx/k", query: [("response-content-type", "text/x"), ("x-id", "GetObject")], version: .v4))
        #expect(get.status == 200 && get.header("Content-Type") == "text/x", "\(get.text)")
    }

    /// What a presigned URL's signature does not cover is not taken as a header: with OBS's reading of an OBS or V2
    /// URL, Content-Type and the other scheme's prefix are unsigned (a holder of the URL could append them).
    @Test(arguments: [SignatureVersion.v2, .obs])
    func unsignedQueryHeadersNotTaken(version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b6xx")
        let signed = f.presigned("PUT", "/b6xx/p", body: [1], version: version)
        let other = version == .obs ? "x-amz-meta-a=b" : "x-obs-meta-a=b"
        let appended = ServerRequest(
            method: "PUT", rawPath: signed.rawPath, rawQuery: signed.rawQuery + "&Content-Type=text%2Fhtml&" + other,
            headers: signed.headers, body: BufferSource([1]))
        let put = try await f.send(appended)
        #expect(put.status == 200, "\(version): \(put.text)")
        let head = try await f.send(f.request("HEAD", "/b6xx/p", version: version))
        #expect(head.header("Content-Type") != "text/html", "\(version): \(head.headers)")
        #expect(head.header("x-amz-meta-a") == nil && head.header("x-obs-meta-a") == nil, "\(head.headers)")
    }

    /// A signed query parameter and a header of the same name with another value: which was meant? Refused (by
    /// the signature where it covers the header, else as a conflict), nothing stored.
    @Test(arguments: [SignatureVersion.v4, .v2])
    func queryAndHeaderDisagreeingRefused(version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b7xx")
        var both = f.presigned("PUT", "/b7xx/p", query: [("x-amz-meta-owner", "alice")], body: [1], version: version)
        both.headers.append(("x-amz-meta-owner", "bob"))
        let refused = try await f.send(both)
        #expect([400, 403].contains(refused.status), "\(version): \(refused.status) \(refused.text)")
        #expect(try await !f.exists("b7xx", "p"))
    }

    /// GetBucketVersioning answers what is true (never enabled, as S3 answers for such a bucket; 404 without the
    /// bucket); setting versioning stays 501.
    @Test(arguments: [SignatureVersion.v4, .obs])
    func versioningIsReadNeverSet(version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b5xx")
        let got = try await f.send(f.request("GET", "/b5xx", query: [("versioning", nil)], version: version))
        #expect(got.status == 200 && got.text.contains("<VersioningConfiguration"), "\(got.text)")
        #expect(!got.text.contains("<Status>"), "\(got.text)")
        let none = try await f.send(f.request("GET", "/nope-xx", query: [("versioning", nil)], version: version))
        #expect(none.status == 404 && none.element("Code") == "NoSuchBucket", "\(none.text)")
        let body = Array("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>".utf8)
        let set = try await f.send(
            f.request("PUT", "/b5xx", query: [("versioning", nil)], body: body, version: version))
        #expect(set.status == 501, "\(set.text)")
    }

    /// What a presigned URL's signature covers in its query (SSE, metadata, a checksum: headers a presigner moved
    /// there) is applied as the headers would be, in each scheme: never verified and then dropped.
    @Test(arguments: [SignatureVersion.v4, .v2, .obs])
    func presignedQueryHeadersApplied(version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b4xx")
        let prefix = version == .obs ? "x-obs-" : "x-amz-"
        let body = Array("body".utf8)
        var crc = FlexibleChecksum(.crc32)
        body.withUnsafeBytes { crc.update($0) }
        let hoisted = [(prefix + "server-side-encryption", "AES256"), (prefix + "meta-owner", "alice")]
        // (An OBS URL does not sign x-amz-* parameters: its checksum would be no header of the request.)
        if version != .obs {
            let wrong = try await f.send(
                f.presigned(
                    "PUT", "/b4xx/p", query: hoisted + [("x-amz-checksum-crc32", "AAAAAA==")], body: body,
                    version: version))
            #expect(wrong.status == 400 && wrong.element("Code") == "BadDigest", "\(version): \(wrong.text)")
            #expect(try await !f.exists("b4xx", "p"))
        }
        let put = try await f.send(
            f.presigned(
                "PUT", "/b4xx/p", query: hoisted + [("x-amz-checksum-crc32", crc.base64())], body: body,
                version: version))
        #expect(put.status == 200, "\(version): \(put.text)")
        let head = try await f.send(f.request("HEAD", "/b4xx/p", version: version))
        #expect(head.header(prefix + "server-side-encryption") == "AES256", "\(version): \(head.headers)")
        #expect(head.header(prefix + "meta-owner") == "alice", "\(version): \(head.headers)")
        // An SSE-C key in a URL is refused, never used (nor dropped).
        let key = [(prefix + "server-side-encryption-customer-key", "AAAA")]
        let keyed = try await f.send(f.presigned("GET", "/b4xx/p", query: key, version: version))
        #expect(keyed.status == 400 && keyed.element("Code") == "InvalidArgument", "\(version): \(keyed.text)")
    }

    /// A marker that is the listing's own prefix skips nothing under it (it is no rolled-up prefix of the listing);
    /// one that is a rolled-up prefix skips the keys it stands for. Paging by one key visits everything once.
    @Test func markerEqualToThePrefix() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b3xx")
        for key in ["dir/", "dir/a", "dir/b", "dir/sub/x", "dir/sub/y"] {
            _ = try await f.send(f.request("PUT", "/b3xx/" + key, body: [1]))
        }
        func page(_ marker: String, maxKeys: Int = 1000) async throws -> (entries: [String], next: String?) {
            let r = try await f.send(
                f.request(
                    "GET", "/b3xx",
                    query: [
                        ("list-type", "2"), ("prefix", "dir/"), ("delimiter", "/"), ("start-after", marker),
                        ("max-keys", String(maxKeys)),
                    ], version: .v4))
            let keys = r.text.components(separatedBy: "<Key>").dropFirst().map { String($0.prefix { $0 != "<" }) }
            let prefixes = r.text.components(separatedBy: "<Prefix>").dropFirst(2).map {
                String($0.prefix { $0 != "<" })
            }
            return (keys + prefixes, r.element("IsTruncated") == "true" ? (keys + prefixes).last : nil)
        }
        #expect(try await page("dir/").entries == ["dir/a", "dir/b", "dir/sub/"])
        #expect(try await page("dir/sub/").entries == [])
        var seen: [String] = []
        var marker = ""
        for _ in 0..<10 {
            let p = try await page(marker, maxKeys: 1)
            seen += p.entries
            guard let next = p.next else { break }
            marker = next
        }
        #expect(seen == ["dir/", "dir/a", "dir/b", "dir/sub/"])
    }
}

/// What an SDK asks before it signs, and what serve does not do, answered as the client needs.
@Suite struct ServerProbeAndRefusalTests {
    static func unsigned(_ method: String, _ path: String, _ rawQuery: String, headers: [(String, String)] = [])
        -> ServerRequest
    {
        ServerRequest(
            method: method, rawPath: path, rawQuery: rawQuery,
            headers: [(name: "Host", value: "127.0.0.1:9000")] + headers.map { (name: $0.0, value: $0.1) },
            body: BufferSource([]))
    }

    /// The OBS SDKs' unsigned `HEAD ?apiversion` gets 200 and `x-obs-api` (the Java SDK chooses OBS's signature
    /// only on a 200); any other unsigned request is still refused.
    @Test func apiVersionProbeIsAnswered() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("probe", encryption: nil)
        for path in ["/", "/probe", "/missing"] {
            let a = try await f.send(Self.unsigned("HEAD", path, "apiversion"))
            #expect(a.status == 200 && a.header("x-obs-api") == "3.0" && a.body.isEmpty, "\(path): \(a.status)")
        }
        for (method, path, query) in [
            ("GET", "/probe", "apiversion"), ("HEAD", "/probe", ""), ("HEAD", "/probe/k", "apiversion"),
        ] {
            let a = try await f.send(Self.unsigned(method, path, query))
            #expect(a.status == 403, "\(method) \(path)?\(query)")
        }
    }

    /// A browser form upload is 501 NotImplemented, not the 403 of a missing signature.
    @Test func formUploadIsNotImplemented() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("forms", encryption: nil)
        let a = try await f.send(
            Self.unsigned("POST", "/forms", "", headers: [("Content-Type", "multipart/form-data; boundary=x")]))
        #expect(a.status == 501 && a.element("Code") == "NotImplemented", "\(a.text)")
    }

    @Test func emptyVersionIDIsAnInvalidArgument() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("versions", encryption: nil)
        _ = try await f.send(f.request("PUT", "/versions/k", body: [1]))
        let empty = try await f.send(f.request("GET", "/versions/k", query: [("versionId", "")]))
        #expect(empty.status == 400 && empty.element("Code") == "InvalidArgument", "\(empty.text)")
        let other = try await f.send(f.request("GET", "/versions/k", query: [("versionId", "v1")]))
        #expect(other.status == 404 && other.element("Code") == "NoSuchVersion")
    }

    /// S3 refuses an SSE method on GET, HEAD and UploadPart (400); OBS-signed requests are not held to it.
    @Test func sseMethodOnAReadOrAPartIsRefusedInS3sDialect() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("ssereads", encryption: nil)
        _ = try await f.send(f.request("PUT", "/ssereads/k", body: [1, 2, 3], version: .v4))
        for method in ["GET", "HEAD"] {
            for header in ["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"] {
                let a = try await f.send(f.request(method, "/ssereads/k", headers: [(header, "AES256")], version: .v4))
                #expect(a.status == 400, "\(method) \(header): \(a.status)")
            }
            let plain = try await f.send(f.request(method, "/ssereads/k", version: .v4))
            #expect(plain.status == 200)
        }
        let id = try #require(
            try await f.send(f.request("POST", "/ssereads/mp", query: [("uploads", nil)], version: .v4))
                .element("UploadId"))
        let part = try await f.send(
            f.request(
                "PUT", "/ssereads/mp", query: [("partNumber", "1"), ("uploadId", id)],
                headers: [("x-amz-server-side-encryption", "AES256")], body: [1], version: .v4))
        #expect(part.status == 400 && part.element("Code") == "InvalidArgument", "\(part.text)")
        let obs = try await f.send(
            f.request("GET", "/ssereads/k", headers: [("x-obs-server-side-encryption", "AES256")], version: .obs))
        #expect(obs.status == 200)
    }

    /// The names S3 adds to these errors, which boto3 reads (`Error.Key`, `Error.BucketName`, `Error.UploadId`).
    @Test func missingThingsAreNamedInTheError() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("named", encryption: nil)
        let key = try await f.send(f.request("GET", "/named/dir/missing key", version: .v4))
        #expect(key.status == 404 && key.element("Key") == "dir/missing key", "\(key.text)")
        let bucket = try await f.send(f.request("GET", "/nosuchbucketx/k", version: .v4))
        #expect(bucket.status == 404 && bucket.element("BucketName") == "nosuchbucketx", "\(bucket.text)")
        let upload = try await f.send(
            f.request("GET", "/named/k", query: [("uploadId", String(repeating: "a", count: 32))], version: .v4))
        #expect(upload.status == 404 && upload.element("UploadId") == String(repeating: "a", count: 32))
        // A copy whose source is missing does not name its destination as the missing key.
        let copy = try await f.send(
            f.request("PUT", "/named/dst", headers: [("x-amz-copy-source", "/named/nosource")], version: .v4))
        #expect(copy.status == 404 && copy.element("Code") == "NoSuchKey" && copy.element("Key") == nil, "\(copy.text)")
    }
}
