import Foundation
import Testing

/// `rm -r` deletes in batches, `--jobs` at once. A batch refused for a reason every other batch would repeat (the
/// credentials revoked mid-run, the bucket gone) starts no new one, as a transfer run does: the keys of the batches
/// never started are failures "not started: ...", and the refusal is the exit code whatever was deleted before.
@Suite("rm -r stops starting batches after a refusal every batch would repeat")
struct DeletionStopTests {
    @Test(
        "credentials refused at the second of three batches: the third never starts; exit 4, not 8",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
    func revokedMidRun() throws {
        let s = try RemoteSession("rm-stop")
        let bucket = try s.makeBucket(s.peers.seaweedFlags, tag: "rmstop")
        for i in 0..<2_500 { try s.sb.write("src/k\(String(format: "%04d", i))", Data("\(i)".utf8)) }
        try s.ok(s.peers.seaweedFlags, ["upload", s.sb.path("src"), "obs://\(bucket)/t/", "-r", "-q"])
        let upstream = try #require(URL(string: s.peers.seaweed))
        let proxy = try FaultProxyProcess(upstream: "\(upstream.host!):\(upstream.port!)")
        let flags = ["--endpoint", proxy.endpoint, "--signature", "v4", "--addressing", "path"]
        // The first batch delete passes (held 0 s); every one after it is refused as a revoked key would be.
        let refused: [String: Any] = [
            "mode": "503", "status": 403, "code": "InvalidAccessKeyId", "count": -1, "match": "?delete",
        ]
        try proxy.control.set(
            ["mode": "delay-response", "seconds": 0, "count": 1, "match": "?delete", "then": refused])
        // --jobs 1: batches of 1,000, 1,000 and 500 keys, one at a time.
        let r = try s.run(flags, ["rm", "obs://\(bucket)/t/", "-r", "--jobs", "1", "--output", "json"])
        #expect(r.status == 4, "the refusal that stopped the run is its exit code: \(r.status) \(r.stderr.prefix(400))")
        #expect(try proxy.control.faults("503") == 1, "a batch started after the refusal")
        #expect(r.stderr.contains("500 more not started"), "\(r.stderr.prefix(400))")
        let doc = try parseJSONObject(r.stdout)
        #expect((doc["deleted"] as? [Any])?.count == 1_000)
        let failures = try #require(doc["failures"] as? [[String: Any]])
        #expect(failures.count == 1_500)
        let notStarted = failures.filter { ($0["message"] as? String)?.hasPrefix("not started: ") ?? false }
        #expect(notStarted.count == 500, "\(failures.last ?? [:])")
    }
}
