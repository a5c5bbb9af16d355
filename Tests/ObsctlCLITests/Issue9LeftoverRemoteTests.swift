import Foundation
import Testing
import OBSCrypto

/// Issue 9, item 6 leftovers: downloads of objects another tool wrote in parts, fetched in ranges (whose answers
/// carry no whole-object checksum), are checked against what the server offers afterwards.
@Suite(
    "Remote: issue 9 leftovers (objects written by other tools)",
    .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct Issue9LeftoverRemoteTests {
    /// boto3's low-level multipart API with parts of the given sizes (unequal parts, as no common tool cuts);
    /// `crc32c`: each part with its CRC-32C, so the server keeps a composite CRC-32C.
    static func uploadParts(
        _ peers: RemotePeers, endpoint: String, bucket: String, key: String, file: String,
        sizes: [Int], crc32c: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let python = try #require(peers.values["OBSCTL_TEST_PYTHON"], sourceLocation: sourceLocation)
        let script = """
            import sys, boto3
            ep, bucket, key, path, algo = sys.argv[1:6]; sizes = [int(x) for x in sys.argv[6:]]
            s3 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1")
            # botocore computes CRC-32C only with awscrt: the value is given (pip crc32c, as the peers install).
            up = s3.create_multipart_upload(
                Bucket=bucket, Key=key, **({"ChecksumAlgorithm": algo} if algo else {}))["UploadId"]
            data = open(path, "rb").read(); parts = []; off = 0
            for i, n in enumerate(sizes, 1):
                body = data[off:off + n]; sums = {}
                if algo:
                    import base64, crc32c
                    sums["ChecksumCRC32C"] = base64.b64encode(crc32c.crc32c(body).to_bytes(4, "big")).decode()
                r = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=i, Body=body, **sums)
                parts.append({"PartNumber": i, "ETag": r["ETag"], **sums}); off += n
            s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up, MultipartUpload={"Parts": parts})
            """
        let r = try Tools.run(
            [python, "-c", script, endpoint, bucket, key, file, crc32c ? "CRC32C" : ""] + sizes.map(String.init),
            env: [
                "AWS_ACCESS_KEY_ID": peers.accessKey, "AWS_SECRET_ACCESS_KEY": peers.secretKey,
                "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            ])
        try #require(r.succeeded, "boto3 multipart upload failed: \(r)", sourceLocation: sourceLocation)
    }

    @Test("a multipart object by another tool (equal or unequal parts) is verified by its multipart ETag")
    func otherToolsMultipartIsVerified() throws {
        let s = try RemoteSession("i9-others")
        let data = remoteRandomData(12 << 20)
        try s.sb.write("data.bin", data)
        for (flags, endpoint) in [(s.peers.seaweedFlags, s.peers.seaweed), (s.peers.motoFlags, s.peers.moto)] {
            let b = try s.makeBucket(flags, tag: "oth")
            // awscli: equal 8 MiB parts; boto3 by hand: 5, 6 and 1 MiB, where part 1's size guesses wrong.
            let aws = try Tools.aws(s.peers, endpoint: endpoint, ["s3", "cp", s.sb.path("data.bin"), "s3://\(b)/aws"])
            try #require(aws.succeeded, "\(aws)")
            try Self.uploadParts(
                s.peers, endpoint: endpoint, bucket: b, key: "odd", file: s.sb.path("data.bin"),
                sizes: [5 << 20, 6 << 20, 1 << 20])
            for key in ["aws", "odd"] {
                let r = try s.ok(
                    flags,
                    [
                        "download", "obs://\(b)/\(key)", "out-\(key).bin", "--part-size", "4M",
                        "--debug",
                    ])
                #expect(s.sb.read("out-\(key).bin") == data, "\(endpoint) \(key)")
                #expect(r.stderr.contains("partNumber=1"), "\(endpoint) \(key): no part layout asked: \(r.stderr)")
                #expect(!r.stderr.contains("not verified"), "\(endpoint) \(key): \(r.stderr)")
                // Unequal parts: every part's size is asked before the bytes are judged.
                #expect(r.stderr.contains("partNumber=3") == (key == "odd"), "\(endpoint) \(key): \(r.stderr)")
            }
        }
    }
}

extension Issue9LeftoverRemoteTests {
    @Test("bucket delete (with or without --force) refuses a bucket that holds only versions and delete markers")
    func versionsKeepABucket() throws {
        let s = try RemoteSession("i9-versions")
        let python = try #require(s.peers.values["OBSCTL_TEST_PYTHON"])
        let purge = """
            import sys, boto3
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=sys.argv[2]):
                for v in page.get("Versions", []) + page.get("DeleteMarkers", []):
                    s3.delete_object(Bucket=sys.argv[2], Key=v["Key"], VersionId=v["VersionId"])
            s3.delete_bucket(Bucket=sys.argv[2])
            """
        let env = [
            "AWS_ACCESS_KEY_ID": s.peers.accessKey, "AWS_SECRET_ACCESS_KEY": s.peers.secretKey,
            "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ]
        try s.sb.write("f.txt", Data("versioned".utf8))
        for (flags, endpoint) in [(s.peers.seaweedFlags, s.peers.seaweed), (s.peers.motoFlags, s.peers.moto)] {
            let b = RemoteSession.uniqueName("ver")
            try s.ok(flags, ["bucket", "create", "obs://" + b])
            defer { _ = try? Tools.run([python, "-c", purge, endpoint, b], env: env) }
            let v = try Tools.aws(
                s.peers, endpoint: endpoint,
                [
                    "s3api", "put-bucket-versioning", "--bucket", b,
                    "--versioning-configuration", "Status=Enabled",
                ])
            try #require(v.succeeded, "\(v)")
            try s.ok(flags, ["upload", "f.txt", "obs://\(b)/k"])
            try s.ok(flags, ["rm", "obs://\(b)/k"])
            for extra in [[String](), ["--force"]] {
                expectRemoteError(
                    try s.run(flags, ["bucket", "delete", "obs://" + b] + extra), 10,
                    contains: ["versions or delete markers", "version ids"])
            }
            let versions = try Tools.aws(
                s.peers, endpoint: endpoint,
                [
                    "s3api", "list-object-versions", "--bucket", b, "--query", "length(Versions)", "--output", "text",
                ])
            #expect(versions.succeeded && versions.stdout.hasPrefix("1"), "\(endpoint): version gone: \(versions)")
        }
    }
}

/// An upload from a pipe (not a file: a file given as stdin is read as a file, and its CRC-32C recorded).
func pipedUpload(
    _ s: RemoteSession, _ flags: [String], _ args: [String], _ data: Data,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let pipe = Pipe()
    let running = try s.sb.start(args + flags, stdinPipe: pipe)
    let writer = Thread {
        pipe.fileHandleForWriting.write(data)
        try? pipe.fileHandleForWriting.close()
    }
    writer.start()
    let r = running.wait(timeout: 120)
    try #require(r.succeeded, "piped upload failed: \(r)", sourceLocation: sourceLocation)
}

extension Issue9LeftoverRemoteTests {
    @Test("stdin multipart uploads (no recorded CRC-32C) download verified on both servers, with no false damage")
    func stdinMultipartIsVerified() throws {
        let s = try RemoteSession("i9-stdin")
        let data = remoteRandomData(12 << 20)
        for flags in [s.peers.seaweedFlags, s.peers.motoFlags] {
            let b = try s.makeBucket(flags, tag: "stdin")
            for mode in ["crc32c", "md5"] {
                try pipedUpload(
                    s, flags,
                    [
                        "upload", "-", "obs://\(b)/\(mode)", "--checksum", mode,
                        "--multipart-threshold", "5M", "--part-size", "5M",
                    ], data)
                let r = try s.ok(flags, ["download", "obs://\(b)/\(mode)", "out.bin", "--debug"])
                #expect(s.sb.read("out.bin") == data)
                #expect(r.stderr.contains("partNumber=1") && !r.stderr.contains("not verified"), "\(mode): \(r.stderr)")
                try FileManager.default.removeItem(atPath: s.sb.path("out.bin"))
            }
        }
    }
}

extension RemoteFaultTests {
    @Test("a byte flipped in a download of an SSE-C stdin multipart object: caught by the composite CRC-32C")
    func stdinCustomerKeyMultipartDamageIsCaught() throws {
        let s = try RemoteSession("fault-i9c")
        let proxy = s.peers.faultProxy
        try proxy.reset()
        defer { try? proxy.reset() }
        let b = try s.makeBucket(s.peers.seaweedFlags, tag: "i9c")
        let data = remoteRandomData(12 << 20)
        try s.sb.write("k", remoteRandomData(32), mode: 0o600)
        try pipedUpload(
            s, s.peers.seaweedFlags,
            [
                "upload", "-", "obs://\(b)/c", "--sse-c-key-file", "k",
                "--multipart-threshold", "5M", "--part-size", "5M",
            ], data)
        try proxy.set(["mode": "corrupt-body", "count": 1, "match": "GET ", "after": 100])
        expectRemoteError(
            try s.run(
                s.peers.faultFlags,
                [
                    "download", "obs://\(b)/c", "out.bin",
                    "--sse-c-key-file", "k",
                ]),
            13, contains: ["arrived damaged", "composite CRC-32C"])
        #expect(!s.sb.exists("out.bin"))
        try s.ok(s.peers.faultFlags, ["download", "obs://\(b)/c", "out.bin", "--sse-c-key-file", "k"])
        #expect(s.sb.read("out.bin") == data)
    }

    @Test("a byte flipped in a ranged download of another tool's multipart object: exit 13, no file")
    func otherToolsMultipartDamageIsCaught() throws {
        let s = try RemoteSession("fault-i9")
        let proxy = s.peers.faultProxy
        try proxy.reset()
        defer { try? proxy.reset() }
        let b = try s.makeBucket(s.peers.seaweedFlags, tag: "i9")
        let data = remoteRandomData(12 << 20)
        try s.sb.write("data.bin", data)
        let aws = try Tools.aws(
            s.peers, endpoint: s.peers.seaweed,
            ["s3", "cp", s.sb.path("data.bin"), "s3://\(b)/aws"])
        try #require(aws.succeeded, "\(aws)")
        try Issue9LeftoverRemoteTests.uploadParts(
            s.peers, endpoint: s.peers.seaweed, bucket: b, key: "odd",
            file: s.sb.path("data.bin"), sizes: [5 << 20, 6 << 20, 1 << 20])
        for key in ["aws", "odd"] {
            for extra in [[String](), ["--part-size", "4M", "--parallel", "2"]] {
                let before = try proxy.faults("corrupt-body")
                try proxy.set(["mode": "corrupt-body", "count": 1, "match": "GET ", "after": 100])
                let r = try s.run(s.peers.faultFlags, ["download", "obs://\(b)/\(key)", "out.bin"] + extra)
                expectRemoteError(
                    r, 13,
                    contains: ["arrived damaged", "multipart ETag"])
                #expect(try proxy.faults("corrupt-body") == before + 1, "\(key): the damage was not served")
                #expect(!s.sb.exists("out.bin"), "\(key): a damaged file was kept")
            }
        }
    }
}
