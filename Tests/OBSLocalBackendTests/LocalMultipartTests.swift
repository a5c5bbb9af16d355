import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

/// Multipart uploads in the embedded backend: parts encrypted as they arrive, Complete atomic, S3's checks on the
/// part list, SSE-C checked on every part, key states and kms:* permissions as for a put.
@Suite("local multipart uploads")
struct LocalMultipartTests {
    static let mib = 1 << 20
    static let marker = Array("PLAINTEXT-MARKER-7f3a9c".utf8)

    /// Part bytes with the plaintext marker at the start, so a scan of the store finds any unencrypted copy.
    static func partBytes(_ count: Int, seed: UInt8) -> [UInt8] {
        var b = pattern(count, seed: seed)
        b.replaceSubrange(0..<marker.count, with: marker)
        return b
    }

    @Test(
        "parts sent out of order, one of them twice, complete into an object that reads back byte-exact",
        arguments: ["none", "obs", "kms", "c"])
    func roundTrip(mode: String) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-\(mode)")
            let (sse, key) = try sseMode(mode)
            let up = try await s.initiate(b, "dir/big.bin", sse: sse, metadata: ["owner": "ann"])
            // Not chunk-aligned, chunk-aligned, and a short last part.
            let p1 = Self.partBytes(5 * Self.mib + 12345, seed: 1), p2 = Self.partBytes(5 * Self.mib, seed: 2)
            let p3 = Self.partBytes(70_000, seed: 3)
            let e3 = try await s.part(up, 3, p3, key)
            let stale = try await s.part(up, 2, Self.partBytes(5 * Self.mib, seed: 9), key)
            let e1 = try await s.part(up, 1, p1, key)
            let e2 = try await s.part(up, 2, p2, key)  // replaces the first attempt
            #expect(stale.etag != e2.etag)
            let listed = try await s.backend.listParts(up)
            #expect(listed.map(\.partNumber) == [1, 2, 3])
            #expect(listed.map(\.etag) == [e1.etag, e2.etag, e3.etag])
            #expect(listed.map(\.size) == [Int64(p1.count), Int64(p2.count), Int64(p3.count)])
            #expect(
                try await s.backend.listMultipartUploads(bucket: b, prefix: "dir/").map(\.uploadID) == [up.uploadID])

            let info = try await s.backend.completeMultipartUpload(
                up, parts: [(1, "\"\(e1.etag)\""), (2, e2.etag), (3, e3.etag)])
            #expect(info.size == Int64(p1.count + p2.count + p3.count))
            #expect(info.etag.hasSuffix("-3"))
            #expect(info.sseMode == (sse?.mode ?? .unencrypted))
            // The whole CRC-32C, joined from the parts' (the stale attempt's is not among them).
            #expect(info.contentCRC32C == CRC32C.checksum(p1 + p2 + p3).base64)
            let (got, gotInfo) = try await s.get(b, "dir/big.bin", customerKey: key)
            #expect(got.fp == (p1 + p2 + p3).fp)
            #expect(gotInfo.etag == info.etag && gotInfo.userMetadata == ["owner": "ann"])
            #expect(try await s.backend.listMultipartUploads(bucket: b, prefix: "").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: s.paths.uploadDir(b, up.uploadID)))
            // Only meta.json and the three parts: the stale attempt and the upload are gone.
            let names = try FileManager.default.contentsOfDirectory(atPath: try s.objectDir(b, "dir/big.bin"))
            #expect(names.sorted().filter { !$0.hasPrefix(".") }.count == 4, "\(names)")
            if mode != "none" {
                for (path, bytes) in s.snapshot() {
                    #expect(!contains(bytes, Self.marker), "plaintext marker found in \(path)")
                }
            }
            // A copy reads through the same multipart source.
            _ = try await s.backend.copyObject(
                CopyObjectRequest(
                    source: GetObjectRequest(bucket: b, key: try ObjectKey("dir/big.bin"), customerKey: key),
                    destination: PutObjectRequest(bucket: b, key: try ObjectKey("copy"), sse: .obs),
                    replaceMetadata: false))
            let (copied, copiedInfo) = try await s.get(b, "copy")
            #expect(copied.fp == (p1 + p2 + p3).fp)
            #expect(copiedInfo.contentCRC32C == info.contentCRC32C)
        }
    }

    @Test("empty parts: an object of one empty part, and an empty last part; an SSE-C key on a non-SSE-C upload")
    func emptyParts() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-empty")
            for sse: SSERequest? in [nil, .kms(keyID: nil)] {
                let up = try await s.initiate(b, "empty", sse: sse)
                await expectOBSError(.customerKey, code: "InvalidRequest") {
                    _ = try await s.part(up, 1, [1], try customerKey())
                }
                let e = try await s.part(up, 1, [], nil)
                #expect(try await s.backend.completeMultipartUpload(up, parts: [(1, e.etag)]).size == 0)
                #expect(try await s.get(b, "empty").0.isEmpty)

                let up2 = try await s.initiate(b, "tail", sse: sse)
                let p1 = pattern(5 * Self.mib + 1)
                let e1 = try await s.part(up2, 1, p1, nil), e2 = try await s.part(up2, 2, [], nil)
                _ = try await s.backend.completeMultipartUpload(up2, parts: [(1, e1.etag), (2, e2.etag)])
                #expect(try await s.get(b, "tail").0.fp == p1.fp)
            }
        }
    }

    @Test("Complete refuses a wrong ETag, a missing part, a small non-last part, bad order; the upload survives")
    func completeChecks() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-checks")
            let up = try await s.initiate(b, "k", sse: .kms(keyID: nil))
            let e1 = try await s.part(up, 1, pattern(5 * Self.mib, seed: 1), nil)
            let small = try await s.part(up, 2, pattern(1000, seed: 2), nil)
            let e3 = try await s.part(up, 3, pattern(100, seed: 3), nil)
            let cases: [(String, [(partNumber: Int, etag: String)])] = [
                ("InvalidPart", [(1, e1.etag), (3, small.etag)]),  // part 3 with part 2's ETag
                ("InvalidPart", [(1, e1.etag), (4, e3.etag)]),  // never uploaded
                ("EntityTooSmall", [(1, e1.etag), (2, small.etag), (3, e3.etag)]),
                ("InvalidPartOrder", [(3, e3.etag), (1, e1.etag)]),
                ("InvalidPartOrder", [(1, e1.etag), (1, e1.etag)]),
                ("MalformedXML", []),
            ]
            for (code, parts) in cases {
                await expectOBSError(.usage, code: code) {
                    _ = try await s.backend.completeMultipartUpload(up, parts: parts)
                }
                await expectOBSError(.notFound) { _ = try await s.head(b, "k") }
            }
            for n in [0, 10001, -1] {
                await expectOBSError(.usage, messageContains: "1 to 10000") {
                    _ = try await s.part(up, n, [1], nil)
                }
            }
            // The last part may be small; the upload is still whole after the refusals.
            _ = try await s.backend.completeMultipartUpload(up, parts: [(1, e1.etag), (3, e3.etag)])
            #expect(try await s.get(b, "k").0.fp == (pattern(5 * Self.mib, seed: 1) + pattern(100, seed: 3)).fp)
        }
    }

    @Test("abort removes the parts; the upload is gone for parts, Complete and a second abort")
    func abort() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-abort")
            let up = try await s.initiate(b, "k", sse: .obs)
            let e1 = try await s.part(up, 1, pattern(1000), nil)
            try await s.backend.abortMultipartUpload(bucket: b, key: up.key, uploadID: up.uploadID)
            #expect(!FileManager.default.fileExists(atPath: s.paths.uploadDir(b, up.uploadID)))
            #expect(try FileManager.default.contentsOfDirectory(atPath: s.paths.uploadsDir(b)).isEmpty)
            await expectOBSError(.notFound, code: "NoSuchUpload") { _ = try await s.part(up, 2, [1], nil) }
            await expectOBSError(.notFound, code: "NoSuchUpload") {
                _ = try await s.backend.completeMultipartUpload(up, parts: [(1, e1.etag)])
            }
            await expectOBSError(.notFound, code: "NoSuchUpload") {
                try await s.backend.abortMultipartUpload(bucket: b, key: up.key, uploadID: up.uploadID)
            }
            // Ids that are no upload id, and a real id under another key, name no upload.
            let other = try await s.initiate(b, "other", sse: nil)
            for (key, id) in [
                ("k", "../../objects"), ("k", ""), ("k", up.uploadID.uppercased()), ("k", other.uploadID),
            ] {
                await expectOBSError(.notFound, code: "NoSuchUpload") {
                    try await s.backend.abortMultipartUpload(bucket: b, key: try ObjectKey(key), uploadID: id)
                }
            }
            #expect(try await s.backend.listMultipartUploads(bucket: b, prefix: "").map(\.key) == ["other"])
            // A damaged record is reported with the way to remove it, never taken for no upload.
            try writeFile(Array("{".utf8), to: s.paths.uploadFile(b, other.uploadID))
            await expectOBSError(.integrity, messageContains: "rm -r \(s.paths.uploadDir(b, other.uploadID))") {
                _ = try await s.backend.listMultipartUploads(bucket: b, prefix: "")
            }
        }
    }

    @Test("uploads are listed by key under a prefix; a bucket with one cannot be deleted until it is aborted")
    func listAndBucketDelete() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-list")
            let u2 = try await s.initiate(b, "logs/b", sse: nil)
            let u1 = try await s.initiate(b, "logs/a", sse: .kms(keyID: nil))
            let u3 = try await s.initiate(b, "data/c", sse: .obs)
            let all = try await s.backend.listMultipartUploads(bucket: b, prefix: "")
            #expect(all.map(\.key) == ["data/c", "logs/a", "logs/b"])
            #expect(all.allSatisfy { $0.initiated != nil && $0.bucket == b })
            let logs = try await s.backend.listMultipartUploads(bucket: b, prefix: "logs/")
            #expect(logs.map(\.uploadID) == [u1.uploadID, u2.uploadID])
            await expectOBSError(.conflict, code: "MultipartUploadsInProgress") { try await s.backend.deleteBucket(b) }
            for u in [u1, u2, u3] {
                try await s.backend.abortMultipartUpload(bucket: b, key: u.key, uploadID: u.uploadID)
            }
            try await s.backend.deleteBucket(b)
        }
    }

    @Test("SSE-C: every part and Complete need the initiate's key; a wrong or missing key stores nothing")
    func customerKeyOnEveryPart() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-ssec")
            let right = try customerKey(0x60), wrong = try customerKey(0x20)
            let up = try await s.initiate(b, "k", sse: .customer(right))
            let before = s.snapshot()
            let e = await expectOBSError(.customerKey, code: "AccessDenied") {
                _ = try await s.part(up, 1, pattern(1000), wrong)
            }
            #expect(e?.httpStatus == 403)
            await expectOBSError(.customerKey, code: "InvalidRequest") {
                _ = try await s.part(up, 1, pattern(1000), nil)
            }
            #expect(changedFiles(before, s.snapshot()) == [], "a refused part changed files")
            let e1 = try await s.part(up, 1, pattern(1000), right)
            var withWrong = up
            withWrong.customerKey = wrong
            await expectOBSError(.customerKey, code: "AccessDenied") {
                _ = try await s.backend.completeMultipartUpload(withWrong, parts: [(1, e1.etag)])
            }
            let info = try await s.backend.completeMultipartUpload(up, parts: [(1, e1.etag)])
            #expect(info.customerKeyMD5 == right.keyMD5)
            await s.expectGetFails(b, "k", customerKey: wrong, .customerKey)
            #expect(try await s.get(b, "k", customerKey: right).0 == pattern(1000))
        }
    }

    @Test("KMS: a disabled key fails initiate (nothing stored) and parts; dek:crypto denied fails parts")
    func kmsKeyStatesAndPermissions() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-kms")
            let k = try s.kms.createKey(alias: "app/mp", description: "")
            _ = try s.kms.disableKey(k.keyID)
            let before = s.snapshot()
            await expectOBSError(.kms) { _ = try await s.initiate(b, "k", sse: .kms(keyID: "app/mp")) }
            #expect(changedFiles(before, s.snapshot()) == [], "a refused initiate stored something")
            #expect(try await s.backend.listMultipartUploads(bucket: b, prefix: "").isEmpty)

            _ = try s.kms.enableKey(k.keyID)
            let up = try await s.initiate(b, "k", sse: .kms(keyID: k.keyID))
            _ = try s.kms.disableKey(k.keyID)
            await expectOBSError(.kms) { _ = try await s.part(up, 1, pattern(10), nil) }
            _ = try s.kms.enableKey(k.keyID)
            try s.writePolicy(#"{"deny":["kms:dek:crypto"]}"#)
            await expectOBSError(.kms, messageContains: "kms:dek:crypto") {
                _ = try await s.part(up, 1, pattern(10), nil)
            }
            s.removePolicy()
            let e1 = try await s.part(up, 1, pattern(10), nil)
            let info = try await s.backend.completeMultipartUpload(up, parts: [(1, e1.etag)])
            #expect(info.kmsKeyID == k.keyID && info.sseOrigin == .request)
        }
    }

    @Test("the bucket default applies at initiate; a default set later does not reach the upload")
    func bucketDefaultAtInitiate() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-default", encryption: .kms(keyID: nil))
            let up = try await s.initiate(b, "k", sse: nil)
            try await s.backend.setBucketEncryption(b, .obs)
            let e1 = try await s.part(up, 1, pattern(10), nil)
            let info = try await s.backend.completeMultipartUpload(up, parts: [(1, e1.etag)])
            #expect(info.sseMode == .kms && info.sseOrigin == .bucketDefault)
        }
    }

    @Test("swapped part files or an edited part list fail the read: header part numbers and the MAC")
    func tamperedParts() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-tamper")
            let up = try await s.initiate(b, "k", sse: .obs)
            let p1 = pattern(5 * Self.mib, seed: 1), p2 = pattern(5 * Self.mib, seed: 2)
            let e1 = try await s.part(up, 1, p1, nil), e2 = try await s.part(up, 2, p2, nil)
            _ = try await s.backend.completeMultipartUpload(up, parts: [(1, e1.etag), (2, e2.etag)])
            let dir = try s.objectDir(b, "k")
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("d-") }.sorted()
            #expect(files.count == 2)
            let a = dir + "/" + files[0], c = dir + "/" + files[1]
            let bytesA = readFile(a), bytesC = readFile(c)
            try writeFile(bytesC, to: a)
            try writeFile(bytesA, to: c)
            await s.expectGetFails(b, "k", .integrity)
            try writeFile(bytesA, to: a)
            try writeFile(bytesC, to: c)
            #expect(try await s.get(b, "k").0.fp == (p1 + p2).fp)
            try s.editMeta(b, "k") { m in
                var layout = m["layout"] as! [String: Any]
                layout["parts"] = Array((layout["parts"] as! [Any]).prefix(1))
                m["layout"] = layout
                m["size"] = p1.count
            }
            await s.expectGetFails(b, "k", .integrity)
            try s.editMeta(b, "k") { m in m["crc32c"] = CRC32C.checksum(p1 + p1).base64 }
            await s.expectGetFails(b, "k", .integrity)  // the MAC covers the checksum serve answers with

            // Unencrypted: the data_mac over all parts catches a changed byte in any of them.
            let plain = try await s.initiate(b, "plain", sse: .unencrypted)
            let q1 = try await s.part(plain, 1, p1, nil), q2 = try await s.part(plain, 2, p2, nil)
            _ = try await s.backend.completeMultipartUpload(plain, parts: [(1, q1.etag), (2, q2.etag)])
            #expect(try await s.get(b, "plain").0.fp == (p1 + p2).fp)
            let plainDir = try s.objectDir(b, "plain")
            let first = try #require(
                try FileManager.default.contentsOfDirectory(atPath: plainDir).first { $0.hasSuffix("-p1.bin") })
            var bytes = readFile(plainDir + "/" + first)
            bytes[1000] ^= 1
            try writeFile(bytes, to: plainDir + "/" + first)
            await expectOBSError(.integrity) { _ = try await s.get(b, "plain") }
        }
    }

    /// A Complete killed at each step (OBSCTL_TEST_CRASH_AT in a child process that runs `crashChild`): afterwards
    /// the object is absent or whole, never torn; an interrupted Complete can be run again, a finished one is gone.
    @Test(
        "kill -9 during Complete leaves no object or the whole new one",
        arguments: [
            ("complete-parts-linked", false), ("complete-meta-tmp-written", false), ("complete-meta-renamed", true),
            ("complete-committed", true),
        ])
    func crashDuringComplete(point: String, committed: Bool) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("mp-crash")
            let old = pattern(777, seed: 7)
            try await s.put(b, "k", old, sse: .kms(keyID: nil))
            let up = try await s.initiate(b, "k", sse: .kms(keyID: nil))
            let p1 = pattern(5 * Self.mib, seed: 1), p2 = pattern(4321, seed: 2)
            let e1 = try await s.part(up, 1, p1, nil), e2 = try await s.part(up, 2, p2, nil)

            var env = s.environment
            env["OBSCTL_TEST_CRASH_AT"] = point
            env["OBSCTL_MP_CRASH_CHILD"] = "\(b)|k|\(up.uploadID)|\(e1.etag)|\(e2.etag)"
            let status = try runTestChild(filter: "LocalMultipartTests/crashChild", environment: env)
            #expect(status == SIGKILL, "the child must die by SIGKILL at \(point) (status \(status))")

            let after = try s.reopen()  // runs the recovery a restart runs
            let sink = BufferSink()
            _ = try await after.getObject(GetObjectRequest(bucket: b, key: try ObjectKey("k")), into: sink)
            #expect(sink.bytes.fp == (committed ? p1 + p2 : old).fp, "after a crash at \(point)")
            let uploads = try await after.listMultipartUploads(bucket: b, prefix: "")
            #expect(uploads.map(\.uploadID) == (committed ? [] : [up.uploadID]))
            let names = try FileManager.default.contentsOfDirectory(atPath: try s.objectDir(b, "k"))
            #expect(names.filter { $0.hasPrefix("d-") }.count == (committed ? 2 : 1), "leftovers: \(names)")
            if !committed {
                _ = try await after.completeMultipartUpload(up, parts: [(1, e1.etag), (2, e2.etag)])
                let again = BufferSink()
                _ = try await after.getObject(GetObjectRequest(bucket: b, key: try ObjectKey("k")), into: again)
                #expect(again.bytes.fp == (p1 + p2).fp)
            }
        }
    }

    /// Runs only in the child process of `crashDuringComplete`, which dies at the crash point.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OBSCTL_MP_CRASH_CHILD"] != nil))
    func crashChild() async throws {
        let env = ProcessInfo.processInfo.environment
        let f = try #require(env["OBSCTL_MP_CRASH_CHILD"]).split(separator: "|").map(String.init)
        let backend = try LocalBackend(environment: env)
        let target = MultipartUploadTarget(bucket: try BucketName(f[0]), key: try ObjectKey(f[1]), uploadID: f[2])
        _ = try await backend.completeMultipartUpload(target, parts: [(1, f[3]), (2, f[4])])
        Issue.record("the crash point was not reached")
    }
}

/// Runs this test binary again with one test selected; returns the signal that ended it (0 if it exited).
func runTestChild(filter: String, environment: [String: String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    p.arguments = ["--testing-library", "swift-testing", "--filter", filter]
    p.environment = environment
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationReason == .uncaughtSignal ? p.terminationStatus : 0
}

extension TestStore {
    func initiate(_ b: BucketName, _ key: String, sse: SSERequest?, metadata: [String: String] = [:]) async throws
        -> MultipartUploadTarget
    {
        let u = try await backend.initiateMultipartUpload(
            PutObjectRequest(bucket: b, key: try ObjectKey(key), sse: sse, userMetadata: metadata))
        var customer: CustomerKey? = nil
        if case .customer(let k)? = sse { customer = k }
        return MultipartUploadTarget(bucket: b, key: try ObjectKey(key), uploadID: u.uploadID, customerKey: customer)
    }

    /// Uploads part `n` with `key` as its SSE-C key (not the target's, so tests can send a wrong one or none).
    func part(_ t: MultipartUploadTarget, _ n: Int, _ bytes: [UInt8], _ key: CustomerKey?) async throws -> UploadedPart
    {
        var target = t
        target.customerKey = key
        return try await backend.uploadPart(target, partNumber: n, body: BufferSource(bytes))
    }
}
