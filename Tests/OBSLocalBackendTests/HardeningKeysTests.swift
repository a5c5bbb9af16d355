import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

/// Issue 9, items 3, 5, 8, 9, 13 and 16, in process: the root key, the store's state, the audit log, the policy.
@Suite("hardening: root key and store state")
struct HardeningKeysTests {
    @Test("item 3: another root key fails listBuckets (configuration) instead of listing nothing")
    func wrongKeyListFails() async throws {
        try await withStore { s in
            try await s.makeBucket("bkt1")
            let other = try s.reopen(rootKey: otherRootKeyBytes)
            await expectOBSError(.configuration, messageContains: "root key mismatch") { _ = try await other.listBuckets() }
        }
    }

    @Test("item 3: with root-key.check missing, another key is refused and writes nothing; the right key restores it")
    func missingCheckValue() async throws {
        try await withStore { s in
            try await s.makeBucket("bkt1", encryption: .obs)
            try FileManager.default.removeItem(atPath: s.paths.rootKeyCheckFile)
            let other = try s.reopen(rootKey: otherRootKeyBytes)
            await expectOBSError(.configuration, messageContains: "root key mismatch") { _ = try await other.listBuckets() }
            await expectOBSError(.configuration, messageContains: "root key mismatch") { try await other.deleteBucket(try BucketName("bkt1")) }
            #expect(!FileManager.default.fileExists(atPath: s.paths.rootKeyCheckFile))
            let right = try s.reopen()
            #expect(try await right.listBuckets().map(\.name.value) == ["bkt1"])
            #expect(FileManager.default.fileExists(atPath: s.paths.rootKeyCheckFile))
        }
    }

    @Test("item 3: a missing key file on a store that holds data is refused, and no new key file appears")
    func missingKeyFile() async throws {
        try await withStore { s in
            let fileBacked = try s.reopen(rootKey: nil)
            _ = try await fileBacked.createBucket(CreateBucketRequest(name: try BucketName("bkt1"), location: "local",
                                                                      storageClass: .standard, encryption: .obs))
            let keyFile = RootKey.keyFilePath(environment: s.environment)
            #expect(FileManager.default.fileExists(atPath: keyFile))
            try FileManager.default.removeItem(atPath: keyFile)
            let again = try s.reopen(rootKey: nil)
            await expectOBSError(.configuration, messageContains: "root key file \(keyFile) missing") { _ = try await again.listBuckets() }
            await expectOBSError(.configuration, messageContains: "missing") { _ = try again.kms.listKeys() }
            #expect(!FileManager.default.fileExists(atPath: keyFile))
        }
    }

    @Test("item 16: a key path that is a directory is called a directory, not 'readable by group or others'")
    func keyPathDirectory() async throws {
        try await withStore { s in
            let keyFile = RootKey.keyFilePath(environment: s.environment)
            try FileManager.default.createDirectory(atPath: keyFile, withIntermediateDirectories: true)
            let b = try s.reopen(rootKey: nil)
            let e = await expectOBSError(.configuration, messageContains: "is a directory") { _ = try b.kms.listKeys() }
            #expect(e?.message.contains("readable by group") == false)
        }
    }
}
