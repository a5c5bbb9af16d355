import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

/// Objects through the `ObjectStorage` API (docs/local-backend-design.md §7.5, §7.8, §7.9, §8 case 13): round trips in
/// every SSE mode, what HEAD reports, what lands on disk, and the SSE-C rules.
@Suite("Local backend objects")
struct LocalBackendObjectTests {
    enum Mode: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case none, obs, kmsDefault, kmsID, kmsAlias, kmsURN, customer
        var testDescription: String { rawValue }
    }

    /// Builds the request for `mode`, creating the named KMS key where one is needed. Returns the expected key id.
    static func request(_ mode: Mode, _ s: TestStore) throws -> (SSERequest, expectedKeyID: String?) {
        switch mode {
        case .none: return (SSERequest.unencrypted, nil)
        case .obs: return (.obs, nil)
        case .kmsDefault: return (.kms(keyID: nil), nil)
        case .kmsID, .kmsAlias, .kmsURN:
            let k = try s.kms.createKey(alias: "app/objects", description: "")
            let ref = mode == .kmsID ? k.keyID : mode == .kmsAlias ? "app/objects" : k.urn
            return (.kms(keyID: ref), k.keyID)
        case .customer: return (.customer(try customerKey()), nil)
        }
    }

    @Test("round trip and HEAD fields in every SSE mode", arguments: Mode.allCases, [0, 1, kC, 3 * kC + 5])
    func roundTrip(mode: Mode, size: Int) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("round-trip")
            let (sse, expectedKeyID) = try Self.request(mode, s)
            let ck: CustomerKey? = if case .customer(let k) = sse { k } else { nil }
            let data = pattern(size, seed: 5)
            let put = try await s.put(
                b, "dir/obj.bin", data, sse: sse, contentType: "text/x-test", metadata: ["color": "blue", "n": "1"])
            let (got, getInfo) = try await s.get(b, "dir/obj.bin", customerKey: ck)
            #expect(got.fp == data.fp)
            let head = try await s.head(b, "dir/obj.bin", customerKey: ck)

            for info in [put, getInfo, head] {
                #expect(info.bucket == b && info.key.value == "dir/obj.bin")
                #expect(info.size == Int64(size))
                #expect(info.sseMode == sse.mode)
                #expect(info.sseOrigin == .request)
                #expect(info.contentType == "text/x-test")
                #expect(info.userMetadata == ["color": "blue", "n": "1"])
                #expect(info.etag == put.etag)
                #expect(info.contentCRC32C == CRC32C.checksum(data).base64)  // taken as the bytes were written
                if sse.mode == .kms {
                    let id = try #require(info.kmsKeyID)
                    #expect(isUUIDShaped(id))
                    if let expectedKeyID { #expect(id == expectedKeyID) }
                    let urn = try #require(info.kmsKeyURN)
                    #expect(urn.wholeMatch(of: /local:[0-9a-f]{32}:key\/[0-9a-f-]{36}/) != nil, "URN \(urn)")
                    #expect(urn.hasSuffix(":key/" + id))
                    #expect(urn == (try s.kms.describeKey(id).urn))
                } else {
                    #expect(info.kmsKeyID == nil && info.kmsKeyURN == nil)
                }
                if let ck {
                    #expect(info.customerKeyMD5 == ck.keyMD5)
                    #expect(info.customerKeyMD5 == Base64.encode(Digest.md5(ck.key.copyBytes())))
                } else {
                    #expect(info.customerKeyMD5 == nil)
                }
            }

            // On disk.
            let meta = try s.readMetaJSON(b, "dir/obj.bin")
            let sseJSON = try #require(meta["sse"] as? [String: Any])
            #expect(sseJSON["mode"] as? String == sse.mode.rawValue)
            #expect(sseJSON["origin"] as? String == "request")
            #expect(meta["size"] as? Int == size)
            #expect(meta["key"] as? String == "dir/obj.bin")
            let dataPath = try s.dataPath(b, "dir/obj.bin")
            let file = readFile(dataPath)
            if sse.mode == .unencrypted {
                #expect(dataPath.hasSuffix(".bin"))
                #expect(file.fp == data.fp)
                #expect(put.etag == Hex.encode(Digest.md5(data)))
                // Plain metadata is MAC'd too (under a root-key-derived key), so it cannot be relabelled.
                #expect(meta["mac"] is String)
            } else {
                #expect(dataPath.hasSuffix(".obx"))
                #expect(Int64(file.count) == OBXFormat.encryptedSize(plaintextSize: Int64(size)))
                #expect(Array(file.prefix(4)) == Array("OBX1".utf8))
                if size >= 64 { #expect(!contains(file, Array(data[0..<64]))) }
                #expect(put.etag != Hex.encode(Digest.md5(data)), "an SSE ETag must not be the plaintext MD5")
                #expect(put.etag.wholeMatch(of: /[0-9a-f]{32}/) != nil)
                #expect(meta["mac"] is String)
                // The header's uid is the meta's uid.
                #expect(Hex.encode(file[32..<48]) == meta["object_uid"] as? String)
            }
        }
    }

    @Test("a 5 MiB SSE-KMS object round-trips through the backend")
    func largeObject() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("large")
            let data = pattern(5 * 1024 * 1024 + 17, seed: 2)
            try await s.put(b, "big", data, sse: .kms(keyID: nil))
            #expect(try await s.get(b, "big").0.fp == data.fp)
            #expect(readFile(try s.dataPath(b, "big")).count == 64 + data.count + 16 * 81)
        }
    }

    @Test("each upload gets its own uid, stream salt and data key")
    func freshPerObject() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("fresh")
            let data = pattern(1000)
            try await s.put(b, "a", data, sse: .obs)
            try await s.put(b, "b", data, sse: .obs)
            let fa = readFile(try s.dataPath(b, "a")), fb = readFile(try s.dataPath(b, "b"))
            #expect(fa[16..<32] != fb[16..<32])
            #expect(fa[32..<48] != fb[32..<48])
            #expect(fa[64...] != fb[64...])
            let ma = try s.readMetaJSON(b, "a"), mb = try s.readMetaJSON(b, "b")
            #expect(
                ma["etag"] as? String != mb["etag"] as? String,
                "equal plaintexts must not give equal SSE ETags across objects")
        }
    }

    // MARK: SSE-C rules

    @Test("SSE-C: GET without the key is InvalidRequest; HEAD without it fails too")
    func customerKeyMissing() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("ssec")
            try await s.put(b, "obj", pattern(100), sse: .customer(try customerKey()))
            let e = await s.expectGetFails(b, "obj", .customerKey, code: "InvalidRequest")
            #expect(e?.httpStatus == 400)
            await expectOBSError(.customerKey, code: "InvalidRequest") { _ = try await s.head(b, "obj") }
        }
    }

    @Test("SSE-C: a wrong key is AccessDenied, never an integrity error")
    func customerKeyWrong() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("ssec")
            try await s.put(b, "obj", pattern(3 * kC), sse: .customer(try customerKey()))
            for seed: UInt8 in [0x61, 0x00, 0xFF] {
                let e = await s.expectGetFails(
                    b, "obj", customerKey: try customerKey(seed), .customerKey, code: "AccessDenied")
                #expect(e?.httpStatus == 403)
                #expect(e.map { !$0.message.contains("integrity") && !$0.message.contains("corrupt") } == true)
                await expectOBSError(.customerKey, code: "AccessDenied") {
                    _ = try await s.head(b, "obj", customerKey: try customerKey(seed))
                }
            }
            #expect(try await s.get(b, "obj", customerKey: try customerKey()).0.fp == pattern(3 * kC).fp)
        }
    }

    @Test("SSE-C: a key given for an object that is not SSE-C is refused", arguments: [Mode.none, .obs, .kmsDefault])
    func customerKeyNotExpected(mode: Mode) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("ssec")
            try await s.put(b, "obj", pattern(100), sse: try Self.request(mode, s).0)
            await s.expectGetFails(b, "obj", customerKey: try customerKey(), .customerKey, code: "InvalidRequest")
            await expectOBSError(.customerKey) { _ = try await s.head(b, "obj", customerKey: try customerKey()) }
            #expect(try await s.get(b, "obj").0.fp == pattern(100).fp)
        }
    }

    @Test("SSE-C header validation: algorithm, key length, base64 and MD5")
    func customerKeyValidation() async throws {
        let raw: [UInt8] = (0..<32).map { 0x60 + UInt8($0) }
        let b64 = Base64.encode(raw)
        let md5 = Base64.encode(Digest.md5(raw))
        let ok = try CustomerKey(algorithm: "AES256", keyBase64: b64, keyMD5: md5)
        #expect(ok.keyMD5 == md5)
        #expect(ok.key.copyBytes() == raw)
        await expectOBSError(.customerKey) { _ = try CustomerKey(algorithm: "AES128", keyBase64: b64, keyMD5: md5) }
        await expectOBSError(.customerKey) { _ = try CustomerKey(algorithm: "aes256", keyBase64: b64, keyMD5: md5) }
        await expectOBSError(.customerKey, code: "InvalidArgument") {
            _ = try CustomerKey(algorithm: "AES256", keyBase64: b64, keyMD5: Base64.encode(Digest.md5([1])))
        }
        await expectOBSError(.customerKey, code: "InvalidArgument") {
            _ = try CustomerKey(algorithm: "AES256", keyBase64: "!!", keyMD5: md5)
        }
        let short = Array(raw.prefix(31))
        await expectOBSError(.customerKey, code: "InvalidArgument") {
            _ = try CustomerKey(
                algorithm: "AES256", keyBase64: Base64.encode(short), keyMD5: Base64.encode(Digest.md5(short)))
        }
        await expectOBSError(.customerKey) { _ = try CustomerKey(key: SecretBytes(count: 0)) }
        #expect(!String(describing: ok).contains(b64))
    }

    // MARK: Object lifecycle

    @Test("overwriting replaces the object and removes the old data file")
    func overwrite() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("overwrite")
            let ck = try customerKey()
            try await s.put(b, "obj", pattern(500), sse: .customer(ck))
            let first = try s.dataPath(b, "obj")
            let info = try await s.put(b, "obj", pattern(700, seed: 1), sse: .kms(keyID: nil))
            #expect(info.sseMode == .kms)
            #expect(try await s.get(b, "obj").0.fp == pattern(700, seed: 1).fp)
            let second = try s.dataPath(b, "obj")  // exactly one data file
            #expect(first != second && !FileManager.default.fileExists(atPath: first))
            await s.expectGetFails(b, "obj", customerKey: ck, .customerKey)
            let files = try FileManager.default.contentsOfDirectory(atPath: try s.objectDir(b, "obj")).sorted()
            #expect(files == ["meta.json", (second as NSString).lastPathComponent].sorted())
        }
    }

    @Test("delete removes meta and data; GET then says NoSuchKey")
    func deleteObject() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("delete")
            try await s.put(b, "obj", pattern(100), sse: .obs)
            try await s.backend.deleteObject(bucket: b, key: try ObjectKey("obj"))
            await s.expectGetFails(b, "obj", .notFound, code: "NoSuchKey")
            await expectOBSError(.notFound, code: "NoSuchKey") { _ = try await s.head(b, "obj") }
            await expectOBSError(.notFound, code: "NoSuchKey") {
                try await s.backend.deleteObject(bucket: b, key: try ObjectKey("obj"))
            }
            let dir = try s.objectDir(b, "obj")
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }
            #expect(left.isEmpty, "left behind: \(left)")
        }
    }

    @Test("missing bucket and missing key")
    func notFound() async throws {
        try await withStore { s in
            let nb = try BucketName("no-such-bucket")
            await expectOBSError(.notFound, code: "NoSuchBucket") { _ = try await s.put(nb, "k", [1], sse: nil) }
            await s.expectGetFails(nb, "k", .notFound, code: "NoSuchBucket")
            let b = try await s.makeBucket("exists")
            await s.expectGetFails(b, "k", .notFound, code: "NoSuchKey")
        }
    }

    @Test("keys with slashes, dots and Unicode map to hashed directories and round-trip")
    func oddKeys() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("odd-keys")
            let keys = ["../../etc/passwd", "/abs", "a//b", "é/ñ/漢字", "x\ny", String(repeating: "k", count: 1024)]
            for (i, k) in keys.enumerated() {
                try await s.put(b, k, pattern(10 + i), sse: .obs)
            }
            for (i, k) in keys.enumerated() {
                #expect(try await s.get(b, k).0.fp == pattern(10 + i).fp)
                #expect(try s.objectDir(b, k).hasPrefix(s.paths.objectsDir(b) + "/"))
            }
            // Nothing was written outside the bucket's objects directory.
            #expect(s.allFiles().allSatisfy { $0.hasPrefix("buckets/odd-keys/") || !$0.hasPrefix("buckets/") })
            let listed = try await s.backend.listAllObjects(bucket: b, prefix: "").objects.map(\.key.value)
            #expect(Set(listed) == Set(keys))
        }
    }

    @Test("copy can change the encryption and keeps metadata unless replaced")
    func copy() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("copy")
            let ck = try customerKey()
            let data = pattern(2 * kC + 9)
            try await s.put(b, "src", data, sse: .customer(ck), contentType: "text/plain", metadata: ["a": "1"])
            let req = CopyObjectRequest(
                source: GetObjectRequest(bucket: b, key: try ObjectKey("src"), customerKey: ck),
                destination: PutObjectRequest(bucket: b, key: try ObjectKey("dst"), sse: .kms(keyID: nil)),
                replaceMetadata: false)
            let info = try await s.backend.copyObject(req)
            #expect(info.sseMode == .kms && info.contentType == "text/plain" && info.userMetadata == ["a": "1"])
            #expect(try await s.get(b, "dst").0.fp == data.fp)
            // Without the source key the copy fails and creates nothing.
            let bad = CopyObjectRequest(
                source: GetObjectRequest(bucket: b, key: try ObjectKey("src")),
                destination: PutObjectRequest(bucket: b, key: try ObjectKey("dst2"), sse: .obs), replaceMetadata: false)
            await expectOBSError(.customerKey) { _ = try await s.backend.copyObject(bad) }
            await expectOBSError(.notFound) { _ = try await s.head(b, "dst2") }
        }
    }

    @Test("SSE-C key rotation by copying an object onto itself: the old key is refused, the new key reads it")
    func customerKeyRotation() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("rotate")
            let old = try customerKey(), new = try customerKey(0x10)
            let data = pattern(3 * kC + 1)
            try await s.put(b, "obj", data, sse: .customer(old), metadata: ["m": "1"])
            let req = CopyObjectRequest(
                source: GetObjectRequest(bucket: b, key: try ObjectKey("obj"), customerKey: old),
                destination: PutObjectRequest(bucket: b, key: try ObjectKey("obj"), sse: .customer(new)),
                replaceMetadata: false)
            let info = try await s.backend.copyObject(req)
            #expect(info.customerKeyMD5 == new.keyMD5 && info.userMetadata == ["m": "1"])
            await s.expectGetFails(b, "obj", customerKey: old, .customerKey, code: "AccessDenied")
            #expect(try await s.get(b, "obj", customerKey: new).0.fp == data.fp)
            _ = try s.dataPath(b, "obj")  // exactly one data file left
        }
    }

    @Test("SSE-C key rotation naming a storage class sets it; one naming none sets the bucket's default, as a copy")
    func customerKeyRotationSetsTheClass() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("rotate-class")
            let old = try customerKey(), new = try customerKey(0x30)
            try await s.put(b, "obj", pattern(kC + 3), sse: .customer(old))
            for (key, from, to, expected) in [
                (new, old, "STANDARD_IA", "STANDARD_IA"), (new, new, "GLACIER", "GLACIER"), (old, new, nil, nil),
            ] as [(CustomerKey, CustomerKey, String?, String?)] {
                var destination = PutObjectRequest(bucket: b, key: try ObjectKey("obj"), sse: .customer(key))
                destination.storageClass = to
                let info = try await s.backend.copyObject(
                    CopyObjectRequest(
                        source: GetObjectRequest(bucket: b, key: try ObjectKey("obj"), customerKey: from),
                        destination: destination, replaceMetadata: false))
                #expect(info.storageClass == expected, "\(String(describing: to))")
                #expect(try await s.head(b, "obj", customerKey: key).storageClass == expected)
            }
        }
    }

    @Test("SSE-C key rotation rewraps the data key only: the data file's bytes and inode are unchanged")
    func customerKeyRotationKeepsDataFile() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("rotate-inplace")
            let old = try customerKey(), new = try customerKey(0x20)
            try await s.put(b, "obj", pattern(2 * kC + 7), sse: .customer(old))
            let path = try s.dataPath(b, "obj")
            let before = try FileManager.default.attributesOfItem(atPath: path)
            let bytesBefore = try Data(contentsOf: URL(fileURLWithPath: path))
            let req = CopyObjectRequest(
                source: GetObjectRequest(bucket: b, key: try ObjectKey("obj"), customerKey: old),
                destination: PutObjectRequest(bucket: b, key: try ObjectKey("obj"), sse: .customer(new)),
                replaceMetadata: false)
            _ = try await s.backend.copyObject(req)
            #expect(try s.dataPath(b, "obj") == path)
            let after = try FileManager.default.attributesOfItem(atPath: path)
            #expect((before[.systemFileNumber] as? Int) == (after[.systemFileNumber] as? Int))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytesBefore)
            await s.expectGetFails(b, "obj", customerKey: old, .customerKey, code: "AccessDenied")
            // A wrong "old" key cannot rotate.
            let wrong = CopyObjectRequest(
                source: GetObjectRequest(bucket: b, key: try ObjectKey("obj"), customerKey: old),
                destination: PutObjectRequest(bucket: b, key: try ObjectKey("obj"), sse: .customer(old)),
                replaceMetadata: false)
            _ = await expectOBSError(.customerKey, code: "AccessDenied") { _ = try await s.backend.copyObject(wrong) }
        }
    }
}
