import Foundation
import Testing

/// Issue 9, item 28: a multipart upload of a file sends each part's CRC-32C as an aws-chunked trailer computed
/// while the bytes go out (one pass over the file), leaves no `Content-Encoding` on the object on any server, and
/// its downloads (into a file and streamed) are checked against the server's composite CRC-32C.
@Suite(
    "Remote: multipart parts with CRC-32C trailers",
    .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct PartTrailerRemoteTests {
    /// obsctl serve answers the whole object's CRC-32C its store computed (`ServeChecksumTests`), so a streamed
    /// download from it asks no part sizes.
    @Test(arguments: ["seaweedfs", "moto", "serve-s3"])
    func partsCarryTrailersAndTheObjectNoEncoding(server: String) throws {
        let s = try RemoteSession("trailer-\(server)")
        let flags = try s.peers.flags(server), endpoint = try s.peers.url(server)
        let b = try s.makeBucket(flags, tag: "tr")
        let data = remoteRandomData((11 << 20) + 4321)
        try s.sb.write("big.bin", data)
        let up = try s.ok(
            flags,
            ["upload", "big.bin", "obs://\(b)/big", "--multipart-threshold", "5M", "--part-size", "5M", "--debug"])
        let lines = up.stderrLines.map { $0.lowercased() }
        let partPuts = lines.filter { $0.hasPrefix("> put ") && $0.contains("partnumber=") }
        #expect(partPuts.count == 3, "\(up)")
        #expect(
            lines.filter { $0 == "> x-amz-trailer: x-amz-checksum-crc32c" }.count == 3,
            "every part announces its CRC-32C trailer: \(up)")
        #expect(!lines.contains { $0.hasPrefix("> x-amz-meta-obsctl-crc32c") }, "no pass before the send: \(up)")
        // The server keeps no encoding of the parts on the object.
        let head = try Tools.aws(
            s.peers, endpoint: endpoint,
            ["s3api", "head-object", "--bucket", b, "--key", "big", "--checksum-mode", "ENABLED"])
        try #require(head.succeeded, "\(head)")
        let meta = try parseJSONObject(Data(head.stdout.utf8))
        #expect(meta["ContentEncoding"] == nil, "\(server) kept an encoding: \(head.stdout)")
        // (moto's HEAD states it without its "-3"; its GET, which the download reads, with.)
        #expect(meta["ChecksumCRC32C"] is String, "no CRC-32C kept: \(head.stdout)")
        // Downloads are checked against it: into a file (in ranges too) and streamed, with nothing unverified.
        for extra in [[String](), ["--part-size", "2M", "--parallel", "2"]] {
            let r = try s.ok(flags, ["download", "obs://\(b)/big", "out.bin", "--debug"] + extra)
            #expect(s.sb.read("out.bin") == data)
            #expect(!r.stderr.contains("not verified"), "\(r)")
            try FileManager.default.removeItem(atPath: s.sb.path("out.bin"))
        }
        let piped = try s.ok(flags, ["download", "obs://\(b)/big", "-", "--debug"])
        #expect(piped.stdout == data)
        #expect(!piped.stderr.contains("not verified"), "\(piped)")
        #expect(
            server == "serve-s3"
                || piped.stderrLines.contains { $0.hasPrefix("> HEAD ") && $0.contains("partNumber=1") },
            "\(piped)")
    }
}

extension RemoteFaultTests {
    /// The client's --timeout while an attempt stalls: the time a test has to change the file, ample for the spawns
    /// of curl that notice the stall on a loaded machine.
    static let stallWindow = 10

    /// Starts `arguments` (an upload through the proxy) with the first request matching `match` stalled: the proxy
    /// takes its body and answers nothing until the client gives up (--timeout) and retries. `change` is made once
    /// the stall shows. Returns the run and the seconds from the change to its end, or nil when the retry had
    /// reached the proxy by the check after the change (a busy machine was late): such a run proves nothing.
    private func changeDuringStall(
        _ s: RemoteSession, _ proxy: FaultProxy, match: String, _ arguments: [String], change: () throws -> Void
    ) throws -> (run: RunResult, seconds: TimeInterval)? {
        try proxy.reset()
        // The retry passes unchanged (the byte to flip lies past its end) but counts as a fault once its head
        // arrives: one fault after the change means the retry, and all it leads to, comes after the change.
        try proxy.set([
            "mode": "stall", "seconds": 60, "count": 1, "match": match,
            "then": ["mode": "corrupt-request", "after": 1 << 40, "count": 1, "match": match] as [String: Any],
        ])
        let running = try s.sb.start(
            arguments + ["--retries", "2", "--timeout", String(Self.stallWindow)] + s.peers.faultFlags)
        let deadline = Date().addingTimeInterval(60)
        while try proxy.faults("stall") < 1, Date() < deadline { usleep(50_000) }
        try #require(try proxy.faults("stall") == 1, "\(match) was never stalled")
        try change()
        let changed = Date()
        let inTime = try proxy.stats()["faults"] as? Int == 1
        let r = running.wait()
        return inTime ? (run: r, seconds: Date().timeIntervalSince(changed)) : nil
    }

    @Test(
        """
        a file written to while its parts are sent is refused (exit 10): nothing stored, the upload aborted, \
        since no pass before the send binds the bytes
        """
    )
    func fileChangedDuringPartsIsRefused() throws {
        let s = try RemoteSession("fault-trailer")
        let proxy = s.peers.faultProxy
        defer { try? proxy.reset() }
        let data = remoteRandomData(11 << 20)
        for _ in 0..<3 {  // a run whose change came too late is made again
            let b = try s.makeBucket(s.peers.seaweedFlags, tag: "trc")
            try s.sb.write("big.bin", data)
            // Part 2's first attempt stalls (then it is retried): the file changes meanwhile.
            let arguments = [
                "upload", "big.bin", "obs://\(b)/big", "--multipart-threshold", "5M", "--part-size", "5M",
                "--parallel", "1",
            ]
            let attempt = try changeDuringStall(s, proxy, match: "partNumber=2", arguments) {
                let fd = open(s.sb.path("big.bin"), O_WRONLY)
                try #require(fd >= 0)
                // A byte of part 3, not yet read: sent as changed, it would make an object of old and new bytes.
                let offset = (10 << 20) + 100
                #expect(
                    pwrite(fd, [data[offset] ^ 0xFF], 1, off_t(offset)) == 1, "the file could not be changed in place")
                close(fd)
            }
            guard let r = attempt?.run else { continue }
            #expect(r.status == 10 && r.stderrLines.last?.contains("changed while it was uploaded") == true, "\(r)")
            expectRemoteError(try s.run(s.peers.seaweedFlags, ["stat", "obs://\(b)/big"]), 3)
            #expect(
                try Tools.multipartUploadsInProgress(s.peers, endpoint: s.peers.seaweed, bucket: b) == 0,
                "the refused upload was left in progress")
            return
        }
        Issue.record("part 2's retry came before the change in every run: the refusal was never put to the test")
    }
}

extension RemoteFaultTests {
    @Test("a file cut shorter while a single PUT of it is retried is refused (exit 10), nothing stored, no wait")
    func fileCutDuringSinglePutIsRefused() throws {
        let s = try RemoteSession("fault-cut")
        let proxy = s.peers.faultProxy
        defer { try? proxy.reset() }
        let data = remoteRandomData(3 << 20)  // streamed (above 64 KiB), one PUT (below 50 MiB)
        for _ in 0..<3 {  // a run whose cut came too late is made again
            let b = try s.makeBucket(s.peers.seaweedFlags, tag: "cut")
            try s.sb.write("file.bin", data)
            // The first attempt stalls and times out; the file is cut meanwhile, so the retry finds it shorter.
            let attempt = try changeDuringStall(s, proxy, match: "PUT ", ["upload", "file.bin", "obs://\(b)/file"]) {
                #expect(truncate(s.sb.path("file.bin"), 1 << 20) == 0)
            }
            guard let done = attempt else { continue }
            let r = done.run
            #expect(r.status == 10 && r.stderrLines.last?.contains("became shorter") == true, "\(r)")
            // What was left of the stalled attempt's --timeout, then a retry that stops at the cut.
            #expect(done.seconds < Double(Self.stallWindow) + 13, "the cut body waited for the server: \(r)")
            expectRemoteError(try s.run(s.peers.seaweedFlags, ["stat", "obs://\(b)/file"]), 3)
            return
        }
        Issue.record("the PUT's retry came before the cut in every run: the refusal was never put to the test")
    }
}

extension RemoteFaultTests {
    @Test(
        """
        a byte flipped in a download of a part-trailer object is caught against the composite CRC-32C: ranges on the \
        MiB grid (CRCs taken on the way in), off it (the file read again), and a stream
        """
    )
    func compositeCheckedOnTheWayIn() throws {
        let s = try RemoteSession("fault-trailer-dl")
        let proxy = s.peers.faultProxy
        try proxy.reset()
        defer { try? proxy.reset() }
        let b = try s.makeBucket(s.peers.seaweedFlags, tag: "trd")
        let data = remoteRandomData((12 << 20) + 777)
        try s.sb.write("big.bin", data)
        try s.ok(
            s.peers.seaweedFlags,
            ["upload", "big.bin", "obs://\(b)/big", "--multipart-threshold", "5M", "--part-size", "5M"])
        for extra in [["--part-size", "2M", "--parallel", "2"], ["--part-size", "1536K", "--parallel", "2"], []] {
            for after in [100, 3 << 20] {  // early in the answer; at 3 MiB, or the last byte of a shorter answer
                try proxy.set(["mode": "corrupt-body", "count": 1, "match": "GET ", "after": after])
                let target = extra.isEmpty ? "-" : "out.bin"
                let r = try s.run(s.peers.faultFlags, ["download", "obs://\(b)/big", target] + extra)
                #expect(
                    r.status == 13 && r.stderrLines.last?.contains("composite CRC-32C") == true,
                    "\(extra), byte \(after): \(r)")
                #expect(!s.sb.exists("out.bin"), "\(extra): a damaged file was kept")
            }
            try proxy.reset()
            let target = extra.isEmpty ? "-" : "out.bin"
            let r = try s.ok(s.peers.faultFlags, ["download", "obs://\(b)/big", target] + extra)
            #expect((extra.isEmpty ? r.stdout : s.sb.read("out.bin")) == data, "\(extra)")
            try? FileManager.default.removeItem(atPath: s.sb.path("out.bin"))
        }
    }

    @Test("a streamed download of unequal parts (another tool's) asks every part's size, then checks the composite")
    func streamedUnequalPartsAreChecked() throws {
        let s = try RemoteSession("fault-trailer-odd")
        let proxy = s.peers.faultProxy
        try proxy.reset()
        defer { try? proxy.reset() }
        let b = try s.makeBucket(s.peers.seaweedFlags, tag: "tro")
        let data = remoteRandomData(12 << 20)
        try s.sb.write("odd.bin", data)
        // Part 1's size guesses 5 MiB parts; the bytes only match the composite over 5, 6 and 1 MiB.
        try Issue9LeftoverRemoteTests.uploadParts(
            s.peers, endpoint: s.peers.seaweed, bucket: b, key: "odd", file: s.sb.path("odd.bin"),
            sizes: [5 << 20, 6 << 20, 1 << 20], crc32c: true)
        let r = try s.ok(s.peers.faultFlags, ["download", "obs://\(b)/odd", "-", "--debug"])
        #expect(r.stdout == data)
        #expect(r.stderr.contains("partNumber=3"), "every part's size was not asked: \(r.stderr)")
        #expect(!r.stderr.contains("not verified"), "\(r.stderr)")
        try proxy.set(["mode": "corrupt-body", "count": 1, "match": "GET ", "after": 7 << 20])
        let bad = try s.run(s.peers.faultFlags, ["download", "obs://\(b)/odd", "-"])
        #expect(
            bad.status == 13 && bad.stderrLines.last?.contains("composite CRC-32C") == true, "\(bad)")
    }
}
