import Foundation
import Testing

extension FaultProxyProcess {
    /// A fault proxy of this test's own in front of moto (the shared one fronts SeaweedFS, which has no KMS):
    /// faults on SSE-KMS requests that a real KMS-capable server can answer with a transient 500.
    convenience init(moto peers: RemotePeers) throws {
        let upstream = URL(string: peers.moto)!
        try self.init(upstream: "\(upstream.host!):\(upstream.port!)")
    }

    var flags: [String] { ["--endpoint", endpoint, "--signature", "v4", "--addressing", "path"] }
}

@Suite(
    "Remote: review fixes of the hardening", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason),
    .serialized)
struct RemoteReviewFixesTests {
    /// A session, a fault proxy of its own in front of moto, the flags through it, and a new bucket there.
    static func motoBehindProxy(_ name: String, tag: String) throws
        -> (RemoteSession, FaultProxyProcess, [String], String)
    {
        let s = try RemoteSession(name)
        let proxy = try FaultProxyProcess(moto: s.peers)
        return (s, proxy, proxy.flags, try s.makeBucket(proxy.flags, tag: tag))
    }

    @Test("SSE-KMS on a server with a KMS: two 500s on a part, or one on a single PUT, are retried, not 'no KMS'")
    func kmsTransient500Retried() throws {
        let (s, proxy, flags, b) = try Self.motoBehindProxy("kms-500", tag: "kms500")
        let data = remoteRandomData(11 << 20)
        _ = try s.sb.write("big.bin", data)
        _ = try s.sb.write("a.txt", Data("hello".utf8))
        try proxy.control.set([
            "mode": "503", "status": 500, "code": "InternalError", "count": 2, "match": "partNumber=2",
        ])
        try s.ok(
            flags,
            [
                "upload", "big.bin", "obs://\(b)/big.bin", "--sse", "kms", "--multipart-threshold", "5M",
                "--part-size", "5M", "--retries", "4",
            ])
        #expect(try proxy.control.stats()["faults"] as? Int == 2)
        try proxy.control.set(["mode": "503", "status": 500, "code": "InternalError", "count": 1, "match": "PUT "])
        try s.ok(flags, ["upload", "a.txt", "obs://\(b)/a.txt", "--sse", "kms"])
        try s.ok(flags, ["download", "obs://\(b)/big.bin", "back.bin"])
        #expect(s.sb.read("back.bin") == data)
    }

    /// --expect-sse asks the bucket's default before the first write; a refusal is remembered, and the client's own
    /// check after each write does not ask again.
    @Test("a default encryption the caller may not read is asked once per run, however many files are written")
    func unreadableDefaultAskedOnce() throws {
        let (s, proxy, flags, b) = try Self.motoBehindProxy("default-once", tag: "defonce")
        for name in ["d/a.txt", "d/b.txt", "d/c.txt"] { _ = try s.sb.write(name, Data(name.utf8)) }
        try proxy.control.set([
            "mode": "503", "status": 403, "code": "AccessDenied", "count": -1, "match": "?encryption",
        ])
        try s.ok(flags, ["upload", "d", "obs://\(b)/d/", "--recursive", "--expect-sse", "none", "--jobs", "1"])
        #expect(try proxy.control.stats()["faults"] as? Int == 1)
        try proxy.control.set(["mode": "pass"])
        try s.ok(flags, ["stat", "obs://\(b)/d/c.txt"])
    }

    /// Naming obs/default is naming no key, remotely too: the server's default key, made on first use there; no
    /// KMS lookup (none can be made here: the endpoint names no region and no KMS endpoint is given).
    @Test("--kms-key-id obs/default against an endpoint sends no key id: the server's default key is used")
    func namedDefaultKeyRemotely() throws {
        let s = try RemoteSession("named-default")
        let flags = try s.peers.flags("serve-obs")
        let b = try s.makeBucket(flags, tag: "namedef")
        _ = try s.sb.write("a.txt", Data("hello".utf8))
        for ref in ["obs/default", "alias/obs/default"] {
            let r = try s.run(
                flags, ["upload", "a.txt", "obs://\(b)/a", "--sse", "kms", "--kms-key-id", ref, "--debug"])
            #expect(r.succeeded, "\(ref): \(r)")
            let sent = r.stderrLines.filter { $0.hasPrefix("> ") && $0.lowercased().contains("kms-key-id:") }
            #expect(sent.isEmpty, "\(ref): a key id was sent: \(r)")
        }
        let sse = try s.sb.json(flags + ["stat", "obs://\(b)/a"])["sse"] as? [String: Any]
        #expect(sse?["mode"] as? String == "kms", "\(String(describing: sse))")
    }

    @Test("bucket delete with a multipart upload in progress: its own message; --force aborts it and deletes")
    func deleteWithPendingUpload() throws {
        let s = try RemoteSession("del-pending")
        let f = s.peers.seaweedFlags
        let b = try s.makeBucket(f, tag: "delmp")
        _ = try s.sb.write("a.txt", Data("a\n".utf8))
        try s.ok(f, ["upload", "a.txt", "obs://\(b)/a.txt"])
        let started = try Tools.aws(
            s.peers, endpoint: s.peers.seaweed,
            ["s3api", "create-multipart-upload", "--bucket", b, "--key", "pending"])
        try #require(started.succeeded, "\(started)")
        try s.ok(f, ["rm", "obs://\(b)/a.txt"])
        let refused = try s.run(f, ["bucket", "delete", "obs://\(b)"])
        expectRemoteError(
            refused, 10, contains: ["multipart uploads in progress", "obsctl multipart abort obs://\(b) --all"])
        #expect(!refused.stderr.contains("not empty"), "\(refused)")

        try s.ok(f, ["upload", "a.txt", "obs://\(b)/a.txt"])
        let forced = try s.json(f, ["bucket", "delete", "obs://\(b)", "--force"])
        #expect(forced["objects_deleted"] as? Int == 1 && forced["uploads_aborted"] as? Int == 1, "\(forced)")
        let names = (try s.json(f, ["bucket", "list"])["buckets"] as? [[String: Any]] ?? []).compactMap {
            $0["name"] as? String
        }
        #expect(!names.contains(b))
    }

    @Test("--checksum none still records obsctl-crc32c; --metadata obsctl-crc32c=... is refused (exit 2)")
    func checksumRecordAlways() throws {
        let s = try RemoteSession("crc-none")
        let f = s.peers.seaweedFlags
        let b = try s.makeBucket(f, tag: "crcnone")
        _ = try s.sb.write("a.txt", Data("hello\n".utf8))
        for (key, extra) in [("single", [String]()), ("multi", ["--multipart-threshold", "5M"])] {
            if key == "multi" { _ = try s.sb.write("a.txt", remoteRandomData(6 << 20)) }
            try s.ok(f, ["upload", "a.txt", "obs://\(b)/\(key)", "--checksum", "none"] + extra)
            let head = try Tools.aws(
                s.peers, endpoint: s.peers.seaweed, ["s3api", "head-object", "--bucket", b, "--key", key])
            #expect(head.stdout.contains("obsctl-crc32c"), "\(key): \(head)")
        }
        let r = try s.run(f, ["upload", "a.txt", "obs://\(b)/forged", "--metadata", "obsctl-crc32c=AAAAAA=="])
        expectRemoteError(r, 2, contains: ["reserved"])
        #expect(try s.keys(f, "obs://\(b)/").sorted() == ["multi", "single"])
    }

    @Test("a single CopyObject is pinned to the source it read the checksum of (copy-source-if-match)")
    func copyPinnedToSource() throws {
        let s = try RemoteSession("copy-pin")
        let f = s.peers.seaweedFlags
        let b = try s.makeBucket(f, tag: "copypin")
        _ = try s.sb.write("a.txt", Data("hello\n".utf8))
        try s.ok(f, ["upload", "a.txt", "obs://\(b)/src"])
        let r = try s.run(f, ["cp", "obs://\(b)/src", "obs://\(b)/dst", "--content-type", "text/x-a", "--debug"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.lowercased().contains("copy-source-if-match"), "\(r)")
    }

    @Test("a stale obsctl-crc32c (object rewritten by another tool keeping metadata): the ETag's MD5 decides, warning")
    func staleRecordWithMatchingETag() throws {
        let s = try RemoteSession("crc-stale")
        let f = s.peers.seaweedFlags
        let b = try s.makeBucket(f, tag: "crcstale")
        let path = try s.sb.write("a.txt", Data("rewritten in place\n".utf8))
        let put = try Tools.aws(
            s.peers, endpoint: s.peers.seaweed,
            [
                "s3api", "put-object", "--bucket", b, "--key", "k",
                "--body", path, "--metadata", "obsctl-crc32c=AAAAAA==",
            ])
        try #require(put.succeeded, "\(put)")
        let r = try s.run(f, ["download", "obs://\(b)/k", "back.txt"])
        #expect(r.status == 0 && r.stderr.contains("stale"), "\(r)")
        #expect(s.sb.read("back.txt") == Data("rewritten in place\n".utf8))
        let c = try s.run(f, ["cat", "obs://\(b)/k"])
        #expect(c.status == 0 && c.stderr.contains("stale") && c.stdout == Data("rewritten in place\n".utf8), "\(c)")
    }
}

@Suite("Remote: SSE-C hints", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteCustomerKeyHintTests {
    @Test(
        """
        a copy of an SSE-C source without its key names --source-sse-c-key-*; a key for a plain object says the \
        object is plain (exit 7), dry or not
        """,
        arguments: ["serve-s3", "serve-obs"])
    func hints(_ server: String) throws {
        let s = try RemoteSession("ssec-hint")
        let flags = try s.peers.flags(server)
        let b = try s.makeBucket(flags, tag: "ssch")
        try s.sb.write("k", Data(repeating: 9, count: 32), mode: 0o600)
        try s.sb.write("a.txt", Data("hello".utf8))
        try s.ok(flags, ["upload", "a.txt", "obs://\(b)/c", "--sse-c-key-file", "k"])
        try s.ok(flags, ["upload", "a.txt", "obs://\(b)/plain"])
        for dry in [[], ["--dry-run"]] {
            for destinationKey in [[], ["--sse-c-key-file", "k"]] {
                let copy = try s.run(flags, ["cp", "obs://\(b)/c", "obs://\(b)/c2"] + destinationKey + dry)
                expectRemoteError(copy, 7, contains: ["--source-sse-c-key-file"])
            }
            let plain = try s.run(flags, ["cp", "obs://\(b)/plain", "out", "--sse-c-key-file", "k"] + dry)
            expectRemoteError(plain, 7, contains: ["not SSE-C encrypted"])
        }
        expectRemoteError(try s.run(flags, ["stat", "obs://\(b)/c2"]), 3)
        #expect(!FileManager.default.fileExists(atPath: s.sb.path("out")))
    }
}
