import Foundation
import Testing

/// Issue 9 item 12 against SeaweedFS: a header-bound value with a line break is refused (exit 2) and no request
/// is sent (nothing in the --debug dump, no object on the server).
@Suite("Remote: header injection refused (SeaweedFS)", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteHardeningObjectsTests {
    @Test(
        "--content-type / --metadata / --kms-key-id with CR LF: exit 2, no request, no object",
        arguments: [
            ["--content-type", "text/plain\r\nX-Evil: 1"], ["--metadata", "a=1\r\nX-Evil: 1"],
            ["--metadata", "a\r\nx-evil=1"], ["--sse", "kms", "--kms-key-id", "k\r\nX-Evil: 1"],
        ])
    func refused(_ option: [String]) throws {
        let s = try RemoteSession("sw-hdr")
        let sw = s.peers.seaweedFlags
        let bucket = try s.makeBucket(sw, tag: "hdr")
        try s.sb.write("f.txt", Data("hello".utf8))
        for command in [["upload", "f.txt", "obs://\(bucket)/k"], ["cp", "f.txt", "obs://\(bucket)/k"]] {
            let r = try s.run(sw, command + option + ["--debug"])
            #expect(r.status == 2, "\(r)")
            #expect(!r.stderr.contains("PUT "), "a request was sent: \(r)")
            // The refused value may be quoted (escaped) in the error line, never as a line of its own (a header).
            #expect(!r.stderrLines.contains { $0.lowercased().hasPrefix("x-evil") } && !r.stderr.contains("\r"), "\(r)")
            #expect(r.stderrLines.filter { $0.hasPrefix("obsctl: error:") }.count == 1, "\(r)")
        }
        #expect(try s.keys(sw, "obs://\(bucket)/").isEmpty)
    }
}
