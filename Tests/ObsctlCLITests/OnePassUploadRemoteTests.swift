import Foundation
import Testing
import OBSCrypto

/// Issue 9, item 28 (CPU per GiB): a multipart upload of a file with CRC-32C reads the file once. Its parts go
/// without a checksum header, their CRC-32Cs taken as they are sent and listed in Complete, where the server checks
/// them; downloads check the composite CRC-32C the server keeps (or the multipart ETag on moto).
@Suite(
    "Remote: one-read multipart uploads (CRC-32C listed in Complete)",
    .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct OnePassUploadRemoteTests {
    /// The composite CRC-32C S3 gives parts of `partSize` bytes: the CRC-32C of their CRC-32Cs, "-N".
    static func composite(_ data: Data, partSize: Int) -> String {
        var joined: [UInt8] = []
        var offset = 0
        while offset < data.count {
            let value = CRC32C.checksum(Array(data[offset..<min(data.count, offset + partSize)])).value
            joined += withUnsafeBytes(of: value.bigEndian) { Array($0) }
            offset += partSize
        }
        return CRC32C.checksum(joined).base64 + "-\(joined.count / 4)"
    }

    @Test(
        """
        a CRC-32C multipart file upload sends no checksum header with its parts and records no obsctl-crc32c: \
        the server keeps the composite of the parts' CRC-32Cs; downloads verified on both servers
        """
    )
    func partsCarryNoHeaderAndDownloadsAreVerified() throws {
        let s = try RemoteSession("one-pass")
        let data = remoteRandomData(12 << 20)
        try s.sb.write("data.bin", data)
        let sizes = ["--multipart-threshold", "5M", "--part-size", "5M"]
        for (server, flags) in [("seaweed", s.peers.seaweedFlags), ("moto", s.peers.motoFlags)] {
            let b = try s.makeBucket(flags, tag: "onepass")
            let up = try s.ok(flags, ["upload", "data.bin", "obs://\(b)/obj", "--debug"] + sizes)
            let lines = up.stderrLines.map { $0.lowercased() }
            #expect(lines.filter { $0.hasPrefix("> put ") && $0.contains("partnumber=") }.count == 3, "\(server)")
            #expect(!lines.contains { $0.hasPrefix("> x-amz-checksum-crc32c: ") }, "\(server): \(up.stderr)")
            #expect(lines.contains { $0.hasPrefix("> x-amz-checksum-algorithm: crc32c") }, "\(server)")
            let head = try Tools.aws(
                s.peers, endpoint: flags[1],
                ["s3api", "head-object", "--bucket", b, "--key", "obj", "--checksum-mode", "ENABLED"])
            #expect(!head.stdout.contains("obsctl-crc32c"), "\(server): \(head.stdout)")
            #expect(!head.stdout.contains("ContentEncoding"), "\(server): \(head.stdout)")
            if server == "seaweed" {
                #expect(head.stdout.contains(Self.composite(data, partSize: 5 << 20)), "\(head.stdout)")
            }
            // Into a file in one range and in ranges, and to stdout: byte-exact and checked end to end.
            for extra in [[String](), ["--part-size", "2M", "--parallel", "3"]] {
                let r = try s.ok(flags, ["download", "obs://\(b)/obj", "out.bin", "--debug"] + extra)
                #expect(s.sb.read("out.bin") == data, "\(server) \(extra)")
                #expect(!r.stderr.contains("not verified"), "\(server) \(extra): \(r.stderr)")
                try FileManager.default.removeItem(atPath: s.sb.path("out.bin"))
            }
            let piped = try s.ok(flags, ["download", "obs://\(b)/obj", "-", "--debug"])
            #expect(piped.stdout == data && !piped.stderr.contains("not verified"), "\(server)")
        }
    }
}

extension RemoteFaultTests {
    @Test(
        """
        a file written while it is uploaded in one read: exit 10, nothing stored, the multipart upload aborted \
        (its size and modification time are compared before Complete)
        """
    )
    func fileWrittenDuringOnePassUpload() throws {
        let s = try RemoteSession("fault-one-pass")
        let proxy = s.peers.faultProxy
        try proxy.reset()
        defer { try? proxy.reset() }
        let b = try s.makeBucket(s.peers.seaweedFlags, tag: "onepass")
        try s.sb.write("data.bin", remoteRandomData(11 << 20))
        // Part 2's first attempt is held for 3 s (then retried): the file is written in the meantime.
        try proxy.set(["mode": "stall", "seconds": 3, "count": 1, "match": "partNumber=2"])
        let running = try s.sb.start(
            s.peers.faultFlags + [
                "upload", "data.bin", "obs://\(b)/obj", "--multipart-threshold", "5M", "--part-size", "5M",
                "--parallel", "1",
            ])
        Thread.sleep(forTimeInterval: 1.5)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: s.sb.path("data.bin")))
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data("changed".utf8))
        try handle.close()
        let r = running.wait(timeout: 120)
        expectRemoteError(r, 10, contains: ["changed while it was uploaded"])
        #expect(try proxy.faults("stall") == 1, "the stall was not served")
        expectRemoteError(try s.run(s.peers.seaweedFlags, ["stat", "obs://\(b)/obj"]), 3)
        #expect(
            try Tools.multipartUploadsInProgress(s.peers, endpoint: s.peers.seaweed, bucket: b) == 0,
            "the refused upload was left in progress")
    }
}
