import Foundation
import Testing

/// The command set against SeaweedFS (a Go S3 server that checks SigV4 signatures and really enforces SSE-C) and
/// against `obsctl serve` in both dialects (SigV4, and the OBS signature with x-obs-* headers), over plain HTTP on
/// 127.0.0.1 with path-style addressing.
@Suite("Remote: every command (SeaweedFS, serve)", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteSeaweedTests {
    /// The prefix of the dialect's own request headers in --debug output.
    private func prefix(_ server: String) -> String { server == "serve-obs" ? "x-obs-" : "x-amz-" }

    @Test(
        "bucket create, list, encryption show (none), create again (exit 10), delete, delete again (exit 3)",
        arguments: RemotePeers.commandServers)
    func bucketLifecycle(_ server: String) throws {
        let s = try RemoteSession("sw-bucket")
        let sw = try s.peers.flags(server)
        let name = RemoteSession.uniqueName("life")
        s.adopt(name, sw)

        let created = try s.ok(sw, ["bucket", "create", "obs://" + name])
        #expect(created.out.contains("obs://" + name), "\(created)")

        let list = try s.json(sw, ["bucket", "list"])
        let names = (list["buckets"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains(name), "bucket list should show \(name): \(names)")

        // A bucket without default encryption: "none", exit 0 (404 ServerSideEncryptionConfigurationNotFoundError is
        // not an error).
        let show = try s.ok(sw, ["bucket", "encryption", "show", "obs://" + name])
        #expect(
            show.out.trimmingCharacters(in: .whitespacesAndNewlines) == "obs://\(name): default encryption none",
            "\(show)")
        let showJSON = try s.json(sw, ["bucket", "encryption", "show", "obs://" + name])
        #expect(showJSON["encryption"] is NSNull, "encryption should be null: \(showJSON)")

        expectRemoteError(try s.run(sw, ["bucket", "create", "obs://" + name]), 10, contains: [name])

        let deleted = try s.ok(sw, ["bucket", "delete", "obs://" + name])
        #expect(deleted.out.contains("deleted obs://" + name), "\(deleted)")
        let after = try s.json(sw, ["bucket", "list"])
        let namesAfter = (after["buckets"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(!namesAfter.contains(name), "deleted bucket still listed: \(namesAfter)")
        expectRemoteError(try s.run(sw, ["bucket", "delete", "obs://" + name]), 3, contains: ["NoSuchBucket"])
    }

    @Test(
        """
        upload small (one PUT) and 13 MiB multipart (5 MiB parts, 3 in parallel); download byte-exact to a file and to \
        stdout
        """,
        arguments: RemotePeers.commandServers)
    func uploadAndDownload(_ server: String) throws {
        let s = try RemoteSession("sw-updown")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "updown")
        let small = remoteRandomData(1000), big = remoteRandomData(13 << 20)
        try s.sb.write("small.bin", small)
        try s.sb.write("big.bin", big)

        let up1 = try s.json(sw, ["upload", "small.bin", "obs://\(b)/dir/small.bin"])
        let rec1 = try #require((up1["transfers"] as? [[String: Any]])?.first, "\(up1)")
        #expect(rec1["size"] as? Int == 1000, "\(up1)")

        let up2 = try s.ok(
            sw,
            [
                "upload", "big.bin", "obs://\(b)/big.bin", "--multipart-threshold", "5M", "--part-size", "5M",
                "--parallel", "3", "--debug",
            ])
        // Three parts (5 + 5 + 3 MiB), each its own UploadPart, then one Complete; no single PUT of the object.
        let parts = Set(
            up2.stderrLines.compactMap { line -> String? in
                guard line.hasPrefix("> PUT "), let r = line.range(of: "partNumber=") else { return nil }
                return String(line[r.upperBound...].prefix { $0.isNumber })
            })
        #expect(parts == ["1", "2", "3"], "expected UploadPart 1, 2, 3 in the debug output: \(up2)")
        #expect(
            up2.stderrLines.contains { $0.hasPrefix("> POST ") && $0.hasSuffix("?uploads") },
            "no InitiateMultipartUpload: \(up2)")

        let st1 = try s.stat(sw, "obs://\(b)/dir/small.bin")
        #expect(st1["size"] as? Int == 1000)
        #expect(st1["etag"] as? String == md5ETag(small), "single PUT ETag is the MD5: \(st1)")
        #expect(sseField(st1, "mode") as? String == "none")
        let st2 = try s.stat(sw, "obs://\(b)/big.bin")
        #expect(st2["size"] as? Int == 13 << 20)
        #expect((st2["etag"] as? String)?.hasSuffix("-3") == true, "multipart ETag should end in -3: \(st2)")

        try s.ok(sw, ["download", "obs://\(b)/big.bin", "out/big.bin"])
        #expect(s.sb.read("out/big.bin") == big, "multipart object downloaded differs")
        try s.ok(sw, ["download", "obs://\(b)/dir/small.bin", "out/"])
        #expect(s.sb.read("out/small.bin") == small, "small object downloaded differs")
        let toStdout = try s.ok(sw, ["download", "obs://\(b)/big.bin", "-"])
        #expect(toStdout.stdout == big, "download to stdout differs (\(toStdout.stdout.count) bytes)")
        #expect(
            s.sb.files(under: "out").allSatisfy { !$0.contains(".part") },
            "temporary files left: \(s.sb.files(under: "out"))")
    }

    @Test(
        """
        a large download is parallel ranged GETs pinned with If-Match (plain and SSE-C); byte-exact; an empty object \
        downloads
        """,
        arguments: RemotePeers.commandServers)
    func rangedDownload(_ server: String) throws {
        let s = try RemoteSession("sw-ranged")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "ranged")
        let data = remoteRandomData(13 << 20), key = remoteRandomData(32)
        try s.sb.write("big.bin", data)
        try s.sb.write("k", key, mode: 0o600)
        try s.sb.write("empty.bin", Data())
        // One PUT: the ETag is the MD5.
        try s.ok(sw, ["upload", "big.bin", "obs://\(b)/big.bin", "--multipart-threshold", "64M"])
        try s.ok(sw, ["upload", "big.bin", "obs://\(b)/big-c.bin", "--sse-c-key-file", "k"])
        try s.ok(sw, ["upload", "empty.bin", "obs://\(b)/empty.bin"])

        let r = try s.ok(
            sw, ["download", "obs://\(b)/big.bin", "out/big.bin", "--part-size", "5M", "--parallel", "3", "--debug"])
        #expect(s.sb.read("out/big.bin") == data, "ranged download differs")
        let ranges = Set(
            r.stderrLines.compactMap {
                $0.hasPrefix("> Range: bytes=") ? String($0.dropFirst("> Range: bytes=".count)) : nil
            })
        #expect(ranges == ["0-5242879", "5242880-10485759", "10485760-13631487"], "ranges asked for: \(ranges)")
        #expect(
            r.stderrLines.filter { $0.hasPrefix("> If-Match: ") }.count == 2,
            "the later ranges must be pinned to the first answer's ETag: \(r)")

        try s.ok(
            sw, ["download", "obs://\(b)/big-c.bin", "out/big-c.bin", "--part-size", "4M", "--sse-c-key-file", "k"])
        #expect(s.sb.read("out/big-c.bin") == data, "ranged SSE-C download differs")
        expectRemoteError(try s.run(sw, ["download", "obs://\(b)/big-c.bin", "out/nokey.bin", "--part-size", "4M"]), 7)
        #expect(!s.sb.exists("out/nokey.bin"))

        // No room for the object (a file size limit stands in for a full disk): the download fails as soon as the
        // first range gives the size, before the other ranges are fetched, with one error line and no file left.
        let full = try s.run(
            sw, ["download", "obs://\(b)/big.bin", "out/full.bin", "--part-size", "5M", "--debug"],
            fileSizeLimit: 8 << 20)
        #expect(
            full.status == 1 && full.stderrLines.last?.hasPrefix("obsctl: error: no room for 13631488 bytes") == true,
            "\(full)")
        #expect(
            full.stderrLines.filter { $0.hasPrefix("> Range: ") }.count == 1,
            "only the first range may be fetched: \(full)")
        #expect(!s.sb.exists("out/full.bin"))

        try s.ok(sw, ["download", "obs://\(b)/empty.bin", "out/empty.bin"])
        #expect(s.sb.read("out/empty.bin") == Data(), "empty object")
        #expect(
            s.sb.files(under: "out").allSatisfy { !$0.contains(".part") },
            "temporary files left: \(s.sb.files(under: "out"))")
    }

    @Test(
        "stdin upload below the threshold (one PUT) and above it (multipart, part by part)",
        arguments: RemotePeers.commandServers)
    func stdinUploads(_ server: String) throws {
        let s = try RemoteSession("sw-stdin")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "stdin")
        let below = remoteRandomData((1 << 20) + 7), above = remoteRandomData((11 << 20) + 3)
        let tuning = ["--multipart-threshold", "5M", "--part-size", "5M"]

        try s.ok(sw, ["upload", "-", "obs://\(b)/below"] + tuning, stdin: below)
        try s.ok(sw, ["upload", "-", "obs://\(b)/above"] + tuning, stdin: above)
        let stBelow = try s.stat(sw, "obs://\(b)/below"), stAbove = try s.stat(sw, "obs://\(b)/above")
        #expect(stBelow["size"] as? Int == below.count)
        #expect(stBelow["etag"] as? String == md5ETag(below), "below the threshold: one PUT: \(stBelow)")
        #expect(stAbove["size"] as? Int == above.count)
        #expect((stAbove["etag"] as? String)?.hasSuffix("-3") == true, "above the threshold: 3 parts: \(stAbove)")

        #expect(try s.ok(sw, ["download", "obs://\(b)/below", "-"]).stdout == below)
        #expect(try s.ok(sw, ["download", "obs://\(b)/above", "-"]).stdout == above)
    }

    @Test(
        "stdin is held one part at a time: a threshold above the part size sends parts, peak RSS far below the stream",
        arguments: RemotePeers.commandServers)
    func stdinHeldOnePartAtATime(_ server: String) throws {
        let s = try RemoteSession("sw-stdin-mem")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "stdin-mem")
        let data = remoteRandomData(96 << 20)
        // Through a pipe (a file on stdin is read as a file), and VmHWM sampled until obsctl exits (it only grows):
        // the last sample is the run's peak.
        let sampler = """
            exec 3<&0; cat <&3 | "$@" & p=$!; peak=0
            while kill -0 $p 2>/dev/null; do
              v=$(sed -n 's/^VmHWM:[^0-9]*\\([0-9]*\\).*/\\1/p' /proc/$p/status 2>/dev/null); [ -n "$v" ] && peak=$v
              sleep 0.02
            done
            wait $p; rc=$?; echo "peak_kib=$peak" >&2; exit $rc
            """
        let r = try s.sb.start(
            ["upload", "-", "obs://\(b)/big", "--multipart-threshold", "1G", "--part-size", "5M"] + sw, stdin: data,
            wrapper: sampler
        ).wait(timeout: 300)
        #expect(r.succeeded, "\(r)")
        let peak = r.stderrLines.last { $0.hasPrefix("peak_kib=") }.flatMap { Int($0.dropFirst(9)) } ?? .max
        // One 5 MiB part, a read buffer and the process's own footprint; the stream was 96 MiB.
        #expect(peak < 64 << 10, "peak RSS \(peak) KiB for a 96 MiB stream in 5 MiB parts")
        let st = try s.stat(sw, "obs://\(b)/big")
        #expect((st["etag"] as? String)?.hasSuffix("-20") == true, "20 parts of 5 MiB: \(st)")
        #expect(try s.ok(sw, ["download", "obs://\(b)/big", "-"]).stdout == data)
    }

    @Test(
        """
        SSE-C: single and multipart upload; download with the right key (bytes equal), wrong key and missing key (exit \
        7)
        """,
        arguments: RemotePeers.commandServers)
    func customerKeys(_ server: String) throws {
        let s = try RemoteSession("sw-ssec")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "ssec")
        let key = remoteRandomData(32), wrong = remoteRandomData(32)
        try s.sb.write("k.raw", key, mode: 0o600)
        try s.sb.write("k.hex", Data(hexString(key).utf8), mode: 0o600)
        try s.sb.write("wrong.raw", wrong, mode: 0o600)
        let small = remoteRandomData(4096), big = remoteRandomData(11 << 20)
        try s.sb.write("small.bin", small)
        try s.sb.write("big.bin", big)

        try s.ok(sw, ["upload", "small.bin", "obs://\(b)/small", "--sse", "c", "--sse-c-key-file", "k.raw"])
        // Multipart: the SSE-C headers go on Initiate and on every part (SeaweedFS refuses parts without them).
        try s.ok(
            sw,
            [
                "upload", "big.bin", "obs://\(b)/big", "--sse-c-key-file", "k.hex", "--multipart-threshold", "5M",
                "--part-size", "5M", "--parallel", "3",
            ])

        for (obj, data) in [("small", small), ("big", big)] {
            let st = try s.stat(sw, "obs://\(b)/\(obj)", extra: ["--sse-c-key-file", "k.raw"])
            #expect(sseField(st, "mode") as? String == "c", "\(obj): \(st)")
            #expect(sseField(st, "customer_key_md5") as? String == md5Base64(key), "\(obj): \(st)")
            #expect(st["size"] as? Int == data.count)

            try s.ok(sw, ["download", "obs://\(b)/\(obj)", "out/\(obj)", "--sse-c-key-file", "k.raw"])
            #expect(s.sb.read("out/\(obj)") == data, "\(obj): SSE-C download with the right key differs")

            let wrongKey = try s.run(
                sw, ["download", "obs://\(b)/\(obj)", "bad/\(obj)", "--sse-c-key-file", "wrong.raw"])
            expectRemoteError(wrongKey, 7)
            let missing = try s.run(sw, ["download", "obs://\(b)/\(obj)", "bad/\(obj)"])
            expectRemoteError(missing, 7)
            #expect(s.sb.files(under: "bad").isEmpty, "failed downloads left files: \(s.sb.files(under: "bad"))")
        }

        // HEAD (stat) checks the key too: a wrong key is refused with exit 7...
        expectRemoteError(try s.run(sw, ["stat", "obs://\(b)/small", "--sse-c-key-file", "wrong.raw"]), 7)
        // ...and so is a missing one (SeaweedFS answers the HEAD 400 with no body, as OBS does).
        expectRemoteError(try s.run(sw, ["stat", "obs://\(b)/small"]), 7, contains: ["sse-c"])

        let text = try s.ok(sw, ["stat", "obs://\(b)/small", "--sse-c-key-file", "k.raw"])
        let f = fields(text.out)
        #expect(f["encryption"] == "SSE-C", "\(text)")
        #expect(f["sse-c-key-md5"] == md5Base64(key), "\(text)")
    }

    @Test(
        "stat in text and JSON; stat, download and rm of a missing object exit 3; a missing bucket exits 3",
        arguments: RemotePeers.commandServers)
    func statAndMissing(_ server: String) throws {
        let s = try RemoteSession("sw-stat")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "stat")
        let data = Data("hello, remote stat\n".utf8)
        try s.sb.write("hello.txt", data)
        try s.ok(sw, ["upload", "hello.txt", "obs://\(b)/docs/hello.txt", "--metadata", "owner=tests"])

        let text = try s.ok(sw, ["stat", "obs://\(b)/docs/hello.txt"])
        let f = fields(text.out)
        #expect(f["object"] == "obs://\(b)/docs/hello.txt", "\(text)")
        #expect(f["size"] == String(data.count), "\(text)")
        #expect(f["content-type"] == "text/plain", "\(text)")
        #expect(f["etag"] == md5ETag(data), "\(text)")
        #expect(f["encryption"] == "none", "\(text)")
        #expect(f["metadata.owner"] == "tests", "\(text)")
        #expect(isRFC3339(f["last-modified"]), "\(text)")

        let j = try s.stat(sw, "obs://\(b)/docs/hello.txt")
        #expect(j["bucket"] as? String == b)
        #expect(j["key"] as? String == "docs/hello.txt")
        #expect(j["size"] as? Int == data.count)
        #expect(j["content_type"] as? String == "text/plain")
        #expect(j["etag"] as? String == md5ETag(data))
        #expect((j["metadata"] as? [String: String]) == ["owner": "tests"], "\(j)")
        #expect(sseField(j, "mode") as? String == "none", "\(j)")
        #expect(sseField(j, "customer_key_md5") is NSNull, "\(j)")
        #expect(isRFC3339(j["last_modified"]))

        // HEAD of a missing object: 404 without a body, still "not found".
        expectRemoteError(try s.run(sw, ["stat", "obs://\(b)/docs/nope.txt"]), 3, contains: ["nope.txt"])
        expectRemoteError(try s.run(sw, ["download", "obs://\(b)/docs/nope.txt", "nope.txt"]), 3)
        #expect(!s.sb.exists("nope.txt"))
        expectRemoteError(try s.run(sw, ["rm", "obs://\(b)/docs/nope.txt"]), 3)
        let noBucket = RemoteSession.uniqueName("none")
        // A HEAD's 404 cannot tell a missing bucket from a missing key: the bucket is asked about, so both say it.
        for command in [["stat"], ["rm"], ["rm", "--dry-run"]] {
            let args = [command[0], "obs://\(noBucket)/x"] + command.dropFirst()
            expectRemoteError(try s.run(sw, args), 3, contains: ["NoSuchBucket", "bucket create"])
        }
        expectRemoteError(try s.run(sw, ["stat", "obs://\(b)/docs/nope.txt"]), 3, contains: ["NoSuchKey"])
        expectRemoteError(try s.run(sw, ["ls", "obs://\(noBucket)/"]), 3, contains: ["NoSuchBucket"])
    }

    @Test(
        "ls paginates past 1000 keys (1005 objects); rm of one key; rm --recursive of a prefix and of 1000+ keys",
        arguments: RemotePeers.commandServers)
    func paginationAndRemove(_ server: String) throws {
        let s = try RemoteSession("sw-pages")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "pages")
        let count = 1005
        for i in 0..<count { try s.sb.write(String(format: "many/k%04d", i), Data("\(i)\n".utf8)) }
        try s.sb.write("other/a.txt", Data("a".utf8))
        try s.sb.write("other/b.txt", Data("b".utf8))
        try s.sb.write("manyfold.txt", Data("not under many/".utf8))
        // One process, one connection: 1005 small PUTs.
        try s.ok(sw, ["upload", "many", "obs://\(b)/many/", "--recursive", "--quiet", "--output", "json"])
        try s.ok(sw, ["upload", "other", "obs://\(b)/other/", "--recursive"])
        try s.ok(sw, ["upload", "manyfold.txt", "obs://\(b)/manyfold.txt"])

        let expected = (0..<count).map { String(format: "many/k%04d", $0) }
        let listed = try s.keys(sw, "obs://\(b)/many/")
        #expect(listed.count == count, "ls --recursive should list \(count) keys, got \(listed.count)")
        #expect(
            listed == expected,
            "keys differ from the uploaded set (first: \(listed.prefix(3)), last: \(listed.suffix(3)))")
        let text = try s.ok(sw, ["ls", "obs://\(b)/many/"])
        #expect(
            text.out.split(separator: "\n").filter { $0.contains("many/k") }.count == count,
            "text ls should show \(count) keys")
        let root = try s.json(sw, ["ls", "obs://\(b)"])
        #expect(Set(root["prefixes"] as? [String] ?? []) == ["many/", "other/"], "\(root["prefixes"] ?? "nil")")

        let rm1 = try s.ok(sw, ["rm", "obs://\(b)/other/a.txt"])
        #expect(rm1.out.contains("delete: obs://\(b)/other/a.txt"), "\(rm1)")
        #expect(try s.keys(sw, "obs://\(b)/other/") == ["other/b.txt"])

        // rm --recursive takes the prefix as a folder: manyfold.txt stays.
        let rmAll = try s.ok(sw, ["rm", "obs://\(b)/many", "--recursive", "--output", "json"])
        let deleted = try parseJSONObject(rmAll.stdout)["deleted"] as? [String] ?? []
        #expect(
            deleted.count == count,
            "rm --recursive should delete \(count) objects (past the first page), reported \(deleted.count)")
        #expect(try s.keys(sw, "obs://\(b)/many/").isEmpty, "objects left under many/")
        #expect(try s.keys(sw, "obs://\(b)/").sorted() == ["manyfold.txt", "other/b.txt"])
        try s.ok(sw, ["rm", "obs://\(b)/other/", "--recursive"])
        #expect(try s.keys(sw, "obs://\(b)/other/").isEmpty)
    }

    @Test(
        "presign: GET and PUT URLs work with curl (SigV4 and V2), expire, and fail when altered; durations are checked",
        arguments: RemotePeers.commandServers)
    func presignedURLs(_ server: String) throws {
        let s = try RemoteSession("sw-presign")
        let sw = try s.peers.flags(server)
        let base = try s.peers.url(server)
        let v2 = ["--endpoint", base, "--signature", "v2", "--addressing", "path"]
        let b = try s.makeBucket(sw, tag: "presign")
        let data = remoteRandomData(100_000)
        try s.sb.write("f.bin", data)
        let object = "obs://\(b)/dir/a b+c.bin"  // a space and a '+': encoded once, the same way signed and sent
        try s.ok(sw, ["upload", "f.bin", object])
        func text(_ r: RunResult) -> String {
            String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func status(_ url: String, _ extra: [String] = []) throws -> String {
            try Tools.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"] + extra + [url]).stdout
        }

        for flags in [sw, v2] {
            let url = text(try s.ok(flags, ["presign", object]))
            #expect(url.hasPrefix(base + "/\(b)/dir/a%20b%2Bc.bin?"), "\(url)")
            let get = try Tools.run(["curl", "-sS", "-f", "-o", s.sb.path("got.bin"), url])
            #expect(get.succeeded && s.sb.read("got.bin") == data, "GET through the presigned URL: \(get)")
            #expect(
                try status(url.replacingOccurrences(of: "a%20b", with: "a%20c")) == "403",
                "another key under the same signature")
            #expect(try status(url, ["-X", "DELETE"]) == "403", "a GET URL must not allow a DELETE")
        }

        // A PUT URL: curl uploads through it, obsctl reads the object back.
        let put = try s.json(sw, ["presign", "obs://\(b)/inbox/new.bin", "--method", "put", "--expires", "10m"])
        #expect(put["method"] as? String == "PUT" && put["object"] as? String == "obs://\(b)/inbox/new.bin", "\(put)")
        let expires = (put["expires"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
        #expect(expires.map { abs($0.timeIntervalSinceNow - 600) < 60 } == true, "expires in about 10 minutes: \(put)")
        let upload = try Tools.run(["curl", "-sS", "-f", "-T", s.sb.path("f.bin"), try #require(put["url"] as? String)])
        #expect(upload.succeeded, "PUT through the presigned URL: \(upload)")
        #expect(try s.ok(sw, ["download", "obs://\(b)/inbox/new.bin", "-"]).stdout == data)

        // An expired URL is refused.
        let short = text(try s.ok(sw, ["presign", object, "--expires", "1s"]))
        Thread.sleep(forTimeInterval: 2.5)
        #expect(try status(short) == "403", "a URL past its expiry must be refused")

        // Durations: SigV4 allows at most 7 days, V2 and the OBS signature more; anything but a duration is a usage
        // error.
        if server == "serve-obs" {
            #expect(!text(try s.ok(sw, ["presign", object, "--expires", "8d"])).isEmpty)
        } else {
            expectRemoteError(try s.run(sw, ["presign", object, "--expires", "8d"]), 2, contains: ["7 days"])
        }
        #expect(!text(try s.ok(v2, ["presign", object, "--expires", "30d"])).isEmpty)
        // V2 and OBS carry a Unix time, which must stay within 32 bits; a duration names its own limit.
        expectRemoteError(try s.run(v2, ["presign", object, "--expires", "10000d"]), 2, contains: ["2038"])
        expectRemoteError(try s.run(v2, ["presign", object, "--expires", "36500d"]), 2, contains: ["at most"])
        for bad in ["soon", "0", "-5m", "1w"] {
            expectRemoteError(try s.run(sw, ["presign", object, "--expires", bad]), 2, contains: ["--expires"])
        }
        expectRemoteError(try s.run(sw, ["presign", "obs://\(b)"]), 2)
    }

    @Test(
        "mv: upload then the file goes; server-side copy then the source object goes; download then the object goes",
        arguments: RemotePeers.commandServers)
    func move(_ server: String) throws {
        let s = try RemoteSession("sw-mv")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "mv")
        let data = remoteRandomData(6 << 20)
        try s.sb.write("m.bin", data)
        try s.ok(sw, ["mv", "m.bin", "obs://\(b)/m.bin", "--multipart-threshold", "5M", "--part-size", "5M"])
        #expect(!s.sb.exists("m.bin"))
        let cp = try s.ok(sw, ["mv", "obs://\(b)/m.bin", "obs://\(b)/n.bin", "--debug"])
        #expect(
            cp.stderrLines.contains { $0.lowercased().hasPrefix("> \(prefix(server))copy-source: /\(b)/m.bin") },
            "a server-side copy: \(cp)")
        #expect(
            cp.stderrLines.contains { $0.hasPrefix("> DELETE ") && $0.hasSuffix("/\(b)/m.bin") },
            "then the source is deleted: \(cp)")
        try s.ok(sw, ["mv", "obs://\(b)/n.bin", "back.bin"])
        #expect(s.sb.read("back.bin") == data)
        #expect(try s.keys(sw, "obs://\(b)/").isEmpty)
    }

    @Test(
        "sync up, again (nothing), down (times kept, again nothing), across buckets, with --delete",
        arguments: RemotePeers.commandServers)
    func sync(_ server: String) throws {
        let s = try RemoteSession("sw-sync")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "sync"), b2 = try s.makeBucket(sw, tag: "sync2")
        let big = remoteRandomData(6 << 20)
        try s.sb.write("src/big.bin", big)
        try s.sb.write("src/sub/small.txt", Data("small".utf8))
        try s.ok(sw, ["sync", "src", "obs://\(b)/d/", "--multipart-threshold", "5M", "--part-size", "5M"])
        #expect(try s.keys(sw, "obs://\(b)/d/").sorted() == ["d/big.bin", "d/sub/small.txt"])
        #expect(try s.ok(sw, ["sync", "src", "obs://\(b)/d/"]).stdout.isEmpty, "a second sync transfers nothing")
        try s.ok(sw, ["sync", "obs://\(b)/d/", "out"])
        #expect(s.sb.read("out/big.bin") == big && s.sb.read("out/sub/small.txt") == Data("small".utf8))
        #expect(
            try s.ok(sw, ["sync", "obs://\(b)/d/", "out"]).stdout.isEmpty, "downloaded files carry the objects' times")
        try s.ok(sw, ["upload", "src/sub/small.txt", "obs://\(b2)/e/stale.txt"])
        try s.ok(sw, ["sync", "obs://\(b)/d/", "obs://\(b2)/e/", "--delete"])
        #expect(try s.keys(sw, "obs://\(b2)/e/").sorted() == ["e/big.bin", "e/sub/small.txt"])
        #expect(try s.ok(sw, ["download", "obs://\(b2)/e/big.bin", "-"]).stdout == big)
    }

    @Test(
        "cp obs->obs is a server-side copy (plain, and SSE-C to a new key); the copy is byte-exact",
        arguments: RemotePeers.commandServers)
    func serverSideCopy(_ server: String) throws {
        let s = try RemoteSession("sw-copy")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "copy"), b2 = try s.makeBucket(sw, tag: "copy2")
        let data = remoteRandomData(3 << 20), key1 = remoteRandomData(32), key2 = remoteRandomData(32)
        try s.sb.write("src.bin", data)
        try s.sb.write("k1", key1, mode: 0o600)
        try s.sb.write("k2", key2, mode: 0o600)
        try s.ok(sw, ["upload", "src.bin", "obs://\(b)/src.bin"])
        try s.ok(sw, ["upload", "src.bin", "obs://\(b)/src-c.bin", "--sse-c-key-file", "k1"])

        let cp = try s.ok(sw, ["cp", "obs://\(b)/src.bin", "obs://\(b2)/copy.bin", "--debug"])
        // One CopyObject: a PUT with x-amz-copy-source, no GET of the source, no body sent.
        #expect(
            cp.stderrLines.contains { $0.lowercased().hasPrefix("> \(prefix(server))copy-source: /\(b)/src.bin") },
            "no x-amz-copy-source header: \(cp)")
        #expect(
            !cp.stderrLines.contains { $0.hasPrefix("> GET ") && $0.contains("/src.bin") },
            "the source was read by the client: \(cp)")
        #expect(
            !cp.stderrLines.contains { $0.hasPrefix("> POST ") && $0.contains("uploads") },
            "copy must not upload: \(cp)")
        #expect(try s.ok(sw, ["download", "obs://\(b2)/copy.bin", "-"]).stdout == data, "copy differs")

        // SSE-C source re-encrypted under a new key, still server side.
        try s.ok(
            sw,
            [
                "cp", "obs://\(b)/src-c.bin", "obs://\(b)/copy-c.bin", "--source-sse-c-key-file", "k1",
                "--sse-c-key-file", "k2",
            ])
        let st = try s.stat(sw, "obs://\(b)/copy-c.bin", extra: ["--sse-c-key-file", "k2"])
        #expect(
            sseField(st, "mode") as? String == "c" && sseField(st, "customer_key_md5") as? String == md5Base64(key2),
            "\(st)")
        #expect(
            try s.ok(sw, ["download", "obs://\(b)/copy-c.bin", "-", "--sse-c-key-file", "k2"]).stdout == data,
            "SSE-C copy differs")
        expectRemoteError(try s.run(sw, ["download", "obs://\(b)/copy-c.bin", "x.bin", "--sse-c-key-file", "k1"]), 7)
        // Without the source key the server refuses the copy.
        let noSourceKey = try s.run(sw, ["cp", "obs://\(b)/src-c.bin", "obs://\(b)/copy-c2.bin"])
        #expect(!noSourceKey.succeeded, "copy of an SSE-C source without its key succeeded: \(noSourceKey)")
    }

    @Test(
        """
        cp above the multipart threshold is UploadPart-Copy in ranges, type and metadata kept; an unsupported SSE-C \
        part copy aborts cleanly
        """,
        arguments: RemotePeers.commandServers)
    func multipartCopy(_ server: String) throws {
        let s = try RemoteSession("sw-mpcopy")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "mpcopy")
        let data = remoteRandomData(12 << 20), k1 = remoteRandomData(32), k2 = remoteRandomData(32)
        try s.sb.write("src.bin", data)
        try s.sb.write("k1", k1, mode: 0o600)
        try s.sb.write("k2", k2, mode: 0o600)
        try s.ok(
            sw, ["upload", "src.bin", "obs://\(b)/src.bin", "--content-type", "video/mp4", "--metadata", "team=media"])
        try s.ok(sw, ["upload", "src.bin", "obs://\(b)/src-c.bin", "--sse-c-key-file", "k1"])

        let cp = try s.ok(
            sw,
            [
                "cp", "obs://\(b)/src.bin", "obs://\(b)/copy.bin", "--multipart-threshold", "5M", "--part-size", "5M",
                "--debug",
            ])
        let ranges = Set(
            cp.stderrLines.compactMap { l -> String? in
                let head = "> \(prefix(server))copy-source-range: bytes="
                return l.lowercased().hasPrefix(head) ? String(l.dropFirst(head.count)) : nil
            })
        #expect(ranges == ["0-5242879", "5242880-10485759", "10485760-12582911"], "copy ranges: \(ranges)")
        #expect(
            cp.stderrLines.filter { $0.lowercased().hasPrefix("> \(prefix(server))copy-source-if-match: ") }.count == 3,
            "each part copy must be pinned to the source's ETag: \(cp)")
        #expect(
            !cp.stderrLines.contains { $0.hasPrefix("> GET ") && $0.contains("/src.bin") },
            "the source was read by the client: \(cp)")
        #expect(try s.ok(sw, ["download", "obs://\(b)/copy.bin", "-"]).stdout == data, "multipart copy differs")
        let st = try s.stat(sw, "obs://\(b)/copy.bin")
        #expect(st["content_type"] as? String == "video/mp4", "content type not kept: \(st)")
        #expect((st["metadata"] as? [String: Any])?["team"] as? String == "media", "metadata not kept: \(st)")
        #expect((st["etag"] as? String)?.hasSuffix("-3") == true, "a multipart copy has a multipart ETag: \(st)")

        // SeaweedFS does not implement UploadPart-Copy of an SSE-C source (501 NotImplemented): the copy fails with
        // one line (not retried, not "transient"), and the multipart upload it had started is aborted. obsctl serve
        // implements it, as OBS and S3 do: the copy is made, under the new key.
        let sseC = try s.run(
            sw,
            [
                "cp", "obs://\(b)/src-c.bin", "obs://\(b)/copy-c.bin", "--multipart-threshold", "5M", "--part-size",
                "5M",
                "--source-sse-c-key-file", "k1", "--sse-c-key-file", "k2",
            ])
        if server == "seaweedfs" {
            expectRemoteError(sseC, 1, contains: ["NotImplemented"])
            #expect(try s.keys(sw, "obs://\(b)/").sorted() == ["copy.bin", "src-c.bin", "src.bin"])
        } else {
            expectSuccess(sseC)
            let copied = try s.ok(sw, ["download", "obs://\(b)/copy-c.bin", "-", "--sse-c-key-file", "k2"])
            #expect(copied.stdout == data, "SSE-C multipart copy differs")
        }
        #expect(
            try Tools.multipartUploadsInProgress(s.peers, endpoint: try s.peers.url(server), bucket: b) == 0,
            "a copy left an upload in progress")
    }

    @Test(
        "a wrong secret key: exit 4, one error line naming SignatureDoesNotMatch", arguments: RemotePeers.commandServers
    )
    func wrongSecretKey(_ server: String) throws {
        let s = try RemoteSession("sw-badsig")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "badsig")
        try s.sb.write("f.txt", Data("x".utf8))
        let bad = s.peers.wrongSecretKey
        let env: [String: String?] = ["OBS_SECRET_ACCESS_KEY": bad]
        for args in [
            ["ls", "obs://\(b)/"], ["upload", "f.txt", "obs://\(b)/f.txt"], ["bucket", "list"],
            ["stat", "obs://\(b)/f.txt"],
        ] {
            let r = try s.run(sw, args, env: env)
            expectRemoteError(r, 4, contains: args[0] == "stat" ? [] : ["SignatureDoesNotMatch"])
            #expect(
                !r.stderr.contains(bad) && !r.stderr.contains(s.peers.secretKey),
                "a secret key in the error: \(r)")
        }
        #expect(try s.keys(sw, "obs://\(b)/").isEmpty, "the badly signed upload stored something")
    }

    @Test(
        "refused credentials stop a recursive run: the files in flight fail, no other starts, exit 4",
        arguments: RemotePeers.commandServers)
    func refusedCredentialsStopTheRun(_ server: String) throws {
        let s = try RemoteSession("sw-badrun")
        let sw = try s.peers.flags(server)
        let b = try s.makeBucket(sw, tag: "badrun")
        for i in 0..<30 { try s.sb.write("src/f\(i).txt", Data("f\(i)".utf8)) }
        for (env, code) in [
            (["OBS_SECRET_ACCESS_KEY": s.peers.wrongSecretKey], "SignatureDoesNotMatch"),
            (["OBS_ACCESS_KEY_ID": "AKIDNOSUCHKEY0000000"], "InvalidAccessKeyId"),
        ] as [([String: String?], String)] {
            let r = try s.run(sw, ["upload", "src/", "obs://\(b)/p/", "--recursive", "--jobs", "2"], env: env)
            #expect(r.status == 4, "\(code): \(r)")
            let errors = r.stderrLines.filter { $0.hasPrefix("obsctl: error:") }
            #expect(!errors.isEmpty && errors.count <= 2, "at most the jobs in flight fail: \(r)")
            #expect(errors.allSatisfy { $0.contains(code) }, "\(r)")
            #expect(r.stderr.contains("more not started"), "\(r)")
        }
        #expect(try s.keys(sw, "obs://\(b)/").isEmpty)
    }
}
