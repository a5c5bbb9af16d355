import Foundation
import Testing

/// The standard headers an object is stored with (Content-Encoding, Cache-Control, Content-Disposition): set by
/// upload and cp, and kept by every remote copy: one CopyObject, a copy in parts (where the client sends them on
/// Initiate), and a copy with new metadata (REPLACE, where the client sends them itself), as `aws s3 cp` keeps them.
@Suite(
    "Remote: Content-Encoding, Cache-Control and the like set, and kept by copies",
    .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct CopyKeepsHeadersRemoteTests {
    @Test("upload and cp set them, whole and in parts; stat reads them back", arguments: RemotePeers.commandServers)
    func headersSet(_ server: String) throws {
        let s = try RemoteSession("set-headers")
        let flags = try s.peers.flags(server)
        let b = try s.makeBucket(flags, tag: "sethd")
        try s.sb.write("data.bin", remoteRandomData(6 << 20))
        let parts = ["--multipart-threshold", "5M", "--part-size", "5M"]
        try s.ok(flags, ["upload", "data.bin", "obs://\(b)/whole"] + ObjectAttributeTests.given)
        try s.ok(flags, ["upload", "data.bin", "obs://\(b)/parts"] + ObjectAttributeTests.given + parts)
        try s.ok(flags, ["upload", "data.bin", "obs://\(b)/plain"])
        try s.ok(flags, ["cp", "obs://\(b)/plain", "obs://\(b)/copied"] + ObjectAttributeTests.given + parts)
        for key in ["whole", "parts", "copied"] {
            let doc = try s.json(flags, ["stat", "obs://\(b)/\(key)"])
            #expect(doc["headers"] as? [String: String] == ObjectAttributeTests.stored, "\(server) \(key): \(doc)")
        }
    }

    @Test("cp and mv between objects, whole, in parts and with --metadata", arguments: RemotePeers.commandServers)
    func headersKept(_ server: String) throws {
        let s = try RemoteSession("copy-headers")
        let flags = try s.peers.flags(server)
        let endpoint = try s.peers.url(server)
        let b = try s.makeBucket(flags, tag: "hdrs")
        try s.sb.write("data.gz", remoteRandomData(6 << 20))
        let put = try Tools.aws(
            s.peers, endpoint: endpoint,
            [
                "s3api", "put-object", "--bucket", b, "--key", "src", "--body", s.sb.path("data.gz"),
                "--content-encoding", "gzip", "--cache-control", "max-age=60",
                "--content-disposition", "attachment; filename=\"d.gz\"",
            ])
        try #require(put.succeeded, "\(put)")
        let parts = ["--multipart-threshold", "5M", "--part-size", "5M"]
        let copies: [(key: String, extra: [String])] = [
            ("whole", []), ("parts", parts), ("meta", ["--metadata", "k=v"]),
            ("meta-parts", ["--metadata", "k=v"] + parts),
        ]
        for (key, extra) in copies {
            try s.ok(flags, ["cp", "obs://\(b)/src", "obs://\(b)/\(key)"] + extra)
        }
        try s.ok(flags, ["cp", "obs://\(b)/src", "obs://\(b)/to-move"])
        try s.ok(flags, ["mv", "obs://\(b)/to-move", "obs://\(b)/moved", "--metadata", "k=v"] + parts)
        for key in copies.map(\.key) + ["moved"] {
            let head = try Tools.aws(
                s.peers, endpoint: endpoint, ["s3api", "head-object", "--bucket", b, "--key", key])
            try #require(head.succeeded, "\(head)")
            let info = try #require(
                (try? JSONSerialization.jsonObject(with: Data(head.stdout.utf8))) as? [String: Any], "\(head)")
            #expect(info["ContentEncoding"] as? String == "gzip", "\(server) \(key): \(info)")
            #expect(info["CacheControl"] as? String == "max-age=60", "\(server) \(key): \(info)")
            #expect(info["ContentDisposition"] as? String == "attachment; filename=\"d.gz\"", "\(server) \(key)")
        }
    }
}
