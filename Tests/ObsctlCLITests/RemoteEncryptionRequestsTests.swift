import Foundation
import Testing

/// What `bucket encryption apply` costs in requests per object, and that the cheaper path stays pinned: the copy
/// trusts the inspecting HEAD only where the server enforces copy-source-if-match (documented for OBS and S3, for
/// which SeaweedFS stands through the test hook; elsewhere seen on the first copy, which SeaweedFS enforces and
/// moto ignores), and checks the new encryption from the copy's answer where the server states it there (moto does,
/// SeaweedFS does not).
@Suite("Remote: requests of bucket encryption apply", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteEncryptionRequestsTests {
    static let enforced = ["OBSCTL_TEST_ENFORCED_COPY_CONDITIONS": "1"]

    /// `--debug` request lines of one method.
    func count(_ r: RunResult, _ method: String) -> Int {
        r.stderrLines.filter { $0.hasPrefix("> \(method) ") }.count
    }

    func bucket(_ s: RemoteSession, _ flags: [String], objects: Int) throws -> (String, [String: Data]) {
        let b = try s.makeBucket(flags, tag: "encrq")
        var data: [String: Data] = [:]
        for i in 0..<objects {
            data["o\(i)"] = remoteRandomData(700 + i)
            try s.sb.write("in/o\(i)", data["o\(i)"]!)
            try s.ok(flags, ["cp", "in/o\(i)", "obs://\(b)/o\(i)", "--metadata", "n=\(i)"])
        }
        return (b, data)
    }

    /// `bucket encryption apply obs://B --sse obs --debug --jobs 1`: one object after another, each request shown.
    func applyOne(_ s: RemoteSession, _ flags: [String], _ b: String, env: [String: String] = [:]) throws -> RunResult {
        try s.run(
            flags, ["bucket", "encryption", "apply", "obs://\(b)", "--sse", "obs", "--debug", "--jobs", "1"], env: env)
    }

    func expectSame(_ s: RemoteSession, _ flags: [String], _ b: String, _ data: [String: Data]) throws {
        for (key, bytes) in data {
            try s.ok(flags, ["cp", "obs://\(b)/\(key)", "out/\(b)-\(key)"])
            #expect(s.sb.read("out/\(b)-\(key)") == bytes, "\(key): bytes changed")
            let st = try s.stat(flags, "obs://\(b)/\(key)")
            #expect((st["sse"] as? [String: Any])?["mode"] as? String == "obs", "\(key): \(st)")
            #expect((st["metadata"] as? [String: String])?["n"] == key.dropFirst().description, "\(st)")
        }
    }

    @Test("enforcing server: one HEAD to inspect, the COPY, and a HEAD only because SeaweedFS states no SSE")
    func enforcedPin() throws {
        let s = try RemoteSession("encrq-sw")
        let sw = s.peers.seaweedFlags
        let (b, data) = try bucket(s, sw, objects: 3)
        let r = try applyOne(s, sw, b, env: Self.enforced)
        #expect(r.succeeded, "\(r)")
        #expect(count(r, "PUT") == 3, "\(r.stderr)")
        #expect(count(r, "HEAD") == 6, "its inspecting HEAD, and one for the SSE the copy's answer omits: \(r.stderr)")
        try expectSame(s, sw, b, data)
    }

    @Test("SeaweedFS without the hook: the first copy learns the pin is enforced; later copies skip their HEAD")
    func learnedPin() throws {
        let s = try RemoteSession("encrq-learn")
        let sw = s.peers.seaweedFlags
        let (b, data) = try bucket(s, sw, objects: 3)
        let r = try applyOne(s, sw, b)
        #expect(r.succeeded, "\(r)")
        let probes = r.stderrLines.filter { $0.contains("obsctl-pin-probe") }
        #expect(probes.count == 1, "one copy pinned to the unmatchable ETag: \(r.stderr)")
        #expect(r.stderrLines.filter { $0.hasPrefix("< HTTP 412") }.count == 1, "SeaweedFS refused it: \(r.stderr)")
        // o0: HEAD, HEAD, PUT (412), PUT, HEAD (SeaweedFS states no SSE); o1, o2: HEAD, PUT, HEAD.
        #expect(count(r, "PUT") == 4, "\(r.stderr)")
        #expect(count(r, "HEAD") == 7, "\(r.stderr)")
        try expectSame(s, sw, b, data)

        // Learnt, the pin alone guards a later object: one overwritten after its HEAD is refused and kept.
        let (b2, _) = try bucket(s, sw, objects: 3)
        let raced = try applyOne(s, sw, b2, env: ["OBSCTL_TEST_APPLY_OVERWRITE_KEY": "o2"])
        #expect(raced.status == 8 && raced.stderr.contains("obs://\(b2)/o2 changed since it was read"), "\(raced)")
        // o0 learns again (3 HEADs), o1 (2), and o2 has only its inspecting HEAD: the pinned copy failed.
        #expect(count(raced, "HEAD") == 3 + 2 + 1, "\(raced.stderr)")
        try s.ok(sw, ["cp", "obs://\(b2)/o2", "out/raced"])
        #expect(s.sb.read("out/raced") == Data("overwritten".utf8), "the newer write was not kept")
    }

    @Test("enforcing server: an object overwritten after its HEAD is refused by the pin, single and multipart")
    func enforcedRace() throws {
        let s = try RemoteSession("encrq-race")
        let sw = s.peers.seaweedFlags
        let b = try s.makeBucket(sw, tag: "encrq")
        for (key, size) in [("small", 900), ("big", 6 << 20)] {
            try s.sb.write("in/\(key)", remoteRandomData(size))
            try s.ok(sw, ["cp", "in/\(key)", "obs://\(b)/\(key)"])
            var env = Self.enforced
            env["OBSCTL_TEST_APPLY_OVERWRITE_KEY"] = key
            let r = try s.run(
                sw,
                [
                    "bucket", "encryption", "apply", "obs://\(b)/\(key)", "--sse", "obs", "--multipart-threshold",
                    "5M", "--part-size", "5M",
                ], env: env)
            #expect(r.status == 8 && r.stderr.contains("obs://\(b)/\(key) changed since it was read"), "\(r)")
            try s.ok(sw, ["cp", "obs://\(b)/\(key)", "out/\(key)"])
            #expect(s.sb.read("out/\(key)") == Data("overwritten".utf8), "\(key): the newer write was not kept")
        }
    }

    @Test("moto: the copy's answer states the SSE, so no HEAD verifies it; moto ignores the pin, so the copy HEADs")
    func stated() throws {
        let s = try RemoteSession("encrq-moto")
        let m = s.peers.motoFlags
        let (b, data) = try bucket(s, m, objects: 3)
        let r = try applyOne(s, m, b)
        #expect(r.succeeded, "\(r)")
        #expect(count(r, "PUT") == 3, "\(r.stderr)")
        #expect(count(r, "HEAD") == 6, "a HEAD verified what the copy's answer stated: \(r.stderr)")
        // The first copy was pinned to an ETag no object has; moto copied all the same, so the copies HEAD on.
        #expect(r.stderrLines.filter { $0.contains("obsctl-pin-probe") }.count == 1, "\(r.stderr)")
        try expectSame(s, m, b, data)

        // Where the pin is enforced too (OBS, S3; the hook only counts here): the inspecting HEAD and the COPY.
        let (b2, data2) = try bucket(s, m, objects: 3)
        let r2 = try applyOne(s, m, b2, env: Self.enforced)
        #expect(r2.succeeded, "\(r2)")
        #expect(count(r2, "PUT") == 3 && count(r2, "HEAD") == 3, "\(r2.stderr)")
        try expectSame(s, m, b2, data2)
    }
}
