import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

/// Bucket default encryption (docs/local-backend-design.md §7.12, §8 cases 26-28) and the one-method-per-upload
/// rules.
@Suite("Bucket default encryption")
struct BucketEncryptionTests {
    /// meta.json and data file bytes of one object.
    static func files(_ s: TestStore, _ b: BucketName, _ key: String) throws -> [UInt8] {
        readFile(try s.metaPath(b, key)) + [0xFF] + readFile(try s.dataPath(b, key))
    }

    @Test("enabling a KMS default leaves old objects byte-identical; new objects inherit it; explicit SSE wins")
    func enableDefault() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("default-on")
            try await s.put(b, "old", pattern(3000), sse: nil)
            let oldFiles = try Self.files(s, b, "old")
            #expect(try await s.backend.bucketEncryption(b) == nil)

            try await s.backend.setBucketEncryption(b, .kms(keyID: nil))
            #expect(try await s.backend.bucketEncryption(b) == .kms(keyID: nil))
            #expect(try await s.backend.bucketInfo(b).encryption == .kms(keyID: nil))
            // obs/default is resolved at upload time, not when the default is set.
            #expect(try s.kms.listKeys().isEmpty)

            #expect(try Self.files(s, b, "old").fp == oldFiles.fp)
            let oldHead = try await s.head(b, "old")
            #expect(oldHead.sseMode == .unencrypted)
            #expect((try s.readMetaJSON(b, "old")["sse"] as? [String: Any])?["mode"] as? String == "none")
            #expect(try await s.get(b, "old").0.fp == pattern(3000).fp)

            let new = try await s.put(b, "new", pattern(4000), sse: nil)
            #expect(new.sseMode == .kms && new.sseOrigin == .bucketDefault)
            let keys = try s.kms.listKeys()
            #expect(keys.count == 1 && keys[0].alias == "obs/default" && new.kmsKeyID == keys[0].keyID)
            #expect((try s.readMetaJSON(b, "new")["sse"] as? [String: Any])?["origin"] as? String == "bucket-default")
            #expect(try s.dataPath(b, "new").hasSuffix(".obx"))
            #expect(try await s.get(b, "new").0.fp == pattern(4000).fp)

            let ck = try customerKey()
            let o = try await s.put(b, "explicit-obs", [1], sse: .obs)
            let c = try await s.put(b, "explicit-c", [2], sse: .customer(ck))
            #expect(o.sseMode == .obs && o.sseOrigin == .request)
            #expect(c.sseMode == .c && c.sseOrigin == .request)
            #expect(try await s.head(b, "explicit-c", customerKey: ck).sseOrigin == .request)
            #expect(try await s.get(b, "explicit-c", customerKey: ck).0.fp == [2].fp)
        }
    }

    @Test("disabling the default leaves encrypted objects encrypted and readable; new objects are plaintext")
    func disableDefault() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("default-off", encryption: .kms(keyID: nil))
            let enc = try await s.put(b, "enc", pattern(kC + 1), sse: nil)
            #expect(enc.sseMode == .kms && enc.sseOrigin == .bucketDefault)
            let encFiles = try Self.files(s, b, "enc")

            try await s.backend.setBucketEncryption(b, nil)
            #expect(try await s.backend.bucketEncryption(b) == nil)
            #expect(try Self.files(s, b, "enc").fp == encFiles.fp)
            let h = try await s.head(b, "enc")
            #expect(h.sseMode == .kms && h.sseOrigin == .bucketDefault)
            #expect(try await s.get(b, "enc").0.fp == pattern(kC + 1).fp)

            let plain = try await s.put(b, "plain", pattern(100), sse: nil)
            #expect(plain.sseMode == .unencrypted && plain.sseOrigin == .request)
            #expect(readFile(try s.dataPath(b, "plain")).fp == pattern(100).fp)
        }
    }

    @Test("an SSE-OBS default applies to uploads without SSE")
    func obsDefault() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("default-obs")
            try await s.backend.setBucketEncryption(b, .obs)
            let i = try await s.put(b, "o", pattern(10), sse: nil)
            #expect(i.sseMode == .obs && i.sseOrigin == .bucketDefault)
            #expect(try s.kms.listKeys().isEmpty)
            #expect(try await s.get(b, "o").0.fp == pattern(10).fp)
        }
    }

    @Test("a default naming a key uses it; changing the default key later leaves existing objects alone")
    func defaultWithKey() async throws {
        try await withStore { s in
            let k1 = try s.kms.createKey(alias: "team/one", description: "")
            let k2 = try s.kms.createKey(alias: "team/two", description: "")
            let b = try await s.makeBucket("default-key", encryption: .kms(keyID: "team/one"))
            let a = try await s.put(b, "a", pattern(50), sse: nil)
            #expect(a.kmsKeyID == k1.keyID && a.sseOrigin == .bucketDefault)
            let aFiles = try Self.files(s, b, "a")

            try await s.backend.setBucketEncryption(b, .kms(keyID: k2.urn))
            #expect(try await s.backend.bucketEncryption(b)?.kmsKeyID.map { [k2.keyID, k2.urn].contains($0) } == true)
            let c = try await s.put(b, "c", pattern(60), sse: nil)
            #expect(c.kmsKeyID == k2.keyID)
            #expect(try Self.files(s, b, "a").fp == aFiles.fp)
            #expect(try await s.head(b, "a").kmsKeyID == k1.keyID)
            #expect(try await s.get(b, "a").0.fp == pattern(50).fp)
            // An explicit key on the upload wins over the default's key.
            #expect(try await s.put(b, "d", [1], sse: .kms(keyID: k1.keyID)).kmsKeyID == k1.keyID)
            #expect(try s.kms.listKeys().count == 2, "no obs/default may be created when the default names a key")
        }
    }

    @Test("a default whose key is disabled blocks uploads without writing anything")
    func defaultKeyDisabled() async throws {
        try await withStore { s in
            let k = try s.kms.createKey(alias: nil, description: "")
            let b = try await s.makeBucket("default-disabled", encryption: .kms(keyID: k.keyID))
            _ = try s.kms.disableKey(k.keyID)
            let before = s.snapshot()
            await expectOBSError(.kms, code: "KMS.DisabledException") { _ = try await s.put(b, "x", [1], sse: nil) }
            let changed = changedFiles(before, s.snapshot()); #expect(changed == [])
            // An explicit SSE-OBS upload is unaffected.
            #expect(try await s.put(b, "y", [1], sse: .obs).sseMode == .obs)
        }
    }

    @Test("setting a default with an unknown key fails with KMS.NotFoundException and changes nothing")
    func unknownKey() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("unknown-key")
            let bucketJSON = readFile(s.paths.bucketFile(b))
            for ref in [
                "00000000-0000-4000-8000-000000000000", "no/such",
                "local:" + String(repeating: "a", count: 32) + ":key/00000000-0000-4000-8000-000000000000",
            ] {
                await expectOBSError(.kms, code: "KMS.NotFoundException") {
                    try await s.backend.setBucketEncryption(b, .kms(keyID: ref))
                }
            }
            #expect(readFile(s.paths.bucketFile(b)) == bucketJSON)
            #expect(try await s.backend.bucketEncryption(b) == nil)
            // Creating a bucket with an unknown default key creates no bucket.
            let nb = try BucketName("never-made")
            await expectOBSError(.kms, code: "KMS.NotFoundException") {
                _ = try await s.backend.createBucket(
                    CreateBucketRequest(
                        name: nb, location: "local", storageClass: .standard,
                        encryption: .kms(keyID: "no/such")))
            }
            await expectOBSError(.notFound, code: "NoSuchBucket") { _ = try await s.backend.bucketInfo(nb) }
        }
    }

    @Test("a default under a disabled key or one pending deletion is refused when set, and changes nothing")
    func unusableKey() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("unusable-key")
            let bucketJSON = readFile(s.paths.bucketFile(b))
            let disabled = try s.kms.createKey(alias: "off-key", description: "")
            _ = try s.kms.disableKey(disabled.keyID)
            let leaving = try s.kms.createKey(alias: "leaving-key", description: "")
            _ = try s.kms.scheduleKeyDeletion(leaving.keyID, pendingDays: 7)
            for ref in ["off-key", disabled.keyID, "leaving-key"] {
                await expectOBSError(.kms, code: "KMS.DisabledException") {
                    try await s.backend.setBucketEncryption(b, .kms(keyID: ref))
                }
            }
            #expect(readFile(s.paths.bucketFile(b)) == bucketJSON)
            let nb = try BucketName("never-made-off")
            await expectOBSError(.kms, code: "KMS.DisabledException") {
                _ = try await s.backend.createBucket(
                    CreateBucketRequest(
                        name: nb, location: "local", storageClass: .standard, encryption: .kms(keyID: "off-key")))
            }
            await expectOBSError(.notFound, code: "NoSuchBucket") { _ = try await s.backend.bucketInfo(nb) }
        }
    }

    @Test("listBuckets shows each bucket's default")
    func listShowsDefault() async throws {
        try await withStore { s in
            try await s.makeBucket("b-none")
            try await s.makeBucket("b-obs", encryption: .obs)
            try await s.makeBucket("b-kms", encryption: .kms(keyID: nil))
            let list = try await s.backend.listBuckets()
            #expect(list.map(\.name.value) == ["b-kms", "b-none", "b-obs"])
            #expect(list.map(\.encryption) == [.kms(keyID: nil), nil, .obs])
        }
    }

    // MARK: SSERules

    @Test("one method per upload: a KMS or OBS mode with a customer key is refused")
    func oneMethodPerUpload() async throws {
        let ck = try customerKey()
        for mode: SSEMode in [.kms, .obs, .unencrypted] {
            await expectOBSError(.usage, code: "InvalidArgument", messageContains: "only one encryption method") {
                _ = try SSERules.request(mode: mode, kmsKeyID: nil, customerKey: ck)
            }
        }
        await expectOBSError(.usage) { _ = try SSERules.request(mode: .kms, kmsKeyID: "k", customerKey: ck) }
    }

    @Test("--kms-key-id needs --sse kms")
    func keyIDNeedsKMS() async throws {
        for mode: SSEMode? in [nil, .obs, .c, SSEMode.unencrypted] {
            await expectOBSError(.usage, messageContains: "--kms-key-id") {
                _ = try SSERules.request(
                    mode: mode, kmsKeyID: "app/k", customerKey: try (mode == .c ? customerKey() : nil))
            }
            await expectOBSError(.usage, messageContains: "--kms-key-id") {
                _ = try SSERules.bucketDefault(mode: mode, kmsKeyID: "app/k")
            }
        }
    }

    /// (mode, KMS key id) of a request, to compare without Equatable.
    static func shape(_ r: SSERequest?) -> String {
        switch r {
        case nil: return "nil"
        case .unencrypted?: return "none"
        case .obs?: return "obs"
        case .kms(let id)?: return "kms:\(id ?? "-")"
        case .customer(let k)?: return "c:\(k.keyMD5)"
        }
    }

    @Test("valid SSE option combinations")
    func validCombinations() async throws {
        let ck = try customerKey()
        #expect(Self.shape(try SSERules.request(mode: nil, kmsKeyID: nil, customerKey: nil)) == "nil")
        #expect(Self.shape(try SSERules.request(mode: .kms, kmsKeyID: "x", customerKey: nil)) == "kms:x")
        #expect(Self.shape(try SSERules.request(mode: .kms, kmsKeyID: nil, customerKey: nil)) == "kms:-")
        #expect(Self.shape(try SSERules.request(mode: .obs, kmsKeyID: nil, customerKey: nil)) == "obs")
        #expect(Self.shape(try SSERules.request(mode: SSEMode.unencrypted, kmsKeyID: nil, customerKey: nil)) == "none")
        #expect(Self.shape(try SSERules.request(mode: nil, kmsKeyID: nil, customerKey: ck)) == "c:" + ck.keyMD5)
        #expect(Self.shape(try SSERules.request(mode: .c, kmsKeyID: nil, customerKey: ck)) == "c:" + ck.keyMD5)
        await expectOBSError(.customerKey) { _ = try SSERules.request(mode: .c, kmsKeyID: nil, customerKey: nil) }
    }

    @Test("SSE-C cannot be a bucket default")
    func bucketDefaultRules() async throws {
        await expectOBSError(.usage, messageContains: "SSE-C") {
            _ = try SSERules.bucketDefault(mode: .c, kmsKeyID: nil)
        }
        #expect(try SSERules.bucketDefault(mode: .kms, kmsKeyID: "k") == .kms(keyID: "k"))
        #expect(try SSERules.bucketDefault(mode: .kms, kmsKeyID: nil) == .kms(keyID: nil))
        #expect(try SSERules.bucketDefault(mode: .obs, kmsKeyID: nil) == .obs)
        #expect(try SSERules.bucketDefault(mode: nil, kmsKeyID: nil) == nil)
    }

    @Test("effective SSE: the request wins, else the bucket default, else none")
    func effective() throws {
        let ck = try customerKey()
        let r1 = SSERules.effective(request: .obs, bucketDefault: .kms(keyID: nil))
        #expect(r1.0.mode == .obs && r1.1 == .request)
        let r2 = SSERules.effective(request: .customer(ck), bucketDefault: .obs)
        #expect(r2.0.mode == .c && r2.1 == .request)
        let r3 = SSERules.effective(request: nil, bucketDefault: .kms(keyID: "k"))
        #expect(Self.shape(r3.0) == "kms:k" && r3.1 == .bucketDefault)
        let r4 = SSERules.effective(request: nil, bucketDefault: nil)
        #expect(r4.0.mode == .unencrypted && r4.1 == .request)
    }
}
