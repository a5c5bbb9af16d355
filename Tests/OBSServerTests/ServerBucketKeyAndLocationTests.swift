import Foundation
import OBSCore
import OBSSigner
import Testing

@testable import OBSServer

/// S3's Bucket Key is not kept by the store: asking for one is 501, never accepted and dropped (a tool would find
/// its setting gone and keep reapplying it); asking for none passes. A us-east-1 bucket's location is answered
/// to S3 clients as S3 answers it, an empty LocationConstraint.
@Suite struct ServerBucketKeyAndLocationTests {
    static func encryptionXML(bucketKey: String?) -> [UInt8] {
        let key = bucketKey.map { "<BucketKeyEnabled>\($0)</BucketKeyEnabled>" } ?? ""
        let apply =
            "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
            + "</ApplyServerSideEncryptionByDefault>"
        return Array(
            "<ServerSideEncryptionConfiguration><Rule>\(apply)\(key)</Rule></ServerSideEncryptionConfiguration>".utf8)
    }

    /// The text of a one-element document's root (which carries a namespace attribute).
    static func root(_ xml: String) -> String? {
        guard let body = xml.split(separator: ">", maxSplits: 2).dropFirst(2).first else { return nil }
        return String(body.prefix { $0 != "<" })
    }

    @Test func aBucketKeyIsRefusedAndNothingChanges() async throws {
        let f = try ServerFixture()
        let bucket = try await f.makeBucket("bkey")
        for (value, status) in [("true", 501), ("false", 200)] {
            let body = Self.encryptionXML(bucketKey: value)
            let put = try await f.send(
                f.request(
                    "PUT", "/bkey", query: [("encryption", nil)], headers: [md5Header(body)], body: body, version: .v4))
            #expect(put.status == status, "\(value): \(put.text)")
            if status == 501 {
                #expect(put.element("Code") == "NotImplemented")
                #expect(try await f.backend.bucketEncryption(bucket) == nil, "nothing set")
            }
        }
        #expect(try await f.backend.bucketEncryption(bucket) == .kms(keyID: nil))
    }

    @Test func anObjectAskingForABucketKeyIsRefusedAndNotStored() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("okey")
        for (value, status) in [("true", 501), ("TRUE", 501), ("false", 200), ("maybe", 400)] {
            let put = try await f.send(
                f.request(
                    "PUT", "/okey/\(value)",
                    headers: [
                        ("x-amz-server-side-encryption", "aws:kms"),
                        ("x-amz-server-side-encryption-bucket-key-enabled", value),
                    ], body: [1], version: .v4))
            #expect(put.status == status, "\(value): \(put.text)")
            #expect(try await f.exists("okey", value) == (status == 200))
        }
    }

    @Test func usEast1IsAnEmptyLocationConstraintToS3Clients() async throws {
        let f = try ServerFixture()
        for (name, location) in [("east", "us-east-1"), ("north", "cn-north-4")] {
            _ = try await f.backend.createBucket(
                CreateBucketRequest(
                    name: try BucketName(name), location: location, storageClass: .standard, encryption: nil))
            let s3 = try await f.send(f.request("GET", "/\(name)", query: [("location", nil)], version: .v4))
            #expect(s3.status == 200 && Self.root(s3.text) == (location == "us-east-1" ? "" : location), "\(s3.text)")
            let obs = try await f.send(f.request("GET", "/\(name)", query: [("location", nil)]))
            #expect(Self.root(obs.text) == location, "OBS names every region: \(obs.text)")
        }
    }
}
