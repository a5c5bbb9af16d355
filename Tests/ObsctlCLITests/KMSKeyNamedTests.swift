import Foundation
import Testing

/// An SSE-KMS object's metadata names the KMS key its data key is wrapped under, and the wrapped key names it too,
/// in clear. The metadata's MAC needs the data key, which only a download unwraps, so `stat`, `report` and `apply`
/// trusted an edited key id: the object was shown, reported and left alone as under the key a user would keep,
/// while its data needed the key they would then delete. Every reader now finds the two disagree (exit 13).
@Suite("an SSE-KMS object whose metadata names another key than its data key's is damaged, to every reader")
struct KMSKeyNamedTests {
    @Test func editedKeyIDIsFoundWithoutADownload() throws {
        let sb = try Sandbox("kms-key-named")
        try sb.ok(["kms", "key", "create", "--alias", "old"])
        let new = try #require(try sb.json(["kms", "key", "create", "--alias", "new"])["key_id"] as? String)
        try sb.ok(["bucket", "create", "obs://kbkt"])
        try sb.write("f.txt", Data("hi".utf8))
        try sb.ok(["upload", "f.txt", "obs://kbkt/edited", "--sse", "kms", "--kms-key-id", "old"])
        try sb.ok(["upload", "f.txt", "obs://kbkt/intact", "--sse", "kms", "--kms-key-id", "new"])
        var edited = 0
        for dir in sb.objectDirectories(bucket: "kbkt") {
            let path = dir + "/meta.json"
            var meta = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            guard meta["key"] as? String == "edited", var sse = meta["sse"] as? [String: Any] else { continue }
            sse["kms_key_id"] = new
            meta["sse"] = sse
            try JSONSerialization.data(withJSONObject: meta).write(to: URL(fileURLWithPath: path))
            edited += 1
        }
        try #require(edited == 1)

        expectError(try sb.run(["stat", "obs://kbkt/edited"]), 13, contains: ["wrapped under"])
        let report = try sb.run([
            "bucket", "encryption", "report", "obs://kbkt", "--require", "kms", "--kms-key-id", "new",
        ])
        #expect(report.status == 8 && report.stderr.contains("obs://kbkt/edited"), "\(report)")
        let apply = try sb.run(["bucket", "encryption", "apply", "obs://kbkt", "--sse", "kms", "--kms-key-id", "new"])
        #expect(apply.status == 8 && apply.stderr.contains("wrapped under"), "\(apply)")
        let ls = try sb.run(["ls", "obs://kbkt/"])
        #expect(ls.status == 13 && ls.out.contains("intact") && ls.stderr.contains("obs://kbkt/edited"), "\(ls)")
        #expect(try sb.run(["download", "obs://kbkt/edited", "-"]).status == 13)
        #expect(try sb.ok(["download", "obs://kbkt/intact", "-"]).out == "hi")
    }
}
