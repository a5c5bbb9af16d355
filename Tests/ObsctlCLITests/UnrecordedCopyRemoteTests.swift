import Foundation
import Testing

/// Copies in parts of objects that carry no recorded CRC-32C (stdin uploads above the multipart threshold): the
/// copy declares CRC-32C and lists the server's CRC-32C of each copied range, so it keeps a composite checksum.
@Suite(
    "Remote: multipart copies of objects without a recorded CRC-32C",
    .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct UnrecordedCopyRemoteTests {
    @Test(
        """
        a multipart copy of a stdin-uploaded multipart object downloads verified and byte-exact on both servers \
        (SeaweedFS gives such a copy a multipart ETag that is no MD5 of MD5s: it was called damaged, exit 13)
        """
    )
    func copiesInPartsAreVerified() throws {
        let s = try RemoteSession("unrecorded-copy")
        let data = remoteRandomData(12 << 20)
        let sizes = ["--multipart-threshold", "5M", "--part-size", "5M"]
        for (server, flags) in [("seaweed", s.peers.seaweedFlags), ("moto", s.peers.motoFlags)] {
            let b = try s.makeBucket(flags, tag: "unrec")
            try pipedUpload(s, flags, ["upload", "-", "obs://\(b)/stdin"] + sizes, data)
            let cp = try s.ok(flags, ["cp", "obs://\(b)/stdin", "obs://\(b)/copy", "--debug"] + sizes)
            #expect(
                cp.stderrLines.contains { $0.lowercased().hasPrefix("> x-amz-checksum-algorithm: crc32c") },
                "\(server): \(cp.stderr)")
            for extra in [[String](), ["--part-size", "2M", "--parallel", "3"]] {
                let r = try s.ok(flags, ["download", "obs://\(b)/copy", "out.bin", "--debug"] + extra)
                #expect(s.sb.read("out.bin") == data, "\(server) \(extra)")
                #expect(!r.stderr.contains("not verified"), "\(server) \(extra): \(r.stderr)")
                try FileManager.default.removeItem(atPath: s.sb.path("out.bin"))
            }
        }
    }
}
