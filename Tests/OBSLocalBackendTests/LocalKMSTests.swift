import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

/// The local KMS (docs/local-backend-design.md §7.6, §8 cases 17–20, 29): the default key, aliases, ids, key
/// states, deletion windows, the record MAC, the root key check and the audit log.
@Suite("Local KMS")
struct LocalKMSTests {
    static let context = ["obs:bucket": "b", "obs:object": "k", "obs:uid": "00"]

    // MARK: Default key

    @Test("the first SSE-KMS upload without a key id creates obs/default, exactly once")
    func defaultKeyCreatedOnce() async throws {
        try await withStore { s in
            #expect(try s.kms.listKeys().isEmpty)
            let b = try await s.makeBucket("kms-default")
            #expect(try s.kms.listKeys().isEmpty, "creating a bucket must not create a key")
            let i1 = try await s.put(b, "one", pattern(10), sse: .kms(keyID: nil))
            let i2 = try await s.put(b, "two", pattern(20), sse: .kms(keyID: nil))
            let issued = try s.kms.generateDataKey(keyRef: nil, context: Self.context)

            let keys = try s.kms.listKeys()
            #expect(keys.count == 1)
            let k = try #require(keys.first)
            #expect(k.alias == "obs/default")
            #expect(k.isDefaultKey)
            #expect(k.state == .enabled)
            #expect(i1.kmsKeyID == k.keyID && i2.kmsKeyID == k.keyID && issued.keyID == k.keyID)
            let files = try FileManager.default.contentsOfDirectory(atPath: s.paths.keysDir).filter {
                $0.hasSuffix(".json")
            }
            #expect(files == ["\(k.keyID).json"])

            // The record says default_key true on disk.
            let rec =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: s.paths.keyRecord(k.keyID)))) as! [String: Any]
            #expect(rec["default_key"] as? Bool == true)
            #expect(rec["alias"] as? String == "obs/default")

            #expect(try await s.get(b, "one").0.fp == pattern(10).fp)
            #expect(try await s.get(b, "two").0.fp == pattern(20).fp)
        }
    }

    @Test("8 racing backends on one root create one default key, and every data key opens")
    func defaultKeyRace() async throws {
        try await withStore { s in
            let env = s.environment
            let results = try await withThrowingTaskGroup(of: (String, [UInt8], [UInt8]).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let backend = try LocalBackend(environment: env)
                        let issued = try backend.kms.generateDataKey(keyRef: nil, context: Self.context)
                        return (issued.keyID, issued.blob.encoded, issued.dek.copyBytes())
                    }
                }
                var all: [(String, [UInt8], [UInt8])] = []
                for try await r in group { all.append(r) }
                return all
            }
            let keys = try s.kms.listKeys()
            #expect(keys.count == 1)
            #expect(Set(results.map(\.0)) == [keys[0].keyID])
            for (_, blob, dek) in results {
                #expect(try s.kms.decryptDataKey(blob: blob, context: Self.context).copyBytes() == dek)
            }
        }
    }

    @Test("obs/default cannot be disabled or scheduled for deletion")
    func defaultKeyProtected() async throws {
        try await withStore { s in
            let id = try s.kms.generateDataKey(keyRef: nil, context: Self.context).keyID
            for ref in [id, "obs/default"] {
                await expectOBSError(.kms, code: "KMS.KMSInvalidStateException") { _ = try s.kms.disableKey(ref) }
                await expectOBSError(.kms, code: "KMS.KMSInvalidStateException") {
                    _ = try s.kms.scheduleKeyDeletion(ref, pendingDays: 7)
                }
            }
            #expect(try s.kms.describeKey(id).state == .enabled)
        }
    }

    // MARK: Aliases and ids

    @Test("aliases ending in /default are reserved")
    func reservedAliases() async throws {
        try await withStore { s async throws in
            for a in ["x/default", "obs/default", "a/b/default"] {
                await expectOBSError(.usage, code: "KMS.InvalidParameter") {
                    _ = try s.kms.createKey(alias: a, description: "")
                }
            }
            #expect(try s.kms.listKeys().isEmpty)
        }
    }

    @Test("the alias character set and length are enforced")
    func aliasValidation() async throws {
        try await withStore { s async throws in
            for a in ["", "has space", "semi;colon", "dot.ted", "é", "a*", String(repeating: "a", count: 256)] {
                await expectOBSError(.usage, code: "KMS.InvalidParameter") {
                    _ = try s.kms.createKey(alias: a, description: "")
                }
            }
            #expect(try s.kms.listKeys().isEmpty)
            for a in ["A-z_0:9/x", String(repeating: "a", count: 255)] {
                #expect(try s.kms.createKey(alias: a, description: "").alias == a)
            }
            await expectOBSError(.usage) {
                _ = try s.kms.createKey(alias: nil, description: String(repeating: "d", count: 256))
            }
            #expect(try s.kms.listKeys().count == 2)
        }
    }

    @Test("a duplicate alias is refused and creates nothing")
    func duplicateAlias() async throws {
        try await withStore { s in
            _ = try s.kms.createKey(alias: "team/a", description: "first")
            await expectOBSError(.conflict, code: "KMS.AliasAlreadyExists") {
                _ = try s.kms.createKey(alias: "team/a", description: "second")
            }
            let keys = try s.kms.listKeys()
            #expect(keys.count == 1)
            #expect(keys.first?.description == "first")
        }
    }

    @Test("keys are found by bare id, URN and alias; ids and URNs have OBS's shape")
    func describeForms() async throws {
        try await withStore { s in
            let k = try s.kms.createKey(alias: "app/key1", description: "d1")
            #expect(isUUIDShaped(k.keyID))
            #expect(k.urn.wholeMatch(of: /local:[0-9a-f]{32}:key\/[0-9a-f-]{36}/) != nil, "URN \(k.urn)")
            #expect(k.urn.hasSuffix(":key/" + k.keyID))
            // An id in capitals too: ids are UUIDs, which compare without case.
            for ref in [k.keyID, k.urn, "app/key1", k.keyID.uppercased()] {
                let d = try s.kms.describeKey(ref)
                #expect(
                    d.keyID == k.keyID && d.alias == "app/key1" && d.description == "d1" && d.state == .enabled
                        && !d.isDefaultKey)
            }
            // Same domain for every key of the store.
            let k2 = try s.kms.createKey(alias: nil, description: "")
            #expect(k2.urn.split(separator: ":")[1] == k.urn.split(separator: ":")[1])
            #expect(k2.keyID != k.keyID)

            let otherDomain = "local:" + String(repeating: "0", count: 32) + ":key/" + k.keyID
            let otherRegion = "cn-north-4" + k.urn.drop { $0 != ":" }
            for ref in [otherDomain, otherRegion, "00000000-0000-4000-8000-000000000000", "no/such-alias"] {
                await expectOBSError(.kms, code: "KMS.NotFoundException") { _ = try s.kms.describeKey(ref) }
            }
        }
    }

    // MARK: States

    @Test("a disabled key blocks GET and PUT, not HEAD; enabling restores the same bytes")
    func disableAndEnable() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("states")
            let k = try s.kms.createKey(alias: "app/k", description: "")
            let data = pattern(3 * kC + 11, seed: 4)
            try await s.put(b, "obj", data, sse: .kms(keyID: k.keyID))

            #expect(try s.kms.disableKey("app/k").state == .disabled)
            #expect(try s.kms.describeKey(k.keyID).state == .disabled)
            let e = await s.expectGetFails(b, "obj", .kms, code: "KMS.DisabledException")
            #expect(e?.message.contains("disabled") == true)
            let head = try await s.head(b, "obj")
            #expect(head.sseMode == .kms && head.kmsKeyID == k.keyID && head.size == Int64(data.count))

            let before = s.snapshot()
            await expectOBSError(.kms, code: "KMS.DisabledException") {
                _ = try await s.put(b, "new", [1, 2, 3], sse: .kms(keyID: k.keyID))
            }
            await expectOBSError(.kms, code: "KMS.DisabledException") {
                _ = try await s.put(b, "obj", [1, 2, 3], sse: .kms(keyID: "app/k"))
            }
            let changed = changedFiles(before, s.snapshot()); #expect(changed == [], "a refused upload changed files")
            await expectOBSError(.notFound, code: "NoSuchKey") { _ = try await s.head(b, "new") }
            await expectOBSError(.kms, code: "KMS.DisabledException") {
                _ = try s.kms.generateDataKey(keyRef: k.keyID, context: Self.context)
            }

            #expect(try s.kms.enableKey(k.urn).state == .enabled)
            #expect(try await s.get(b, "obj").0.fp == data.fp)
        }
    }

    @Test("deletion window bounds: 6 and 1097 refused, 7 and 1096 accepted", arguments: [6, 1097, 0, -1, 7, 1096])
    func deletionWindow(days: Int) async throws {
        try await withStore { s in
            let k = try s.kms.createKey(alias: nil, description: "")
            if (7...1096).contains(days) {
                let r = try s.kms.scheduleKeyDeletion(k.keyID, pendingDays: days)
                #expect(r.state == .pendingDeletion)
                let date = try #require(r.deletionDate)
                let delta = date.timeIntervalSince(r.created)
                #expect(
                    delta >= Double(days) * 86400 - 1 && delta <= Double(days) * 86400 + 120,
                    "deletion date \(delta)s after creation")
                #expect(try s.kms.describeKey(k.keyID).state == .pendingDeletion)
            } else {
                await expectOBSError(.usage, code: "KMS.InvalidParameter") {
                    _ = try s.kms.scheduleKeyDeletion(k.keyID, pendingDays: days)
                }
                let d = try s.kms.describeKey(k.keyID)
                #expect(d.state == .enabled && d.deletionDate == nil)
            }
        }
    }

    @Test("pending deletion blocks reads; cancel returns the key disabled; enable restores reads")
    func scheduleAndCancel() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("deletion")
            let k = try s.kms.createKey(alias: "del/me", description: "")
            let data = pattern(1000)
            try await s.put(b, "obj", data, sse: .kms(keyID: "del/me"))

            _ = try s.kms.scheduleKeyDeletion("del/me", pendingDays: 7)
            let e = await s.expectGetFails(b, "obj", .kms, code: "KMS.DisabledException")
            #expect(e?.message.contains("pending deletion") == true)
            await expectOBSError(.kms) { _ = try await s.put(b, "x", [1], sse: .kms(keyID: k.keyID)) }
            await expectOBSError(.kms, code: "KMS.KMSInvalidStateException") {
                _ = try s.kms.scheduleKeyDeletion(k.keyID, pendingDays: 8)
            }
            await expectOBSError(.kms, code: "KMS.KMSInvalidStateException") { _ = try s.kms.enableKey(k.keyID) }
            await expectOBSError(.kms, code: "KMS.KMSInvalidStateException") { _ = try s.kms.disableKey(k.keyID) }

            let c = try s.kms.cancelKeyDeletion(k.keyID)
            #expect(c.state == .disabled)
            #expect(c.deletionDate == nil)
            await expectOBSError(.kms, code: "KMS.KMSInvalidStateException") {
                _ = try s.kms.cancelKeyDeletion(k.keyID)
            }
            await s.expectGetFails(b, "obj", .kms, code: "KMS.DisabledException")

            #expect(try s.kms.enableKey(k.keyID).state == .enabled)
            #expect(try await s.get(b, "obj").0.fp == data.fp)
            // A disabled key may be scheduled too.
            _ = try s.kms.disableKey(k.keyID)
            #expect(try s.kms.scheduleKeyDeletion(k.keyID, pendingDays: 1096).state == .pendingDeletion)
        }
    }

    // MARK: Record MAC, root key

    /// Rewrites a key record's JSON after `edit`.
    static func editRecord(_ s: TestStore, _ keyID: String, _ edit: (inout [String: Any]) -> Void) throws {
        let path = s.paths.keyRecord(keyID)
        var obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        edit(&obj)
        try writeJSON(obj, to: path)
    }

    @Test("hand-editing a record's state is caught: operations on it fail as corrupted")
    func recordMAC() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mac")
            let k = try s.kms.createKey(alias: "app/k", description: "")
            try await s.put(b, "obj", pattern(100), sse: .kms(keyID: k.keyID))
            _ = try s.kms.disableKey(k.keyID)
            try Self.editRecord(s, k.keyID) { r in
                #expect(r["state"] as? String == "disabled")
                r["state"] = "enabled"
            }
            let ops: [(String, () async throws -> Void)] = [
                ("list", { _ = try s.kms.listKeys() }),
                ("describe id", { _ = try s.kms.describeKey(k.keyID) }),
                ("describe alias", { _ = try s.kms.describeKey("app/k") }),
                ("enable", { _ = try s.kms.enableKey(k.keyID) }),
                ("disable", { _ = try s.kms.disableKey(k.keyID) }),
                ("schedule", { _ = try s.kms.scheduleKeyDeletion(k.keyID, pendingDays: 30) }),
                ("cancel", { _ = try s.kms.cancelKeyDeletion(k.keyID) }),
                ("datakey", { _ = try s.kms.generateDataKey(keyRef: k.keyID, context: Self.context) }),
                ("default datakey", { _ = try s.kms.generateDataKey(keyRef: nil, context: Self.context) }),
                ("create with alias", { _ = try s.kms.createKey(alias: "app/other", description: "") }),
                ("put", { _ = try await s.put(b, "new", [1], sse: .kms(keyID: k.keyID)) }),
            ]
            for (name, op) in ops {
                let e = await expectOBSError(.integrity) { try await op() }
                #expect(e?.message.contains("corrupted") == true, "\(name): \(e?.message ?? "no error")")
            }
            let e = await s.expectGetFails(b, "obj", .integrity)
            #expect(e?.message.contains("corrupted") == true)
        }
    }

    @Test("every record field is covered by the MAC")
    func recordMACCoversFields() async throws {
        let edits: [(String, (inout [String: Any]) -> Void)] = [
            ("alias", { $0["alias"] = "app/renamed" }),
            ("description", { $0["description"] = "changed" }),
            ("default_key", { $0["default_key"] = true }),
            ("created", { $0["created"] = "2000-01-01T00:00:00Z" }),
            ("deletion_date", { $0["deletion_date"] = "2100-01-01T00:00:00Z" }),
            ("primary_version", { $0["primary_version"] = 2 }),
            ("domain_id", { $0["domain_id"] = String(repeating: "0", count: 32) }),
            ("mac removed", { $0["mac"] = nil }),
            ("versions emptied", { $0["versions"] = [] as [Any] }),
        ]
        for (name, edit) in edits {
            try await withStore { s in
                let k = try s.kms.createKey(alias: "app/k", description: "orig")
                try Self.editRecord(s, k.keyID, edit)
                let e = await expectOBSError(.integrity) { _ = try s.kms.describeKey(k.keyID) }
                #expect(e != nil, "editing \(name) went unnoticed")
            }
        }
    }

    /// docs/local-backend-design.md §7.13: a bad record MAC makes the KMS refuse *all* operations ("keystore
    /// corrupted"), not only the ones that read the edited record.
    @Test("a corrupted record refuses every KMS operation, including ones on other keys")
    func corruptionFailsClosedEverywhere() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("closed")
            let good = try s.kms.createKey(alias: nil, description: "")
            let bad = try s.kms.createKey(alias: nil, description: "")
            try await s.put(b, "obj", pattern(100), sse: .kms(keyID: good.keyID))
            try Self.editRecord(s, bad.keyID) { $0["description"] = "tampered" }

            await expectOBSError(.integrity) { _ = try s.kms.describeKey(good.keyID) }
            await expectOBSError(.integrity) { _ = try s.kms.createKey(alias: nil, description: "") }
            await expectOBSError(.integrity) { _ = try await s.put(b, "new", [1], sse: .kms(keyID: good.keyID)) }
            await s.expectGetFails(b, "obj", .integrity)
        }
    }

    @Test("a different root key on the same store is 'root key mismatch' and changes nothing")
    func wrongRootKey() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("rootkey")
            let k = try s.kms.createKey(alias: "app/k", description: "")
            try await s.put(b, "kms", pattern(500), sse: .kms(keyID: k.keyID))
            try await s.put(b, "obs", pattern(500), sse: .obs)
            try await s.put(b, "plain", pattern(500), sse: SSERequest.unencrypted)
            let before = s.snapshot()

            let other = try s.reopen(rootKey: otherRootKeyBytes)
            let ops: [(String, () async throws -> Void)] = [
                ("list", { _ = try other.kms.listKeys() }),
                ("describe", { _ = try other.kms.describeKey(k.keyID) }),
                ("create", { _ = try other.kms.createKey(alias: nil, description: "") }),
                ("disable", { _ = try other.kms.disableKey(k.keyID) }),
                (
                    "put kms",
                    {
                        _ = try await other.putObject(
                            PutObjectRequest(bucket: b, key: try ObjectKey("n1"), sse: .kms(keyID: nil)),
                            body: BufferSource([1]))
                    }
                ),
                (
                    "put obs",
                    {
                        _ = try await other.putObject(
                            PutObjectRequest(bucket: b, key: try ObjectKey("n2"), sse: .obs), body: BufferSource([1]))
                    }
                ),
                (
                    "get kms",
                    {
                        _ = try await other.getObject(
                            GetObjectRequest(bucket: b, key: try ObjectKey("kms")), into: BufferSink())
                    }
                ),
                (
                    "get obs",
                    {
                        _ = try await other.getObject(
                            GetObjectRequest(bucket: b, key: try ObjectKey("obs")), into: BufferSink())
                    }
                ),
            ]
            for (name, op) in ops {
                let e = await expectOBSError(.configuration) { try await op() }
                #expect(e?.message.contains("root key mismatch") == true, "\(name): \(e?.message ?? "-")")
            }
            let changed = changedFiles(before, s.snapshot());
            #expect(changed == [], "a backend with the wrong root key changed files")
            // Plain objects' metadata is MAC'd under the root key too: the wrong key cannot read them either.
            let e = await expectOBSError(.configuration) {
                _ = try await other.getObject(
                    GetObjectRequest(bucket: b, key: try ObjectKey("plain")), into: BufferSink())
            }
            #expect(e?.message.contains("root key mismatch") == true)
            // The right key still works afterwards.
            #expect(try await s.get(b, "kms").0.fp == pattern(500).fp)
        }
    }

    @Test("an OBSCTL_LOCAL_ROOT_KEY that is not base64 of 32 bytes is a configuration error")
    func badRootKeyEnvironment() async throws {
        let dir = try makeTempDirectory("badkey")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for bad in [Base64.encode([UInt8](repeating: 1, count: 16)), "not base64!", ""] {
            let backend = try LocalBackend(environment: [
                "OBSCTL_LOCAL_ROOT": dir, "HOME": dir, "OBSCTL_LOCAL_ROOT_KEY": bad,
            ])
            await expectOBSError(.configuration, messageContains: "OBSCTL_LOCAL_ROOT_KEY") {
                _ = try backend.kms.createKey(alias: nil, description: "")
            }
        }
        let records = ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/kms/keys")) ?? []).filter {
            $0.hasSuffix(".json")
        }
        #expect(records.isEmpty)
    }

    @Test("without OBSCTL_LOCAL_ROOT_KEY a 0600 key file is created; a group-readable one is refused")
    func rootKeyFile() async throws {
        let dir = try makeTempDirectory("keyfile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["OBSCTL_LOCAL_ROOT": dir + "/root", "HOME": dir]
        let backend = try LocalBackend(environment: env)
        let k = try backend.kms.createKey(alias: nil, description: "")
        let keyFile = dir + "/.config/obsctl/local-root.key"
        let attrs = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attrs[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o600)
        // The key file lives outside the data root.
        #expect(!keyFile.hasPrefix(dir + "/root/"))
        // A second backend reads the same file.
        #expect(try LocalBackend(environment: env).kms.describeKey(k.keyID).keyID == k.keyID)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyFile)
        let loose = try LocalBackend(environment: env)
        await expectOBSError(.configuration, messageContains: "chmod 600") { _ = try loose.kms.describeKey(k.keyID) }
    }

    // MARK: Audit log

    @Test("the audit log records each operation as a JSON line and never holds key material")
    func auditLog() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("audit")
            let k = try s.kms.createKey(alias: "app/audit", description: "")
            try await s.put(b, "obj", pattern(100), sse: .kms(keyID: k.keyID))
            _ = try await s.get(b, "obj")
            _ = try s.kms.disableKey(k.keyID)
            _ = try s.kms.enableKey(k.keyID)
            _ = try s.kms.scheduleKeyDeletion(k.keyID, pendingDays: 7)
            _ = try s.kms.cancelKeyDeletion(k.keyID)
            _ = try s.kms.enableKey(k.keyID)
            let issued = try s.kms.generateDataKey(keyRef: k.keyID, context: Self.context)
            try s.writePolicy(#"{"deny":["kms:dek:create"]}"#)
            await expectOBSError(.kms) { _ = try await s.put(b, "denied", [1], sse: .kms(keyID: k.keyID)) }
            s.removePolicy()

            let lines = try s.auditLines()
            func has(_ op: String, _ outcome: String = "ok", action: String? = nil) -> Bool {
                lines.contains {
                    $0["operation"] == op && $0["outcome"] == outcome && (action == nil || $0["action"] == action)
                        && ($0["key_id"] == k.keyID || $0["key_id"] == nil)
                }
            }
            #expect(has("create-key", action: "kms:cmk:create"))
            #expect(has("create-datakey", action: "kms:dek:create"))
            #expect(has("decrypt-datakey", action: "kms:dek:crypto"))
            #expect(has("disable-key"))
            #expect(has("enable-key"))
            #expect(has("schedule-key-deletion"))
            #expect(has("cancel-key-deletion"))
            #expect(has("create-datakey", "denied", action: "kms:dek:create"))
            #expect(lines.allSatisfy { $0["time"] != nil })

            // Keystore files and the audit log are private to the owner.
            for path in [s.paths.auditLog, s.paths.keyRecord(k.keyID)] {
                let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
                #expect(mode & 0o077 == 0, "\(path) has mode \(String(mode, radix: 8))")
            }
            // No key material in any encoding: root key, CMK material, a data key.
            let record = try JSONDecoder().decode(
                KeyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: s.paths.keyRecord(k.keyID))))
            let material = try #require(try record.material(version: 1, root: SecretBytes(copying: testRootKeyBytes)))
                .copyBytes()
            let audit = readFile(s.paths.auditLog)
            #expect(!audit.isEmpty)
            for secret in [testRootKeyBytes, material, issued.dek.copyBytes()] {
                for form in [
                    secret, Array(Hex.encode(secret).utf8), Array(Hex.encode(secret).uppercased().utf8),
                    Array(Base64.encode(secret).utf8),
                ] {
                    #expect(!contains(audit, form))
                }
            }
        }
    }

    @Test("no file under the root holds the root key, CMK material or a data key")
    func noSecretsOnDisk() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("secrets")
            let k = try s.kms.createKey(alias: nil, description: "")
            try await s.put(b, "kms", pattern(5000), sse: .kms(keyID: k.keyID))
            try await s.put(b, "obs", pattern(5000), sse: .obs)
            let ck = try customerKey()
            try await s.put(b, "c", pattern(5000), sse: .customer(ck))
            let issued = try s.kms.generateDataKey(keyRef: k.keyID, context: Self.context)
            let record = try JSONDecoder().decode(
                KeyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: s.paths.keyRecord(k.keyID))))
            let material = try #require(try record.material(version: 1, root: SecretBytes(copying: testRootKeyBytes)))
                .copyBytes()

            var everything: [UInt8] = []
            for (_, bytes) in s.snapshot() { everything += bytes }
            everything += readFile(s.paths.auditLog)
            let ckRaw = ck.key.copyBytes()
            for secret in [testRootKeyBytes, material, issued.dek.copyBytes(), ckRaw, Digest.md5(ckRaw)] {
                for form in [secret, Array(Hex.encode(secret).utf8), Array(Base64.encode(secret).utf8)] {
                    #expect(!contains(everything, form))
                }
            }
            // Nor does any error message or description.
            #expect(!String(describing: issued.dek).contains(Hex.encode(issued.dek.copyBytes())))
        }
    }
}
