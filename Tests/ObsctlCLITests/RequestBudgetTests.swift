import Foundation
import Testing

/// `--jobs` bounds a run's requests in flight, the parts and ranges of its large files included (issue 10): a fault
/// proxy of the test's own holds every answer a moment, so that the run's requests overlap, and reports the most that
/// were in flight at once. Before, each file moved its own `--parallel` parts: `--jobs` × `--parallel` at once.
@Suite("requests in flight stay within --jobs")
struct RequestBudgetTests {
    /// A session, a bucket on SeaweedFS, a fault proxy of the test's own in front of it, and the flags that use it.
    private func proxied(_ tag: String) throws -> (RemoteSession, FaultProxyProcess, [String], String) {
        let s = try RemoteSession(tag)
        let upstream = try #require(URL(string: s.peers.seaweed))
        let proxy = try FaultProxyProcess(upstream: "\(upstream.host!):\(upstream.port!)")
        let bucket = try s.makeBucket(s.peers.seaweedFlags, tag: tag)
        return (s, proxy, ["--endpoint", proxy.endpoint, "--signature", "v4", "--addressing", "path"], bucket)
    }

    /// Runs obsctl with `args` (it must succeed) while the answers to requests whose line contains `match` are held
    /// 0.2 s each; returns the most requests that were in flight at once.
    private func inFlight(
        _ s: RemoteSession, _ proxy: FaultProxyProcess, _ flags: [String], holding match: String, _ args: [String]
    ) throws -> Int {
        try proxy.control.reset()
        try proxy.control.set(["mode": "delay-response", "seconds": 0.2, "count": -1, "match": match])
        try s.ok(flags, args)
        return try #require(try proxy.control.stats()["max_in_flight"] as? Int)
    }

    /// `count` bytes, different for each seed and each MiB.
    private static func bytes(_ count: Int, seed: Int) -> Data {
        let mib = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed) }
        var data = Data(capacity: count)
        var n = 0
        while data.count < count {
            data.append(contentsOf: mib.prefix(count - data.count).map { $0 ^ UInt8(truncatingIfNeeded: n) })
            n += 1
        }
        return data
    }

    @Test(
        "download -r: files and their ranges never exceed --jobs; a file alone moves --parallel ranges",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
    func downloads() throws {
        let (s, proxy, flags, bucket) = try proxied("budget-get")
        // Five objects of 1 MiB: with 100 KiB ranges, ten ranges each after the first.
        for i in 0..<5 {
            try s.sb.write("src/f\(i)", Self.bytes(1 << 20, seed: i))
        }
        try s.ok(s.peers.seaweedFlags, ["upload", s.sb.path("src"), "obs://\(bucket)/t/", "-r", "-q"])

        let many = try inFlight(
            s, proxy, flags, holding: "GET /\(bucket)",
            ["download", "obs://\(bucket)/t/", s.sb.path("out"), "-r", "-q", "--jobs", "3", "--parallel", "4"]
                + ["--part-size", "100K"])
        for i in 0..<5 { #expect(s.sb.read("out/f\(i)") == s.sb.read("src/f\(i)"), "f\(i) came back different") }
        #expect(many <= 3, "\(many) requests in flight with --jobs 3")
        #expect(many >= 2, "the run's requests never overlapped (\(many)): this test proves nothing")

        let alone = try inFlight(
            s, proxy, flags, holding: "GET /\(bucket)",
            ["download", "obs://\(bucket)/t/f1", s.sb.path("one"), "-q", "--jobs", "8", "--parallel", "4"]
                + ["--part-size", "100K"])
        #expect(s.sb.read("one") == s.sb.read("src/f1"))
        #expect((3...4).contains(alone), "one file with --parallel 4 and requests to spare had \(alone) in flight")
    }

    @Test(
        "upload -r, cp -r and bucket encryption apply in parts: files and their parts never exceed --jobs",
        .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
    func uploadsAndCopies() throws {
        let (s, proxy, flags, bucket) = try proxied("budget-put")
        // Three files of three 5 MiB parts each.
        for i in 0..<3 {
            try s.sb.write("src/f\(i)", Self.bytes(15 << 20, seed: i))
        }
        let parts = ["--jobs", "2", "--parallel", "4", "--multipart-threshold", "5M", "--part-size", "5M", "-q"]
        let put = "PUT /\(bucket)"
        let uploads = try inFlight(
            s, proxy, flags, holding: put, ["upload", s.sb.path("src"), "obs://\(bucket)/up/", "-r"] + parts)
        #expect(uploads <= 2, "\(uploads) requests in flight with --jobs 2")
        #expect(uploads == 2, "the run's part uploads never overlapped (\(uploads)): this test proves nothing")

        let copies = try inFlight(
            s, proxy, flags, holding: put, ["cp", "obs://\(bucket)/up/", "obs://\(bucket)/copy/", "-r"] + parts)
        #expect(copies <= 2, "\(copies) requests in flight with --jobs 2")

        // Re-encryption copies each object onto itself, in parts (UploadPart-Copy).
        let applied = try inFlight(
            s, proxy, flags, holding: put,
            ["bucket", "encryption", "apply", "obs://\(bucket)/up/", "--sse", "obs"] + parts)
        #expect(applied <= 2, "\(applied) requests in flight with --jobs 2")
        #expect(applied == 2, "apply's part copies never overlapped (\(applied)): this test proves nothing")

        for prefix in ["copy", "up"] {
            try s.ok(s.peers.seaweedFlags, ["download", "obs://\(bucket)/\(prefix)/", s.sb.path(prefix), "-r", "-q"])
            for i in 0..<3 {
                #expect(s.sb.read("\(prefix)/f\(i)") == s.sb.read("src/f\(i)"), "\(prefix)/f\(i) differs")
            }
        }
    }
}
