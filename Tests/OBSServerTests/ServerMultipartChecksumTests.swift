import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Testing

@testable import OBSServer

/// S3's flexible checksums on multipart uploads: the algorithm named at Initiate is echoed, each part's checksum is
/// verified, kept (sealed in an encrypted upload) and answered by UploadPart and ListParts, and the checksums
/// Complete lists are checked against the parts'.
@Suite struct ServerMultipartChecksumTests {
    static func checksum(_ algorithm: FlexibleChecksum.Algorithm, _ bytes: [UInt8]) -> String {
        var c = FlexibleChecksum(algorithm)
        bytes.withUnsafeBytes { c.update($0) }
        return c.base64()
    }

    static func completeBody(_ parts: [(n: Int, etag: String, checksums: [(String, String)])]) -> [UInt8] {
        var xml = "<CompleteMultipartUpload>"
        for p in parts {
            xml += "<Part><PartNumber>\(p.n)</PartNumber><ETag>\(p.etag)</ETag>"
            for (name, value) in p.checksums { xml += "<Checksum\(name)>\(value)</Checksum\(name)>" }
            xml += "</Part>"
        }
        return Array((xml + "</CompleteMultipartUpload>").utf8)
    }

    @Test(arguments: [false, true])
    func keptAnsweredAndChecked(encrypted: Bool) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx", encryption: encrypted ? .kms(keyID: nil) : nil)
        let refused = try await f.send(
            f.request(
                "POST", "/b1xx/big", query: [("uploads", nil)], headers: [("x-amz-checksum-algorithm", "MD5")],
                version: .v4))
        #expect(refused.status == 400 && refused.element("Code") == "InvalidRequest", "\(refused.text)")
        let initiated = try await f.send(
            f.request(
                "POST", "/b1xx/big", query: [("uploads", nil)], headers: [("x-amz-checksum-algorithm", "sha256")],
                version: .v4))
        #expect(initiated.header("x-amz-checksum-algorithm") == "SHA256", "\(initiated.headers)")
        let uploadID = try #require(initiated.element("UploadId"))
        let part1 = pattern(5 << 20, seed: 11), part2 = pattern(1000, seed: 12)
        var etags: [String] = [], sums: [String] = []
        for (n, data) in [(1, part1), (2, part2)] {
            let sum = Self.checksum(.sha256, data)
            let put = try await f.send(
                f.request(
                    "PUT", "/b1xx/big", query: [("partNumber", "\(n)"), ("uploadId", uploadID)],
                    headers: [("x-amz-checksum-sha256", sum)], body: data, version: .v4))
            #expect(put.status == 200 && put.header("x-amz-checksum-sha256") == sum, "\(put.text) \(put.headers)")
            etags.append(try #require(put.header("ETag")))
            sums.append(sum)
        }
        let listed = try await f.send(f.request("GET", "/b1xx/big", query: [("uploadId", uploadID)], version: .v4))
        #expect(listed.text.components(separatedBy: "<ChecksumSHA256>").count == 3, "\(listed.text)")
        #expect(listed.text.contains(sums[1]), "\(listed.text)")
        // An encrypted upload keeps the checksums of its plaintext sealed, as it keeps the parts' CRC-32C.
        let stored = try FileManager.default.subpathsOfDirectory(atPath: f.dir).filter { $0.contains("/uploads/") }
            .compactMap { try? String(contentsOfFile: f.dir + "/" + $0, encoding: .utf8) }.joined()
        let inClear = [sums[0], sums[0].replacingOccurrences(of: "/", with: "\\/")].contains(where: stored.contains)
        #expect(inClear == !encrypted, "a part's checksum in clear: \(encrypted)")

        // A listed checksum that is not the part's, of the algorithm it was uploaded with or a CRC-32C (which every
        // part's upload computes): InvalidPart, and no object.
        let wrongSHA = Self.checksum(.sha256, part1)
        let wrongCRC = Self.checksum(.crc32c, part1)
        for listed in [[("SHA256", wrongSHA)], [("SHA256", sums[1]), ("CRC32C", wrongCRC)]] {
            let name = listed.last!.0
            let body = Self.completeBody([(1, etags[0], [("SHA256", sums[0])]), (2, etags[1], listed)])
            let bad = try await f.send(
                f.request("POST", "/b1xx/big", query: [("uploadId", uploadID)], body: body, version: .v4))
            #expect(bad.status == 400 && bad.element("Code") == "InvalidPart", "\(name): \(bad.text)")
            #expect(try await !f.exists("b1xx", "big"))
        }
        // A checksum the part has no value of (SHA-1 of a SHA-256 part) cannot be the part's: InvalidPart.
        let unknowable = Self.completeBody([
            (1, etags[0], [("SHA256", sums[0])]), (2, etags[1], [("SHA256", sums[1]), ("SHA1", "AAAA")]),
        ])
        let bad = try await f.send(
            f.request("POST", "/b1xx/big", query: [("uploadId", uploadID)], body: unknowable, version: .v4))
        #expect(bad.status == 400 && bad.element("Code") == "InvalidPart", "\(bad.text)")
        // The upload was created with SHA-256: each part's must be listed.
        let missing = Self.completeBody([(1, etags[0], [("SHA256", sums[0])]), (2, etags[1], [])])
        let unlisted = try await f.send(
            f.request("POST", "/b1xx/big", query: [("uploadId", uploadID)], body: missing, version: .v4))
        #expect(unlisted.status == 400 && unlisted.element("Code") == "InvalidRequest", "\(unlisted.text)")
        // A part of another algorithm than the upload's is refused before its body is stored.
        let other = try await f.send(
            f.request(
                "PUT", "/b1xx/big", query: [("partNumber", "3"), ("uploadId", uploadID)],
                headers: [("x-amz-checksum-crc32", Self.checksum(.crc32, part2))], body: part2, version: .v4))
        #expect(other.status == 400 && other.element("Code") == "InvalidRequest", "\(other.text)")
        // A full-object CRC-32C sent with Complete (S3's FULL_OBJECT) is the object's: a wrong one is BadDigest.
        let body = Self.completeBody([
            (1, etags[0], [("SHA256", sums[0])]),
            (2, etags[1], [("SHA256", sums[1]), ("CRC32C", Self.checksum(.crc32c, part2))]),
        ])
        let wrongWhole = try await f.send(
            f.request(
                "POST", "/b1xx/big", query: [("uploadId", uploadID)],
                headers: [("x-amz-checksum-crc32c", Self.checksum(.crc32c, part1))], body: body, version: .v4))
        #expect(wrongWhole.status == 400 && wrongWhole.element("Code") == "BadDigest", "\(wrongWhole.text)")
        #expect(try await !f.exists("b1xx", "big"))
        let done = try await f.send(
            f.request(
                "POST", "/b1xx/big", query: [("uploadId", uploadID)],
                headers: [("x-amz-checksum-crc32c", Self.checksum(.crc32c, part1 + part2))], body: body, version: .v4))
        #expect(done.status == 200, "\(done.text)")
        #expect(try await f.send(f.request("GET", "/b1xx/big", version: .v4)).body == part1 + part2)
    }

    /// An SSE-C upload's part checksums are digests of plaintext the server may not read without the customer's
    /// key: sealed under the upload's data key, and listed only to a ListParts that sends the key.
    @Test func customerKeyUploadListsChecksumsOnlyWithItsKey() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        let key = customerKeyHeaders(Random.bytes(32), prefix: "x-amz-")
        let initiated = try await f.send(
            f.request("POST", "/b1xx/c", query: [("uploads", nil)], headers: key, version: .v4))
        let uploadID = try #require(initiated.element("UploadId"), "\(initiated.text)")
        let data = pattern(3000, seed: 3), sum = Self.checksum(.sha256, data)
        let put = try await f.send(
            f.request(
                "PUT", "/b1xx/c", query: [("partNumber", "1"), ("uploadId", uploadID)],
                headers: key + [("x-amz-checksum-sha256", sum)], body: data, version: .v4))
        #expect(put.status == 200 && put.header("x-amz-checksum-sha256") == sum, "\(put.text)")
        let without = try await f.send(f.request("GET", "/b1xx/c", query: [("uploadId", uploadID)], version: .v4))
        #expect(without.status == 200 && !without.text.contains("ChecksumSHA256"), "\(without.text)")
        let with = try await f.send(
            f.request("GET", "/b1xx/c", query: [("uploadId", uploadID)], headers: key, version: .v4))
        #expect(with.text.contains("<ChecksumSHA256>\(sum)</ChecksumSHA256>"), "\(with.text)")
    }

    /// A part copied from a stored object (UploadPart-Copy) gets the checksum of the upload's algorithm computed, as
    /// S3 does: CopyPartResult answers it, ListParts lists it, and Complete must list it. ListParts and
    /// ListMultipartUploads name the upload's algorithm and type; an upload without one gets none of this.
    @Test(arguments: [
        (FlexibleChecksum.Algorithm.crc32, false), (.crc64nvme, true), (.sha1, false), (.sha256, true), (.crc32c, true),
    ])
    func copiedPartsGetTheUploadsChecksum(algorithm: FlexibleChecksum.Algorithm, encrypted: Bool) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx", encryption: encrypted ? .kms(keyID: nil) : nil)
        let source = pattern((5 << 20) + 3000, seed: 21)
        #expect(try await f.send(f.request("PUT", "/b1xx/src", body: source, version: .v4)).status == 200)
        let name = algorithm.displayName
        let initiated = try await f.send(
            f.request(
                "POST", "/b1xx/dst", query: [("uploads", nil)], headers: [("x-amz-checksum-algorithm", name)],
                version: .v4))
        let uploadID = try #require(initiated.element("UploadId"), "\(initiated.text)")
        let uploads = try await f.send(f.request("GET", "/b1xx", query: [("uploads", nil)], version: .v4))
        #expect(uploads.text.contains("<ChecksumAlgorithm>\(name)</ChecksumAlgorithm>"), "\(uploads.text)")
        let type = algorithm == .crc64nvme ? "FULL_OBJECT" : "COMPOSITE"  // CRC-64/NVME's only type
        #expect(uploads.element("ChecksumType") == type, "\(uploads.text)")

        let ranges = [0..<(5 << 20), (5 << 20)..<source.count]
        var etags: [String] = [], sums: [String] = []
        for (i, range) in ranges.enumerated() {
            let copied = try await f.send(
                f.request(
                    "PUT", "/b1xx/dst", query: [("partNumber", "\(i + 1)"), ("uploadId", uploadID)],
                    headers: [
                        ("x-amz-copy-source", "/b1xx/src"),
                        ("x-amz-copy-source-range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"),
                    ], version: .v4))
            let sum = Self.checksum(algorithm, Array(source[range]))
            #expect(copied.status == 200 && copied.element("Checksum\(name)") == sum, "\(copied.text)")
            etags.append(try #require(copied.element("ETag")))
            sums.append(sum)
        }
        let parts = try await f.send(f.request("GET", "/b1xx/dst", query: [("uploadId", uploadID)], version: .v4))
        #expect(parts.element("ChecksumAlgorithm") == name && parts.element("ChecksumType") == type)
        #expect(sums.allSatisfy { parts.text.contains("<Checksum\(name)>\($0)</Checksum\(name)>") }, "\(parts.text)")

        let unlisted = Self.completeBody([(1, etags[0], [(name, sums[0])]), (2, etags[1], [])])
        let refused = try await f.send(
            f.request("POST", "/b1xx/dst", query: [("uploadId", uploadID)], body: unlisted, version: .v4))
        #expect(refused.status == 400 && refused.element("Code") == "InvalidRequest", "\(refused.text)")
        #expect(try await !f.exists("b1xx", "dst"))
        let listed = Self.completeBody([(1, etags[0], [(name, sums[0])]), (2, etags[1], [(name, sums[1])])])
        let done = try await f.send(
            f.request("POST", "/b1xx/dst", query: [("uploadId", uploadID)], body: listed, version: .v4))
        #expect(done.status == 200, "\(done.text)")
        #expect(try await f.send(f.request("GET", "/b1xx/dst", version: .v4)).body == source)

        // Without an algorithm at Initiate: no checksum computed, none asked for, none named.
        let plain = try await f.send(f.request("POST", "/b1xx/plain", query: [("uploads", nil)], version: .v4))
        let plainID = try #require(plain.element("UploadId"))
        let copied = try await f.send(
            f.request(
                "PUT", "/b1xx/plain", query: [("partNumber", "1"), ("uploadId", plainID)],
                headers: [("x-amz-copy-source", "/b1xx/src")], version: .v4))
        #expect(copied.status == 200 && !copied.text.contains("<Checksum"), "\(copied.text)")
        let plainParts = try await f.send(
            f.request("GET", "/b1xx/plain", query: [("uploadId", plainID)], version: .v4))
        #expect(plainParts.status == 200 && !plainParts.text.contains("<Checksum"), "\(plainParts.text)")
        let plainUploads = try await f.send(f.request("GET", "/b1xx", query: [("uploads", nil)], version: .v4))
        #expect(plainUploads.status == 200 && !plainUploads.text.contains("<Checksum"), "\(plainUploads.text)")
    }

    /// A full-object checksum on Complete (S3's FULL_OBJECT type) is checked against the one the parts' CRCs give,
    /// whatever the CRC; one that cannot be checked (a digest, parts without that CRC, two of them) is refused.
    @Test(arguments: [(FlexibleChecksum.Algorithm.crc32, false), (.crc64nvme, true), (.crc32c, false)])
    func fullObjectChecksumsAreChecked(algorithm: FlexibleChecksum.Algorithm, encrypted: Bool) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx", encryption: encrypted ? .kms(keyID: nil) : nil)
        let name = algorithm.displayName
        let initiated = try await f.send(
            f.request(
                "POST", "/b1xx/w", query: [("uploads", nil)], headers: [("x-amz-checksum-algorithm", name)],
                version: .v4))
        let uploadID = try #require(initiated.element("UploadId"), "\(initiated.text)")
        let part1 = pattern(5 << 20, seed: 31), part2 = pattern(70_001, seed: 32)
        var listed: [(n: Int, etag: String, checksums: [(String, String)])] = []
        for (n, data) in [(1, part1), (2, part2)] {
            let sum = Self.checksum(algorithm, data)
            let put = try await f.send(
                f.request(
                    "PUT", "/b1xx/w", query: [("partNumber", "\(n)"), ("uploadId", uploadID)],
                    headers: [(algorithm.headerName, sum)], body: data, version: .v4))
            listed.append((n, try #require(put.header("ETag"), "\(put.text)"), [(name, sum)]))
        }
        let body = Self.completeBody(listed)
        func complete(_ headers: [(String, String)]) async throws -> Answer {
            try await f.send(
                f.request(
                    "POST", "/b1xx/w", query: [("uploadId", uploadID)], headers: headers, body: body, version: .v4))
        }
        let refusals: [([(String, String)], String)] = [
            ([(algorithm.headerName, Self.checksum(algorithm, part2 + part1))], "BadDigest"),
            ([(algorithm.headerName, "not base64!")], "InvalidArgument"),
            ([("x-amz-checksum-sha256", Self.checksum(.sha256, part1 + part2))], "InvalidRequest"),
            ([("x-amz-checksum-sha1", Self.checksum(.sha1, part1 + part2))], "InvalidRequest"),
            (
                [
                    (algorithm.headerName, Self.checksum(algorithm, part1 + part2)),
                    ("x-amz-checksum-sha256", Self.checksum(.sha256, part1 + part2)),
                ], "InvalidRequest"
            ),
        ]
        // The parts carry no CRC of another algorithm: a full-object one of it cannot be checked. (Every part's
        // upload computes a CRC-32C, so that one always can be.)
        let other: FlexibleChecksum.Algorithm = algorithm == .crc32 ? .crc64nvme : .crc32
        for (headers, code) in refusals + [
            ([(other.headerName, Self.checksum(other, part1 + part2))], "InvalidRequest")
        ] {
            let refused = try await complete(headers)
            #expect(refused.status == 400 && refused.element("Code") == code, "\(headers): \(refused.text)")
            #expect(try await !f.exists("b1xx", "w"))
        }
        let done = try await complete([(algorithm.headerName, Self.checksum(algorithm, part1 + part2))])
        #expect(done.status == 200, "\(done.text)")
        #expect(try await f.send(f.request("GET", "/b1xx/w", version: .v4)).body == part1 + part2)
    }

    /// S3's `x-amz-checksum-type` at Initiate: echoed, kept and listed; FULL_OBJECT for the CRCs only, COMPOSITE for
    /// all but CRC-64/NVME, and only with an algorithm.
    @Test func checksumTypeAtInitiate() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("b1xx")
        func initiate(_ headers: [(String, String)]) async throws -> Answer {
            try await f.send(
                f.request("POST", "/b1xx/t", query: [("uploads", nil)], headers: headers, version: .v4))
        }
        for headers in [
            [("x-amz-checksum-type", "FULL_OBJECT")],
            [("x-amz-checksum-algorithm", "SHA1"), ("x-amz-checksum-type", "FULL_OBJECT")],
            [("x-amz-checksum-algorithm", "CRC64NVME"), ("x-amz-checksum-type", "COMPOSITE")],
            [("x-amz-checksum-algorithm", "CRC32"), ("x-amz-checksum-type", "WHOLE")],
        ] {
            let refused = try await initiate(headers)
            #expect(refused.status == 400 && refused.element("Code") == "InvalidRequest", "\(headers): \(refused.text)")
            #expect(refused.element("UploadId") == nil)
        }
        let full = try await initiate([("x-amz-checksum-algorithm", "CRC32"), ("x-amz-checksum-type", "full_object")])
        #expect(full.header("x-amz-checksum-type") == "FULL_OBJECT", "\(full.headers)")
        let uploadID = try #require(full.element("UploadId"), "\(full.text)")
        let parts = try await f.send(f.request("GET", "/b1xx/t", query: [("uploadId", uploadID)], version: .v4))
        #expect(parts.element("ChecksumType") == "FULL_OBJECT", "\(parts.text)")
        let composite = try await initiate([("x-amz-checksum-algorithm", "SHA256")])
        #expect(composite.header("x-amz-checksum-type") == "COMPOSITE", "\(composite.headers)")
        let uploads = try await f.send(f.request("GET", "/b1xx", query: [("uploads", nil)], version: .v4))
        #expect(uploads.text.components(separatedBy: "<ChecksumType>FULL_OBJECT</ChecksumType>").count == 2)
        #expect(uploads.text.components(separatedBy: "<ChecksumType>COMPOSITE</ChecksumType>").count == 2)
    }
}
