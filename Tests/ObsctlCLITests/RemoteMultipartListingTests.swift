import Foundation
import Testing
import OBSCore
import OBSCrypto
import OBSSigner
@testable import OBSClient

/// `multipart list` and `multipart abort` against SeaweedFS and `obsctl serve` (both dialects), with uploads left
/// behind by another client (awscli).
@Suite(
    "Remote: multipart uploads in progress (list, abort)", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteMultipartListingTests {
    /// Starts a multipart upload with awscli and leaves it; its upload id.
    func orphan(_ s: RemoteSession, _ server: String, _ bucket: String, _ key: String, part: Data? = nil) throws
        -> String
    {
        let r = try Tools.aws(
            s.peers, endpoint: try s.peers.url(server),
            [
                "s3api", "create-multipart-upload", "--bucket", bucket, "--key", key,
                "--query", "UploadId", "--output", "text",
            ])
        try #require(r.succeeded, "aws s3api create-multipart-upload: \(r)")
        let id = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if let part {
            try s.sb.write("part.bin", part)
            let up = try Tools.aws(
                s.peers, endpoint: try s.peers.url(server),
                [
                    "s3api", "upload-part", "--bucket", bucket, "--key", key, "--upload-id", id,
                    "--part-number", "1", "--body", s.sb.path("part.bin"),
                ])
            try #require(up.succeeded, "aws s3api upload-part: \(up)")
        }
        return id
    }

    @Test(
        """
        list shows uploads left behind (text, JSON, under a prefix); abort by id, --all under a prefix, --older-than; \
        errors
        """,
        arguments: RemotePeers.commandServers)
    func listAndAbort(_ server: String) throws {
        let s = try RemoteSession("sw-fragments")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "frag")
        let a = try orphan(s, server, b, "logs/a b+c.bin", part: remoteRandomData(5 << 20))
        let c = try orphan(s, server, b, "logs/c.bin")
        let x = try orphan(s, server, b, "logsX/x.bin")
        let t = try orphan(s, server, b, "tmp/t.bin")

        let text = String(decoding: try s.ok(sw, ["multipart", "list", "obs://\(b)"]).stdout, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(
            lines.count == 4 && lines[0].hasSuffix("  \(a)  obs://\(b)/logs/a b+c.bin")
                && lines[3].hasSuffix("  \(t)  obs://\(b)/tmp/t.bin"), "\(text)")
        let listed = try s.json(sw, ["multipart", "list", "obs://\(b)/logs/"])
        let uploads = try #require(listed["uploads"] as? [[String: Any]])
        #expect(
            uploads.compactMap { $0["upload_id"] as? String } == [a, c] && listed["prefix"] as? String == "logs/",
            "\(listed)")
        #expect(
            uploads.allSatisfy {
                ($0["initiated"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }.map {
                    abs($0.timeIntervalSinceNow) < 600
                } == true
            })

        // Usage errors, refused before anything is sent.
        expectRemoteError(
            try s.run(sw, ["multipart", "abort", "obs://\(b)/logs/c.bin"]), 2, contains: ["--upload-id", "--all"])
        expectRemoteError(try s.run(sw, ["multipart", "abort", "obs://\(b)/logs/c.bin", "--upload-id", c, "--all"]), 2)
        expectRemoteError(
            try s.run(sw, ["multipart", "abort", "obs://\(b)/logs/c.bin", "--upload-id", c, "--older-than", "1h"]), 2,
            contains: ["--all"])
        expectRemoteError(
            try s.run(sw, ["multipart", "abort", "obs://\(b)", "--all", "--older-than", "soon"]), 2,
            contains: ["--older-than"])
        // An unknown upload id: not found, one error line; in JSON the same document as a failed --all.
        expectRemoteError(
            try s.run(sw, ["multipart", "abort", "obs://\(b)/logs/c.bin", "--upload-id", "no-such-upload"]), 3,
            contains: ["NoSuchUpload"])
        let failed = try s.run(
            sw, ["multipart", "abort", "obs://\(b)/logs/c.bin", "--upload-id", "no-such-upload", "--output", "json"])
        let document = try JSONSerialization.jsonObject(with: failed.stdout) as? [String: Any]
        #expect(
            failed.status == 3 && (document?["aborted"] as? [Any])?.isEmpty == true
                && (document?["failures"] as? [[String: Any]])?.first?["exit_code"] as? Int == 3, "\(failed)")

        // By id: only that one goes.
        let one = try s.ok(sw, ["multipart", "abort", "obs://\(b)/logs/a b+c.bin", "--upload-id", a])
        #expect(
            String(decoding: one.stdout, as: UTF8.self) == "abort: obs://\(b)/logs/a b+c.bin (upload \(a))\n", "\(one)")
        // --older-than: these began seconds ago, so none is old enough.
        let none = try s.json(sw, ["multipart", "abort", "obs://\(b)", "--all", "--older-than", "1h"])
        #expect((none["aborted"] as? [Any])?.isEmpty == true, "\(none)")
        #expect(try Tools.multipartUploadsInProgress(s.peers, endpoint: try s.peers.url(server), bucket: b) == 3)
        // --all under a folder: obs://b/logs means logs/..., never logsX/.
        let logs = try s.json(sw, ["multipart", "abort", "obs://\(b)/logs", "--all"])
        #expect((logs["aborted"] as? [[String: Any]])?.compactMap { $0["upload_id"] as? String } == [c], "\(logs)")
        let left = try s.json(sw, ["multipart", "list", "obs://\(b)"])
        #expect((left["uploads"] as? [[String: Any]])?.compactMap { $0["upload_id"] as? String } == [x, t], "\(left)")
        // --all on one key takes that key's uploads only.
        try s.ok(sw, ["multipart", "abort", "obs://\(b)/logsX/x.bin", "--all"])
        #expect(try Tools.multipartUploadsInProgress(s.peers, endpoint: try s.peers.url(server), bucket: b) == 1)
        try s.ok(sw, ["multipart", "abort", "obs://\(b)", "--all"])
        #expect(try Tools.multipartUploadsInProgress(s.peers, endpoint: try s.peers.url(server), bucket: b) == 0)
        #expect(String(decoding: try s.ok(sw, ["multipart", "list", "obs://\(b)"]).stdout, as: UTF8.self).isEmpty)
        expectRemoteError(try s.run(sw, ["multipart", "list", "obs://\(RemoteSession.uniqueName("gone"))"]), 3)
    }

    /// The client pages through the listing: with one upload a page it still finds every upload, once each.
    @Test("listing pages (one upload a page) through markers until the last", arguments: RemotePeers.commandServers)
    func paging(_ server: String) async throws {
        let s = try RemoteSession("sw-fragpages")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "fragpage")
        var ids: [String] = []
        for key in ["p/1", "p/2", "p/2", "p/3"] { ids.append(try orphan(s, server, b, key)) }  // two uploads of one key
        let configuration = try RemoteConfiguration(
            endpoint: try s.peers.url(server), region: s.peers.region, signature: server == "serve-obs" ? .obs : .v4,
            addressing: .path,
            credentials: Credentials(
                accessKeyID: s.peers.accessKey, secretAccessKey: SecretBytes(copying: Array(s.peers.secretKey.utf8))),
            transport: TransportOptions(), retries: 1)
        let client = try RemoteBackend(configuration: configuration, warn: { _ in })
        let bucket = try BucketName(b)
        let paged = try await client.listMultipartUploads(bucket: bucket, prefix: "p/", pageSize: 1)
        let whole = try await client.listMultipartUploads(bucket: bucket, prefix: "p/")
        #expect(Set(paged.map(\.uploadID)) == Set(ids) && paged.count == 4, "\(paged)")
        #expect(paged.map(\.uploadID) == whole.map(\.uploadID))
        try s.ok(sw, ["multipart", "abort", "obs://\(b)", "--all"])
    }
}

/// OBS takes parts from 100 KB; S3-compatible servers from 5 MiB. Their refusal says which option to raise.
@Suite("Remote: a part too small for the server", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemotePartTooSmallTests {
    @Test("SeaweedFS refuses 100 KB parts: exit 2, the message names --part-size and 5 MiB; no upload left")
    func partTooSmall() throws {
        let s = try RemoteSession("part-small")
        let sw = s.peers.seaweedFlags
        let bucket = try s.makeBucket(sw, tag: "small")
        try s.sb.write("f.bin", Data(repeating: 3, count: 350_000))
        let r = try s.run(
            sw, ["upload", "f.bin", "obs://\(bucket)/f", "--part-size", "100K", "--multipart-threshold", "100K"])
        expectError(r, 2, contains: ["--part-size", "5 MiB"])
        #expect(try Tools.multipartUploadsInProgress(s.peers, endpoint: s.peers.seaweed, bucket: bucket) == 0)
    }
}
