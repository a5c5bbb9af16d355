import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 9, item 23 and the empty-variable part of item 29: other tools' settings (AWS variables and files,
// obsutil's ~/.obsutilconfig, OBS_ENDPOINT) are honoured after obsctl's own; the local store says it is local;
// `config import`; s3:// addresses; empty OBSCTL_* variables count as unset. Every run has a sandboxed HOME.

private let fakeAK = "AKIDCONFIGTEST0001"
private let fakeSK = "fake-secret-Zq8pW3mV7tR2xK9n"

/// Files of other tools in a sandbox's HOME.
private extension Sandbox {
    func obsutilConfig(endpoint: String?, ak: String?, sk: String?, token: String? = nil) throws {
        var text = "# obsutil\n"
        if let endpoint { text += "endpoint=\(endpoint)\n" }
        if let ak { text += "ak=\(ak)\n" }
        if let sk { text += "sk=\(sk)\n" }
        text += "token=\(token ?? "")\nconnectTimeout=30\n"
        try write(".obsutilconfig", Data(text.utf8), mode: 0o600)
    }

    /// `~/.aws/credentials` (or `path`) with one `[name]` section.
    func awsCredentials(
        _ name: String, ak: String, sk: String, token: String? = nil, path: String = ".aws/credentials"
    ) throws {
        var text = "[\(name)]\naws_access_key_id = \(ak)\naws_secret_access_key = \(sk)\n"
        if let token { text += "aws_session_token = \(token)\n" }
        try write(path, Data(text.utf8), mode: 0o600)
    }

    /// `~/.aws/config` (or `path`) with one profile: `[default]` or `[profile name]`.
    func awsConfig(
        _ name: String, region: String? = nil, endpoint: String? = nil, s3Block: Bool = false,
        path: String = ".aws/config"
    ) throws {
        var text = name == "default" ? "[default]\n" : "[profile \(name)]\n"
        if let region { text += "region = \(region)\n" }
        if let endpoint {
            text +=
                s3Block
                ? "s3 =\n  endpoint_url = \(endpoint)\n  addressing_style = path\n" : "endpoint_url = \(endpoint)\n"
        }
        try write(path, Data(text.utf8), mode: 0o644)
    }

    var configFile: String { configHome + "/obsctl/config" }
}

private func expectNoSecret(_ r: RunResult, _ secret: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(
        !r.out.contains(secret) && !r.stderr.contains(secret), "the secret was printed: \(r)",
        sourceLocation: sourceLocation)
}

private func warnings(_ r: RunResult) -> [String] { r.stderrLines.filter { $0.hasPrefix("obsctl: warning:") } }

@Suite("Hardening: settings of other tools, the local store said, config import, s3://")
struct HardeningConfigTests {
    /// Each kind of credential without an endpoint: the local store is used, one warning says so even with -q, and
    /// names where the credentials are (never their values).
    @Test func localStoreWarnsWhenCredentialsAreSetWithoutEndpoint() throws {
        let cases: [(String, (Sandbox) throws -> [String: String?], String)] = [
            ("aws-env", { _ in ["AWS_ACCESS_KEY_ID": fakeAK, "AWS_SECRET_ACCESS_KEY": fakeSK] }, "AWS_ACCESS_KEY_ID"),
            ("obs-env", { _ in ["OBS_ACCESS_KEY_ID": fakeAK, "OBS_SECRET_ACCESS_KEY": fakeSK] }, "OBS_ACCESS_KEY_ID"),
            (
                "aws-file",
                { sb in
                    try sb.awsCredentials("default", ak: fakeAK, sk: fakeSK); return [:]
                }, "~/.aws/credentials [default]"
            ),
            (
                "aws-profile",
                { sb in
                    try sb.awsCredentials("p", ak: fakeAK, sk: fakeSK); return ["AWS_PROFILE": "p"]
                }, "~/.aws/credentials [p]"
            ),
            (
                "obsutil",
                { sb in
                    try sb.obsutilConfig(endpoint: nil, ak: fakeAK, sk: fakeSK); return [:]
                }, "~/.obsutilconfig"
            ),
            (
                "profile",
                { sb in
                    try sb.ok(["config", "set", "access_key_id", fakeAK])
                    try sb.ok(["config", "set", "secret_access_key", "--from-env", "SK"], env: ["SK": fakeSK])
                    return [:]
                }, "profile [default]"
            ),
        ]
        for (name, setUp, origin) in cases {
            let sb = try Sandbox("cfg-warn-\(name)")
            let env = try setUp(sb)
            _ = try sb.write("x", Data("hello\n".utf8))
            try sb.ok(["bucket", "create", "obs://docs", "-q"], env: env)
            let quiet = try sb.ok(["upload", "x", "obs://docs/a", "-q"], env: env)
            #expect(quiet.out.isEmpty, "\(name): \(quiet)")
            #expect(
                warnings(quiet).count == 1 && quiet.stderrLines.count == 1,
                "\(name): one warning, even with -q: \(quiet)")
            let w = warnings(quiet).first ?? ""
            #expect(
                w.contains("local store") && w.contains(sb.root) && w.contains(origin) && w.contains("--endpoint"),
                "\(name): \(w)")
            expectNoSecret(quiet, fakeSK)
            let loud = try sb.ok(["upload", "x", "obs://docs/b"], env: env)
            #expect(
                loud.out.hasPrefix("upload: x -> obs://docs/b") && loud.out.hasSuffix("(local store)\n"),
                "\(name): \(loud)")
            #expect(warnings(loud).count == 1, "\(name): \(loud)")
        }
    }

    /// Report lines and `bucket list` say the store is local on every run of the local backend; JSON says
    /// "backend"; with nothing configured there is no warning.
    @Test func localStoreIsNamedInReportsAndBucketList() throws {
        let sb = try Sandbox("cfg-local")
        _ = try sb.write("x", Data("hello\n".utf8))
        let created = try sb.ok(["bucket", "create", "obs://docs"])
        #expect(created.out.hasSuffix("(local store)\n") && created.stderr.isEmpty, "\(created)")
        let up = try sb.ok(["upload", "x", "obs://docs/a"])
        #expect(
            up.out.hasPrefix("upload: x -> obs://docs/a (") && up.out.hasSuffix("(local store)\n") && up.stderr.isEmpty,
            "\(up)")
        let list = try sb.ok(["bucket", "list"])
        #expect(list.out.hasSuffix("obs://docs (local store)\n"), "\(list)")
        #expect(try sb.json(["bucket", "list"])["backend"] as? String == "local")
        let rm = try sb.ok(["rm", "obs://docs/a"])
        #expect(rm.out == "delete: obs://docs/a (local store)\n", "\(rm)")
    }

    /// `OBSCTL_PROFILE=` and every other empty OBSCTL_* variable count as unset.
    @Test func emptyObsctlVariablesCountAsUnset() throws {
        let sb = try Sandbox("cfg-empty")
        try sb.ok(["config", "set", "region", "eu-west-0"])
        let empty: [String: String?] = [
            "OBSCTL_PROFILE": "", "OBSCTL_ENDPOINT": "", "OBSCTL_REGION": "", "OBSCTL_CA_BUNDLE": "",
            "OBSCTL_PROGRESS": "", "OBSCTL_CONFIG": "", "OBS_ACCESS_KEY_ID": "", "AWS_PROFILE": "",
        ]
        let listed = try sb.ok(["bucket", "list"], env: empty)
        #expect(listed.stderr.isEmpty, "\(listed)")
        #expect(try sb.ok(["config", "get", "region"], env: empty).out == "eu-west-0\n")
        try sb.ok(["bucket", "create", "obs://emp"], env: empty)
        // OBSCTL_REGION= must not become the location "" of the local backend.
        #expect(
            ((try sb.json(["bucket", "list"], env: empty)["buckets"] as? [[String: Any]])?.first?["location"]
                as? String)
                == "local")
    }

    /// A bad endpoint from another tool's settings is an error naming where it came from, not a silent local write.
    @Test func badEndpointOfAnotherToolIsNamed() throws {
        let sb = try Sandbox("cfg-bad-endpoint")
        _ = try sb.write("x", Data("x".utf8))
        let keys: [String: String?] = ["AWS_ACCESS_KEY_ID": fakeAK, "AWS_SECRET_ACCESS_KEY": fakeSK]
        for (name, env) in [
            ("AWS_ENDPOINT_URL", ["AWS_ENDPOINT_URL": "127.0.0.1:8333"]),
            ("OBS_ENDPOINT", ["OBS_ENDPOINT": "https://obs.example.com/some/path"]),
        ] {
            let r = try sb.run(["upload", "x", "obs://docs/a"], env: keys.merging(env) { a, _ in a })
            expectError(r, 12, contains: ["http(s)://host", name])
            expectNoSecret(r, fakeSK)
        }
        try sb.awsConfig("default", endpoint: "ftp://files.example.com")
        expectError(try sb.run(["ls"], env: keys), 12, contains: ["~/.aws/config [default]"])
        #expect(!sb.exists("root/buckets"))
    }

    /// s3:// addresses mean obs:// everywhere an address is taken; what obsctl prints stays obs://.
    @Test func s3AddressesAreAccepted() throws {
        let sb = try Sandbox("cfg-s3")
        _ = try sb.write("x", Data("hello s3\n".utf8))
        try sb.ok(["bucket", "create", "s3://s3b"])
        #expect(try sb.ok(["upload", "x", "s3://s3b/dir/a"]).out.hasPrefix("upload: x -> obs://s3b/dir/a"))
        #expect(try sb.ok(["ls", "s3://s3b/dir/"]).out.contains("dir/a"))
        #expect(try sb.json(["stat", "s3://s3b/dir/a"])["key"] as? String == "dir/a")
        try sb.ok(["download", "s3://s3b/dir/a", "out.txt"])
        #expect(sb.read("out.txt") == Data("hello s3\n".utf8))
        try sb.ok(["cp", "s3://s3b/dir/a", "obs://s3b/copy"])
        try sb.ok(["cp", "x", "s3://s3b/c2"])
        try sb.ok(["sync", "s3://s3b/dir/", "synced"])
        #expect(sb.read("synced/a") == Data("hello s3\n".utf8))
        try sb.ok(["rm", "s3://s3b/copy"])
        #expect(try sb.ok(["ls", "s3://s3b", "--recursive"]).out.contains("c2"))
        expectError(try sb.run(["ls", "s4://s3b"]), 2)
    }

    @Test func configImportObsutil() throws {
        let sb = try Sandbox("cfg-imp-obsutil")
        try sb.obsutilConfig(
            endpoint: "obs.ap-southeast-1.myhuaweicloud.com", ak: fakeAK, sk: fakeSK, token: "tok-secret-123")
        let r = try sb.ok(["config", "import", "obsutil", "--profile", "hw"])
        expectNoSecret(r, fakeSK); expectNoSecret(r, "tok-secret-123")
        var st = stat()
        #expect(stat(sb.configFile, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(
            try sb.ok(["config", "get", "endpoint", "--profile", "hw"]).out
                == "https://obs.ap-southeast-1.myhuaweicloud.com\n")
        #expect(try sb.ok(["config", "get", "access_key_id", "--profile", "hw"]).out == "\(fakeAK)\n")
        let text = String(decoding: sb.read("cfg/obsctl/config") ?? Data(), as: UTF8.self)
        #expect(text.contains("secret_access_key = \(fakeSK)") && text.contains("security_token = tok-secret-123"))
        // An existing profile is replaced only with --force; nothing changes without it.
        try sb.obsutilConfig(endpoint: "obs.cn-north-4.myhuaweicloud.com", ak: fakeAK, sk: fakeSK)
        expectError(try sb.run(["config", "import", "obsutil", "--profile", "hw"]), 10, contains: ["--force"])
        #expect(String(decoding: sb.read("cfg/obsctl/config") ?? Data(), as: UTF8.self) == text)
        try sb.ok(["config", "import", "obsutil", "--profile", "hw", "--force", "-q"])
        #expect(
            try sb.ok(["config", "get", "endpoint", "--profile", "hw"]).out
                == "https://obs.cn-north-4.myhuaweicloud.com\n")
        expectError(try sb.run(["config", "get", "security_token", "--profile", "hw"]), 3)
        // Keys obsutil has encrypted cannot be read: exit 12, nothing written.
        try sb.obsutilConfig(
            endpoint: "obs.cn-north-4.myhuaweicloud.com", ak: "T7i6gOe2gUMXCiqE0UrdqvBqMm6W8BoQt9oz0SLhmzw=",
            sk: "x3ih4zUq0xtsk2xvO3w+7Zma/Lz94iXHjRg3M20YNAhi7VgbGSnIHsvIxfA4i4D9")
        expectError(
            try sb.run(["config", "import", "obsutil", "--profile", "enc"]), 12,
            contains: ["encrypted", "OBS_ACCESS_KEY_ID"])
        expectError(try sb.run(["config", "get", "endpoint", "--profile", "enc"]), 3)
        // obsutil's placeholders mean unset.
        try sb.obsutilConfig(
            endpoint: "http://your-endpoint", ak: "*** Provide your Access Key ***",
            sk: "*** Provide your Secret Key ***")
        expectError(
            try sb.run(["config", "import", "obsutil", "--profile", "empty"]), 12,
            contains: ["no endpoint, region or keys", ".obsutilconfig"])
        expectError(try sb.run(["config", "import", "obsutil", "--from-profile", "x"]), 2)
    }

    @Test func configImportAWS() throws {
        let sb = try Sandbox("cfg-imp-aws")
        try sb.awsCredentials("dev", ak: fakeAK, sk: fakeSK, token: "sess-secret-456")
        try sb.awsConfig("dev", region: "eu-west-1", endpoint: "https://s3.example.test", s3Block: true)
        let r = try sb.ok(["config", "import", "aws", "--from-profile", "dev", "--profile", "d", "--output", "json"])
        expectNoSecret(r, fakeSK); expectNoSecret(r, "sess-secret-456")
        let doc = try parseJSONObject(r.stdout)
        #expect(
            doc["keys"] as? [String] == ["access_key_id", "endpoint", "region", "secret_access_key", "security_token"],
            "\(r)")
        var st = stat()
        #expect(stat(sb.configFile, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(try sb.ok(["config", "get", "endpoint", "--profile", "d"]).out == "https://s3.example.test\n")
        #expect(try sb.ok(["config", "get", "region", "--profile", "d"]).out == "eu-west-1\n")
        #expect(try sb.ok(["config", "list", "--profile", "d"]).out.contains("secret_access_key = <set, hidden>"))
        // AWS_PROFILE picks the profile; AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files.
        try sb.awsCredentials("other", ak: "AKIDOTHER", sk: fakeSK, path: "elsewhere/creds")
        try sb.awsConfig("other", endpoint: "http://10.1.2.3:9000", path: "elsewhere/conf")
        let moved: [String: String?] = [
            "AWS_PROFILE": "other", "AWS_SHARED_CREDENTIALS_FILE": sb.path("elsewhere/creds"),
            "AWS_CONFIG_FILE": sb.path("elsewhere/conf"),
        ]
        try sb.ok(["config", "import", "aws", "--profile", "o"], env: moved)
        #expect(try sb.ok(["config", "get", "access_key_id", "--profile", "o"]).out == "AKIDOTHER\n")
        #expect(try sb.ok(["config", "get", "endpoint", "--profile", "o"]).out == "http://10.1.2.3:9000\n")
        expectError(
            try sb.run(["config", "import", "aws", "--from-profile", "nope", "--profile", "n"]), 12, contains: ["nope"])
        expectError(try sb.run(["config", "import", "azure"]), 2)
    }
}

// MARK: - Against SeaweedFS: each source really reaches the server, in the documented order

@Suite(
    "Hardening: other tools' settings against SeaweedFS", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct HardeningConfigRemoteTests {
    /// A port nothing listens on: a source that wrongly wins fails with a refused connection.
    static let dead = "http://127.0.0.1:1"

    /// Runs with none of the session's OBS_* credentials, so only the settings under test count.
    @discardableResult
    func run(_ s: RemoteSession, _ args: [String], _ env: [String: String?]) throws -> RunResult {
        var e = env
        for k in ["OBS_ACCESS_KEY_ID", "OBS_SECRET_ACCESS_KEY"] where e[k] == nil { e[k] = .some(nil) }
        return try s.sb.run(args + ["--retries", "0"], env: e)
    }

    /// Uploads through the settings in `env` and checks the object is on the server, not in the local store.
    func expectRemoteUpload(
        _ s: RemoteSession, _ bucket: String, _ key: String, _ env: [String: String?], _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let r = try run(s, ["upload", "x", "obs://\(bucket)/\(key)"], env)
        #expect(
            r.succeeded && !r.out.contains("local store") && warnings(r).isEmpty, "\(what): \(r)",
            sourceLocation: sourceLocation)
        expectNoSecret(r, s.peers.secretKey, sourceLocation: sourceLocation)
        let stat = try s.run(s.peers.seaweedFlags, ["stat", "obs://\(bucket)/\(key)"])
        #expect(stat.succeeded, "\(what): the object is not on the server: \(stat)", sourceLocation: sourceLocation)
        #expect(!s.sb.exists("root/buckets"), "\(what): something was written locally", sourceLocation: sourceLocation)
    }

    @Test func eachSourceReachesTheServer() throws {
        let s = try RemoteSession("cfg-sources")
        let p = s.peers, sb = s.sb
        let bucket = try s.makeBucket(p.seaweedFlags, tag: "cfg")
        _ = try sb.write("x", Data("remote\n".utf8))
        let awsKeys: [String: String?] = ["AWS_ACCESS_KEY_ID": p.accessKey, "AWS_SECRET_ACCESS_KEY": p.secretKey]

        try expectRemoteUpload(
            s, bucket, "aws-env", awsKeys.merging(["AWS_ENDPOINT_URL": p.seaweed]) { a, _ in a }, "AWS_ENDPOINT_URL")
        try expectRemoteUpload(
            s, bucket, "aws-env-s3",
            awsKeys.merging(["AWS_ENDPOINT_URL": Self.dead, "AWS_ENDPOINT_URL_S3": p.seaweed]) { a, _ in a },
            "AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL")
        try expectRemoteUpload(
            s, bucket, "aws-tls",
            awsKeys.merging(["AWS_ENDPOINT_URL": p.seaweedTLS, "AWS_CA_BUNDLE": p.tlsCA]) { a, _ in a },
            "AWS_CA_BUNDLE for an HTTPS AWS_ENDPOINT_URL")
        try expectRemoteUpload(
            s, bucket, "obs-env",
            [
                "OBS_ENDPOINT": p.seaweed, "OBS_ACCESS_KEY_ID": p.accessKey,
                "OBS_SECRET_ACCESS_KEY": p.secretKey,
            ], "OBS_ENDPOINT")

        // An AWS profile named by AWS_PROFILE (endpoint in an s3 block), in files moved by the variables.
        try sb.awsCredentials("sw", ak: p.accessKey, sk: p.secretKey, path: "aws/creds")
        try sb.awsConfig("sw", region: p.region, endpoint: p.seaweed, s3Block: true, path: "aws/conf")
        let moved: [String: String?] = [
            "AWS_SHARED_CREDENTIALS_FILE": sb.path("aws/creds"), "AWS_CONFIG_FILE": sb.path("aws/conf"),
        ]
        try expectRemoteUpload(
            s, bucket, "aws-profile", moved.merging(["AWS_PROFILE": "sw"]) { a, _ in a }, "AWS_PROFILE")

        // The AWS default profile in ~/.aws.
        try sb.awsCredentials("default", ak: p.accessKey, sk: p.secretKey)
        try sb.awsConfig("default", endpoint: p.seaweed)
        try expectRemoteUpload(s, bucket, "aws-default", [:], "~/.aws [default]")

        // ~/.obsutilconfig before the AWS default profile (whose endpoint is now dead).
        try sb.awsConfig("default", endpoint: Self.dead)
        try sb.obsutilConfig(endpoint: p.seaweed, ak: p.accessKey, sk: p.secretKey)
        try expectRemoteUpload(s, bucket, "obsutil", [:], "~/.obsutilconfig")

        // The profile `config import` writes.
        try sb.ok(["config", "import", "aws", "--from-profile", "sw", "--profile", "imported"], env: moved)
        try expectRemoteUpload(
            s, bucket, "imported", ["OBSCTL_PROFILE": "imported", "AWS_ENDPOINT_URL": Self.dead], "imported profile")
    }

    @Test func obsctlSettingsComeFirst() throws {
        let s = try RemoteSession("cfg-order")
        let p = s.peers, sb = s.sb
        let bucket = try s.makeBucket(p.seaweedFlags, tag: "cfgo")
        _ = try sb.write("x", Data("order\n".utf8))
        let bad: [String: String?] = [
            "AWS_ENDPOINT_URL": Self.dead, "AWS_ACCESS_KEY_ID": "AKIDWRONGWRONG", "AWS_SECRET_ACCESS_KEY": "wrong",
        ]
        let obsKeys: [String: String?] = ["OBS_ACCESS_KEY_ID": p.accessKey, "OBS_SECRET_ACCESS_KEY": p.secretKey]

        // --endpoint and OBSCTL_ENDPOINT before AWS_ENDPOINT_URL; OBS_ACCESS_KEY_ID before AWS_ACCESS_KEY_ID.
        let flag = try run(
            s, ["upload", "x", "obs://\(bucket)/flag", "--endpoint", p.seaweed], bad.merging(obsKeys) { a, _ in a })
        #expect(flag.succeeded, "\(flag)")
        try expectRemoteUpload(
            s, bucket, "env", bad.merging(obsKeys) { a, _ in a }.merging(["OBSCTL_ENDPOINT": p.seaweed]) { a, _ in a },
            "OBSCTL_ENDPOINT")
        // The obsctl profile before the AWS variables, for the endpoint and for the keys.
        try sb.ok(["config", "set", "endpoint", p.seaweed])
        try sb.ok(["config", "set", "access_key_id", p.accessKey])
        try sb.ok(["config", "set", "secret_access_key", "--from-env", "SK"], env: ["SK": p.secretKey])
        try expectRemoteUpload(s, bucket, "profile", bad, "obsctl profile")
        try FileManager.default.removeItem(atPath: sb.configFile)

        // AWS variables before ~/.obsutilconfig; a key pair never mixes the two.
        try sb.obsutilConfig(endpoint: Self.dead, ak: "AKIDOBSUTILWRONG", sk: "wrong")
        try expectRemoteUpload(
            s, bucket, "aws-over-obsutil",
            ["AWS_ENDPOINT_URL": p.seaweed, "AWS_ACCESS_KEY_ID": p.accessKey, "AWS_SECRET_ACCESS_KEY": p.secretKey],
            "AWS variables before ~/.obsutilconfig")
        let half = try run(
            s, ["upload", "x", "obs://\(bucket)/half"],
            ["AWS_ENDPOINT_URL": p.seaweed, "AWS_ACCESS_KEY_ID": p.accessKey])
        expectError(half, 12, contains: ["AWS_SECRET_ACCESS_KEY"])
        // With the endpoint from obsutil's file and no keys anywhere usable: exit 12 naming the sources.
        try sb.obsutilConfig(endpoint: p.seaweed, ak: nil, sk: nil)
        expectError(
            try run(s, ["ls", "obs://\(bucket)"], [:]), 12,
            contains: ["no credentials", ".obsutilconfig", "config import"])
    }
}
