import Foundation
import Testing

@Suite("remote batch deletes")
struct RemoteBatchDeleteKeysTests {
    /// A control character cannot be written in an XML 1.0 body, not even as a character reference: such a key in a
    /// batch made the server refuse the whole batch (every key failing, exit 2).
    @Test(
        "a key with a control character goes by a DELETE of its own; the rest of the batch is deleted",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason), arguments: ["serve-s3", "serve-obs"])
    func controlCharacterKey(_ server: String) throws {
        let s = try RemoteSession("batch-ctl")
        let flags = try s.peers.flags(server)
        let b = try s.makeBucket(flags, tag: "bctl")
        try s.sb.write("f", Data("d".utf8))
        let keys = ["a\u{01}b", "ok", "sub/x\u{1F}", "tab\tkey"]
        for key in keys { try s.ok(flags, ["upload", "f", "obs://\(b)/\(key)"]) }
        let listed = { () throws -> [String] in
            let j = try s.json(flags, ["ls", "obs://\(b)", "-r"])
            return (j["objects"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        }
        #expect(try listed().count == keys.count)
        let r = try s.run(flags, ["rm", "obs://\(b)/", "-r", "--output", "json"])
        #expect(r.succeeded, "\(r)")
        let deleted = try parseJSONObject(r.stdout)["deleted"] as? [String]
        #expect(Set(deleted ?? []) == Set(keys.map { "obs://\(b)/\($0)" }), "\(r)")
        #expect(try listed().isEmpty)
    }
}
