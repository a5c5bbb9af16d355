import Foundation
import OBSCrypto
import Testing

/// What obsctl and SDKs read back from `obsctl serve`: key references in every form (`alias/NAME` as S3 and AWS
/// KMS spell an alias, the same parser as the CLI's local backend), and the times of written objects and buckets.
@Suite("serve answers: key references, times", .serialized)
struct ServeAnswersTests {
    /// A client sandbox of its own pointed at `server` (S3 dialect with SigV4, or OBS's signature).
    static func client(_ server: ServeProcess, _ tag: String) throws -> Sandbox {
        let client = try Sandbox("serve-answers-cli-\(tag)")
        client.environment["OBS_ACCESS_KEY_ID"] = server.accessKeyID
        client.environment["OBS_SECRET_ACCESS_KEY"] = server.secretAccessKey
        client.environment["OBSCTL_REGION"] = server.region
        return client
    }

    static func flags(_ server: ServeProcess, signature: String) -> [String] {
        ["--endpoint", server.endpoint, "--signature", signature, "--addressing", "path"]
    }

    @Test("bucket create --sse obs in both dialects: OBS names SSE-OBS 'obs' at CreateBucket, S3 'AES256'")
    func createBucketWithSSEOBS() throws {
        let sb = try Sandbox("serve-create-sseobs")
        let server = try ServeProcess(sb)
        let client = try Self.client(server, "sseobs")
        for (signature, bucket) in [("obs", "sseobs-obs"), ("v4", "sseobs-s3")] {
            let flags = Self.flags(server, signature: signature)
            try client.ok(flags + ["bucket", "create", "obs://\(bucket)", "--sse", "obs"])
            try client.write("f.txt", Data("x".utf8))
            try client.ok(flags + ["upload", "f.txt", "obs://\(bucket)/f"])
            #expect(sseField(try client.json(flags + ["stat", "obs://\(bucket)/f"]), "mode") as? String == "obs")
        }
        expectSuccess(server.stop())
    }

    @Test("a caller that may not read a bucket's default encryption still writes into it: no false exit 6")
    func unreadableBucketDefault() throws {
        let sb = try Sandbox("serve-unreadable-default")
        let server = try ServeProcess(sb)
        let proxy = try FaultProxyProcess(upstream: "127.0.0.1:\(server.port)")
        let client = try Self.client(server, "unreadable")
        try client.ok(Self.flags(server, signature: "v4") + ["bucket", "create", "obs://dflt", "--sse", "kms"])
        try proxy.control.set([
            "mode": "503", "status": 403, "code": "AccessDenied", "match": "GET /dflt?encryption", "count": -1,
        ])
        let flags = ["--endpoint", proxy.endpoint, "--signature", "v4", "--addressing", "path"]
        try client.write("f.txt", Data("default".utf8))
        try client.write("dir/a", Data("a".utf8))
        try client.write("dir/b", Data("b".utf8))
        try client.ok(flags + ["upload", "f.txt", "obs://dflt/one"])
        try client.ok(flags + ["sync", "dir", "obs://dflt/s/", "--expect-sse", "kms"])
        #expect(sseField(try client.json(flags + ["stat", "obs://dflt/one"]), "mode") as? String == "kms")
        // The setting was asked for once per command, not once per file.
        let asked = try client.ok(flags + ["upload", "-r", "dir", "obs://dflt/r/", "--debug"])
        #expect(
            asked.stderrLines.filter { $0.hasPrefix("> GET ") && $0.contains("?encryption") }.count <= 2, "\(asked)")
        expectSuccess(server.stop())
    }

    @Test("--kms-key-id alias/NAME on the local backend: upload, bucket default, describe; such aliases refused")
    func aliasPrefixOnTheLocalBackend() throws {
        let sb = try Sandbox("keyref-local")
        let id = try #require(try sb.json(["kms", "key", "create", "--alias", "ref-one"])["key_id"] as? String)
        #expect(try sb.json(["kms", "key", "describe", "alias/ref-one"])["key_id"] as? String == id)
        try sb.ok(["bucket", "create", "obs://keyref"])
        try sb.write("f.txt", Data("alias prefix".utf8))
        try sb.ok(["upload", "f.txt", "obs://keyref/k", "--sse", "kms", "--kms-key-id", "alias/ref-one"])
        let stat = try sb.json(["stat", "obs://keyref/k"])
        #expect("\(stat)".contains(id), "the object is under the alias's key: \(stat)")
        try sb.ok(["bucket", "encryption", "enable", "obs://keyref", "--sse", "kms", "--kms-key-id", "alias/ref-one"])
        try sb.ok(["upload", "f.txt", "obs://keyref/d"])
        #expect("\(try sb.json(["stat", "obs://keyref/d"]))".contains(id))
        let missing = try sb.run(["upload", "f.txt", "obs://keyref/m", "--sse", "kms", "--kms-key-id", "alias/none"])
        #expect(missing.status == 5 && missing.stderr.contains("alias/none"), "\(missing)")
        for shape in ["alias/two", "0123abcd-0123-4567-89ab-0123456789ab"] {
            let refused = try sb.run(["kms", "key", "create", "--alias", shape])
            #expect(refused.status == 2 && refused.stderr.contains("reads as a key id"), "\(shape): \(refused)")
        }
    }

    @Test(
        "boto3 SSEKMSKeyId='alias/NAME' against serve: put, copy, multipart, bucket default",
        .enabled(if: ServeClients.hasBoto3, ServeClientsTests.boto3Missing))
    func aliasPrefixThroughServe() throws {
        let sb = try Sandbox("keyref-serve")
        let id = try #require(try sb.json(["kms", "key", "create", "--alias", "ref-serve"])["key_id"] as? String)
        let server = try ServeProcess(sb)
        let (json, run) = try server.sdk("boto3", "kms-alias", [RemoteSession.uniqueName("alias"), "ref-serve"])
        expectSteps((json, run))
        #expect((json["put_key"] as? String)?.hasSuffix(id) == true, "\(run)")
        expectSuccess(server.stop())
    }

    /// A PUT or CompleteMultipartUpload answer has no Last-Modified (S3 and OBS give none): the time is the
    /// answer's Date, not 1970.
    @Test(
        "upload, multipart upload, copy, stat and bucket list against serve report real times",
        arguments: ["v4", "obs"])
    func writtenTimesAreReal(signature: String) throws {
        let sb = try Sandbox("times-srv-\(signature)")
        let server = try ServeProcess(sb)
        defer { server.stop() }
        let c = try Self.client(server, signature)
        let f = Self.flags(server, signature: signature)
        let bucket = RemoteSession.uniqueName("times")
        let started = Date().addingTimeInterval(-120)
        try c.ok(["bucket", "create", "obs://\(bucket)"] + f)
        try c.write("small.bin", Data(Random.bytes(1000)))
        try c.write("big.bin", Data(Random.bytes(11 << 20)))
        let runs: [[String]] = [
            ["upload", "small.bin", "obs://\(bucket)/small"],
            ["upload", "big.bin", "obs://\(bucket)/big", "--multipart-threshold", "5M", "--part-size", "5M"],
            ["cp", "obs://\(bucket)/small", "obs://\(bucket)/copy"],
            ["stat", "obs://\(bucket)/big"],
            ["bucket", "list"],
        ]
        for arguments in runs {
            let answer = try c.json(arguments + f)
            let times = Self.values(of: ["last_modified", "created"], in: answer)
            #expect(!times.isEmpty, "\(arguments): no time in \(answer)")
            for time in times {
                let date = ISO8601DateFormatter().date(from: time) ?? ISO8601DateFormatter.fractional.date(from: time)
                #expect(
                    date.map { $0 > started && $0 < Date().addingTimeInterval(120) } == true,
                    "\(arguments): \(time) is not the time of writing: \(answer)")
            }
        }
    }

    /// Every string value under one of `keys`, anywhere in a JSON value.
    static func values(of keys: Set<String>, in json: Any) -> [String] {
        if let object = json as? [String: Any] {
            return object.flatMap { key, value in
                keys.contains(key) ? [value as? String ?? "\(value)"] : values(of: keys, in: value)
            }
        }
        if let array = json as? [Any] { return array.flatMap { values(of: keys, in: $0) } }
        return []
    }
}

extension ISO8601DateFormatter {
    fileprivate static var fractional: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}

/// `bucket encryption apply` copies each object onto itself with REPLACE: the standard headers stored with it
/// (Content-Encoding and the like) go along, through serve (the remote client reads and restates them) and on the
/// local store serve writes to.
@Suite("apply keeps stored headers")
struct ApplyKeepsStoredHeadersTests {
    @Test func throughServeAndLocally() throws {
        let sb = try Sandbox("apply-headers")
        let server = try ServeProcess(sb)
        defer { server.stop() }
        let c = try ServeAnswersTests.client(server, "apply-headers")
        let f = ServeAnswersTests.flags(server, signature: "v4")
        let bucket = RemoteSession.uniqueName("applyhdr")
        try c.ok(["bucket", "create", "obs://\(bucket)"] + f)
        try c.write("g.bin", Data(Random.bytes(500)))
        let put = try server.aws([
            "s3api", "put-object", "--bucket", bucket, "--key", "g", "--body", c.path("g.bin"), "--content-encoding",
            "gzip", "--cache-control", "max-age=9",
        ])
        #expect(put.succeeded, "\(put)")
        func expectHeaders(_ when: String) throws {
            let head = try server.aws(["s3api", "head-object", "--bucket", bucket, "--key", "g"])
            let j = (try? JSONSerialization.jsonObject(with: Data(head.stdout.utf8))) as? [String: Any]
            #expect(
                j?["ContentEncoding"] as? String == "gzip" && j?["CacheControl"] as? String == "max-age=9",
                "\(when): \(head)")
        }
        try expectHeaders("as put")
        try c.ok(["bucket", "encryption", "apply", "obs://\(bucket)", "--sse", "obs"] + f)
        try expectHeaders("after apply through serve")
        try sb.ok(["bucket", "encryption", "apply", "obs://\(bucket)", "--sse", "kms"])
        try expectHeaders("after apply on the local store")
        #expect("\(try sb.json(["stat", "obs://\(bucket)/g"]))".contains("kms"))
    }
}
