import Foundation
import OBSCrypto
import Testing

/// `obsctl kms key ...` and `--kms-key-id ALIAS` against Huawei KMS's API as `obsctl serve --kms-listen` serves it
/// over HTTPS. The server keeps its store in one sandbox; the client runs in another, so its own local KMS shows
/// whether anything went there.
@Suite("Remote KMS (obsctl serve's KMS API)", .serialized)
struct RemoteKMSTests {
    /// The server (its sandbox, KMS endpoint and project id) and a client sandbox of its own.
    struct Peer {
        let server: ServeProcess
        let client: Sandbox
        let kms: String
        let project: String

        /// `tls` false: plain HTTP, so that a fault proxy can stand in front of the KMS listener.
        init(_ tag: String, tls: Bool = true) throws {
            let sandbox = try Sandbox("rkms-srv-\(tag)")
            sandbox.environment["OBSCTL_LOCAL_ROOT_KEY"] = Base64.encode(Random.bytes(32))
            server = try ServeProcess(
                sandbox, tls: tls, arguments: ["--kms-listen", "127.0.0.1:0"],
                env: [
                    ServeProcess.accessKeyVariable: "RKMSAK" + Hex.encode(Random.bytes(4)).uppercased(),
                    ServeProcess.secretKeyVariable: Base64.encode(Random.bytes(30)),
                ])
            kms = try #require(server.ready["kms_endpoint"] as? String)
            project = try #require(server.ready["project_id"] as? String)
            client = try Sandbox("rkms-cli-\(tag)")
            client.environment["OBSCTL_LOCAL_ROOT_KEY"] = Base64.encode(Random.bytes(32))
            client.environment["OBS_ACCESS_KEY_ID"] = server.accessKeyID
            client.environment["OBS_SECRET_ACCESS_KEY"] = server.secretAccessKey
            // Only the region: serve's (its keys' URNs say `local`, as the local KMS's do).
            client.environment["OBSCTL_REGION"] = server.region
            if tls { client.environment["OBSCTL_CA_BUNDLE"] = try #require(server.caBundle) }
        }

        /// The flags that select the server's KMS with the project id given (no IAM).
        var kmsFlags: [String] { ["--kms-endpoint", kms, "--project-id", project] }
        var cacheFile: String { client.dir.path + "/.cache/obsctl/kms-projects.json" }

        /// Writes the project-id cache as IAM's lookup for `kms` would have left it, with `project` as the id.
        func cache(_ project: String, for kms: String) throws {
            let key = "\(kms) \(server.region) \(server.accessKeyID)"
            try FileManager.default.createDirectory(
                atPath: (cacheFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: [key: project]).write(to: URL(fileURLWithPath: cacheFile))
        }

        /// The project ids the cache holds.
        func cachedProjects() -> [String] {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: cacheFile))) ?? Data()
            return ((try? JSONSerialization.jsonObject(with: data)) as? [String: String]).map { Array($0.values) } ?? []
        }
    }

    static func equal(_ a: Any, _ b: Any) -> Bool { NSDictionary(dictionary: ["v": a]).isEqual(to: ["v": b]) }

    @Test("kms key create/list/describe/disable/enable/schedule/cancel: Huawei KMS, same JSON as the local KMS")
    func lifecycle() throws {
        let p = try Peer("life")
        defer { p.server.stop() }
        let c = p.client, f = p.kmsFlags
        let created = try c.json(["kms", "key", "create", "--alias", "rk-one", "--description", "remote"] + f)
        let id = try #require(created["key_id"] as? String)
        #expect(isUUID(id) && created["state"] as? String == "enabled", "\(created)")
        // The key lives in the server's store; the client's own local KMS was never touched.
        // The same key as the server's local KMS shows it.
        func same(_ remote: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let local = try p.server.sandbox.json(["kms", "key", "describe", id])
            #expect(Self.equal(remote, local), "\(remote) vs \(local)", sourceLocation: sourceLocation)
        }
        try same(created)
        #expect((try c.json(["kms", "key", "list", "--local"])["keys"] as? [Any])?.isEmpty == true)

        // Options after or before the command, the same answer.
        let described = try c.json(f + ["kms", "key", "describe", "rk-one"])
        try same(described)
        let listed = try c.json(["kms", "key", "list"] + f)
        let localList = try p.server.sandbox.json(["kms", "key", "list"])
        #expect(Self.equal(listed, localList), "\(listed) vs \(localList)")

        let disabled = try c.json(["kms", "key", "disable", "rk-one"] + f)
        #expect(disabled["state"] as? String == "disabled")
        try same(disabled)
        let enabled = try c.json(["kms", "key", "enable", id] + f)
        #expect(enabled["state"] as? String == "enabled")
        try same(enabled)
        let scheduled = try c.json(["kms", "key", "schedule-deletion", "rk-one", "--days", "7"] + f)
        #expect(scheduled["state"] as? String == "pending-deletion" && isRFC3339(scheduled["deletion_date"]))
        try same(scheduled)
        let cancelled = try c.json(["kms", "key", "cancel-deletion", "rk-one"] + f)
        #expect(cancelled["state"] as? String == "disabled")
        try same(cancelled)

        // Text output is the local KMS's too.
        let text = try c.ok(["kms", "key", "describe", "rk-one"] + f).out
        let localText = try p.server.sandbox.ok(["kms", "key", "describe", "rk-one"]).out
        #expect(text == localText)

        // Errors: no such alias or key id (5), alias taken (10).
        expectError(try c.run(["kms", "key", "describe", "no-such-alias"] + f), 5, contains: ["no-such-alias"])
        expectError(try c.run(["kms", "key", "create", "--alias", "rk-one"] + f), 10, contains: ["rk-one"])
        let unknown = "00000000-0000-0000-0000-000000000000"
        expectError(try c.run(["kms", "key", "enable", unknown] + f), 5, contains: [unknown])
        #expect((try c.json(["kms", "key", "list", "--local"])["keys"] as? [Any])?.isEmpty == true)
    }

    @Test("the project id is looked up through IAM once, cached 0600 without secrets, then IAM is not needed")
    func projectThroughIAM() throws {
        let p = try Peer("iam")
        defer { p.server.stop() }
        let c = p.client
        try c.ok(["kms", "key", "create", "--alias", "rk-iam", "--kms-endpoint", p.kms, "--iam-endpoint", p.kms])
        let data = try #require(c.read(".cache/obsctl/kms-projects.json"))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(p.project) && !text.contains(p.server.secretAccessKey), "\(text)")
        let mode = (try FileManager.default.attributesOfItem(atPath: p.cacheFile)[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600)

        // IAM on a closed port: the cached id serves.
        let closed = ["--kms-endpoint", p.kms, "--iam-endpoint", "https://127.0.0.1:1", "--retries", "0"]
        let listed = try c.json(["kms", "key", "list"] + closed)
        #expect(String(describing: listed).contains("rk-iam"))
        // Without the cache the same command must ask IAM, and fails.
        try FileManager.default.removeItem(atPath: p.cacheFile)
        expectError(try c.run(["kms", "key", "list"] + closed), 11, contains: ["IAM", "127.0.0.1:1"])
    }

    @Test("upload/bucket create --kms-key-id ALIAS send the key id; a disabled key is refused before the upload")
    func aliasOnWrites() throws {
        let p = try Peer("up")
        defer { p.server.stop() }
        let c = p.client
        let remote = ["--endpoint", p.server.endpoint] + p.kmsFlags
        let id = try #require(
            try c.json(["kms", "key", "create", "--alias", "rk-up"] + remote)["key_id"] as? String)
        _ = try c.write("f.txt", Data("remote kms\n".utf8))

        let bucket = try c.json(["bucket", "create", "obs://rkb", "--sse", "kms", "--kms-key-id", "rk-up"] + remote)
        #expect(String(describing: bucket).contains(id), "\(bucket)")

        let up = try c.ok(
            ["upload", "f.txt", "obs://rkb/f", "--sse", "kms", "--kms-key-id", "rk-up", "--debug"] + remote)
        let keyHeaders = up.stderrLines.filter { $0.hasPrefix("> ") && $0.lowercased().contains("kms-key-id:") }
        #expect(!keyHeaders.isEmpty && keyHeaders.allSatisfy { $0.hasSuffix(": " + id) }, "\(up.stderr)")
        #expect(fields(try c.ok(["stat", "obs://rkb/f"] + remote).out)["kms-key-id"] == id)

        // bucket encryption apply takes the alias too (f is under that key already: nothing to convert).
        try c.ok(["bucket", "encryption", "apply", "obs://rkb", "--sse", "kms", "--kms-key-id", "rk-up"] + remote)

        try c.ok(["kms", "key", "disable", "rk-up"] + remote)
        // Refused up front, although no object would need the key.
        expectError(
            try c.run(
                ["bucket", "encryption", "apply", "obs://rkb", "--sse", "kms", "--kms-key-id", "rk-up"] + remote),
            5, contains: ["rk-up", "disabled"])
        expectError(
            try c.run(["upload", "f.txt", "obs://rkb/g", "--sse", "kms", "--kms-key-id", "rk-up"] + remote), 5,
            contains: ["rk-up", "disabled"])
        let debug = try c.run(
            ["upload", "f.txt", "obs://rkb/g", "--sse", "kms", "--kms-key-id", "rk-up", "--debug"] + remote)
        #expect(debug.status == 5 && !debug.stderr.contains("> PUT"), "\(debug.stderr)")
        #expect(!(try c.ok(["ls", "obs://rkb/"] + remote).out.contains("g")))
        expectError(
            try c.run(
                ["bucket", "encryption", "enable", "obs://rkb", "--sse", "kms", "--kms-key-id", "rk-up"] + remote),
            5, contains: ["rk-up"])
    }

    @Test("no KMS to ask (OBS signature, no region, no KMS endpoint): a key id goes as given, an alias is refused")
    func noKMSToAsk() throws {
        let p = try Peer("nokms")
        defer { p.server.stop() }
        let c = p.client
        let remote = ["--endpoint", p.server.endpoint, "--signature", "obs"]
        let noRegion: [String: String?] = ["OBSCTL_REGION": nil]
        let id = try #require(
            try c.json(["kms", "key", "create", "--alias", "rk-nokms"] + p.kmsFlags)["key_id"] as? String)
        _ = try c.write("f.txt", Data("no kms\n".utf8))
        try c.ok(["bucket", "create", "obs://rknokms"] + remote, env: noRegion)
        try c.ok(["upload", "f.txt", "obs://rknokms/f", "--sse", "kms", "--kms-key-id", id] + remote, env: noRegion)
        #expect(fields(try c.ok(["stat", "obs://rknokms/f"] + remote, env: noRegion).out)["kms-key-id"] == id)
        expectError(
            try c.run(
                ["upload", "f.txt", "obs://rknokms/g", "--sse", "kms", "--kms-key-id", "rk-nokms"] + remote,
                env: noRegion), 12, contains: ["rk-nokms", "alias", "--kms-endpoint"])
    }

    @Test("a wrong secret key: exit 4 naming the secret key and the clock")
    func wrongSecret() throws {
        let p = try Peer("sk")
        defer { p.server.stop() }
        let r = try p.client.run(["kms", "key", "list"] + p.kmsFlags, env: ["OBS_SECRET_ACCESS_KEY": "wrong-secret"])
        expectError(r, 4, contains: ["secret key", "clock", "APIGW.0301"])
        #expect(!r.stderr.contains("wrong-secret") && !r.stderr.contains(p.server.secretAccessKey))
    }

    @Test("a kms:* action the server's policy denies: exit 5 naming the action")
    func deniedAction() throws {
        let p = try Peer("deny")
        defer { p.server.stop() }
        _ = try p.server.sandbox.write("root/kms/policy.json", Data(#"{"deny": ["kms:cmk:create"]}"#.utf8), mode: 0o600)
        expectError(
            try p.client.run(["kms", "key", "create", "--alias", "rk-denied"] + p.kmsFlags), 5,
            contains: ["kms:cmk:create", "KMS.0306"])
    }

    @Test("--local manages the local KMS whatever is configured; with --endpoint it is a usage error")
    func localFlag() throws {
        let p = try Peer("local")
        defer { p.server.stop() }
        let c = p.client
        let env: [String: String?] = ["OBSCTL_KMS_ENDPOINT": p.kms, "OBSCTL_PROJECT_ID": p.project]
        try c.ok(["kms", "key", "create", "--alias", "only-local", "--local"], env: env)
        let remote = String(describing: try c.json(["kms", "key", "list"], env: env))
        #expect(!remote.contains("only-local"), "\(remote)")
        let local = String(describing: try c.json(["--local", "kms", "key", "list"], env: env))
        #expect(local.contains("only-local"))
        expectError(
            try c.run(["kms", "key", "list", "--local", "--endpoint", p.server.endpoint]), 2, contains: ["--local"])
    }
}
