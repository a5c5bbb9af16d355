import Foundation
import Testing

/// Faults injected by .ci/peers/faultproxy.py in front of SeaweedFS: 503s, connection resets mid-body and
/// mid-request, stalls. The proxy has one rule for all its clients, so this suite runs serially and no other
/// suite uses the proxy. Objects are staged through SeaweedFS directly; only the command under test goes through
/// the proxy.
@Suite(
    "Remote: faults (retries, timeouts, aborted multipart uploads)", .serialized,
    .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteFaultTests {
    /// A session with a bucket holding `object` (3 MB of random bytes), the proxy reset to "pass".
    private func setUp(_ name: String) throws -> (RemoteSession, FaultProxy, String, Data) {
        let s = try RemoteSession(name)
        let proxy = s.peers.faultProxy
        try proxy.reset()
        let b = try s.makeBucket(s.peers.seaweedFlags, tag: "fault")
        let data = remoteRandomData(3_000_000)
        try s.sb.write("object.bin", data)
        try s.ok(s.peers.seaweedFlags, ["upload", "object.bin", "obs://\(b)/object.bin"])
        return (s, proxy, b, data)
    }

    @Test("503 twice, then pass: upload and download succeed through retries; with --retries 0 they fail with exit 11")
    func serviceUnavailableTwice() throws {
        let (s, proxy, b, data) = try setUp("fault-503")
        defer { try? proxy.reset() }
        let f = s.peers.faultFlags

        try proxy.set(["mode": "503", "count": 2, "match": "PUT "])
        try s.ok(f, ["upload", "object.bin", "obs://\(b)/up.bin"])
        #expect(try proxy.faults("503") == 2, "the two 503s were not served")
        #expect(
            try s.ok(s.peers.seaweedFlags, ["download", "obs://\(b)/up.bin", "-"]).stdout == data,
            "uploaded bytes differ")

        try proxy.set(["mode": "503", "count": 2, "match": "GET "])
        try s.ok(f, ["download", "obs://\(b)/object.bin", "down.bin"])
        #expect(try proxy.faults("503") == 4)
        #expect(s.sb.read("down.bin") == data, "download after two 503s differs")

        // Without retries the same fault is final: transient failure, exit 11, no file.
        try proxy.set(["mode": "503", "count": 1, "match": "GET "])
        let r = try s.run(f + ["--retries", "0"], ["download", "obs://\(b)/object.bin", "none.bin"])
        expectRemoteError(r, 11)
        #expect(!s.sb.exists("none.bin"))
        #expect(s.sb.files().allSatisfy { !$0.contains(".part") }, "temporary file left: \(s.sb.files())")
    }

    @Test("connection reset mid-body once: the download is still byte-exact (or fails cleanly), never a wrong file")
    func resetMidBody() throws {
        let (s, proxy, b, data) = try setUp("fault-reset")
        defer { try? proxy.reset() }
        let f = s.peers.faultFlags

        try proxy.set(["mode": "reset-mid-body", "count": 1, "match": "GET "])
        let r = try s.run(f, ["download", "obs://\(b)/object.bin", "down.bin"])
        #expect(try proxy.faults("reset-mid-body") == 1, "the reset was not served")
        #expect(r.succeeded, "a download after one reset should succeed by retrying: \(r)")
        let got = s.sb.read("down.bin")
        if r.succeeded {
            #expect(got?.count == data.count, "downloaded \(got?.count ?? -1) bytes, the object has \(data.count)")
            #expect(got == data, "download after a mid-body reset is not byte-exact")
        } else {
            #expect(got == nil, "a failed download left a file")
        }

        // Same through stdout.
        try proxy.set(["mode": "reset-mid-body", "count": 1, "match": "GET "])
        let out = try s.run(f, ["download", "obs://\(b)/object.bin", "-"])
        #expect(out.succeeded, "\(out)")
        #expect(
            out.stdout.count == data.count && out.stdout == data,
            """
            stdout after a mid-body reset: \(out.stdout.count) bytes, expected \(data.count), equal: \
            \(out.stdout == data)
            """
        )
    }

    @Test("stall mid-body with --timeout 2: the download is still byte-exact (or fails cleanly), never a wrong file")
    func stallMidBody() throws {
        let (s, proxy, b, data) = try setUp("fault-stallbody")
        defer { try? proxy.reset() }
        // A 40 s stall against bounds of 25 s: far apart, so a busy machine cannot blur them.
        try proxy.set(["mode": "stall-mid-body", "count": 1, "seconds": 40, "match": "GET "])
        let (r, seconds) = try s.timed(
            s.peers.faultFlags + ["--timeout", "2"], ["download", "obs://\(b)/object.bin", "down.bin"])
        #expect(seconds < 25, "took \(seconds) s")
        let got = s.sb.read("down.bin")
        #expect(r.succeeded, "a download after one stall should succeed by retrying: \(r)")
        if r.succeeded {
            #expect(got?.count == data.count, "downloaded \(got?.count ?? -1) bytes, the object has \(data.count)")
            #expect(got == data, "download after a mid-body stall is not byte-exact")
        } else {
            #expect(got == nil, "a failed download left a file")
        }
    }

    @Test("stall: with --timeout 2 --retries 0 the command fails with exit 11 within a bounded time, leaving no file")
    func stallTimesOut() throws {
        let (s, proxy, b, _) = try setUp("fault-stall")
        defer { try? proxy.reset() }
        try proxy.set(["mode": "stall", "count": 1, "seconds": 40, "match": "GET "])
        let (r, seconds) = try s.timed(
            s.peers.faultFlags + ["--timeout", "2", "--retries", "0"],
            ["download", "obs://\(b)/object.bin", "down.bin"])
        expectRemoteError(r, 11)
        #expect(seconds >= 1.5 && seconds < 25, "a 2 s timeout should end the command in about 2 s, took \(seconds) s")
        #expect(!s.sb.exists("down.bin"))
        #expect(s.sb.files().allSatisfy { !$0.contains(".part") }, "temporary file left: \(s.sb.files())")
        #expect(try proxy.faults("stall") == 1)

        // An upload to a stalled server times out the same way (a small body: libcurl's low-speed check averages
        // over about 5 s, so a large body sent just before the stall would delay the timeout by that much).
        try s.sb.write("tiny.txt", Data("tiny\n".utf8))
        try proxy.set(["mode": "stall", "count": 1, "seconds": 40, "match": "PUT "])
        let (u, useconds) = try s.timed(
            s.peers.faultFlags + ["--timeout", "2", "--retries", "0"], ["upload", "tiny.txt", "obs://\(b)/stalled.txt"])
        expectRemoteError(u, 11)
        #expect(useconds < 25, "took \(useconds) s")
    }

    @Test("stall mid-body with --timeout 2 --retries 0: exit 11 about 2 s after the last byte, as --timeout promises")
    func stallMidBodyTimeout() throws {
        let (s, proxy, b, _) = try setUp("fault-stallbody-t")
        defer { try? proxy.reset() }
        try proxy.set(["mode": "stall-mid-body", "count": 1, "seconds": 40, "match": "GET "])
        let (r, seconds) = try s.timed(
            s.peers.faultFlags + ["--timeout", "2", "--retries", "0"],
            ["download", "obs://\(b)/object.bin", "down.bin"])
        expectRemoteError(r, 11)
        #expect(!s.sb.exists("down.bin"))
        // --timeout: "Abort a transfer that moves no byte for this many seconds". 1.5 MB arrive at once, then nothing.
        // The stall lasts 40 s: anything well under that shows --timeout ended it (loose, for busy machines).
        #expect(
            seconds < 25,
            "no byte moved for 2 s should end the transfer after about 2 s; took \(String(format: "%.1f", seconds)) s")
    }

    @Test(
        """
        connection reset mid-request: a single PUT and one part of a multipart upload are re-sent from the file; \
        byte-exact
        """
    )
    func resetMidRequest() throws {
        let (s, proxy, b, data) = try setUp("fault-reqreset")
        defer { try? proxy.reset() }
        let f = s.peers.faultFlags

        try proxy.set(["mode": "reset-mid-request", "count": 1, "match": "PUT "])
        try s.ok(f, ["upload", "object.bin", "obs://\(b)/single.bin"])
        #expect(try proxy.faults("reset-mid-request") == 1)
        #expect(try s.ok(s.peers.seaweedFlags, ["download", "obs://\(b)/single.bin", "-"]).stdout == data)

        let big = remoteRandomData(13 << 20)
        try s.sb.write("big.bin", big)
        try proxy.set(["mode": "reset-mid-request", "count": 1, "match": "partNumber=2&"])
        try s.ok(
            f,
            [
                "upload", "big.bin", "obs://\(b)/multi.bin", "--multipart-threshold", "5M", "--part-size", "5M",
                "--parallel", "3",
            ])
        #expect(try proxy.faults("reset-mid-request") == 2, "part 2 was not reset")
        #expect(
            try s.ok(s.peers.seaweedFlags, ["download", "obs://\(b)/multi.bin", "-"]).stdout == big,
            "multipart upload after a reset differs")
        #expect(try Tools.multipartUploadsInProgress(s.peers, endpoint: s.peers.seaweed, bucket: b) == 0)
    }

    @Test(
        "parts keep failing (503, --retries 0): the upload exits non-zero and leaves no multipart upload and no object")
    func failedMultipartIsAborted() throws {
        let (s, proxy, b, _) = try setUp("fault-abort")
        defer { try? proxy.reset() }
        let big = remoteRandomData(13 << 20)
        try s.sb.write("big.bin", big)

        // Only UploadPart fails: Initiate and the abort (DELETE ?uploadId) pass.
        try proxy.set(["mode": "503", "count": -1, "match": "partNumber="])
        let r = try s.run(
            s.peers.faultFlags + ["--retries", "0"],
            [
                "upload", "big.bin", "obs://\(b)/big.bin",
                "--multipart-threshold", "5M", "--part-size", "5M", "--parallel", "3",
            ])
        try proxy.reset()
        expectRemoteError(r, 11)
        #expect(
            try Tools.multipartUploadsInProgress(s.peers, endpoint: s.peers.seaweed, bucket: b) == 0,
            "a failed upload was left in progress")
        expectRemoteError(try s.run(s.peers.seaweedFlags, ["stat", "obs://\(b)/big.bin"]), 3)

        // Same with retries: the 503s outlast them, and the upload is still aborted.
        try proxy.set(["mode": "503", "count": -1, "match": "partNumber="])
        let r2 = try s.run(
            s.peers.faultFlags + ["--retries", "1"],
            [
                "upload", "big.bin", "obs://\(b)/big2.bin",
                "--multipart-threshold", "5M", "--part-size", "5M", "--parallel", "2",
            ])
        try proxy.reset()
        expectRemoteError(r2, 11)
        #expect(
            try Tools.multipartUploadsInProgress(s.peers, endpoint: s.peers.seaweed, bucket: b) == 0,
            "a failed upload was left in progress")
    }

    @Test(
        """
        a body damaged in transit: the MD5 check fails the download (exit 13) for a streamed and a ranged GET, and \
        leaves no file
        """
    )
    func corruptedBody() throws {
        let (s, proxy, b, data) = try setUp("fault-corrupt")
        defer { try? proxy.reset() }
        let f = s.peers.faultFlags

        // obsctl recorded the object's CRC-32C at upload (its ETag, an MD5, would serve too): a flipped byte is seen.
        try proxy.set(["mode": "corrupt-body", "count": 1, "match": "GET "])
        expectRemoteError(try s.run(f, ["download", "obs://\(b)/object.bin", "down.bin"]), 13)
        #expect(try proxy.faults("corrupt-body") == 1, "the damage was not served")
        #expect(!s.sb.exists("down.bin"))

        // Stdout: bytes already went out, but the exit code says they are damaged.
        try proxy.set(["mode": "corrupt-body", "count": 1, "match": "GET "])
        let piped = try s.run(f, ["download", "obs://\(b)/object.bin", "-"])
        #expect(
            piped.status == 13
                && piped.stderrLines.contains { $0.hasPrefix("obsctl: error:") && $0.contains("CRC-32C") }, "\(piped)")

        // Ranged (three ranges): the first is damaged; the file is read back and hashed before the rename.
        try proxy.set(["mode": "corrupt-body", "count": 1, "match": "GET ", "after": 10])
        let ranged = try s.run(
            f, ["download", "obs://\(b)/object.bin", "ranged.bin", "--part-size", "1M", "--parallel", "2"])
        expectRemoteError(ranged, 13)
        #expect(!s.sb.exists("ranged.bin"))
        #expect(s.sb.files().allSatisfy { !$0.contains(".part") }, "temporary file left: \(s.sb.files())")

        // Undamaged, the same ranged download is byte-exact.
        try s.ok(f, ["download", "obs://\(b)/object.bin", "ranged.bin", "--part-size", "1M", "--parallel", "2"])
        #expect(s.sb.read("ranged.bin") == data)
    }

    @Test(
        """
        upload bytes damaged on the way in: the checksum header (crc32c by default, md5) makes the server refuse them; \
        retried, or exit 13 with nothing stored
        """
    )
    func corruptedRequest() throws {
        let (s, proxy, b, data) = try setUp("fault-corrupt-put")
        defer { try? proxy.reset() }
        let f = s.peers.faultFlags, sw = s.peers.seaweedFlags

        // Retried: the second attempt arrives whole.
        try proxy.set(["mode": "corrupt-request", "count": 1, "match": "PUT ", "after": 1000])
        let up = try s.ok(f, ["upload", "object.bin", "obs://\(b)/retried.bin", "--debug"])
        // The CRC-32C goes in a header, computed before the request (an aws-chunked trailer would leave
        // `Content-Encoding: aws-chunked` on the object in SeaweedFS).
        #expect(
            up.stderrLines.contains { $0.lowercased().hasPrefix("> x-amz-checksum-crc32c: ") },
            "no CRC-32C header by default: \(up)")
        #expect(!up.stderrLines.contains { $0.lowercased().contains("aws-chunked") }, "\(up)")
        #expect(try proxy.faults("corrupt-request") == 1, "the damage was not served")
        #expect(try s.ok(sw, ["download", "obs://\(b)/retried.bin", "-"]).stdout == data)

        // Without retries: exit 13 and no object, with each checksum: the CRC-32C header (v4 and v2) and Content-MD5.
        for (checksum, extra) in [("crc32c", [String]()), ("crc32c", ["--signature", "v2"]), ("md5", [])] {
            let key = "\(checksum)\(extra.isEmpty ? "" : "-v2").bin"
            try proxy.set(["mode": "corrupt-request", "count": 1, "match": "PUT ", "after": 1000])
            let r = try s.run(
                f + ["--retries", "0"] + extra,
                ["upload", "object.bin", "obs://\(b)/\(key)", "--checksum", checksum, "--debug"])
            #expect(r.status == 13 && r.stderrLines.last?.contains("damaged") == true, "\(key): \(r)")
            let announced = checksum == "md5" ? "> content-md5: " : "> x-amz-checksum-crc32c: "
            #expect(
                r.stderrLines.contains { $0.lowercased().hasPrefix(announced) },
                "\(key): expected a '\(announced)' line: \(r)")
            expectRemoteError(try s.run(sw, ["stat", "obs://\(b)/\(key)"]), 3)
        }

        // A damaged part of a multipart upload: exit 13, and the upload is aborted.
        let big = remoteRandomData(11 << 20)
        try s.sb.write("big.bin", big)
        try proxy.set(["mode": "corrupt-request", "count": 1, "match": "partNumber=2", "after": 1000])
        expectRemoteError(
            try s.run(
                f + ["--retries", "0"],
                ["upload", "big.bin", "obs://\(b)/big.bin", "--multipart-threshold", "5M", "--part-size", "5M"]), 13)
        #expect(
            try Tools.multipartUploadsInProgress(s.peers, endpoint: s.peers.seaweed, bucket: b) == 0,
            "a failed upload was left in progress")
        // Undamaged, the CRC-32C multipart upload completes (the part checksums listed again in Complete).
        try s.ok(f, ["upload", "big.bin", "obs://\(b)/big.bin", "--multipart-threshold", "5M", "--part-size", "5M"])
        #expect(try s.ok(sw, ["download", "obs://\(b)/big.bin", "-"]).stdout == big)

        // The control: with --checksum none the same damage is stored unnoticed, which is what the header prevents.
        try proxy.set(["mode": "corrupt-request", "count": 1, "match": "PUT ", "after": 1000])
        try s.ok(f + ["--retries", "0"], ["upload", "object.bin", "obs://\(b)/none.bin", "--checksum", "none"])
        #expect(
            try s.ok(sw, ["download", "obs://\(b)/none.bin", "-"]).stdout != data, "the proxy did not damage the upload"
        )
    }

    @Test("http_proxy is honoured: requests to the endpoint go through the proxy it names; NO_PROXY bypasses it")
    func environmentProxy() throws {
        let (s, proxy, b, data) = try setUp("fault-proxy-env")
        defer { try? proxy.reset() }
        let sw = s.peers.seaweedFlags
        // The fault proxy relays absolute-form requests ("GET http://host/path") to SeaweedFS, so it serves as a
        // forward proxy here: what it counts went through it.
        let viaProxy: [String: String?] = [
            "http_proxy": s.peers.fault, "HTTP_PROXY": nil, "no_proxy": nil, "NO_PROXY": nil, "ALL_PROXY": nil,
        ]
        let before = try proxy.stats()["requests"] as? Int ?? 0
        #expect(try s.ok(sw, ["download", "obs://\(b)/object.bin", "-"], env: viaProxy).stdout == data)
        let after = try proxy.stats()["requests"] as? Int ?? 0
        #expect(after > before, "the download did not go through http_proxy (\(before) -> \(after) requests)")

        let bypass: [String: String?] = [
            "http_proxy": s.peers.fault, "no_proxy": "127.0.0.1", "HTTP_PROXY": nil, "NO_PROXY": nil, "ALL_PROXY": nil,
        ]
        #expect(try s.ok(sw, ["download", "obs://\(b)/object.bin", "-"], env: bypass).stdout == data)
        #expect(try proxy.stats()["requests"] as? Int ?? 0 == after, "no_proxy=127.0.0.1 should bypass the proxy")
    }

    @Test(
        """
        the answer to CompleteMultipartUpload is lost and the retry gets NoSuchUpload: the object's ETag shows it was \
        written; success
        """
    )
    func lostCompleteAnswer() throws {
        let (s, proxy, b, _) = try setUp("fault-complete")
        defer { try? proxy.reset() }
        let big = remoteRandomData(11 << 20)
        try s.sb.write("big.bin", big)
        // First the Complete goes through and its answer is cut; then its retry is told the upload is gone, as S3
        // and OBS say once an upload completed (SeaweedFS would answer 200 again, so the proxy says it).
        let match = "POST /\(b)/big.bin?uploadId"
        try proxy.set([
            "mode": "reset-mid-body", "count": 1, "match": match,
            "then": ["mode": "503", "status": 404, "code": "NoSuchUpload", "count": 1, "match": match] as [String: Any],
        ])
        let r = try s.run(
            s.peers.faultFlags,
            ["upload", "big.bin", "obs://\(b)/big.bin", "--multipart-threshold", "5M", "--part-size", "5M"])
        #expect(
            try proxy.faults("reset-mid-body") == 1 && proxy.faults("503") == 1, "the two faults were not both served")
        #expect(r.succeeded, "a completed upload was reported as failed: \(r)")
        #expect(try s.ok(s.peers.seaweedFlags, ["download", "obs://\(b)/big.bin", "-"]).stdout == big)

        // Had the upload not been completed, the same NoSuchUpload stays an error.
        try proxy.set([
            "mode": "503", "status": 404, "code": "NoSuchUpload", "count": 1, "match": "POST /\(b)/other.bin?uploadId",
        ])
        let failed = try s.run(
            s.peers.faultFlags,
            ["upload", "big.bin", "obs://\(b)/other.bin", "--multipart-threshold", "5M", "--part-size", "5M"])
        #expect(!failed.succeeded, "a NoSuchUpload for an upload that never completed must fail: \(failed)")
    }
}
