import Foundation
import Testing

/// A copy between objects that names no encryption keeps the source's: never a silent turn to plaintext.
@Suite("cp and mv between objects keep the source's encryption")
struct CopyKeepsEncryptionTests {
    static func sse(_ stat: [String: Any]) -> (mode: String?, key: String?) {
        let sse = stat["sse"] as? [String: Any]
        return (sse?["mode"] as? String, sse?["kms_key_id"] as? String)
    }

    /// Whether any file under `dir` holds `marker`.
    static func anyFileHolds(_ marker: Data, under dir: String) -> Bool {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return false }
        while let rel = e.nextObject() as? String {
            if let d = FileManager.default.contents(atPath: dir + "/" + rel), d.range(of: marker) != nil { return true }
        }
        return false
    }

    /// Uploads `k-kms` (a named key), `k-obs` and `k-c` (SSE-C with c.key), each holding `marker`; returns the KMS
    /// key's id as stat reports it.
    static func encryptedObjects(_ run: ([String]) throws -> RunResult, _ sb: Sandbox, bucket: String, marker: Data)
        throws -> String?
    {
        try sb.write("m.txt", marker + Data(repeating: 0x2E, count: 1000))
        try sb.write("c.key", Data((0..<32).map { UInt8($0) }), mode: 0o600)  // raw bytes, not text
        for (key, sse) in [
            ("k-kms", ["--sse", "kms"]), ("k-obs", ["--sse", "obs"]), ("k-c", ["--sse-c-key-file", "c.key"]),
        ] {
            let r = try run(["upload", "m.txt", "obs://\(bucket)/\(key)"] + sse)
            try #require(r.succeeded, "\(r)")
        }
        let stat = try run(["stat", "obs://\(bucket)/k-kms", "--output", "json"])
        return Self.sse(try parseJSONObject(stat.stdout)).key
    }

    /// cp and mv of each kind, into the same bucket and another, and the checks on what each became.
    static func copyEach(_ run: ([String]) throws -> RunResult, from a: String, to b: String, kmsKey: String?)
        throws
    {
        let source = ["--source-sse-c-key-file", "c.key"]
        for (key, mode) in [("k-kms", "kms"), ("k-obs", "obs"), ("k-c", "c")] {
            let extra = key == "k-c" ? source : []
            for (verb, target) in [
                ("cp", "obs://\(a)/\(key)-copy"), ("cp", "obs://\(b)/\(key)"), ("mv", "obs://\(b)/\(key)-moved"),
            ] {
                let from = verb == "mv" ? "obs://\(a)/\(key)-copy" : "obs://\(a)/\(key)"
                let r = try run([verb, from, target] + extra)
                #expect(r.succeeded, "\(verb) \(key): \(r)")
                // SSE-C stays under the same customer key: readable with it, refused without it.
                let stat = try run(
                    ["stat", target, "--output", "json"] + (key == "k-c" ? ["--sse-c-key-file", "c.key"] : []))
                #expect(stat.succeeded, "\(stat)")
                let got = Self.sse(try parseJSONObject(stat.stdout))
                #expect(got.mode == mode, "\(verb) \(key) -> \(target): \(got)")
                if mode == "kms" { #expect(got.key == kmsKey, "the same KMS key: \(got)") }
            }
        }
        let plainRead = try run(["cat", "obs://\(b)/k-c"])
        #expect(!plainRead.succeeded, "an SSE-C copy cannot be read without its key: \(plainRead)")
    }

    @Test("local backend: SSE-KMS, SSE-OBS and SSE-C copies and moves stay encrypted; no plaintext in the store")
    func local() throws {
        let sb = try Sandbox("copy-keeps-sse")
        try sb.ok(["bucket", "create", "obs://src"])
        try sb.ok(["bucket", "create", "obs://dst"])
        let marker = Data("COPY-KEEPS-SSE-MARKER-\(UUID().uuidString)".utf8)
        let run = { (args: [String]) in try sb.run(args) }
        let kmsKey = try Self.encryptedObjects(run, sb, bucket: "src", marker: marker)
        try Self.copyEach(run, from: "src", to: "dst", kmsKey: kmsKey)
        #expect(!Self.anyFileHolds(marker, under: sb.root), "a copy stored the marker in plaintext")

        // A copy onto itself that changes nothing is refused, and changes nothing; one that changes the content
        // type keeps the encryption.
        let before = try sb.json(["stat", "obs://src/k-kms"])
        let same = try sb.run(["cp", "obs://src/k-kms", "obs://src/k-kms"])
        expectError(same, 2, contains: ["onto itself changes nothing", "--sse"])
        #expect(try sb.json(["stat", "obs://src/k-kms"])["etag"] as? String == before["etag"] as? String)
        try sb.ok(["cp", "obs://src/k-obs", "obs://src/k-obs", "--content-type", "text/x-new"])
        let changed = try sb.json(["stat", "obs://src/k-obs"])
        #expect(Self.sse(changed).mode == "obs" && changed["content_type"] as? String == "text/x-new", "\(changed)")
        // Recursive, in place, nothing to change: refused too; naming --sse converts.
        expectError(try sb.run(["cp", "obs://dst/", "obs://dst/", "-r"]), 2, contains: ["changes nothing"])
        #expect(!Self.anyFileHolds(marker, under: sb.root))

        // A plain source still gets the target bucket's default, as an upload does.
        try sb.ok(["bucket", "create", "obs://dflt", "--sse", "obs"])
        try sb.write("plain.txt", Data("plain".utf8))
        try sb.ok(["upload", "plain.txt", "obs://src/plain"])
        try sb.ok(["cp", "obs://src/plain", "obs://dflt/plain"])
        #expect(Self.sse(try sb.json(["stat", "obs://dflt/plain"])).mode == "obs")
        try sb.ok(["cp", "obs://src/plain", "obs://dst/plain"])
        #expect(Self.sse(try sb.json(["stat", "obs://dst/plain"])).mode == "none")
    }

    @Test(
        "obsctl serve (both dialects): copies and moves keep SSE-KMS, SSE-OBS and SSE-C",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason), arguments: ["serve-s3", "serve-obs"])
    func remote(_ server: String) throws {
        let s = try RemoteSession("copy-keeps-sse")
        let flags = try s.peers.flags(server)
        let a = try s.makeBucket(flags, tag: "cka"), b = try s.makeBucket(flags, tag: "ckb")
        let run = { (args: [String]) in try s.run(flags, args) }
        let marker = Data("COPY-KEEPS-SSE-REMOTE-\(UUID().uuidString)".utf8)
        let kmsKey = try Self.encryptedObjects(run, s.sb, bucket: a, marker: marker)
        try Self.copyEach(run, from: a, to: b, kmsKey: kmsKey)
        expectError(try run(["cp", "obs://\(a)/k-obs", "obs://\(a)/k-obs"]), 2, contains: ["changes nothing"])
    }
}
