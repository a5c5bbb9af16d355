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
            await expectOBSError(
                .configuration,
                messageContains: "root key "
                    + "mismatch"
            ) { _ = try await other.listBuckets() }
        }
    }

    @Test("item 3: with root-key.check missing, another key is refused and writes nothing; the right key restores it")
    func missingCheckValue() async throws {
        try await withStore { s in
            try await s.makeBucket("bkt1", encryption: .obs)
            try FileManager.default.removeItem(atPath: s.paths.rootKeyCheckFile)
            let other = try s.reopen(rootKey: otherRootKeyBytes)
            await expectOBSError(
                .configuration,
                messageContains: "root key "
                    + "mismatch"
            ) { _ = try await other.listBuckets() }
            await expectOBSError(
                .configuration,
                messageContains: "root key "
                    + "mismatch"
            ) { try await other.deleteBucket(try BucketName("bkt1")) }
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
            _ = try await fileBacked.createBucket(
                CreateBucketRequest(
                    name: try BucketName("bkt1"), location: "local",
                    storageClass: .standard, encryption: .obs))
            let keyFile = RootKey.keyFilePath(environment: s.environment)
            #expect(FileManager.default.fileExists(atPath: keyFile))
            try FileManager.default.removeItem(atPath: keyFile)
            let again = try s.reopen(rootKey: nil)
            await expectOBSError(
                .configuration,
                messageContains: "root key file \(keyFile) "
                    + "missing"
            ) { _ = try await again.listBuckets() }
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

    // MARK: Item 5: rollback of a single state file

    @Test("item 5: an older copy of bucket.json put back (encryption off) is refused, naming the file")
    func bucketRollback() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("rollme")
            let file = s.paths.bucketFile(b)
            let old = readFile(file)
            try await s.backend.setBucketEncryption(b, .obs)
            try writeFile(old, to: file)
            await expectOBSError(.integrity, messageContains: file) { _ = try await s.backend.bucketEncryption(b) }
            await expectOBSError(.integrity, messageContains: "rolled back") { _ = try await s.backend.listBuckets() }
            await expectOBSError(.integrity, messageContains: file) { try await s.put(b, "k", [1, 2, 3], sse: nil) }
            // A fresh process (nothing cached) sees it too.
            await expectOBSError(.integrity, messageContains: file) { _ = try await s.reopen().bucketEncryption(b) }
        }
    }

    @Test("item 5: an older key record put back (re-enabling a disabled key) is refused, naming the file")
    func keyRollback() async throws {
        try await withStore { s in
            let k = try s.kms.createKey(alias: "roll", description: "")
            let file = s.paths.keyRecord(k.keyID)
            let old = readFile(file)
            _ = try s.kms.disableKey("roll")
            try writeFile(old, to: file)
            await expectOBSError(.integrity, messageContains: file) { _ = try s.kms.describeKey(k.keyID) }
            await expectOBSError(.integrity, messageContains: file) { _ = try s.reopen().kms.listKeys() }
        }
    }

    @Test("item 5: a removed key record, and a deleted bucket put back, are refused")
    func removedAndRestored() async throws {
        try await withStore { s in
            let k = try s.kms.createKey(alias: "gone", description: "")
            try FileManager.default.removeItem(atPath: s.paths.keyRecord(k.keyID))
            await expectOBSError(.integrity, messageContains: "missing") { _ = try s.reopen().kms.listKeys() }
        }
        try await withStore { s in
            let b = try await s.makeBucket("deleted-one", encryption: .obs)
            let saved = s.dir + "/saved-bucket"
            try FileManager.default.copyItem(atPath: s.paths.bucketDir(b), toPath: saved)
            try await s.backend.deleteBucket(b)
            try FileManager.default.moveItem(atPath: saved, toPath: s.paths.bucketDir(b))
            await expectOBSError(.integrity, messageContains: "rolled back") { _ = try await s.reopen().bucketInfo(b) }
            // Creating it anew after a real deletion is no rollback.
            try FileManager.default.removeItem(atPath: s.paths.bucketDir(b))
            try await s.makeBucket("deleted-one")
            #expect(try await s.reopen().bucketEncryption(b) == nil)
        }
    }

    @Test("item 5: a record newer than the state file (a crash between the writes) is accepted; many writes pass")
    func crashWindowAccepted() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("crashwin")
            let stateFile = s.backend.state.path
            let before = readFile(stateFile)
            try await s.backend.setBucketEncryption(b, .obs)
            try writeFile(before, to: stateFile)  // as if killed after the record's rename, before the state write
            let fresh = try s.reopen()
            #expect(try await fresh.bucketEncryption(b) == .obs)
            for i in 0..<5 { try await fresh.setBucketEncryption(b, i % 2 == 0 ? nil : .obs) }
            #expect(try await s.reopen().bucketEncryption(b) == nil)
            let k = try fresh.kms.createKey(alias: "many", description: "")
            for _ in 0..<3 { _ = try fresh.kms.disableKey(k.keyID); _ = try fresh.kms.enableKey(k.keyID) }
            #expect(try s.reopen().kms.describeKey("many").state == .enabled)
        }
    }

    @Test("item 5: a hand-edited state file is refused (exit 13 class)")
    func stateFileEdited() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("edited")
            let stateFile = s.backend.state.path
            var text = String(decoding: readFile(stateFile), as: UTF8.self)
            text = text.replacingOccurrences(of: "\"generation\" : \"1\"", with: "\"generation\" : \"0\"")
            try writeFile(Array(text.utf8), to: stateFile)
            await expectOBSError(.integrity, messageContains: stateFile) { _ = try await s.reopen().bucketInfo(b) }
        }
    }

    // MARK: Items 8 and 9 in process

    @Test("item 9: every policy typo is refused before any KMS operation")
    func policyStrict() async throws {
        try await withStore { s in
            for bad in [
                #"{"deny":["kms:dek:Crypto"]}"#, #"{"Deny":[]}"#, #"{"deny":[" kms:dek:crypto"]}"#,
                #"{"allow":["kms:cmk:*"],"deny ":[]}"#,
                #"{"deny":["kms:dek"]}"#, #"{"deny":["*:*"]}"#, #"{"mode":"OBS-doc"}"#,
            ] {
                try s.writePolicy(bad)
                await expectOBSError(.configuration, messageContains: "KMS policy") { _ = try s.kms.listKeys() }
                await expectOBSError(.configuration, messageContains: "KMS policy") { _ = try s.kms.policyInForce() }
            }
            try s.writePolicy(#"{"allow":["*"],"deny":["kms:cmk:*"]}"#)
            await expectOBSError(.kms) { _ = try s.kms.listKeys() }
            #expect(try s.kms.policyInForce().fromFile)
        }
    }

    @Test("item 8: every audit line is chained; the head anchors the last key change")
    func auditChain() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("audited", encryption: .obs)
            _ = b
            try await s.makeBucket("audited-kms", encryption: .kms(keyID: nil))
            try await s.put(try BucketName("audited-kms"), "x", [1, 2, 3], sse: nil)
            _ = try await s.get(try BucketName("audited-kms"), "x")
            let lines = try s.auditLines()
            #expect(lines.count >= 3)
            #expect(lines.enumerated().allSatisfy { i, line in line["seq"] == String(i + 1) && line["mac"] != nil })
            #expect(try s.kms.verifyAuditLog().lines == lines.count)
            #expect(FileManager.default.fileExists(atPath: s.paths.auditHead))
        }
    }
}
