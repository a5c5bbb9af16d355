import Foundation
import Testing
import OBSCore
import OBSCrypto
import OBSLocalBackend

/// `multipart list` and `multipart abort` on the embedded backend, with uploads left in progress by another client
/// of the same store (the library, as `obsctl serve` will): the output shapes the remote backend gives.
@Suite("local: multipart uploads in progress (list, abort)")
struct LocalMultipartCLITests {
    /// Starts an upload through the library on the sandbox's store, optionally with one stored part; its id.
    func orphan(_ sb: Sandbox, _ bucket: String, _ key: String, sse: SSERequest? = nil, part: [UInt8]? = nil)
        async throws -> String
    {
        let backend = try LocalBackend(environment: sb.childEnvironment([:]))
        let u = try await backend.initiateMultipartUpload(
            PutObjectRequest(bucket: try BucketName(bucket), key: try ObjectKey(key), sse: sse))
        if let part {
            var customer: CustomerKey? = nil
            if case .customer(let k)? = sse { customer = k }
            let target = MultipartUploadTarget(
                bucket: try BucketName(bucket), key: try ObjectKey(key), uploadID: u.uploadID, customerKey: customer)
            _ = try await backend.uploadPart(target, partNumber: 1, body: BufferSource(part))
        }
        return u.uploadID
    }

    @Test("list shows uploads in progress (text, JSON, prefix); abort by id, --all, --older-than; errors")
    func listAndAbort() async throws {
        let sb = try Sandbox("local-fragments")
        // Times are whole seconds: the window runs from the second before the first upload to now.
        let started = Date().addingTimeInterval(-1)
        try sb.ok(["bucket", "create", "obs://frag"])
        let ck = try CustomerKey(key: SecretBytes(copying: (0..<32).map { UInt8(0x60 + $0) }))
        let a = try await orphan(
            sb, "frag", "logs/a b+c.bin", sse: .kms(keyID: nil), part: Array(repeating: 7, count: 70_000))
        let c = try await orphan(sb, "frag", "logs/c.bin", sse: .customer(ck), part: [1, 2, 3])
        let x = try await orphan(sb, "frag", "logsX/x.bin")
        let t = try await orphan(sb, "frag", "tmp/t.bin", sse: .obs)

        let text = String(decoding: try sb.ok(["multipart", "list", "obs://frag"]).stdout, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(
            lines.count == 4 && lines[0].hasSuffix("  \(a)  obs://frag/logs/a b+c.bin")
                && lines[3].hasSuffix("  \(t)  obs://frag/tmp/t.bin"), "\(text)")
        let listed = try sb.json(["multipart", "list", "obs://frag/logs/"])
        let uploads = try #require(listed["uploads"] as? [[String: Any]])
        #expect(
            uploads.compactMap { $0["upload_id"] as? String } == [a, c] && listed["prefix"] as? String == "logs/"
                && listed["bucket"] as? String == "frag", "\(listed)")
        #expect(
            uploads.allSatisfy {
                ($0["initiated"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }.map {
                    $0 >= started && $0 <= Date()
                } == true
            }, "\(uploads)")

        // A bucket with uploads in progress is not deleted (exit 10), as on the remote backend.
        expectError(try sb.run(["bucket", "delete", "obs://frag"]), 10, contains: ["multipart"])
        // Unknown ids, and ids shaped like paths: not found, one error line, nothing changed.
        for id in ["no-such-upload", "../../objects", x] {
            expectError(
                try sb.run(["multipart", "abort", "obs://frag/logs/c.bin", "--upload-id", id]), 3,
                contains: ["NoSuchUpload"])
        }
        // By id (an SSE-C upload needs no key to be aborted): only that one goes, and its parts with it.
        let one = try sb.ok(["multipart", "abort", "obs://frag/logs/c.bin", "--upload-id", c])
        #expect(
            String(decoding: one.stdout, as: UTF8.self) == "abort: obs://frag/logs/c.bin (upload \(c)) (local store)\n",
            "\(one)")
        #expect(!FileManager.default.fileExists(atPath: sb.root + "/buckets/frag/uploads/" + c))
        let none = try sb.json(["multipart", "abort", "obs://frag", "--all", "--older-than", "1h"])
        #expect((none["aborted"] as? [Any])?.isEmpty == true, "\(none)")
        // --all under a folder: obs://frag/logs means logs/..., never logsX/.
        let logs = try sb.json(["multipart", "abort", "obs://frag/logs", "--all"])
        #expect((logs["aborted"] as? [[String: Any]])?.compactMap { $0["upload_id"] as? String } == [a], "\(logs)")
        let left = try sb.json(["multipart", "list", "obs://frag"])
        #expect((left["uploads"] as? [[String: Any]])?.compactMap { $0["upload_id"] as? String } == [x, t], "\(left)")
        try sb.ok(["multipart", "abort", "obs://frag", "--all"])
        #expect(String(decoding: try sb.ok(["multipart", "list", "obs://frag"]).stdout, as: UTF8.self).isEmpty)
        #expect(sb.directoryListing(sb.root + "/buckets/frag/uploads").isEmpty)
        expectError(try sb.run(["multipart", "list", "obs://gone"]), 3)
        try sb.ok(["bucket", "delete", "obs://frag"])
    }

    @Test("bucket delete --force aborts the uploads in progress with the objects")
    func forceDelete() async throws {
        let sb = try Sandbox("local-fragments-force")
        try sb.ok(["bucket", "create", "obs://frag"])
        try sb.write("o.bin", Data([1, 2, 3]))
        try sb.ok(["upload", "o.bin", "obs://frag/o"])
        _ = try await orphan(sb, "frag", "p", sse: .kms(keyID: nil), part: [9, 9, 9])
        try sb.ok(["bucket", "delete", "obs://frag", "--force"])
        expectError(try sb.run(["ls", "obs://frag"]), 3)
    }
}
