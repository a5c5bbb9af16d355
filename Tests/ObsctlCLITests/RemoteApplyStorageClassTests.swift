import Foundation
import Testing

/// Storage classes on remote endpoints. `bucket encryption apply` copies each object onto itself; a copy that names
/// no storage class lands in the standard one, so apply states the class the HEAD read: an infrequent-access object
/// stays one (single and multipart copy), a standard one stays standard. OBS's Deep Archive class is a bucket's
/// default like the others.
@Suite("Remote: storage classes kept and made", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteApplyStorageClassTests {
    @Test("moto: STANDARD_IA objects (1 KiB, 6 MiB) keep their class through apply; a standard one stays standard")
    func applyKeepsStorageClass() throws {
        let s = try RemoteSession("apply-class")
        let m = s.peers.motoFlags
        let b = try s.makeBucket(m, tag: "cls")
        try s.sb.write("small", remoteRandomData(1024))
        try s.sb.write("big", remoteRandomData(6 << 20))
        for (key, extra) in [
            ("small", ["--storage-class", "STANDARD_IA"]), ("big", ["--storage-class", "STANDARD_IA"]),
            ("plain", []),
        ] {
            let file = s.sb.path(key == "plain" ? "small" : key)
            let put = try Tools.aws(s.peers, endpoint: s.peers.moto, ["s3", "cp", file, "s3://\(b)/\(key)"] + extra)
            try #require(put.succeeded, "\(put)")
        }
        let applied = try s.json(
            m,
            [
                "bucket", "encryption", "apply", "obs://\(b)", "--sse", "obs", "--multipart-threshold", "5M",
                "--part-size", "5M",
            ])
        #expect(tally(applied, "converted")?.0 == 3, "\(applied)")
        for (key, expected) in [("small", "STANDARD_IA"), ("big", "STANDARD_IA"), ("plain", nil)] {
            let head = try Tools.aws(
                s.peers, endpoint: s.peers.moto, ["s3api", "head-object", "--bucket", b, "--key", key])
            let doc = try #require(
                (try? JSONSerialization.jsonObject(with: Data(head.stdout.utf8))) as? [String: Any], "\(head)")
            #expect(doc["ServerSideEncryption"] as? String == "AES256", "\(key): \(doc)")
            #expect(doc["StorageClass"] as? String == expected, "\(key): \(doc)")
        }
    }

    @Test("serve, OBS dialect: a deep-archive bucket is created, listed as one, and its new objects are DEEP_ARCHIVE")
    func deepArchiveBucket() throws {
        let s = try RemoteSession("deep-archive")
        let flags = try s.peers.flags("serve-obs")
        let name = RemoteSession.uniqueName("deep")
        let created = try s.json(flags, ["bucket", "create", "obs://\(name)", "--storage-class", "deep-archive"])
        s.adopt(name, flags)
        #expect(created["storage_class"] as? String == "deep-archive", "\(created)")
        let buckets = try #require(try s.json(flags, ["bucket", "list"])["buckets"] as? [[String: Any]])
        let listed = try #require(buckets.first { $0["name"] as? String == name }, "\(buckets)")
        #expect(listed["storage_class"] as? String == "deep-archive", "\(listed)")
        try s.sb.write("small", remoteRandomData(100))
        try s.ok(flags, ["upload", "small", "obs://\(name)/k"])
        let head = try Tools.aws(
            s.peers, endpoint: try s.peers.url("serve-s3"), ["s3api", "head-object", "--bucket", name, "--key", "k"])
        let doc = try #require(
            (try? JSONSerialization.jsonObject(with: Data(head.stdout.utf8))) as? [String: Any], "\(head)")
        #expect(doc["StorageClass"] as? String == "DEEP_ARCHIVE", "\(doc)")
    }
}
