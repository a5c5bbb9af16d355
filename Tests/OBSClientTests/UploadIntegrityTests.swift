import Testing
import OBSCore
import OBSCrypto
import OBSSigner
@testable import OBSClient

/// Which checksum an upload carries by default, per endpoint and signature.
struct UploadIntegrityTests {
    private func configuration(_ endpoint: String, _ signature: SignatureVersion?) throws -> RemoteConfiguration {
        try RemoteConfiguration(
            endpoint: endpoint, region: "r1", signature: signature, addressing: nil,
            credentials: Credentials(accessKeyID: "AK", secretAccessKey: SecretBytes(copying: Array("sk".utf8))),
            transport: TransportOptions(), retries: 0)
    }

    @Test func huaweiOBSGetsContentMD5WhateverTheSignature() throws {
        for signature: SignatureVersion? in [nil, .obs, .v2, .v4] {
            let i = try UploadIntegrity(
                nil, configuration: configuration("https://obs.cn-north-4.myhuaweicloud.com", signature))
            #expect(i.kind == .md5, "signature \(String(describing: signature))")
        }
    }

    /// A single PUT's CRC-32C is a header, never an aws-chunked trailer (SeaweedFS keeps `Content-Encoding:
    /// aws-chunked` on such an object).
    @Test func otherEndpointsGetCRC32CAsAHeader() throws {
        let v4 = try UploadIntegrity(nil, configuration: configuration("http://127.0.0.1:9000", nil))
        #expect(v4.kind == .crc32c)
        let v2 = try UploadIntegrity(nil, configuration: configuration("http://127.0.0.1:9000", .v2))
        #expect(v2.kind == .crc32c)
        #expect(v2.header(for: Array("123456789".utf8))! == ("x-amz-checksum-crc32c", "4waSgw=="))
        #expect(
            try UploadIntegrity(.md5, configuration: configuration("http://127.0.0.1:9000", nil)).header(
                for: Array("abc".utf8))!
                == ("Content-MD5", "kAFQmDzST7DWlj99KOF/cg=="))
        #expect(
            try UploadIntegrity(.off, configuration: configuration("http://127.0.0.1:9000", nil)).header(for: [1, 2, 3])
                == nil)
    }

    /// Parts take their CRC-32C as a trailer only where SigV4 streams it to an S3-compatible server: not under V2,
    /// not to Huawei OBS even when asked for CRC-32C (it documents no unsigned trailer), never with MD5 or none.
    @Test func partTrailersOnlyUnderSigV4ToS3CompatibleServers() throws {
        let local = "http://127.0.0.1:9000", huawei = "https://obs.cn-north-4.myhuaweicloud.com"
        #expect(try UploadIntegrity(nil, configuration: configuration(local, nil)).partTrailers)
        #expect(try UploadIntegrity(.crc32c, configuration: configuration(local, .v4)).partTrailers)
        #expect(try !UploadIntegrity(nil, configuration: configuration(local, .v2)).partTrailers)
        #expect(try !UploadIntegrity(.md5, configuration: configuration(local, .v4)).partTrailers)
        #expect(try !UploadIntegrity(.off, configuration: configuration(local, .v4)).partTrailers)
        #expect(try !UploadIntegrity(.crc32c, configuration: configuration(huawei, .v4)).partTrailers)
        #expect(try !UploadIntegrity(nil, configuration: configuration(huawei, .v4)).partTrailers)
    }

    @Test func crc32cWithOBSsOwnSignatureIsRefused() throws {
        #expect(throws: OBSError.self) {
            try UploadIntegrity(.crc32c, configuration: configuration("https://obs.cn-north-4.myhuaweicloud.com", .obs))
        }
    }
}

/// The multipart ETag a completed upload gets (docs/obs-protocol.md §8: parts "hello" and "world").
struct MultipartETagTests {
    @Test func documentedExample() {
        #expect(
            RemoteBackend.multipartETag(["\"5d41402abc4b2a76b9719d911017c592\"", "7d793037a0760186574b0282f2f435e7"])
                == "065947336a2f2a95ba8899f3675c3be6-2")
        #expect(RemoteBackend.multipartETag(["not-an-md5"]) == nil)
    }
}
