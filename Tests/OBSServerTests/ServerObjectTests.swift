import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Testing

@testable import OBSServer

@Suite struct ServerObjectTests {
    @Test func putGetHeadDeleteInBothDialects() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let data = pattern(200_000)
        for (version, p) in [(SignatureVersion.obs, "x-obs-"), (.v4, "x-amz-")] {
            let put = try await f.send(
                f.request(
                    "PUT", "/b1xx/dir/a%20b", headers: [("Content-Type", "text/plain"), (p + "meta-color", "red")],
                    body: data, version: version, signPayload: true))
            #expect(put.status == 200, "\(put.text)")
            let get = try await f.send(f.request("GET", "/b1xx/dir/a%20b", version: version))
            #expect(get.status == 200)
            #expect(get.body == data)
            #expect(get.header("Content-Length") == String(data.count))
            #expect(get.header("Content-Type") == "text/plain")
            #expect(get.header(p + "meta-color") == "red")
            #expect(get.header("ETag") == put.header("ETag"))
            #expect(get.header("Accept-Ranges") == "bytes")
            let head = try await f.send(f.request("HEAD", "/b1xx/dir/a%20b", version: version))
            #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == String(data.count))
            #expect(try await f.send(f.request("DELETE", "/b1xx/dir/a%20b", version: version)).status == 204)
            #expect(try await f.send(f.request("DELETE", "/b1xx/dir/a%20b", version: version)).status == 204)
            #expect(try await f.send(f.request("GET", "/b1xx/dir/a%20b", version: version)).status == 404)
        }
        let log = try String(contentsOfFile: f.dir + "/access.log", encoding: .utf8)
        #expect(log.split(separator: "\n").contains { $0.contains("\"PUT\"") && $0.contains("\"bytes_in\":200000") })
    }

    /// obsctl's remote client records its checksum as `x-*-meta-obsctl-crc32c`, a name the store reserves.
    @Test func obsctlChecksumMetadataAccepted() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let put = try await f.send(
            f.request(
                "PUT", "/b1xx/k", headers: [("x-obs-meta-obsctl-crc32c", "AAAAAA=="), ("x-obs-meta-a", "b")],
                body: [1]))
        #expect(put.status == 200, "\(put.text)")
        #expect(try await f.send(f.request("HEAD", "/b1xx/k")).header("x-obs-meta-a") == "b")
    }

    @Test func sseKMSHeadersPerDialectAndBucketDefault() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        try await f.makeBucket("b2xx", encryption: .kms(keyID: nil))
        let obs = try await f.send(
            f.request("PUT", "/b1xx/k", headers: [("x-obs-server-side-encryption", "kms")], body: [1, 2, 3]))
        #expect(obs.header("x-obs-server-side-encryption") == "kms")
        #expect(obs.header("x-obs-server-side-encryption-kms-key-id")?.contains(":key/") == true)
        let s3 = try await f.send(
            f.request(
                "PUT", "/b1xx/k2", headers: [("x-amz-server-side-encryption", "aws:kms")], body: [1], version: .v4))
        #expect(s3.header("x-amz-server-side-encryption") == "aws:kms")
        #expect(s3.header("x-amz-server-side-encryption-aws-kms-key-id") != nil)
        let sseOBS = try await f.send(
            f.request("PUT", "/b1xx/k3", headers: [("x-amz-server-side-encryption", "AES256")], body: [1], version: .v4)
        )
        #expect(sseOBS.header("x-amz-server-side-encryption") == "AES256")
        let inherited = try await f.send(f.request("PUT", "/b2xx/k", body: [9, 9]))
        #expect(inherited.header("x-obs-server-side-encryption") == "kms")
        let get = try await f.send(f.request("GET", "/b2xx/k", version: .v4))
        #expect(get.header("x-amz-server-side-encryption") == "aws:kms" && get.body == [9, 9])
        // One method per request.
        let both = try await f.send(
            f.request(
                "PUT", "/b1xx/k4",
                headers: [("x-obs-server-side-encryption", "kms")]
                    + customerKeyHeaders(Random.bytes(32), prefix: "x-obs-"),
                body: [1]))
        #expect(both.status == 400)
        #expect(try await !f.exists("b1xx", "k4"))
    }

    @Test func badDigestsStoreNothing() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let data = pattern(300_000)
        let badMD5 = try await f.send(
            f.request("PUT", "/b1xx/m", headers: [md5Header(data + [0])], body: data))
        #expect(badMD5.status == 400 && badMD5.element("Code") == "BadDigest")
        let badSHA = try await f.send(
            f.request(
                "PUT", "/b1xx/s", body: data, version: .v4, declaredSHA256: Hex.encode(Digest.sha256([1, 2]))))
        #expect(badSHA.status == 400 && badSHA.element("Code") == "XAmzContentSHA256Mismatch")
        var crc = CRC32C()
        crc.update([UInt8](data + [1]))
        let badCRC = try await f.send(
            f.request("PUT", "/b1xx/c", headers: [("x-amz-checksum-crc32c", crc.base64)], body: data, version: .v4))
        #expect(badCRC.status == 400 && badCRC.element("Code") == "BadDigest")
        for key in ["m", "s", "c"] { #expect(try await !f.exists("b1xx", key)) }
        // And an earlier version survives a failed overwrite.
        #expect(try await f.send(f.request("PUT", "/b1xx/m", headers: [md5Header([5])], body: [5])).status == 200)
        let failed = try await f.send(f.request("PUT", "/b1xx/m", headers: [md5Header([6, 6])], body: [6]))
        #expect(failed.status == 400 && failed.element("Code") == "BadDigest", "\(failed.text)")
        #expect(try await f.send(f.request("GET", "/b1xx/m")).body == [5])
    }

    /// Every flexible checksum S3 takes, as a header and as an aws-chunked trailer: the right value stores the
    /// object, a wrong one (BadDigest, naming the algorithm) or a malformed one (InvalidRequest) stores nothing;
    /// two algorithms at once are refused.
    @Test(arguments: FlexibleChecksum.Algorithm.allCases)
    func flexibleChecksums(algorithm: FlexibleChecksum.Algorithm) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("flex")
        let data = pattern(200_003)
        func value(_ bytes: [UInt8]) -> String {
            var c = FlexibleChecksum(algorithm)
            bytes.withUnsafeBytes { c.update($0) }
            return c.base64()
        }
        let name = algorithm.headerName
        for (key, header, status, code) in [
            ("good", value(data), 200, nil), ("bad", value(data + [0]), 400, "BadDigest"),
            ("malformed", "AAA=", 400, "InvalidRequest"),
        ] {
            let answer = try await f.send(
                f.request("PUT", "/flex/h-" + key, headers: [(name, header)], body: data, version: .v4))
            #expect(answer.status == status && (code == nil || answer.element("Code") == code), "\(answer.text)")
            if code == "BadDigest" { #expect(answer.text.contains(algorithm.displayName), "\(answer.text)") }
            #expect(try await f.exists("flex", "h-" + key) == (status == 200))
        }
        for (key, trailer, status) in [
            ("good", value(data), 200), ("bad", value(data + [1]), 400), ("malformed", "AAA=", 400),
        ] {
            var body = Array((String(data.count, radix: 16) + "\r\n").utf8) + data + Array("\r\n".utf8)
            body += Array("0\r\n\(name):\(trailer)\r\n\r\n".utf8)
            let answer = try await f.send(
                f.request(
                    "PUT", "/flex/t-" + key,
                    headers: [
                        ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", String(data.count)),
                        ("x-amz-trailer", name),
                    ], body: body, version: .v4, declaredSHA256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
            #expect(answer.status == status, "\(answer.text)")
            if key == "malformed" { #expect(answer.element("Code") == "InvalidRequest", "\(answer.text)") }
            #expect(try await f.exists("flex", "t-" + key) == (status == 200))
        }
        #expect(try await f.send(f.request("GET", "/flex/h-good")).body == data)
        let other: FlexibleChecksum.Algorithm = algorithm == .crc32 ? .sha1 : .crc32
        var o = FlexibleChecksum(other)
        data.withUnsafeBytes { o.update($0) }
        let two = try await f.send(
            f.request(
                "PUT", "/flex/two", headers: [(name, value(data)), (other.headerName, o.base64())], body: data,
                version: .v4))
        #expect(two.status == 400 && two.element("Code") == "InvalidRequest", "\(two.text)")
        #expect(try await !f.exists("flex", "two"))
    }

    @Test func customerKeysChecked() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let key = Random.bytes(32), other = Random.bytes(32)
        let put = try await f.send(
            f.request("PUT", "/b1xx/c", headers: customerKeyHeaders(key, prefix: "x-amz-"), body: [4, 5], version: .v4))
        #expect(put.status == 200)
        #expect(put.header("x-amz-server-side-encryption-customer-key-MD5") == Base64.encode(Digest.md5(key)))
        #expect(try await f.send(f.request("GET", "/b1xx/c", version: .v4)).status == 400)
        let wrong = try await f.send(
            f.request("GET", "/b1xx/c", headers: customerKeyHeaders(other, prefix: "x-amz-"), version: .v4))
        #expect(wrong.status == 403)
        let right = try await f.send(f.request("GET", "/b1xx/c", headers: customerKeyHeaders(key, prefix: "x-obs-")))
        #expect(right.status == 200 && right.body == [4, 5])
        #expect(right.header("x-obs-server-side-encryption-customer-algorithm") == "AES256")
        var badMD5 = customerKeyHeaders(key, prefix: "x-obs-")
        badMD5[2].1 = Base64.encode(Digest.md5(other))
        let mismatch = try await f.send(f.request("PUT", "/b1xx/d", headers: badMD5, body: [1]))
        #expect(mismatch.status == 400)
        #expect(try await !f.exists("b1xx", "d"))
    }

    @Test func disabledKMSKeyRefusedNothingStored() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let key = try f.backend.kms.createKey(alias: "app", description: "t")
        let sse = [
            ("x-obs-server-side-encryption", "kms"), ("x-obs-server-side-encryption-kms-key-id", key.keyID),
        ]
        #expect(try await f.send(f.request("PUT", "/b1xx/old", headers: sse, body: [7])).status == 200)
        _ = try f.backend.kms.disableKey(key.keyID)
        let put = try await f.send(f.request("PUT", "/b1xx/k", headers: sse, body: [1, 2]))
        #expect(put.status == 400 && put.element("Code") == "KMS.DisabledException", "\(put.text)")
        #expect(try await !f.exists("b1xx", "k"))
        // A read is refused with an error answer before any header of the object goes out.
        let get = try await f.send(f.request("GET", "/b1xx/old", version: .v4))
        #expect(get.status == 400 && get.element("Code") == "KMS.DisabledException", "\(get.text)")
        #expect(get.header("ETag") == nil)
    }

    /// Positions are digits: one past Int64 is past the object (416), a sign makes the header malformed (ignored:
    /// 200 and the whole object, as S3 answers a Range it cannot parse).
    @Test(arguments: [
        ("bytes=18446744073709551615-", ByteRange.unsatisfiable), ("bytes=99999999999999999999-5", .ignore),
        ("bytes=99999999-", .unsatisfiable), ("bytes=0-18446744073709551615", .range(0..<100)),
        ("bytes=-99999999999999999999", .range(0..<100)), ("bytes=+1-2", .ignore), ("bytes=1-+2", .ignore),
        ("bytes=-+5", .ignore), ("bytes=1--2", .ignore), ("bytes= 1-2", .range(1..<3)), ("bytes=-5", .range(95..<100)),
    ])
    func rangePositions(_ spec: String, _ expected: ByteRange) {
        #expect(ByteRange.parse(spec, size: 100) == expected, "\(spec)")
    }

    @Test func rangesAndConditions() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx", encryption: .obs)
        let data = pattern(300_000)
        let etag = try await f.send(f.request("PUT", "/b1xx/r", body: data)).header("ETag")!
        let mid = try await f.send(f.request("GET", "/b1xx/r", headers: [("Range", "bytes=65530-131080")]))
        #expect(mid.status == 206 && mid.body == Array(data[65530...131080]))
        #expect(mid.header("Content-Range") == "bytes 65530-131080/300000")
        let suffix = try await f.send(f.request("GET", "/b1xx/r", headers: [("Range", "bytes=-10")]))
        #expect(suffix.status == 206 && suffix.body == Array(data.suffix(10)))
        let open = try await f.send(f.request("GET", "/b1xx/r", headers: [("Range", "bytes=299990-")], version: .v4))
        #expect(open.body == Array(data.suffix(10)))
        let past = try await f.send(f.request("GET", "/b1xx/r", headers: [("Range", "bytes=300000-")]))
        #expect(past.status == 416 && past.element("Code") == "InvalidRange")
        #expect(past.header("Content-Range") == "bytes */300000", "RFC 9110 15.5.17, as S3: \(past.headers)")
        // HEAD answers a Range as GET does, without the bytes.
        let headRange = try await f.send(f.request("HEAD", "/b1xx/r", headers: [("Range", "bytes=0-0")]))
        #expect(headRange.status == 206 && headRange.header("Content-Length") == "1", "\(headRange.headers)")
        #expect(headRange.header("Content-Range") == "bytes 0-0/300000")
        let headPast = try await f.send(f.request("HEAD", "/b1xx/r", headers: [("Range", "bytes=300000-")]))
        #expect(headPast.status == 416 && headPast.header("Content-Range") == "bytes */300000")
        let overflow = try await f.send(
            f.request("GET", "/b1xx/r", headers: [("Range", "bytes=18446744073709551615-")]))
        #expect(overflow.status == 416 && overflow.element("Code") == "InvalidRange", "\(overflow.status)")
        let signed = try await f.send(f.request("GET", "/b1xx/r", headers: [("Range", "bytes=+1-2")]))
        #expect(signed.status == 200 && signed.body == data, "\(signed.status)")
        #expect(try await f.send(f.request("GET", "/b1xx/r", headers: [("If-None-Match", etag)])).status == 304)
        #expect(try await f.send(f.request("GET", "/b1xx/r", headers: [("If-Match", "\"nope\"")])).status == 412)
        #expect(try await f.send(f.request("GET", "/b1xx/r", headers: [("If-Match", etag)])).status == 200)
        // If-Match compares strongly: a weak tag never matches; If-None-Match compares weakly.
        #expect(try await f.send(f.request("GET", "/b1xx/r", headers: [("If-Match", "W/" + etag)])).status == 412)
        #expect(try await f.send(f.request("GET", "/b1xx/r", headers: [("If-None-Match", "W/" + etag)])).status == 304)
        let future = "Sun, 01 Jan 2090 00:00:00 GMT", past1990 = "Mon, 01 Jan 1990 00:00:00 GMT"
        #expect(try await f.send(f.request("GET", "/b1xx/r", headers: [("If-Modified-Since", future)])).status == 304)
        #expect(
            try await f.send(f.request("GET", "/b1xx/r", headers: [("If-Unmodified-Since", past1990)])).status == 412)
        // If-Range: the range while the object is the one the client has (its ETag, or exactly its Last-Modified),
        // else the whole object; a weak tag or another date never holds.
        let modified = try #require(try await f.send(f.request("HEAD", "/b1xx/r")).header("Last-Modified"))
        for (validator, ranged) in [
            (etag, true), (modified, true), ("\"nope\"", false), ("W/" + etag, false), (future, false),
            ("not a date", false),
        ] {
            let r = try await f.send(
                f.request("GET", "/b1xx/r", headers: [("Range", "bytes=0-9"), ("If-Range", validator)]))
            #expect(r.status == (ranged ? 206 : 200) && r.body.count == (ranged ? 10 : 300_000), "\(validator)")
        }
    }

    @Test func copyWithDirectivesConditionsAndSSEChange() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let key = Random.bytes(32)
        _ = try await f.send(
            f.request(
                "PUT", "/b1xx/src%20x", headers: [("x-obs-meta-a", "1")] + customerKeyHeaders(key, prefix: "x-obs-"),
                body: pattern(1000)))
        let refused = try await f.send(
            f.request(
                "PUT", "/b1xx/dst",
                headers: [("x-obs-copy-source", "/b1xx/src%20x"), ("x-obs-copy-source-if-match", "\"other\"")]
                    + customerKeyHeaders(key, prefix: "x-obs-", copySource: true)))
        #expect(refused.status == 412)
        #expect(try await !f.exists("b1xx", "dst"))
        let noKey = try await f.send(f.request("PUT", "/b1xx/dst", headers: [("x-obs-copy-source", "/b1xx/src%20x")]))
        #expect(noKey.status == 400)
        let copy = try await f.send(
            f.request(
                "PUT", "/b1xx/dst",
                headers: [("x-amz-copy-source", "b1xx/src%20x"), ("x-amz-server-side-encryption", "aws:kms")]
                    + customerKeyHeaders(key, prefix: "x-amz-", copySource: true), version: .v4))
        #expect(copy.status == 200 && copy.element("ETag") != nil, "\(copy.text)")
        #expect(copy.header("x-amz-server-side-encryption") == "aws:kms")
        let got = try await f.send(f.request("GET", "/b1xx/dst"))
        #expect(got.body == pattern(1000) && got.header("x-obs-meta-a") == "1")
        let replaced = try await f.send(
            f.request(
                "PUT", "/b1xx/dst2",
                headers: [
                    ("x-obs-copy-source", "/b1xx/dst"), ("x-obs-metadata-directive", "REPLACE"), ("x-obs-meta-b", "2"),
                ]))
        #expect(replaced.status == 200)
        let head = try await f.send(f.request("HEAD", "/b1xx/dst2"))
        #expect(head.header("x-obs-meta-b") == "2" && head.header("x-obs-meta-a") == nil)
    }

    @Test func listingV1V2AndBatchDelete() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        for k in ["a/1", "a/2", "b", "c/x/y", "d"] {
            #expect(try await f.send(f.request("PUT", "/b1xx/" + k, body: [1])).status == 200)
        }
        let v1 = try await f.send(f.request("GET", "/b1xx", query: [("delimiter", "/"), ("max-keys", "2")]))
        #expect(v1.text.contains("<Prefix>a/</Prefix>") && v1.text.contains("<Key>b</Key>"))
        #expect(v1.element("IsTruncated") == "true" && v1.element("NextMarker") == "b")
        let v1b = try await f.send(f.request("GET", "/b1xx", query: [("delimiter", "/"), ("marker", "b")]))
        #expect(v1b.text.contains("<Prefix>c/</Prefix>") && v1b.text.contains("<Key>d</Key>"))
        let v2 = try await f.send(
            f.request("GET", "/b1xx", query: [("list-type", "2"), ("max-keys", "3")], version: .v4))
        #expect(v2.element("KeyCount") == "3" && v2.element("IsTruncated") == "true")
        let token = try #require(v2.element("NextContinuationToken"))
        let v2b = try await f.send(
            f.request("GET", "/b1xx", query: [("continuation-token", token), ("list-type", "2")], version: .v4))
        #expect(v2b.text.contains("<Key>c/x/y</Key>") && v2b.text.contains("<Key>d</Key>"))
        #expect(!v2b.text.contains("<Key>b</Key>"))
        let after = try await f.send(
            f.request("GET", "/b1xx", query: [("list-type", "2"), ("start-after", "c")], version: .v4))
        #expect(after.element("KeyCount") == "2")

        let xml = Array(
            "<Delete><Quiet>true</Quiet><Object><Key>a/1</Key></Object><Object><Key>zz</Key></Object></Delete>".utf8)
        let noMD5 = try await f.send(f.request("POST", "/b1xx", query: [("delete", nil)], body: xml))
        #expect(noMD5.status == 400)
        #expect(try await f.exists("b1xx", "a/1"))
        let del = try await f.send(
            f.request("POST", "/b1xx", query: [("delete", nil)], headers: [md5Header(xml)], body: xml))
        #expect(del.status == 200 && !del.text.contains("<Deleted>") && !del.text.contains("<Error>"), "\(del.text)")
        #expect(try await !f.exists("b1xx", "a/1"))
    }

    @Test func multipartWithPartCopyAndListings() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx", encryption: .kms(keyID: nil))
        let source = pattern(300_000, seed: 3)
        _ = try await f.send(f.request("PUT", "/b1xx/source", body: source))
        let initiated = try await f.send(
            f.request(
                "POST", "/b1xx/big", query: [("uploads", nil)],
                headers: [("x-amz-meta-m", "v"), ("x-amz-server-side-encryption", "aws:kms")], version: .v4))
        let uploadID = try #require(initiated.element("UploadId"))
        #expect(initiated.status == 200 && initiated.header("x-amz-server-side-encryption") == "aws:kms")
        // No key was named: the answer names the default key the parts are sealed under, and each part says so.
        let defaultKey = try #require(initiated.header("x-amz-server-side-encryption-aws-kms-key-id"))
        #expect(defaultKey.contains(":key/"), "\(defaultKey)")
        let part1 = pattern(5 << 20, seed: 1)
        let p1 = try await f.send(
            f.request(
                "PUT", "/b1xx/big", query: [("partNumber", "1"), ("uploadId", uploadID)], body: part1, version: .v4,
                signPayload: true))
        #expect(p1.status == 200, "\(p1.text)")
        let p2 = try await f.send(
            f.request(
                "PUT", "/b1xx/big", query: [("partNumber", "2"), ("uploadId", uploadID)],
                headers: [("x-amz-copy-source", "/b1xx/source"), ("x-amz-copy-source-range", "bytes=100-70099")],
                version: .v4))
        #expect(p2.status == 200, "\(p2.text)")
        for answer in [p1, p2] {
            #expect(answer.header("x-amz-server-side-encryption") == "aws:kms")
            #expect(answer.header("x-amz-server-side-encryption-aws-kms-key-id") == defaultKey)
        }
        let uploads = try await f.send(f.request("GET", "/b1xx", query: [("uploads", nil)]))
        #expect(uploads.element("UploadId") == uploadID)
        let parts = try await f.send(f.request("GET", "/b1xx/big", query: [("uploadId", uploadID)]))
        #expect(parts.text.components(separatedBy: "<Part>").count == 3)
        let e1 = try #require(p1.header("ETag")), e2 = try #require(p2.element("ETag"))
        let wrongOrder = Array(
            ("<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>\(e2)</ETag></Part>"
                + "<Part><PartNumber>1</PartNumber><ETag>\(e1)</ETag></Part></CompleteMultipartUpload>").utf8)
        let bad = try await f.send(f.request("POST", "/b1xx/big", query: [("uploadId", uploadID)], body: wrongOrder))
        #expect(bad.status == 400 && bad.element("Code") == "InvalidPartOrder", "\(bad.text)")
        let body = Array(
            ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\(e1)</ETag></Part>"
                + "<Part><PartNumber>2</PartNumber><ETag>\(e2)</ETag></Part></CompleteMultipartUpload>").utf8)
        let done = try await f.send(f.request("POST", "/b1xx/big", query: [("uploadId", uploadID)], body: body))
        #expect(done.status == 200 && done.element("ETag") != nil, "\(done.text)")
        let got = try await f.send(f.request("GET", "/b1xx/big", version: .v4))
        #expect(got.body == part1 + Array(source[100..<70100]))
        #expect(got.header("x-amz-meta-m") == "v" && got.header("x-amz-server-side-encryption") == "aws:kms")
        let ranged = try await f.send(f.request("GET", "/b1xx/big", headers: [("Range", "bytes=5242870-5242889")]))
        #expect(ranged.body == Array((part1 + Array(source[100..<70100]))[5_242_870...5_242_889]))

        let second = try #require(
            try await f.send(f.request("POST", "/b1xx/other", query: [("uploads", nil)])).element("UploadId"))
        #expect(try await f.send(f.request("DELETE", "/b1xx/other", query: [("uploadId", second)])).status == 204)
        #expect(try await f.send(f.request("GET", "/b1xx/other", query: [("uploadId", second)])).status == 404)
    }
}

/// Initiate and each part answer the encryption the parts get, a bucket default included, in the request's dialect.
@Suite struct ServerMultipartEncryptionAnswerTests {
    @Test func bucketDefaultAndCustomerKey() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b2xx", encryption: .obs)
        let initiated = try await f.send(f.request("POST", "/b2xx/k", query: [("uploads", nil)]))
        let id = try #require(initiated.element("UploadId"))
        #expect(initiated.header("x-obs-server-side-encryption") == "AES256")
        let part = try await f.send(
            f.request("PUT", "/b2xx/k", query: [("partNumber", "1"), ("uploadId", id)], body: pattern(10)))
        #expect(part.status == 200 && part.header("x-obs-server-side-encryption") == "AES256", "\(part.text)")
        #expect(part.header("x-amz-server-side-encryption") == nil)

        let key = pattern(32, seed: 9)
        let sseC = customerKeyHeaders(key, prefix: "x-amz-")
        let cInit = try await f.send(
            f.request("POST", "/b2xx/c", query: [("uploads", nil)], headers: sseC, version: .v4))
        let cID = try #require(cInit.element("UploadId"))
        let cPart = try await f.send(
            f.request(
                "PUT", "/b2xx/c", query: [("partNumber", "1"), ("uploadId", cID)], headers: sseC, body: pattern(10),
                version: .v4))
        #expect(cPart.status == 200, "\(cPart.text)")
        #expect(cPart.header("x-amz-server-side-encryption-customer-algorithm") == "AES256")
        #expect(cPart.header("x-amz-server-side-encryption-customer-key-MD5") == Base64.encode(Digest.md5(key)))
        #expect(cPart.header("x-amz-server-side-encryption") == nil)

        try await f.makeBucket("b3xx")
        let plain = try #require(
            try await f.send(f.request("POST", "/b3xx/k", query: [("uploads", nil)])).element("UploadId"))
        let plainPart = try await f.send(
            f.request("PUT", "/b3xx/k", query: [("partNumber", "1"), ("uploadId", plain)], body: pattern(10)))
        #expect(plainPart.status == 200 && plainPart.header("x-obs-server-side-encryption") == nil)
    }
}

/// The standard headers a write stores (Cache-Control, Content-Disposition, Content-Encoding without aws-chunked,
/// Content-Language, Expires): answered by GET and HEAD, kept by a COPY-directive copy and a multipart upload,
/// replaced by a REPLACE copy, and overridden by `response-*` parameters.
@Suite struct ServerHeaderMetadataTests {
    static let stored: [(String, String)] = [
        ("Cache-Control", "max-age=60"), ("Content-Disposition", "attachment; filename=\"h.gz\""),
        ("Content-Encoding", "gzip"), ("Content-Language", "en"), ("Expires", "Wed, 01 Jan 2031 00:00:00 GMT"),
    ]

    func expectStored(
        _ answer: Answer, _ expected: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (name, value) in expected {
            #expect(
                answer.header(name) == value, "\(name): \(answer.header(name) ?? "none")",
                sourceLocation: sourceLocation)
        }
    }

    @Test func storedAndAnswered() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("hm-b", encryption: .kms(keyID: nil))
        var headers = Self.stored.filter { $0.0 != "Content-Encoding" }
        headers.append(("Content-Encoding", "aws-chunked,gzip"))
        let put = try await f.send(f.request("PUT", "/hm-b/k", headers: headers, body: [1, 2, 3]))
        #expect(put.status == 200, "\(put.text)")
        expectStored(try await f.send(f.request("GET", "/hm-b/k")), Self.stored)
        expectStored(try await f.send(f.request("HEAD", "/hm-b/k")), Self.stored)
        let overridden = try await f.send(
            f.request("GET", "/hm-b/k", query: [("response-cache-control", "no-store")], version: .v4))
        #expect(overridden.header("Cache-Control") == "no-store", "\(overridden.headers)")

        let kept = try await f.send(
            f.request("PUT", "/hm-b/copy", headers: [("x-amz-copy-source", "/hm-b/k")], version: .v4))
        #expect(kept.status == 200, "\(kept.text)")
        expectStored(try await f.send(f.request("HEAD", "/hm-b/copy")), Self.stored)
        let replaced = try await f.send(
            f.request(
                "PUT", "/hm-b/copy",
                headers: [
                    ("x-amz-copy-source", "/hm-b/k"), ("x-amz-metadata-directive", "REPLACE"),
                    ("Cache-Control", "no-cache"),
                ], version: .v4))
        #expect(replaced.status == 200, "\(replaced.text)")
        let after = try await f.send(f.request("HEAD", "/hm-b/copy"))
        #expect(after.header("Cache-Control") == "no-cache" && after.header("Content-Encoding") == nil)

        let initiated = try await f.send(
            f.request("POST", "/hm-b/mp", query: [("uploads", nil)], headers: Self.stored, version: .v4))
        let uploadID = try #require(initiated.element("UploadId"))
        let part = try await f.send(
            f.request("PUT", "/hm-b/mp", query: [("partNumber", "1"), ("uploadId", uploadID)], body: [4]))
        let e1 = try #require(part.header("ETag"))
        let body = Array(
            ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\(e1)</ETag></Part>"
                + "</CompleteMultipartUpload>").utf8)
        #expect(
            try await f.send(f.request("POST", "/hm-b/mp", query: [("uploadId", uploadID)], body: body)).status == 200)
        expectStored(try await f.send(f.request("GET", "/hm-b/mp")), Self.stored)

        // aws-chunked alone is framing, not an encoding: nothing is stored for it.
        _ = try await f.send(f.request("PUT", "/hm-b/plain", headers: [("Content-Encoding", "aws-chunked")], body: [5]))
        #expect(try await f.send(f.request("HEAD", "/hm-b/plain")).header("Content-Encoding") == nil)
    }
}

/// Requests S3 refuses that serve had answered as if well formed: another object version than `null`, and user
/// metadata past S3's 2 KB.
@Suite struct ServerRefusalTests {
    @Test func versionsAndMetadataSize() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("ref-b")
        _ = try await f.send(f.request("PUT", "/ref-b/k", body: [1]))
        #expect(try await f.send(f.request("GET", "/ref-b/k", query: [("versionId", "null")])).status == 200)
        for method in ["GET", "HEAD", "DELETE"] {
            let other = try await f.send(f.request(method, "/ref-b/k", query: [("versionId", "3HL4kqtJlcpXroDTDmJ")]))
            #expect(other.status == 404, "\(method): \(other.text)")
        }
        #expect(try await f.send(f.request("GET", "/ref-b/k")).body == [1], "a DELETE of another version removed it")
        let big = String(repeating: "v", count: 3000)
        let tooLarge = try await f.send(
            f.request("PUT", "/ref-b/big", headers: [("x-amz-meta-big", big)], body: [2], version: .v4))
        #expect(tooLarge.status == 400 && tooLarge.element("Code") == "MetadataTooLarge", "\(tooLarge.text)")
        #expect(try await !f.exists("ref-b", "big"))
        let fits = try await f.send(
            f.request(
                "PUT", "/ref-b/fits", headers: [("x-amz-meta-m", String(repeating: "v", count: 2000))],
                body: [3], version: .v4))
        #expect(fits.status == 200, "\(fits.text)")
    }

    @Test func bucketNamesS3Reserves() async throws {
        let f = try ServerFixture()
        for name in ["xn--bucket", "sthree-b", "data-s3alias", "data--ol-s3", "data--x-s3"] {
            let answer = try await f.send(f.request("PUT", "/\(name)", version: .v4))
            #expect(answer.status == 400 && answer.element("Code") == "InvalidBucketName", "\(name): \(answer.text)")
            #expect(try await f.send(f.request("HEAD", "/\(name)", version: .v4)).status == 404, "\(name) was made")
        }
        #expect(try await f.send(f.request("PUT", "/xn-ok-bucket", version: .v4)).status == 200)
    }
}

/// S3's conditional writes: `If-None-Match: *` creates only, `If-Match` replaces only the version named; a refused
/// write (412, or 404 for If-Match on no object) changes nothing, and a refused Complete keeps the upload.
@Suite struct ServerConditionalWriteTests {
    @Test func putObject() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("cw-b")
        func put(_ body: [UInt8], _ headers: [(String, String)]) async throws -> Answer {
            try await f.send(f.request("PUT", "/cw-b/k", headers: headers, body: body))
        }
        let created = try await put([1], [("If-None-Match", "*")])
        #expect(created.status == 200, "\(created.text)")
        let again = try await put([2], [("If-None-Match", "*")])
        #expect(again.status == 412 && again.element("Code") == "PreconditionFailed", "\(again.text)")
        let etag = try #require(created.header("ETag"))
        let stale = try await put([3], [("If-Match", "\"0123456789abcdef0123456789abcdef\"")])
        #expect(stale.status == 412, "\(stale.text)")
        #expect(try await f.send(f.request("GET", "/cw-b/k")).body == [1], "a refused write changed the object")
        let replaced = try await put([4], [("If-Match", etag)])
        #expect(replaced.status == 200, "\(replaced.text)")
        #expect(try await f.send(f.request("GET", "/cw-b/k")).body == [4])
        let missing = try await f.send(f.request("PUT", "/cw-b/none", headers: [("If-Match", etag)], body: [5]))
        #expect(missing.status == 404 && missing.element("Code") == "NoSuchKey", "\(missing.text)")
        let other = try await put([6], [("If-None-Match", etag)])
        #expect(other.status == 501, "\(other.text)")
        #expect(try await !f.exists("cw-b", "none"))
        #expect(try await f.send(f.request("GET", "/cw-b/k")).body == [4])
    }

    /// `If-Match: *` replaces only what is there.
    @Test func ifMatchAnyNeedsAnObject() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("cw-any")
        let missing = try await f.send(f.request("PUT", "/cw-any/k", headers: [("If-Match", "*")], body: [1]))
        #expect(missing.status == 404 && missing.element("Code") == "NoSuchKey", "\(missing.text)")
        #expect(try await !f.exists("cw-any", "k"))
        _ = try await f.send(f.request("PUT", "/cw-any/k", body: [2]))
        let replaced = try await f.send(f.request("PUT", "/cw-any/k", headers: [("If-Match", "*")], body: [3]))
        #expect(replaced.status == 200, "\(replaced.text)")
        #expect(try await f.send(f.request("GET", "/cw-any/k")).body == [3])
    }

    /// CopyObject's If-None-Match and If-Match are the target's conditions, as PutObject's (its source's are the
    /// `copy-source-if-*` headers); a refused copy leaves the target as it was, in both dialects.
    @Test(arguments: [SignatureVersion.v4, .obs])
    func copyObject(version: SignatureVersion) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("cw-cp")
        let source = version == .obs ? "x-obs-copy-source" : "x-amz-copy-source"
        _ = try await f.send(f.request("PUT", "/cw-cp/src", body: [1, 1], version: version))
        let kept = try await f.send(f.request("PUT", "/cw-cp/dst", body: [2], version: version))
        let etag = try #require(kept.header("ETag"))
        func copy(to key: String, _ headers: [(String, String)]) async throws -> Answer {
            try await f.send(
                f.request("PUT", "/cw-cp/" + key, headers: [(source, "/cw-cp/src")] + headers, version: version))
        }
        let created = try await copy(to: "dst", [("If-None-Match", "*")])
        #expect(created.status == 412 && created.element("Code") == "PreconditionFailed", "\(created.text)")
        let stale = try await copy(to: "dst", [("If-Match", "\"0123456789abcdef0123456789abcdef\"")])
        #expect(stale.status == 412, "\(stale.text)")
        let none = try await copy(to: "none", [("If-Match", etag)])
        #expect(none.status == 404 && none.element("Code") == "NoSuchKey", "\(none.text)")
        let other = try await copy(to: "dst", [("If-None-Match", etag)])
        #expect(other.status == 501, "\(other.text)")
        #expect(try await f.send(f.request("GET", "/cw-cp/dst", version: version)).body == [2])
        #expect(try await !f.exists("cw-cp", "none"))
        let fresh = try await copy(to: "new", [("If-None-Match", "*")])
        #expect(fresh.status == 200, "\(fresh.text)")
        let replaced = try await copy(to: "dst", [("If-Match", etag)])
        #expect(replaced.status == 200, "\(replaced.text)")
        #expect(try await f.send(f.request("GET", "/cw-cp/dst", version: version)).body == [1, 1])
    }

    @Test func completeMultipartUpload() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("cw-mp")
        _ = try await f.send(f.request("PUT", "/cw-mp/k", body: [9]))
        let uploadID = try #require(
            try await f.send(f.request("POST", "/cw-mp/k", query: [("uploads", nil)])).element("UploadId"))
        let part = try await f.send(
            f.request("PUT", "/cw-mp/k", query: [("partNumber", "1"), ("uploadId", uploadID)], body: [7, 7]))
        let e1 = try #require(part.header("ETag"))
        let body = Array(
            ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\(e1)</ETag></Part>"
                + "</CompleteMultipartUpload>").utf8)
        let refused = try await f.send(
            f.request(
                "POST", "/cw-mp/k", query: [("uploadId", uploadID)], headers: [("If-None-Match", "*")], body: body))
        #expect(refused.status == 412, "\(refused.text)")
        #expect(try await f.send(f.request("GET", "/cw-mp/k")).body == [9])
        let parts = try await f.send(f.request("GET", "/cw-mp/k", query: [("uploadId", uploadID)]))
        #expect(parts.status == 200, "the refused Complete dropped the upload: \(parts.text)")
        let done = try await f.send(f.request("POST", "/cw-mp/k", query: [("uploadId", uploadID)], body: body))
        #expect(done.status == 200, "\(done.text)")
        #expect(try await f.send(f.request("GET", "/cw-mp/k")).body == [7, 7])
    }

    @Test("CompleteMultipartUpload's Location is a URL: the key percent-encoded, as S3 gives it")
    func completeLocationIsEncoded() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("loc-mp")
        let path = "/loc-mp/dir/a%20b%26c%3Cd%3E%3F.txt"
        let uploadID = try #require(
            try await f.send(f.request("POST", path, query: [("uploads", nil)])).element("UploadId"))
        let part = try await f.send(
            f.request("PUT", path, query: [("partNumber", "1"), ("uploadId", uploadID)], body: [1]))
        let e1 = try #require(part.header("ETag"))
        let body = Array(
            ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\(e1)</ETag></Part>"
                + "</CompleteMultipartUpload>").utf8)
        let done = try await f.send(f.request("POST", path, query: [("uploadId", uploadID)], body: body))
        #expect(done.status == 200, "\(done.text)")
        #expect(done.element("Key") == "dir/a b&amp;c&lt;d&gt;?.txt", "escaped XML text: \(done.text)")
        #expect(done.element("Location")?.hasSuffix(path) == true, "\(done.text)")
    }
}

@Suite struct ServerChunkedUploadTests {
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER` body with a CRC32C trailer: decoded, checked; a wrong trailer stores
    /// nothing.
    @Test func awsChunkedWithCRC32CTrailer() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("chunky")
        let data = pattern(150_000)
        func chunked(_ crc: String) -> [UInt8] {
            var out: [UInt8] = []
            for piece in [data[0..<100_000], data[100_000...]] {
                out += Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Array("\r\n".utf8)
            }
            return out + Array("0\r\nx-amz-checksum-crc32c:\(crc)\r\n\r\n".utf8)
        }
        var good = CRC32C()
        good.update(data)
        var bad = CRC32C()
        bad.update(data + [0])
        for (key, crc, status) in [("good", good.base64, 200), ("bad", bad.base64, 400)] {
            let answer = try await f.send(
                f.request(
                    "PUT", "/chunky/" + key,
                    headers: [
                        ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", String(data.count)),
                        ("x-amz-trailer", "x-amz-checksum-crc32c"),
                    ], body: chunked(crc), version: .v4, declaredSHA256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
            #expect(answer.status == status, "\(answer.text)")
            // The checked value is answered back, as S3 does (SDKs compare it).
            if status == 200 { #expect(answer.header("x-amz-checksum-crc32c") == crc, "\(answer.headers)") }
        }
        #expect(try await f.send(f.request("GET", "/chunky/good")).body == data)
        #expect(try await !f.exists("chunky", "bad"))
    }

    /// Broken framing fails inside the backend's read: answered with the decoder's code, nothing stored.
    @Test func malformedChunkFramingIsRefused() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("chunky")
        for (key, body) in [
            ("not-hex", Array("zz\r\nabc\r\n0\r\n\r\n".utf8)), ("short", Array("10\r\nabc\r\n0\r\n\r\n".utf8)),
            ("no-end", Array("3\r\nabc\r\n".utf8)),
        ] {
            let answer = try await f.send(
                f.request(
                    "PUT", "/chunky/" + key, headers: [("Content-Encoding", "aws-chunked")], body: body,
                    version: .v4, declaredSHA256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER"))
            #expect(answer.status == 400, "\(key): \(answer.text)")
            #expect(!answer.text.contains("InternalError"), "\(key): \(answer.text)")
            #expect(try await !f.exists("chunky", key))
        }
    }
}

/// A PUT's and a part's framing and size, as S3 and OBS limit them.
@Suite struct ServerUploadSizeTests {
    /// Without Content-Length or Transfer-Encoding, HTTP means an empty body: S3 answers 411 rather than store an
    /// empty object in place of what the client meant to send.
    @Test func lengthRequired() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        for version in [SignatureVersion.obs, .v4, .v2] {
            let put = try await f.send(
                f.request("PUT", "/b1xx/k", headers: [("Content-Length", "NONE")], body: [1, 2], version: version))
            #expect(put.status == 411 && put.element("Code") == "MissingContentLength", "\(put.text)")
            #expect(try await !f.exists("b1xx", "k"))
        }
        let uploadID = try await initiate(f)
        let part = try await f.send(
            f.request(
                "PUT", "/b1xx/big", query: [("partNumber", "1"), ("uploadId", uploadID)],
                headers: [("Content-Length", "NONE")], body: [1]))
        #expect(part.status == 411 && part.element("Code") == "MissingContentLength", "\(part.text)")
        // A chunked body declares no length and is taken; an empty one with Content-Length: 0 too.
        let chunked = try await f.send(
            f.request("PUT", "/b1xx/c", headers: [("Transfer-Encoding", "chunked")], body: [9, 8, 7]))
        #expect(chunked.status == 200, "\(chunked.text)")
        #expect(try await f.send(f.request("GET", "/b1xx/c")).body == [9, 8, 7])
        #expect(try await f.send(f.request("PUT", "/b1xx/empty")).status == 200)
    }

    /// More than 5 GiB declared for a PUT or a part is refused before the body is read (nothing read, nothing
    /// stored); 5 GiB itself is not.
    @Test(arguments: ["", "part"])
    func overFiveGiBDeclaredRefused(_ kind: String) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let query = kind.isEmpty ? [] : [("partNumber", "1"), ("uploadId", try await initiate(f))]
        let body = CountingSource()
        var request = f.request(
            "PUT", "/b1xx/big", query: query, headers: [("Content-Length", String((5 << 30) + 1))], version: .v4)
        request.body = body
        let put = try await f.send(request)
        #expect(put.status == 400 && put.element("Code") == "EntityTooLarge", "\(put.text)")
        #expect(
            put.element("MaxSizeAllowed") == String(5 << 30) && put.element("ProposedSize") == String((5 << 30) + 1))
        #expect(body.reads == 0, "the body was read")
        #expect(try await !f.exists("b1xx", "big"))
        // Exactly 5 GiB declared passes the check (the body here is short, so the request fails later, or not).
        var atLimit = f.request(
            "PUT", "/b1xx/big", query: query, headers: [("Content-Length", String(5 << 30))], version: .v4)
        atLimit.body = CountingSource()
        let answer = try await f.send(atLimit)
        #expect(answer.status != 400 || answer.element("Code") != "EntityTooLarge", "\(answer.text)")
        #expect(body.reads == 0 && (atLimit.body as? CountingSource)?.reads ?? 0 > 0, "the body at the limit is read")
    }

    /// A body that declares no length is counted as it arrives: past the limit the read fails, and nothing is kept.
    @Test func undeclaredBodyCountedAgainstTheLimit() throws {
        let body = CheckedBody(
            source: BufferSource(Array(repeating: 1, count: 100)), decoder: nil, expectedMD5: nil, expectedSHA256: nil,
            checksum: nil, expectedChecksum: nil, received: ByteCount(), limit: 64)
        var buffer = [UInt8](repeating: 0, count: 40)
        #expect(try buffer.withUnsafeMutableBytes { try body.read(into: $0) } == 40)
        #expect(throws: S3Failure.self) {
            while try buffer.withUnsafeMutableBytes({ try body.read(into: $0) }) > 0 {}
        }
        let exact = CheckedBody(
            source: BufferSource(Array(repeating: 1, count: 64)), decoder: nil, expectedMD5: nil, expectedSHA256: nil,
            checksum: nil, expectedChecksum: nil, received: ByteCount(), limit: 64)
        var total = 0
        while case let n = try buffer.withUnsafeMutableBytes({ try exact.read(into: $0) }), n > 0 { total += n }
        #expect(total == 64)
    }

    private func initiate(_ f: ServerFixture) async throws -> String {
        let initiated = try await f.send(f.request("POST", "/b1xx/big", query: [("uploads", nil)], version: .v4))
        return try #require(initiated.element("UploadId"))
    }
}

/// A body that counts its reads and holds one byte.
private final class CountingSource: ByteSource {
    var reads = 0
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        reads += 1
        guard reads == 1, buffer.count > 0 else { return 0 }
        buffer[0] = 1
        return 1
    }
}

/// Every part but the last must hold 5 MiB in S3's dialect and 100 KiB in OBS's, as each service documents: the OBS
/// SDKs' uploadFile splits from 100 KiB up, and those uploads must complete here as they do on OBS.
@Suite struct ServerPartMinimumTests {
    func complete(_ f: ServerFixture, _ key: String, first: Int, version: SignatureVersion) async throws -> Answer {
        let id = try #require(
            try await f.send(f.request("POST", "/pmin/\(key)", query: [("uploads", nil)], version: version))
                .element("UploadId"))
        var etags: [String] = []
        for (n, size) in [(1, first), (2, 1000)] {
            let part = try await f.send(
                f.request(
                    "PUT", "/pmin/\(key)", query: [("partNumber", "\(n)"), ("uploadId", id)],
                    body: pattern(size, seed: UInt8(n)), version: version))
            etags.append(try #require(part.header("ETag"), "\(part.text)"))
        }
        let body = Array(
            ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\(etags[0])</ETag></Part>"
                + "<Part><PartNumber>2</PartNumber><ETag>\(etags[1])</ETag></Part></CompleteMultipartUpload>").utf8)
        return try await f.send(
            f.request("POST", "/pmin/\(key)", query: [("uploadId", id)], body: body, version: version))
    }

    @Test func obsDialectTakesPartsFrom100KiBAndS3From5MiB() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("pmin", encryption: nil)
        for (first, version, ok) in [
            (100 << 10, SignatureVersion.obs, true), ((100 << 10) - 1, .obs, false), (1 << 20, .obs, true),
            (1 << 20, .v4, false), (1 << 20, .v2, false), (5 << 20, .v4, true),
        ] {
            let done = try await complete(f, "k\(first)-\(version)", first: first, version: version)
            if ok {
                #expect(done.status == 200, "\(first) \(version): \(done.text)")
            } else {
                #expect(done.status == 400 && done.element("Code") == "EntityTooSmall", "\(first) \(version)")
            }
        }
    }
}
