import Foundation
import Testing

/// SSE-KMS protocol shapes against moto (SigV4 checked; moto stores plaintext and ignores key state, so these
/// prove the requests and responses, not the encryption). moto is plain HTTP on loopback: every SSE-KMS request
/// is allowed with a warning.
/// The same against `obsctl serve` in both dialects, which really encrypts and checks key states.
@Suite("Remote: moto and serve, SSE-KMS", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteMotoTests {
    static let servers = ["moto", "serve-s3", "serve-obs"]

    @Test(
        "upload --sse kms without and with --kms-key-id: stat shows SSE-KMS and the key; download byte-exact",
        arguments: servers)
    func kmsUploads(_ server: String) throws {
        let s = try RemoteSession("moto-kms")
        let m = try s.peers.flags(server)
        let keyID = try Tools.createKMSKey(s.peers, server: server)
        let b = try s.makeBucket(m, tag: "kms")
        let data = remoteRandomData(70_000)
        try s.sb.write("f.bin", data)

        let plain = try s.ok(m, ["upload", "f.bin", "obs://\(b)/no-key-id", "--sse", "kms"])
        #expect(plain.out.contains("SSE-KMS"), "\(plain)")
        #expect(
            plain.stderrLines.contains {
                $0.hasPrefix("obsctl: warning:") && $0.contains("HTTP") && $0.contains("loopback")
            },
            "SSE-KMS over loopback http should warn: \(plain)")
        let withKey = try s.json(
            m, ["upload", "f.bin", "obs://\(b)/with-key-id", "--sse", "kms", "--kms-key-id", keyID])
        let rec = (withKey["transfers"] as? [[String: Any]])?.first?["object"] as? [String: Any] ?? [:]
        #expect(sseField(rec, "mode") as? String == "kms", "\(withKey)")
        #expect(sseField(rec, "kms_key_id") as? String == keyID, "\(withKey)")

        let st1 = try s.stat(m, "obs://\(b)/no-key-id")
        #expect(sseField(st1, "mode") as? String == "kms", "\(st1)")
        let st2 = try s.stat(m, "obs://\(b)/with-key-id")
        #expect(sseField(st2, "mode") as? String == "kms", "\(st2)")
        #expect(sseField(st2, "kms_key_id") as? String == keyID, "\(st2)")
        let text = fields(try s.ok(m, ["stat", "obs://\(b)/with-key-id"]).out)
        #expect(text["encryption"] == "SSE-KMS" && text["kms-key-id"] == keyID, "\(text)")

        for k in ["no-key-id", "with-key-id"] {
            #expect(try s.ok(m, ["download", "obs://\(b)/\(k)", "-"]).stdout == data, "\(k) differs")
        }
        // An SSE-KMS upload from stdin goes the same way.
        try s.ok(m, ["upload", "-", "obs://\(b)/stdin", "--sse", "kms", "--kms-key-id", keyID], stdin: data)
        #expect(sseField(try s.stat(m, "obs://\(b)/stdin"), "kms_key_id") as? String == keyID)
    }

    @Test(
        """
        bucket create --sse kms sets default encryption; uploads without flags get SSE-KMS; disabled, they are \
        unencrypted
        """,
        arguments: servers)
    func bucketDefaultEncryption(_ server: String) throws {
        let s = try RemoteSession("moto-default")
        let m = try s.peers.flags(server)
        let keyID = try Tools.createKMSKey(s.peers, server: server)
        let data = Data("default encryption\n".utf8)
        try s.sb.write("f.txt", data)

        // Default SSE-KMS with a key.
        let b = try s.makeBucket(m, tag: "dflt", extra: ["--sse", "kms", "--kms-key-id", keyID])
        let show = try s.json(m, ["bucket", "encryption", "show", "obs://\(b)"])
        let e = show["encryption"] as? [String: Any] ?? [:]
        #expect(e["mode"] as? String == "kms" && e["kms_key_id"] as? String == keyID, "\(show)")

        let up = try s.ok(m, ["upload", "f.txt", "obs://\(b)/by-default.txt"])
        #expect(up.out.contains("SSE-KMS") && up.out.contains("bucket default"), "\(up)")
        let st = try s.stat(m, "obs://\(b)/by-default.txt")
        #expect(sseField(st, "mode") as? String == "kms", "\(st)")
        #expect(sseField(st, "kms_key_id") as? String == keyID, "\(st)")
        #expect(fields(try s.ok(m, ["stat", "obs://\(b)/by-default.txt"]).out)["encryption"] == "SSE-KMS")

        // Disabled: the next upload is not encrypted; the earlier object keeps its encryption.
        let off = try s.ok(m, ["bucket", "encryption", "disable", "obs://\(b)"])
        #expect(off.out.contains("default encryption none"), "\(off)")
        #expect(try s.ok(m, ["bucket", "encryption", "show", "obs://\(b)"]).out.contains("default encryption none"))
        try s.ok(m, ["upload", "f.txt", "obs://\(b)/after-disable.txt"])
        let st2 = try s.stat(m, "obs://\(b)/after-disable.txt")
        #expect(sseField(st2, "mode") as? String == "none", "\(st2)")
        #expect(sseField(try s.stat(m, "obs://\(b)/by-default.txt"), "mode") as? String == "kms")

        // Default SSE-KMS without a key id.
        let b2 = try s.makeBucket(m, tag: "dflt2", extra: ["--sse", "kms"])
        let show2 = try s.json(m, ["bucket", "encryption", "show", "obs://\(b2)"])
        #expect((show2["encryption"] as? [String: Any])?["mode"] as? String == "kms", "\(show2)")
        try s.ok(m, ["upload", "f.txt", "obs://\(b2)/x.txt"])
        #expect(sseField(try s.stat(m, "obs://\(b2)/x.txt"), "mode") as? String == "kms")

        // moto and serve refuse to delete a bucket that still holds objects: exit 10 (conflict).
        expectRemoteError(try s.run(m, ["bucket", "delete", "obs://\(b2)"]), 10)
    }

    @Test(
        """
        multipart upload and multipart copy with SSE-KMS (11 MiB, 5 MiB parts, parallel): stat shows SSE-KMS and the \
        key; byte-exact
        """,
        arguments: servers)
    func multipartKMS(_ server: String) throws {
        let s = try RemoteSession("moto-mpu")
        let m = try s.peers.flags(server)
        let keyID = try Tools.createKMSKey(s.peers, server: server)
        let b = try s.makeBucket(m, tag: "mpu")
        let data = remoteRandomData(11 << 20)
        try s.sb.write("big.bin", data)

        let up = try s.run(
            m,
            [
                "upload", "big.bin", "obs://\(b)/big.bin", "--sse", "kms", "--kms-key-id", keyID,
                "--multipart-threshold", "5M", "--part-size", "5M", "--parallel", "3",
            ])
        #expect(up.succeeded, "multipart SSE-KMS upload failed: \(up)")
        let st = try s.stat(m, "obs://\(b)/big.bin")
        #expect(st["size"] as? Int == data.count, "\(st)")
        #expect((st["etag"] as? String)?.hasSuffix("-3") == true, "expected 3 parts: \(st)")
        #expect(sseField(st, "mode") as? String == "kms", "\(st)")
        #expect(sseField(st, "kms_key_id") as? String == keyID, "\(st)")
        #expect(
            try s.ok(m, ["download", "obs://\(b)/big.bin", "-"]).stdout == data, "multipart SSE-KMS object differs")

        // A multipart server-side copy to a new key with SSE-KMS on Initiate: the post-write check sees SSE-KMS.
        let cp = try s.ok(
            m,
            [
                "cp", "obs://\(b)/big.bin", "obs://\(b)/copy.bin", "--sse", "kms", "--kms-key-id", keyID,
                "--multipart-threshold", "5M", "--part-size", "5M", "--debug",
            ])
        #expect(
            cp.stderrLines.filter {
                $0.lowercased().hasPrefix(
                    server == "serve-obs" ? "> x-obs-copy-source-range: " : "> x-amz-copy-source-range: ")
            }.count == 3,
            "expected 3 part copies: \(cp)")
        let copied = try s.stat(m, "obs://\(b)/copy.bin")
        #expect(
            sseField(copied, "mode") as? String == "kms" && sseField(copied, "kms_key_id") as? String == keyID,
            "\(copied)")
        #expect(try s.ok(m, ["download", "obs://\(b)/copy.bin", "out.bin", "--part-size", "4M"]).succeeded)
        #expect(s.sb.read("out.bin") == data, "multipart SSE-KMS copy differs")
    }
}
