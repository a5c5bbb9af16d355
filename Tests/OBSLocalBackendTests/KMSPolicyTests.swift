import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

/// kms:* permissions from `kms/policy.json` (docs/local-backend-design.md §7.7, §8 cases 24–25): a denial names the
/// action and happens before any side effect; SSE-OBS and SSE-C need no kms:* action.
@Suite("KMS permissions")
struct KMSPolicyTests {
    /// Files under `keys/` that are key records.
    static func keyFiles(_ s: TestStore) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: s.paths.keysDir)) ?? []).filter { $0.hasSuffix(".json") }
            .sorted()
    }

    @Test("deny kms:dek:create: an SSE-KMS upload fails naming the action and leaves nothing behind")
    func denyDEKCreate() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("deny-dek")
            let k = try s.kms.createKey(alias: "app/k", description: "")
            try s.writePolicy(#"{"deny":["kms:dek:create"]}"#)
            let before = s.snapshot()

            for sse: SSERequest in [.kms(keyID: k.keyID), .kms(keyID: nil), .kms(keyID: "app/k")] {
                let e = await expectOBSError(.kms, code: "AccessDenied", messageContains: "kms:dek:create") {
                    _ = try await s.put(b, "obj", pattern(70000), sse: sse)
                }
                #expect(e?.httpStatus == 403)
            }
            let changed = changedFiles(before, s.snapshot()); #expect(changed == [], "a denied upload changed files")
            #expect(
                !FileManager.default.fileExists(atPath: try s.objectDir(b, "obj")),
                "a denied upload created the object directory")
            #expect(Self.keyFiles(s) == ["\(k.keyID).json"], "a denied upload created a key")
            #expect(try s.kms.listKeys().map(\.keyID) == [k.keyID])
            await expectOBSError(.notFound) { _ = try await s.head(b, "obj") }
        }
    }

    @Test("deny kms:dek:create on a fresh store creates no default key")
    func denyDEKCreateFresh() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("fresh")
            try s.writePolicy(#"{"deny":["kms:dek:create"]}"#)
            await expectOBSError(.kms, messageContains: "kms:dek:create") {
                _ = try await s.put(b, "obj", [1, 2], sse: .kms(keyID: nil))
            }
            #expect(Self.keyFiles(s).isEmpty)
            #expect(try s.kms.listKeys().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: try s.objectDir(b, "obj")))
        }
    }

    @Test("deny kms:dek:crypto: GET fails naming the action, HEAD works")
    func denyDEKCrypto() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("deny-crypto")
            try await s.put(b, "obj", pattern(5000), sse: .kms(keyID: nil))
            try s.writePolicy(#"{"deny":["kms:dek:crypto"]}"#)
            await s.expectGetFails(b, "obj", .kms, code: "AccessDenied", messageContains: "kms:dek:crypto")
            let h = try await s.head(b, "obj")
            #expect(h.sseMode == .kms && h.size == 5000)
            // Uploads need dek:create, not dek:crypto.
            try await s.put(b, "obj2", [9], sse: .kms(keyID: nil))
            s.removePolicy()
            #expect(try await s.get(b, "obj").0.fp == pattern(5000).fp)
        }
    }

    @Test(
        "deny kms:cmk:create with obs/default absent: upload without a key fails, creates nothing, works once allowed")
    func denyCMKCreate() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("deny-create")
            try s.writePolicy(#"{"deny":["kms:cmk:create"]}"#)
            await expectOBSError(.kms, code: "AccessDenied", messageContains: "kms:cmk:create") {
                _ = try await s.put(b, "obj", [1], sse: .kms(keyID: nil))
            }
            await expectOBSError(.kms, messageContains: "kms:cmk:create") {
                _ = try s.kms.createKey(alias: nil, description: "")
            }
            #expect(Self.keyFiles(s).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: try s.objectDir(b, "obj")))

            s.removePolicy()
            let info = try await s.put(b, "obj", [1], sse: .kms(keyID: nil))
            #expect(Self.keyFiles(s).count == 1)
            // Once obs/default exists, cmk:create is not needed any more.
            try s.writePolicy(#"{"deny":["kms:cmk:create"]}"#)
            let info2 = try await s.put(b, "obj2", [2], sse: .kms(keyID: nil))
            #expect(info2.kmsKeyID == info.kmsKeyID)
            #expect(Self.keyFiles(s).count == 1)
        }
    }

    @Test("deny kms:cmk:get: an upload naming a key fails; the default key path does not need it")
    func denyCMKGet() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("deny-get")
            let k = try s.kms.createKey(alias: "app/k", description: "")
            try s.writePolicy(#"{"deny":["kms:cmk:get"]}"#)
            for ref in [k.keyID, "app/k", k.urn] {
                await expectOBSError(.kms, code: "AccessDenied", messageContains: "kms:cmk:get") {
                    _ = try await s.put(b, "obj", [1], sse: .kms(keyID: ref))
                }
            }
            await expectOBSError(.kms, messageContains: "kms:cmk:get") { _ = try s.kms.describeKey(k.keyID) }
            #expect(!FileManager.default.fileExists(atPath: try s.objectDir(b, "obj")))
            let i = try await s.put(b, "dflt", [1], sse: .kms(keyID: nil))
            #expect(i.sseMode == .kms && i.kmsKeyID != k.keyID)
        }
    }

    @Test("deny kms:cmk:list: resolving the default key fails, listing fails")
    func denyCMKList() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("deny-list")
            let k = try s.kms.createKey(alias: nil, description: "")
            try s.writePolicy(#"{"deny":["kms:cmk:list"]}"#)
            await expectOBSError(.kms, messageContains: "kms:cmk:list") {
                _ = try await s.put(b, "obj", [1], sse: .kms(keyID: nil))
            }
            await expectOBSError(.kms, messageContains: "kms:cmk:list") { _ = try s.kms.listKeys() }
            #expect(Self.keyFiles(s) == ["\(k.keyID).json"])
            // An explicit key id needs cmk:get, not cmk:list.
            try await s.put(b, "obj", [1], sse: .kms(keyID: k.keyID))
        }
    }

    @Test(
        "obs-doc mode requires all five documented actions for uploads and downloads",
        arguments: ["kms:cmk:get", "kms:cmk:list", "kms:cmk:create", "kms:dek:create", "kms:dek:crypto"])
    func obsDocMode(denied: String) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("obs-doc")
            let k = try s.kms.createKey(alias: nil, description: "")
            try await s.put(b, "existing", pattern(300), sse: .kms(keyID: k.keyID))
            try await s.put(b, "default", pattern(300), sse: .kms(keyID: nil))

            try s.writePolicy(#"{"mode":"obs-doc"}"#)
            try await s.put(b, "ok", [1], sse: .kms(keyID: k.keyID))
            #expect(try await s.get(b, "existing").0.fp == pattern(300).fp)

            try s.writePolicy(#"{"mode":"obs-doc","deny":["\#(denied)"]}"#)
            let before = s.snapshot()
            await expectOBSError(.kms, messageContains: denied) {
                _ = try await s.put(b, "new", [1], sse: .kms(keyID: k.keyID))
            }
            await expectOBSError(.kms, messageContains: denied) {
                _ = try await s.put(b, "new", [1], sse: .kms(keyID: nil))
            }
            await s.expectGetFails(b, "existing", .kms, messageContains: denied)
            await s.expectGetFails(b, "default", .kms, messageContains: denied)
            let changed = changedFiles(before, s.snapshot()); #expect(changed == [])
        }
    }

    @Test("SSE-OBS, SSE-C and plaintext need no kms:* action")
    func nonKMSModesIgnorePolicy() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("no-kms")
            try s.writePolicy(#"{"deny":["kms:*"]}"#)
            let ck = try customerKey()
            let data = pattern(2 * kC + 1)
            let o = try await s.put(b, "obs", data, sse: .obs)
            let c = try await s.put(b, "c", data, sse: .customer(ck))
            let n = try await s.put(b, "none", data, sse: SSERequest.unencrypted)
            #expect(o.sseMode == .obs && c.sseMode == .c && n.sseMode == .unencrypted)
            #expect(try await s.get(b, "obs").0.fp == data.fp)
            #expect(try await s.get(b, "c", customerKey: ck).0.fp == data.fp)
            #expect(try await s.get(b, "none").0.fp == data.fp)
            // The policy is in force.
            await expectOBSError(.kms) { _ = try s.kms.listKeys() }
            await expectOBSError(.kms) { _ = try await s.put(b, "kms", data, sse: .kms(keyID: nil)) }
            // SSE-OBS has no CMK: nothing listed.
            s.removePolicy()
            #expect(try s.kms.listKeys().isEmpty)
            #expect(Self.keyFiles(s).isEmpty)
        }
    }

    @Test("an allow list permits only what it names; a deny wins over an allow")
    func allowList() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("allow")
            try await s.put(b, "obj", pattern(100), sse: .kms(keyID: nil))
            try s.writePolicy(#"{"allow":["kms:dek:crypto"]}"#)
            #expect(try await s.get(b, "obj").0.fp == pattern(100).fp)
            await expectOBSError(.kms, messageContains: "kms:cmk:list") {
                _ = try await s.put(b, "x", [1], sse: .kms(keyID: nil))
            }
            try s.writePolicy(#"{"allow":["kms:*"],"deny":["kms:dek:crypto"]}"#)
            await s.expectGetFails(b, "obj", .kms, messageContains: "kms:dek:crypto")
            try await s.put(b, "x", [1], sse: .kms(keyID: nil))
            try s.writePolicy(#"{"allow":["kms:dek:*", "kms:cmk:list"]}"#)
            try await s.put(b, "y", [1], sse: .kms(keyID: nil))
            await expectOBSError(.kms, messageContains: "kms:cmk:create") {
                _ = try s.kms.createKey(alias: nil, description: "")
            }
        }
    }

    @Test("key administration needs kms:cmk:update")
    func denyUpdate() async throws {
        try await withStore { s in
            let k = try s.kms.createKey(alias: nil, description: "")
            try s.writePolicy(#"{"deny":["kms:cmk:update"]}"#)
            await expectOBSError(.kms, messageContains: "kms:cmk:update") { _ = try s.kms.disableKey(k.keyID) }
            await expectOBSError(.kms, messageContains: "kms:cmk:update") {
                _ = try s.kms.scheduleKeyDeletion(k.keyID, pendingDays: 7)
            }
            s.removePolicy()
            #expect(try s.kms.describeKey(k.keyID).state == .enabled)
        }
    }

    @Test(
        "a malformed policy is a configuration error, not allow-all",
        arguments: [
            "not json", "[]", #"{"deny":"kms:*"}"#, #"{"allow":[1]}"#, #"{"mode":"strict"}"#,
            // A second member of one name would silently replace the first (JSONSerialization keeps the last).
            #"{"deny":["kms:dek:create"],"deny":[]}"#, #"{"deny":["kms:dek:create"],"d\u0065ny":[]}"#,
            #"{"mode":"per-step","allow":["kms:*"],"mode":"obs-doc"}"#,
        ])
    func malformedPolicy(text: String) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("bad-policy")
            try s.writePolicy(text)
            await expectOBSError(.configuration) { _ = try await s.put(b, "obj", [1], sse: .kms(keyID: nil)) }
            await expectOBSError(.configuration) { _ = try s.kms.listKeys() }
            #expect(Self.keyFiles(s).isEmpty)
        }
    }

    @Test("pattern matching: exact names and trailing *")
    func patterns() {
        #expect(KMSPolicy.matches("kms:*", "kms:dek:create"))
        #expect(KMSPolicy.matches("kms:dek:*", "kms:dek:crypto"))
        #expect(!KMSPolicy.matches("kms:dek:*", "kms:cmk:get"))
        #expect(KMSPolicy.matches("kms:cmk:get", "kms:cmk:get"))
        #expect(!KMSPolicy.matches("kms:cmk:ge", "kms:cmk:get"))
        #expect(!KMSPolicy.matches("kms:cmk:get*x", "kms:cmk:get"))
        let p = KMSPolicy(allow: ["kms:*"], deny: ["kms:dek:crypto"], requireDocumentedSet: false)
        #expect(p.permits(.dekCreate) && !p.permits(.dekCrypto))
        #expect(KMSPolicy.allowAll.permits(.cmkUpdate))
        #expect(
            Set(KMSAction.obsDocumented.map(\.rawValue)) == [
                "kms:cmk:get", "kms:cmk:list", "kms:cmk:create", "kms:dek:create", "kms:dek:crypto",
            ])
    }
}
