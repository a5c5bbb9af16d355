import Foundation
import Testing

/// SSE-KMS and SSE-C travel over HTTPS only (or plain HTTP to a loopback address). A command writing many objects
/// is refused once (exit 2, one error line) before anything is sent, not once per object with exit 8; `bucket
/// encryption apply` likewise, in its dry run too (which planned the conversion). 192.0.2.1 is TEST-NET-1: never
/// loopback, and never reached, as nothing is sent.
@Suite("SSE over plain HTTP to another machine: refused once, before anything is sent")
struct InsecureTransportOnceTests {
    static let endpoint = ["--endpoint", "http://192.0.2.1:9", "--retries", "0", "--timeout", "2"]

    @Test func recursiveWritesAndApplyAreRefusedOnce() throws {
        let sb = try Sandbox.withExampleCredentials("insecure-once")
        for name in ["a", "b", "c"] { try sb.write("tree/\(name)", Data(name.utf8)) }
        try sb.write("key.bin", Data(repeating: 7, count: 32), mode: 0o600)
        for command in [
            ["upload", "tree", "obs://bkt1/", "-r", "--sse", "kms"],
            ["upload", "tree", "obs://bkt1/", "-r", "--sse-c-key-file", "key.bin"],
            ["cp", "tree", "obs://bkt1/", "-r", "--sse", "kms"],
            ["cp", "tree", "obs://bkt1/", "-r", "--sse", "kms", "--dry-run"],
            ["mv", "tree/a", "obs://bkt1/a", "--sse-c-key-file", "key.bin", "--dry-run"],
            ["bucket", "encryption", "apply", "obs://bkt1", "--sse", "kms"],
            ["bucket", "encryption", "apply", "obs://bkt1", "--sse", "kms", "--dry-run"],
            ["bucket", "encryption", "apply", "obs://bkt1", "--sse-c-key-file", "key.bin"],
        ] {
            expectError(try sb.run(command + Self.endpoint), 2, contains: ["only over https", "192.0.2.1"])
        }
    }

    /// To a loopback address it is allowed, with an advisory: one line for the run, not one per object.
    @Test(.enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
    func theLoopbackAdvisoryIsSaidOnce() throws {
        let s = try RemoteSession("insecure-advice")
        let flags = try s.peers.flags("serve-s3")
        let b = try s.makeBucket(flags, tag: "advice")
        for name in ["a", "b", "c", "d"] { try s.sb.write("tree/\(name)", Data(name.utf8)) }
        let r = try s.ok(flags, ["upload", "tree", "obs://\(b)/", "-r", "--sse", "kms"])
        let advisories = r.stderrLines.filter { $0.contains("allowed for local testing only") }
        #expect(advisories.count == 1, "\(r)")
    }
}
