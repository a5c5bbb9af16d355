import Foundation
import OBSCrypto
import Testing

/// `obsctl serve` answers a whole object's GET and HEAD in checksum mode with the CRC-32C of all its bytes, which its
/// store computes on every write (single PUT, parts, copies): clients check downloads end to end whatever the
/// object's encryption, multipart ones included, where a multipart ETag says nothing of encrypted bytes.
@Suite("Serve: checksum mode", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct ServeChecksumTests {
    @Test("every encryption, whole and multipart: obsctl's downloads from serve are verified, awscli sees the CRC-32C")
    func downloadsAreVerifiedEndToEnd() throws {
        let s = try RemoteSession("serve-crc")
        let flags = try s.peers.flags("serve-s3"), endpoint = try s.peers.url("serve-s3")
        let b = try s.makeBucket(flags, tag: "crc")
        let big = remoteRandomData((11 << 20) + 4321), small = remoteRandomData(70_001)
        try s.sb.write("big.bin", big)
        try s.sb.write("small.bin", small)
        try s.sb.write("c.key", remoteRandomData(32), mode: 0o600)
        let modes: [(String, [String])] = [
            ("plain", []), ("obs", ["--sse", "obs"]), ("kms", ["--sse", "kms"]), ("c", ["--sse-c-key-file", "c.key"]),
        ]
        for (mode, sse) in modes {
            for (name, data) in [("big", big), ("small", small)] {
                let key = "\(mode)-\(name)"
                try s.ok(
                    flags,
                    ["upload", "\(name).bin", "obs://\(b)/\(key)", "--multipart-threshold", "5M", "--part-size", "5M"]
                        + sse)
                // Into a file (in ranges too) and streamed: compared, and checked with nothing left unverified.
                for extra in [["out.bin"], ["out.bin", "--part-size", "2M", "--parallel", "2"], ["-"]] {
                    let customerKey = mode == "c" ? sse : []
                    let r = try s.ok(flags, ["download", "obs://\(b)/\(key)"] + extra + customerKey + ["--debug"])
                    let got = extra[0] == "-" ? r.stdout : s.sb.read("out.bin")
                    #expect(got == data, "\(key) \(extra)")
                    #expect(!r.stderr.contains("not verified"), "\(key) \(extra): \(r.stderr)")
                    // (An unencrypted single PUT into a file is checked by its MD5 ETag: nothing more is asked.)
                    let md5Enough = mode == "plain" && name == "small" && extra[0] != "-"
                    #expect(
                        md5Enough || r.stderrLines.contains { $0.lowercased().hasPrefix("< x-amz-checksum-crc32c:") },
                        "\(key) \(extra): no CRC-32C answered")
                    try? FileManager.default.removeItem(atPath: s.sb.path("out.bin"))
                }
                guard mode != "c" else { continue }  // awscli would need the customer key on its command line
                let head = try Tools.aws(
                    s.peers, endpoint: endpoint,
                    ["s3api", "head-object", "--bucket", b, "--key", key, "--checksum-mode", "ENABLED"])
                try #require(head.succeeded, "\(head)")
                let meta = try parseJSONObject(Data(head.stdout.utf8))
                #expect(
                    meta["ChecksumCRC32C"] as? String == CRC32C.checksum([UInt8](data)).base64, "\(key): \(head.stdout)"
                )
                #expect(meta["ChecksumType"] as? String == "FULL_OBJECT", "\(key): \(head.stdout)")
            }
        }
        // A copy (re-encrypted by the store) keeps the same checksum; without checksum mode, or for a range, none.
        try s.ok(flags, ["cp", "obs://\(b)/kms-big", "obs://\(b)/copied", "--sse", "obs"])
        let copied = try Tools.aws(
            s.peers, endpoint: endpoint,
            ["s3api", "head-object", "--bucket", b, "--key", "copied", "--checksum-mode", "ENABLED"])
        #expect(
            (try? parseJSONObject(Data(copied.stdout.utf8)))?["ChecksumCRC32C"] as? String
                == CRC32C.checksum([UInt8](big)).base64, "\(copied)")
        let plainHead = try Tools.aws(
            s.peers, endpoint: endpoint, ["s3api", "head-object", "--bucket", b, "--key", "copied"])
        #expect(plainHead.succeeded && !plainHead.stdout.contains("ChecksumCRC32C"), "\(plainHead)")
        let ranged = try Tools.aws(
            s.peers, endpoint: endpoint,
            [
                "s3api", "get-object", "--bucket", b, "--key", "copied", "--range", "bytes=0-99",
                "--checksum-mode", "ENABLED", s.sb.path("range.bin"),
            ])
        #expect(ranged.succeeded && !ranged.stdout.contains("ChecksumCRC32C"), "\(ranged)")
    }

    @Test("OBS's dialect has no checksum mode: an OBS-signed HEAD gets no x-amz-checksum header")
    func obsDialectAnswersNone() throws {
        let s = try RemoteSession("serve-crc-obs")
        let flags = try s.peers.flags("serve-obs")
        let b = try s.makeBucket(flags, tag: "crco")
        try s.sb.write("f.bin", remoteRandomData(5000))
        try s.ok(flags, ["upload", "f.bin", "obs://\(b)/f", "--sse", "kms"])
        let r = try s.ok(flags, ["download", "obs://\(b)/f", "-", "--debug"])
        #expect(!r.stderr.lowercased().contains("x-amz-checksum-crc32c"), "\(r.stderr)")
    }
}
