import Foundation
import Testing

/// `bucket encryption report` and `apply` against the real peers: moto for the SSE-OBS and SSE-KMS shapes (it
/// stores plaintext but reports the headers, keys included), SeaweedFS for SSE-C (it really enforces the key).
@Suite("Remote: bucket encryption report/apply", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteEncryptionTests {
    func report(_ s: RemoteSession, _ flags: [String], _ b: String, _ extra: [String]) throws -> (
        RunResult, [String: Any]?
    ) {
        let r = try s.run(flags, ["bucket", "encryption", "report", "obs://\(b)", "--output", "json"] + extra)
        return (r, try? JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
    }

    @Test("moto: plain, SSE-OBS, SSE-KMS under two keys and a 6 MiB object; report, apply (multipart copy), again")
    func motoKMS() throws {
        let s = try RemoteSession("enc-moto")
        let m = s.peers.motoFlags
        let keyA = try Tools.createMotoKMSKey(s.peers), keyB = try Tools.createMotoKMSKey(s.peers)
        let b = try s.makeBucket(m, tag: "enc")
        let options: [String: [String]] = [
            "plain": [], "big": [], "obs": ["--sse", "obs"], "kms-a": ["--sse", "kms", "--kms-key-id", keyA],
            "kms-b": ["--sse", "kms", "--kms-key-id", keyB],
        ]
        var data: [String: Data] = [:]
        for (key, opts) in options {
            data[key] = remoteRandomData(key == "big" ? 6 << 20 : 1500)
            try s.sb.write("in/\(key)", data[key]!)
            try s.ok(
                m,
                ["cp", "in/\(key)", "obs://\(b)/\(key)", "--content-type", "text/x-\(key)", "--metadata", "o=\(key)"]
                    + opts)
        }
        let (r0, j0) = try report(s, m, b, ["--require", "kms", "--kms-key-id", keyA, "--list"])
        #expect(r0.status == 6, "\(r0)")
        #expect(tally(j0, "shortfall")?.0 == 4, "\(r0)")
        let keys = (j0?["kms_keys"] as? [[String: Any]] ?? []).compactMap { $0["kms_key_id"] as? String }
        #expect(Set(keys) == [keyA, keyB], "\(r0)")

        let plan = try s.json(
            m, ["bucket", "encryption", "apply", "obs://\(b)", "--sse", "kms", "--kms-key-id", keyA, "--dry-run"])
        #expect(tally(plan["plan"] as? [String: Any], "convert")?.0 == 4, "\(plan)")

        let applied = try s.json(
            m,
            [
                "bucket", "encryption", "apply", "obs://\(b)", "--sse", "kms", "--kms-key-id", keyA,
                "--multipart-threshold", "5M", "--part-size", "5M", "--debug",
            ])
        #expect(tally(applied, "converted")?.0 == 4, "\(applied)")
        let (r1, _) = try report(s, m, b, ["--require", "kms", "--kms-key-id", keyA])
        #expect(r1.succeeded, "\(r1)")
        for key in options.keys {
            let st = try s.stat(m, "obs://\(b)/\(key)")
            #expect(st["content_type"] as? String == "text/x-\(key)", "\(key): \(st)")
            #expect((st["metadata"] as? [String: String])?["o"] == key, "\(key): \(st)")
            try s.ok(m, ["cp", "obs://\(b)/\(key)", "out/\(key)"])
            #expect(s.sb.read("out/\(key)") == data[key], "\(key): bytes changed")
        }
        let again = try s.json(
            m, ["bucket", "encryption", "apply", "obs://\(b)", "--sse", "kms", "--kms-key-id", keyA])
        #expect(tally(again, "converted")?.0 == 0, "idempotent: \(again)")

        // An object overwritten between its HEAD and its copy is skipped; the new bytes stay.
        let raced = try s.run(
            m, ["bucket", "encryption", "apply", "obs://\(b)", "--sse", "obs", "--output", "json"],
            env: ["OBSCTL_TEST_APPLY_OVERWRITE_KEY": "plain"])
        #expect(raced.status == 8 && raced.stderr.contains("obs://\(b)/plain changed since it was read"), "\(raced)")
        try s.ok(m, ["cp", "obs://\(b)/plain", "out/raced"])
        #expect(s.sb.read("out/raced") == Data("overwritten".utf8))
    }

    @Test("SeaweedFS: an SSE-C object is reported as SSE-C without its key, skipped by apply, converted with it")
    func seaweedCustomerKey() throws {
        let s = try RemoteSession("enc-sw")
        let sw = s.peers.seaweedFlags
        let b = try s.makeBucket(sw, tag: "enc")
        try s.sb.write("k", remoteRandomData(32), mode: 0o600)
        let data = remoteRandomData(3000)
        try s.sb.write("f", data)
        try s.ok(sw, ["cp", "f", "obs://\(b)/c", "--sse-c-key-file", "k"])
        try s.ok(sw, ["cp", "f", "obs://\(b)/plain"])
        let (r0, j0) = try report(s, sw, b, ["--require", "c"])
        #expect(r0.status == 6 && tally(j0, "shortfall")?.0 == 1, "only the plain object falls short: \(r0)")

        let skipped = try s.run(
            sw, ["bucket", "encryption", "apply", "obs://\(b)", "--sse", "c", "--sse-c-key-file", "k"])
        // The plain object moves to SSE-C under k; the SSE-C one is already under k: nothing skipped.
        #expect(skipped.succeeded, "\(skipped)")
        let (r1, _) = try report(s, sw, b, ["--require", "c"])
        #expect(r1.succeeded, "\(r1)")
        try s.ok(sw, ["cp", "obs://\(b)/plain", "out/plain", "--sse-c-key-file", "k"])
        #expect(s.sb.read("out/plain") == data)
    }
}
