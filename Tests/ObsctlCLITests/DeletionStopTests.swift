import Foundation
import Testing

/// `rm -r` deletes in batches, `--jobs` at once. A batch refused for a reason every other batch would repeat (the
/// credentials revoked mid-run, the bucket gone) starts no new one, as a transfer run does: the keys of the batches
/// never started are failures "not started: ...", and the refusal is the exit code whatever was deleted before.
@Suite("rm -r and sync --delete stop starting batches after a refusal every batch would repeat")
struct DeletionStopTests {
    /// 2,500 objects under `t/` of a new SeaweedFS bucket, and a fault proxy in front of it that lets the first batch
    /// delete through and refuses every one after it as a revoked access key would be (InvalidAccessKeyId).
    private func revokedAfterFirstBatch(_ tag: String) throws -> (RemoteSession, FaultProxyProcess, [String], String) {
        let s = try RemoteSession(tag)
        let bucket = try s.makeBucket(s.peers.seaweedFlags, tag: tag)
        for i in 0..<2_500 { try s.sb.write("src/k\(String(format: "%04d", i))", Data("\(i)".utf8)) }
        try s.ok(s.peers.seaweedFlags, ["upload", s.sb.path("src"), "obs://\(bucket)/t/", "-r", "-q"])
        let upstream = try #require(URL(string: s.peers.seaweed))
        let proxy = try FaultProxyProcess(upstream: "\(upstream.host!):\(upstream.port!)")
        let refused: [String: Any] = [
            "mode": "503", "status": 403, "code": "InvalidAccessKeyId", "count": -1, "match": "?delete",
        ]
        try proxy.control.set(
            ["mode": "delay-response", "seconds": 0, "count": 1, "match": "?delete", "then": refused])
        return (s, proxy, ["--endpoint", proxy.endpoint, "--signature", "v4", "--addressing", "path"], bucket)
    }

    @Test(
        "credentials refused at the second of three batches: the third never starts; exit 4, not 8",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
    func revokedMidRun() throws {
        let (s, proxy, flags, bucket) = try revokedAfterFirstBatch("rmstop")
        // --jobs 1: batches of 1,000, 1,000 and 500 keys, one at a time.
        let r = try s.run(flags, ["rm", "obs://\(bucket)/t/", "-r", "--jobs", "1", "--output", "json"])
        #expect(r.status == 4, "the refusal that stopped the run is its exit code: \(r.status) \(r.stderr.prefix(400))")
        #expect(try proxy.control.faults("503") == 1, "a batch started after the refusal")
        #expect(r.stderr.contains("500 more not started"), "\(r.stderr.prefix(400))")
        let doc = try parseJSONObject(r.stdout)
        #expect((doc["deleted"] as? [Any])?.count == 1_000)
        let failures = try #require(doc["failures"] as? [[String: Any]])
        #expect(failures.count == 1_500)
        // In input order: the refused batch's 1,000 keys, then the 500 never started.
        let messages = failures.map { $0["message"] as? String ?? "" }
        #expect(messages.prefix(1_000).allSatisfy { !$0.hasPrefix("not started: ") }, "\(failures.first ?? [:])")
        #expect(messages.suffix(500).allSatisfy { $0.hasPrefix("not started: ") }, "\(failures.last ?? [:])")
        // One error line a refused key; those never started have the note, not a line each.
        let errorLines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("obsctl: error:") }
        #expect(errorLines.count == 1_000, "\(errorLines.count) error lines")
    }

    @Test(
        "sync --delete: the same refusal stops its deletions and is its exit code, though a file was uploaded",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
    func syncDeletions() throws {
        let (s, proxy, flags, bucket) = try revokedAfterFirstBatch("syncstop")
        try s.sb.write("here/new", Data("new".utf8))  // the one file of the source: every object is extra
        let r = try s.run(flags, ["sync", s.sb.path("here"), "obs://\(bucket)/t/", "--delete", "--jobs", "1"])
        #expect(r.status == 4, "\(r.status) \(r.stderr.suffix(400))")
        #expect(try proxy.control.faults("503") == 1, "a batch started after the refusal")
        #expect(r.stderr.contains("500 more not started"), "\(r.stderr.suffix(400))")
        #expect(r.out.contains("upload: "), "the new file was not uploaded: \(r.out.prefix(300))")
    }
}
