import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

/// RequestVerifier and AWSChunkedDecoder against requests signed by other implementations: Huawei's Python SDK
/// (obs-signatures.json), botocore (botocore-requests.json, made by make-botocore-vectors.py beside it), and the
/// chunked-upload examples published in the S3 documentation.
struct VerifierVectorTests {
    // MARK: - Huawei esdk-obs-python

    @Test(arguments: try PublishedVectorFile.load().vectors)
    func huaweiSDKRequestsVerify(_ v: PublishedVector) throws {
        let version = try PublishedVectorTests.version(v)
        var request = PublishedVectorTests.request(v, headers: v.signedRequestHeaders)
        let now: Date
        if let expires = v.expires {
            request.query += [
                (name: version == .obs ? "AccessKeyId" : "AWSAccessKeyId", value: v.accessKeyID),
                (name: "Expires", value: expires), (name: "Signature", value: v.signature),
            ]
            now = Date(timeIntervalSince1970: try #require(Double(expires)) - 300)
        } else {
            request.setHeader("Authorization", try #require(v.authorization))
            let dateText = try #require(v.signedRequestHeaders["Date"] ?? v.signedRequestHeaders["x-obs-date"])
            now = try #require(foundationHTTPDate(dateText)).addingTimeInterval(60)
        }
        let incoming = IncomingRequest(
            method: request.method, rawPath: request.path, rawQuery: URIEncoding.queryString(request.query),
            headers: request.headers)
        let secret = SecretBytes(copying: Array(v.secretAccessKey.utf8))
        let result = RequestVerifier.verify(incoming, virtualHostBucket: v.pathStyle ? nil : v.bucket, now: now) {
            $0 == v.accessKeyID ? secret : nil
        }
        let verified = try result.get()
        #expect(verified.scheme == version)
        #expect(verified.presigned == (v.expires != nil))
        // The same request with another secret fails, echoing the SDK's own canonical string.
        let other = RequestVerifier.verify(incoming, virtualHostBucket: v.pathStyle ? nil : v.bucket, now: now) { _ in
            SecretBytes(copying: Array("wrong".utf8))
        }
        guard case .failure(let f) = other else {
            Issue.record("verified with a wrong secret")
            return
        }
        #expect(f.code == "SignatureDoesNotMatch")
        #expect(f.stringToSign == v.canonicalString)
    }

    // MARK: - botocore

    struct BotocoreVector: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let scheme: String
        let presigned: Bool
        let virtualHostBucket: String?
        let payload: String
        let decodedBase64: String?
        let trailers: [String: String]
        let method: String
        let path: String
        let query: String
        let headers: [[String]]
        let bodyBase64: String

        enum CodingKeys: String, CodingKey {
            case name, scheme, presigned, payload, trailers, method, path, query, headers
            case virtualHostBucket = "virtual_host_bucket", decodedBase64 = "decoded_base64", bodyBase64 = "body_base64"
        }

        var testDescription: String { name }
    }

    struct BotocoreFile: Decodable, Sendable {
        let generator: String
        let accessKeyID: String
        let secretAccessKey: String
        let securityToken: String
        let nowEpoch: Double
        let vectors: [BotocoreVector]

        enum CodingKeys: String, CodingKey {
            case generator, vectors
            case accessKeyID = "access_key_id", secretAccessKey = "secret_access_key"
            case securityToken = "security_token", nowEpoch = "now_epoch"
        }

        static func load() throws -> BotocoreFile {
            try JSONDecoder().decode(
                BotocoreFile.self, from: Data(contentsOf: PublishedVectorFile.url("botocore-requests.json")))
        }
    }

    @Test func botocoreFileIsPresentAndCoversEveryForm() throws {
        let file = try BotocoreFile.load()
        #expect(file.generator.hasPrefix("botocore"))
        let v = file.vectors
        #expect(v.contains { $0.scheme == "v4" && !$0.presigned })
        #expect(v.contains { $0.scheme == "v4" && $0.presigned })
        #expect(v.contains { $0.scheme == "v2" && !$0.presigned })
        #expect(v.contains { $0.scheme == "v2" && $0.presigned })
        #expect(v.contains { $0.payload == "streamingSigned" })
        #expect(v.contains { $0.payload == "streamingUnsignedTrailer" })
        #expect(v.contains { $0.headers.contains { $0[0].lowercased() == "content-md5" } })
        #expect(v.contains { $0.headers.contains { $0[0].lowercased().hasPrefix("x-amz-meta-") } })
    }

    @Test(arguments: try BotocoreFile.load().vectors)
    func botocoreRequestsVerify(_ v: BotocoreVector) throws {
        let file = try BotocoreFile.load()
        let incoming = IncomingRequest(
            method: v.method, rawPath: v.path, rawQuery: v.query, headers: v.headers.map { (name: $0[0], value: $0[1]) }
        )
        let now = Date(timeIntervalSince1970: file.nowEpoch + 30)
        let secret = SecretBytes(copying: Array(file.secretAccessKey.utf8))
        let verified = try RequestVerifier.verify(incoming, virtualHostBucket: v.virtualHostBucket, now: now) {
            $0 == file.accessKeyID ? secret : nil
        }.get()
        #expect(verified.scheme.rawValue == v.scheme)
        #expect(verified.presigned == v.presigned)
        #expect(verified.accessKeyID == file.accessKeyID)
        #expect(
            verified.securityToken == (v.name.contains("token") ? file.securityToken : nil),
            "security token")
        switch (verified.payload, v.payload) {
        case (.none, "none"), (.unsigned, "unsigned"), (.streamingSigned, "streamingSigned"),
            (.streamingUnsignedTrailer, "streamingUnsignedTrailer"):
            break
        case (.sha256(let hex), "sha256"):
            let body = try #require(Data(base64Encoded: v.bodyBase64))
            #expect(hex == Hex.encode(Digest.sha256(Array(body))))
        default:
            Issue.record("payload \(verified.payload), expected \(v.payload)")
        }
        if let decoded = v.decodedBase64 {
            let body = Array(try #require(Data(base64Encoded: v.bodyBase64)))
            let want = Array(try #require(Data(base64Encoded: decoded)))
            for slice in [1, 7, 4096, body.count] {
                let decoder = try #require(try AWSChunkedDecoder(payload: verified.payload, headers: incoming.headers))
                var got: [UInt8] = []
                var offset = 0
                while offset < body.count {
                    got += try decoder.feed(Array(body[offset..<min(offset + slice, body.count)]))
                    offset += slice
                }
                let trailers = try decoder.finish()
                #expect(got == want, "slice \(slice)")
                for (name, value) in v.trailers {
                    #expect(trailers.contains { $0.name == name && $0.value == value })
                }
                #expect(!trailers.isEmpty)
            }
        }
        // Any other secret fails.
        let wrong = RequestVerifier.verify(incoming, virtualHostBucket: v.virtualHostBucket, now: now) { _ in
            SecretBytes(copying: Array("wrong".utf8))
        }
        if case .success = wrong { Issue.record("verified with a wrong secret") }
    }

    // MARK: - The S3 documentation's chunked uploads

    static let awsSecret = SecretBytes(copying: Array("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".utf8))
    static let awsDate = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z

    /// "Example: PUT Object" of sigv4-streaming: 64 KiB + 1 KiB of 'a', the seed signature, three chunk signatures.
    static let awsRequest = IncomingRequest(
        method: "PUT", rawPath: "/examplebucket/chunkObject.txt",
        headers: [
            (name: "Host", value: "s3.amazonaws.com"), (name: "x-amz-date", value: "20130524T000000Z"),
            (name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY"),
            (
                name: "Authorization",
                value: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                    + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                    + "x-amz-decoded-content-length;x-amz-storage-class,"
                    + "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
            ),
            (name: "x-amz-content-sha256", value: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            (name: "Content-Encoding", value: "aws-chunked"), (name: "x-amz-decoded-content-length", value: "66560"),
            (name: "Content-Length", value: "66824"),
        ])

    static func awsBody(signatures: [String], trailer: String = "") -> [UInt8] {
        Array("10000;chunk-signature=\(signatures[0])\r\n".utf8) + [UInt8](repeating: 0x61, count: 65536)
            + Array("\r\n400;chunk-signature=\(signatures[1])\r\n".utf8) + [UInt8](repeating: 0x61, count: 1024)
            + Array("\r\n0;chunk-signature=\(signatures[2])\r\n\(trailer)\r\n".utf8)
    }

    static let awsSignatures = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]

    static func awsVerified() throws -> VerifiedRequest {
        try RequestVerifier.verify(awsRequest, virtualHostBucket: nil, now: awsDate) {
            $0 == "AKIAIOSFODNN7EXAMPLE" ? awsSecret : nil
        }.get()
    }

    @Test func awsChunkedExampleVerifiesAndDecodes() throws {
        let verified = try Self.awsVerified()
        guard case .streamingSigned(let context) = verified.payload else {
            Issue.record("payload \(verified.payload)")
            return
        }
        #expect(context.seedSignature == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
        #expect(context.scope == "20130524/us-east-1/s3/aws4_request")
        let body = Self.awsBody(signatures: Self.awsSignatures)
        #expect(body.count == 66824)  // the example's Content-Length
        for slice in [1, 2, 87, 88, 1000, 65536, body.count] {
            let decoder = try #require(
                try AWSChunkedDecoder(payload: verified.payload, headers: Self.awsRequest.headers))
            var output: [UInt8] = []
            var offset = 0
            while offset < body.count {
                let end = min(offset + slice, body.count)
                try body[offset..<end].withUnsafeBytes { try decoder.feed($0, into: &output) }
                offset = end
            }
            #expect(try decoder.finish().isEmpty)
            #expect(decoder.isComplete)
            #expect(output == [UInt8](repeating: 0x61, count: 66560), "slice \(slice)")
        }
    }

    @Test func awsChunkedExampleTamperingFails() throws {
        let verified = try Self.awsVerified()
        func failure(_ body: [UInt8], decodedLength: String = "66560") throws -> AuthenticationFailure? {
            var headers = Self.awsRequest.headers
            headers.removeAll { $0.name == "x-amz-decoded-content-length" }
            headers.append((name: "x-amz-decoded-content-length", value: decodedLength))
            let decoder = try #require(try AWSChunkedDecoder(payload: verified.payload, headers: headers))
            do {
                _ = try decoder.feed(body)
                try decoder.finish()
                return nil
            } catch {
                return error
            }
        }
        let body = Self.awsBody(signatures: Self.awsSignatures)
        #expect(try failure(body) == nil)
        // One payload byte changed, in each chunk.
        let secondChunkData = 88 + 65536 + 2 + 86
        #expect(body[secondChunkData - 1] == 0x0A && body[secondChunkData] == 0x61)
        for index in [100, secondChunkData + 10] {
            var changed = body
            changed[index] = 0x62
            let f = try failure(changed)
            #expect(f?.code == "SignatureDoesNotMatch")
            #expect(f?.httpStatus == 403)
            #expect(f?.stringToSign?.hasPrefix("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n") == true)
        }
        // The final, empty chunk's signature is checked too.
        var last = Self.awsSignatures
        last[2] = String(last[2].reversed())
        #expect(try failure(Self.awsBody(signatures: last))?.code == "SignatureDoesNotMatch")
        // Chunks in another order: the chain breaks.
        var swapped = Self.awsSignatures
        swapped.swapAt(0, 1)
        #expect(try failure(Self.awsBody(signatures: swapped))?.code == "SignatureDoesNotMatch")
        // Cut short, anywhere.
        for cut in [10, 65536, body.count - 2] {
            #expect(try failure(Array(body.prefix(cut)))?.code == "IncompleteBody", "cut at \(cut)")
        }
        // Another decoded length than the chunks hold.
        #expect(try failure(body, decodedLength: "66561")?.code == "IncompleteBody")
        #expect(try failure(body, decodedLength: "66559")?.code == "InvalidRequest")
        // Anything after the end.
        #expect(try failure(body + Array("0\r\n".utf8))?.code == "InvalidRequest")
    }

    /// "sigv4-streaming-trailers" example: the same payload, chunk signatures from seed 106e2a8a..., and a signed
    /// `x-amz-checksum-crc32c` trailer (`sOO8/Q==` is the CRC-32C of the 66560 'a's).
    @Test func awsChunkedTrailerExampleDecodes() throws {
        let key = RequestSigner.signingKeyV4(secret: Self.awsSecret, shortDate: "20130524", region: "us-east-1")
        let context = ChunkSigningContext(
            signingKey: SecretBytes(copying: key),
            amzDate: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request",
            seedSignature: "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e", signedTrailer: true,
            accessKeyID: "AKIAIOSFODNN7EXAMPLE")
        let signatures = [
            "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
            "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
            "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
        ]
        let trailer =
            "x-amz-checksum-crc32c:sOO8/Q==\r\n"
            + "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n"
        let payload = [UInt8](repeating: 0x61, count: 66560)
        #expect(CRC32C.checksum(payload).base64 == "sOO8/Q==")
        // As the example writes it, and with the blank line some clients put before the trailers.
        for body in [
            Self.awsBody(signatures: signatures, trailer: trailer),
            Self.awsBody(signatures: signatures, trailer: "\r\n" + trailer),
        ] {
            let decoder = AWSChunkedDecoder(
                mode: .signed(context), decodedContentLength: 66560, declaredTrailers: ["x-amz-checksum-crc32c"])
            #expect(try decoder.feed(body) == payload)
            let trailers = try decoder.finish()
            #expect(trailers.map(\.name) == ["x-amz-checksum-crc32c"])
            #expect(trailers.map(\.value) == ["sOO8/Q=="])
        }
        // Another checksum value: the trailer signature no longer matches.
        let forged = Self.awsBody(
            signatures: signatures, trailer: trailer.replacingOccurrences(of: "sOO8", with: "sOO9"))
        let decoder = AWSChunkedDecoder(mode: .signed(context), decodedContentLength: nil, declaredTrailers: nil)
        #expect(throws: AuthenticationFailure.self) {
            _ = try decoder.feed(forged)
            try decoder.finish()
        }
        // Without the trailer signature.
        let unsigned = Self.awsBody(
            signatures: signatures, trailer: "x-amz-checksum-crc32c:sOO8/Q==\r\n")
        let d2 = AWSChunkedDecoder(mode: .signed(context), decodedContentLength: nil, declaredTrailers: nil)
        let f: AuthenticationFailure? = {
            do {
                _ = try d2.feed(unsigned)
                try d2.finish()
                return nil
            } catch let error as AuthenticationFailure {
                return error
            } catch {
                return nil
            }
        }()
        #expect(f?.code == "SignatureDoesNotMatch")
    }
}
