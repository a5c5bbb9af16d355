import Foundation
import Testing
import OBSCrypto
#if canImport(Glibc)
import Glibc
#endif

// Support for the remote-client end-to-end tests (Remote*.swift): the built `obsctl` against real S3 servers on
// 127.0.0.1 started by `.ci/peers/start DIR` (SeaweedFS over HTTP and HTTPS, moto with its SigV4 check, and a
// fault-injection proxy in front of SeaweedFS). The tests find them through OBSCTL_TEST_PEERS_ENV=DIR/peers.env.
// Without that variable the remote suites are skipped, except under CI (env CI set), where they fail: a CI run
// that forgot to start the peers must not pass silently.

// MARK: - The peers

struct RemotePeers: Sendable {
    static let variable = "OBSCTL_TEST_PEERS_ENV"

    let file: String
    let values: [String: String]

    var seaweed: String { values["OBSCTL_TEST_SEAWEED_ENDPOINT"]! }
    var seaweedTLS: String { values["OBSCTL_TEST_SEAWEED_TLS_ENDPOINT"]! }
    var tlsCA: String { values["OBSCTL_TEST_TLS_CA"]! }
    var moto: String { values["OBSCTL_TEST_MOTO_ENDPOINT"]! }
    var fault: String { values["OBSCTL_TEST_FAULT_ENDPOINT"]! }
    var faultControl: String { values["OBSCTL_TEST_FAULT_CONTROL"]! }
    var accessKey: String { values["OBSCTL_TEST_ACCESS_KEY"]! }
    var secretKey: String { values["OBSCTL_TEST_SECRET_KEY"]! }
    /// The secret key with its last character changed: signatures made with it are refused.
    var wrongSecretKey: String { String(secretKey.dropLast()) + (secretKey.hasSuffix("A") ? "B" : "A") }
    var region: String { values["OBSCTL_TEST_REGION"] ?? "us-east-1" }

    static let required = [
        "OBSCTL_TEST_SEAWEED_ENDPOINT", "OBSCTL_TEST_SEAWEED_TLS_ENDPOINT", "OBSCTL_TEST_TLS_CA",
        "OBSCTL_TEST_MOTO_ENDPOINT", "OBSCTL_TEST_FAULT_ENDPOINT", "OBSCTL_TEST_FAULT_CONTROL",
        "OBSCTL_TEST_ACCESS_KEY", "OBSCTL_TEST_SECRET_KEY",
    ]

    enum Availability: Sendable {
        case ready(RemotePeers)
        /// OBSCTL_TEST_PEERS_ENV is not set.
        case notConfigured
        /// It is set, but the file is missing or incomplete: always a failure.
        case broken(String)
    }

    static let availability: Availability = load()

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// The `.enabled(if:)` condition of every remote suite: run when the peers are configured, and under CI even
    /// when they are not (each test then fails, saying the peers were not started).
    static var shouldRun: Bool {
        if case .notConfigured = availability { return isCI }
        return true
    }

    static let skipReason: Comment =
        """
        remote peers not configured: start them with .ci/peers/start DIR and export OBSCTL_TEST_PEERS_ENV=DIR/peers.env
        """

    /// The peers, or a recorded failure saying why there are none.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> RemotePeers {
        var peers: RemotePeers? = nil
        var why = ""
        switch availability {
        case .ready(let p): peers = p
        case .notConfigured:
            why =
                "the remote test peers were not started: CI is set but \(variable) is not; run .ci/peers/start DIR and "
                + "export \(variable)=DIR/peers.env"
        case .broken(let reason):
            why = "the remote test peers are not usable: \(reason)"
        }
        return try #require(peers, "\(why)", sourceLocation: sourceLocation)
    }

    private static func load() -> Availability {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else { return .notConfigured }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .broken("\(variable)=\(path) cannot be read (were the peers started with .ci/peers/start?)")
        }
        var values: [String: String] = [:]
        for raw in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: eq)...])
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            }
            values[String(line[..<eq])] = value
        }
        let missing = required.filter { (values[$0] ?? "").isEmpty }
        guard missing.isEmpty else { return .broken("\(path) lacks \(missing.joined(separator: ", "))") }
        return .ready(RemotePeers(file: path, values: values))
    }

    // MARK: Endpoint flags

    /// SeaweedFS over plain HTTP on loopback: SigV4, path-style addressing (stated explicitly).
    var seaweedFlags: [String] { ["--endpoint", seaweed, "--signature", "v4", "--addressing", "path"] }
    /// SeaweedFS's HTTPS port; `caBundle: false` leaves the private CA out.
    func seaweedTLSFlags(caBundle: Bool) -> [String] {
        ["--endpoint", seaweedTLS, "--signature", "v4", "--addressing", "path"]
            + (caBundle ? ["--ca-bundle", tlsCA] : [])
    }
    /// moto with its SigV4 check on.
    var motoFlags: [String] { ["--endpoint", moto, "--signature", "v4", "--addressing", "path"] }
    /// The fault proxy in front of SeaweedFS's HTTP port.
    var faultFlags: [String] { ["--endpoint", fault, "--signature", "v4", "--addressing", "path"] }

    var faultProxy: FaultProxy { FaultProxy(control: faultControl) }

    // MARK: Servers by name (the arguments of parametrised tests)

    /// The servers "every command" runs against: SeaweedFS, and `obsctl serve` in both dialects (S3 with SigV4,
    /// OBS with the OBS signature).
    static let commandServers = ["seaweedfs", "serve-s3", "serve-obs"]

    /// `obsctl serve` started by .ci/peers/start over its own store (absent when obsctl was not built then).
    var serve: String? { values["OBSCTL_TEST_SERVE_ENDPOINT"] }

    /// The base URL of a server by name: seaweedfs, moto, serve-s3 or serve-obs.
    func url(_ server: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        switch server {
        case "seaweedfs": return seaweed
        case "moto": return moto
        case "serve-s3", "serve-obs":
            return try #require(
                serve,
                "\(file) has no OBSCTL_TEST_SERVE_ENDPOINT: build obsctl (swift build) before .ci/peers/start",
                sourceLocation: sourceLocation)
        default:
            Issue.record("unknown test server \(server)", sourceLocation: sourceLocation)
            throw RemoteServerError.unknown(server)
        }
    }

    /// The endpoint flags of a server by name: path-style addressing, SigV4 except serve-obs (OBS signature).
    func flags(_ server: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let signature = server == "serve-obs" ? "obs" : "v4"
        return ["--endpoint", try url(server, sourceLocation: sourceLocation), "--signature", signature]
            + ["--addressing", "path"]
    }
}

enum RemoteServerError: Error { case unknown(String) }

// MARK: - A session against the peers

/// One test's sandbox (clean environment, private HOME and config) with the peers' credentials in
/// OBS_ACCESS_KEY_ID / OBS_SECRET_ACCESS_KEY, and the buckets it created, deleted (with their objects) at the end.
final class RemoteSession {
    let peers: RemotePeers
    let sb: Sandbox
    private var created: [(name: String, flags: [String])] = []

    init(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        peers = try RemotePeers.require(sourceLocation: sourceLocation)
        sb = try Sandbox("remote-" + name)
        sb.environment["OBS_ACCESS_KEY_ID"] = peers.accessKey
        sb.environment["OBS_SECRET_ACCESS_KEY"] = peers.secretKey
    }

    deinit { cleanup() }

    /// A fresh bucket name: `rt-<tag>-<8 hex>`.
    static func uniqueName(_ tag: String) -> String { "rt-\(tag)-\(hexString(Data(Random.bytes(4))))" }

    /// Creates a bucket with a unique name on the endpoint of `flags`, remembered for cleanup.
    func makeBucket(
        _ flags: [String], tag: String, extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let name = Self.uniqueName(tag)
        try ok(flags, ["bucket", "create", "obs://" + name] + extra, sourceLocation: sourceLocation)
        created.append((name, flags))
        return name
    }

    /// Remembers a bucket made otherwise (for example by a test of `bucket create` itself).
    func adopt(_ name: String, _ flags: [String]) { created.append((name, flags)) }

    /// Deletes every bucket this session made, with everything in it. Failures are ignored (a test may have
    /// deleted the bucket already).
    func cleanup() {
        for b in created.reversed() {
            _ = try? sb.run(["bucket", "delete", "obs://" + b.name, "--force", "--quiet"] + b.flags)
        }
        created = []
    }

    @discardableResult
    func run(
        _ flags: [String], _ args: [String], stdin: Data? = nil, env: [String: String?] = [:], fileSizeLimit: Int? = nil
    ) throws -> RunResult {
        try sb.run(args + flags, stdin: stdin, env: env, fileSizeLimit: fileSizeLimit)
    }

    /// Runs and measures the wall time.
    func timed(_ flags: [String], _ args: [String], stdin: Data? = nil, env: [String: String?] = [:]) throws -> (
        RunResult, TimeInterval
    ) {
        let start = Date()
        let r = try run(flags, args, stdin: stdin, env: env)
        return (r, Date().timeIntervalSince(start))
    }

    @discardableResult
    func ok(
        _ flags: [String], _ args: [String], stdin: Data? = nil, env: [String: String?] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RunResult {
        let r = try run(flags, args, stdin: stdin, env: env)
        try #require(r.succeeded, "expected success: \(r)", sourceLocation: sourceLocation)
        return r
    }

    func json(
        _ flags: [String], _ args: [String], stdin: Data? = nil, env: [String: String?] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: Any] {
        let r = try ok(flags, args + ["--output", "json"], stdin: stdin, env: env, sourceLocation: sourceLocation)
        return try parseJSONObject(r.stdout, sourceLocation: sourceLocation)
    }

    /// `stat --output json` of one object.
    func stat(
        _ flags: [String], _ object: String, extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: Any] {
        try json(flags, ["stat", object] + extra, sourceLocation: sourceLocation)
    }

    /// Every key under `obs://bucket/prefix`, through `ls --recursive --output json`.
    func keys(_ flags: [String], _ location: String, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> [String]
    {
        let j = try json(flags, ["ls", location, "--recursive"], sourceLocation: sourceLocation)
        let objects = try #require(
            j["objects"] as? [[String: Any]], "ls json has no objects array: \(j)", sourceLocation: sourceLocation)
        return objects.compactMap { $0["key"] as? String }
    }
}

/// `sse` of a JSON object record.
func sseField(_ object: [String: Any], _ name: String) -> Any? { (object["sse"] as? [String: Any])?[name] }

/// Like `expectError`, but lines starting "obsctl: warning:" (the loopback plain-HTTP and --insecure warnings)
/// may come before the one error line. `debug`: the run had `--debug`, whose lines (`> `, `< `, `* `) are skipped.
func expectRemoteError(
    _ r: RunResult, _ code: Int32, contains: [String] = [], debug: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        !r.signaled && !r.timedOut && r.status == code, "expected exit \(code): \(r)", sourceLocation: sourceLocation)
    let lines = r.stderrLines.filter { line in
        !line.hasPrefix("obsctl: warning:") && !(debug && ["> ", "< ", "* "].contains { line.hasPrefix($0) })
    }
    #expect(lines.count == 1, "expected exactly one error line on stderr: \(r)", sourceLocation: sourceLocation)
    #expect(
        lines.first?.hasPrefix("obsctl: error:") == true, "stderr must have an 'obsctl: error:' line: \(r)",
        sourceLocation: sourceLocation)
    #expect(r.stdout.isEmpty, "expected nothing on stdout: \(r)", sourceLocation: sourceLocation)
    for word in contains {
        #expect(
            (lines.first ?? "").lowercased().contains(word.lowercased()),
            "the error line should mention '\(word)': \(r)", sourceLocation: sourceLocation)
    }
}

/// The requests a `--debug` run sent, one `METHOD URL` line per attempt (retries included), in order.
func debugRequests(_ r: RunResult) -> [String] {
    r.stderrLines.filter { $0.range(of: #"^> [A-Z]+ [a-z]+://"#, options: .regularExpression) != nil }
}

/// Random bytes, fast (OpenSSL's generator; the per-byte `randomData` is slow for tens of MiB in a debug build).
func remoteRandomData(_ count: Int) -> Data { Data(Random.bytes(count)) }

/// The MD5 ETag a single PUT of `data` gets, as obsctl reports ETags on both backends: unquoted.
func md5ETag(_ data: Data) -> String { hexString(Data(Digest.md5(Array(data)))) }

// MARK: - Other programs: aws, curl

struct ToolRun: CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var timedOut: Bool
    var stdout: String
    var stderr: String
    var succeeded: Bool { !timedOut && status == 0 }
    var description: String {
        "\(arguments.joined(separator: " ")) -> \(status)\(timedOut ? " (timed out)" : "")\n--- stdout:\n"
            + "\(stdout.prefix(2000))\n--- stderr:\n\(stderr.prefix(2000))"
    }
}

enum Tools {
    /// Runs a program found on the test process's PATH (through /usr/bin/env), with the test process's
    /// environment minus AWS_*, OBS_* and OBSCTL_* variables, plus `env`, and waits for it (killed after `timeout`).
    static func run(_ arguments: [String], env extra: [String: String] = [:], timeout: TimeInterval = 60) throws
        -> ToolRun
    {
        try start(arguments, env: extra).wait(timeout: timeout)
    }

    /// Starts what `run` runs without waiting: a client kept in flight while the test does something else.
    static func start(_ arguments: [String], env extra: [String: String] = [:]) throws -> RunningTool {
        var env = ProcessInfo.processInfo.environment.filter { k, _ in
            !k.hasPrefix("AWS_") && !k.hasPrefix("OBS_") && !k.hasPrefix("OBSCTL_")
        }
        for (k, v) in extra { env[k] = v }
        return try RunningTool(arguments, environment: env)
    }

    /// The variables awscli and boto3 need for `accessKey`/`secretKey` in `region`, and no user configuration.
    static func awsEnvironment(accessKey: String, secretKey: String, region: String) -> [String: String] {
        [
            "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey,
            "AWS_DEFAULT_REGION": region, "AWS_REGION": region,
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent/obsctl-tests/aws-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/obsctl-tests/aws-credentials", "AWS_PAGER": "",
        ]
    }

    /// The JSON object a helper script prints as its last stdout line.
    static func lastJSONLine(_ r: ToolRun, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let line = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
            "\(r.arguments.prefix(2).joined(separator: " ")) printed no JSON: \(r)", sourceLocation: sourceLocation)
    }

    /// awscli against `endpoint` with the peers' credentials and no user configuration.
    static func aws(_ peers: RemotePeers, endpoint: String, _ arguments: [String]) throws -> ToolRun {
        let env = awsEnvironment(accessKey: peers.accessKey, secretKey: peers.secretKey, region: peers.region)
        return try run(["aws", "--endpoint-url", endpoint, "--region", peers.region] + arguments, env: env)
    }

    /// Huawei's esdk-obs-python through `.ci/peers/esdk.py` (put, get or head), its one JSON line parsed.
    static func esdk(_ peers: RemotePeers, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation)
        throws -> (ok: Bool, json: [String: Any], run: ToolRun)
    {
        let python = try #require(
            peers.values["OBSCTL_TEST_PYTHON"], "peers.env has no OBSCTL_TEST_PYTHON", sourceLocation: sourceLocation)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".ci/peers/esdk.py").path
        let r = try run(
            [python, script] + arguments,
            env: ["OBSCTL_TEST_ACCESS_KEY": peers.accessKey, "OBSCTL_TEST_SECRET_KEY": peers.secretKey])
        return (r.succeeded, try lastJSONLine(r, sourceLocation: sourceLocation), r)
    }

    /// The number of multipart uploads in progress in `bucket` (aws s3api list-multipart-uploads).
    static func multipartUploadsInProgress(
        _ peers: RemotePeers, endpoint: String, bucket: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Int {
        let r = try aws(
            peers, endpoint: endpoint,
            [
                "s3api", "list-multipart-uploads", "--bucket", bucket,
                "--query", "length(Uploads || `[]`)", "--output", "text",
            ])
        try #require(r.succeeded, "aws s3api list-multipart-uploads failed: \(r)", sourceLocation: sourceLocation)
        return try #require(
            Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "not a count: \(r)",
            sourceLocation: sourceLocation)
    }

    /// A new KMS key in the store `obsctl serve` (the peer) serves: `obsctl kms key create` on that store, its id.
    static func createServeKMSKey(_ peers: RemotePeers, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> String
    {
        let root = try #require(
            peers.values["OBSCTL_TEST_SERVE_ROOT"], "peers.env has no serve store", sourceLocation: sourceLocation)
        let sb = try Sandbox("serve-kms-key")
        let r = try sb.run(
            ["kms", "key", "create", "--description", "obsctl remote tests", "--output", "json"],
            env: ["OBSCTL_LOCAL_ROOT": root, "XDG_CONFIG_HOME": peers.values["OBSCTL_TEST_SERVE_CONFIG_HOME"]])
        try #require(
            r.succeeded, "obsctl kms key create on the serve store failed: \(r)", sourceLocation: sourceLocation)
        let id = try parseJSONObject(r.stdout, sourceLocation: sourceLocation)["key_id"] as? String
        return try #require(id, "no key_id: \(r)", sourceLocation: sourceLocation)
    }

    /// A new KMS key on a server by name: moto's KMS, or the serve peer's store.
    static func createKMSKey(_ peers: RemotePeers, server: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws -> String
    {
        server == "moto"
            ? try createMotoKMSKey(peers, sourceLocation: sourceLocation)
            : try createServeKMSKey(peers, sourceLocation: sourceLocation)
    }

    /// A new KMS key in moto's KMS (aws kms create-key), its id.
    static func createMotoKMSKey(_ peers: RemotePeers, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> String
    {
        let r = try aws(
            peers, endpoint: peers.moto,
            [
                "kms", "create-key", "--description", "obsctl remote tests",
                "--query", "KeyMetadata.KeyId", "--output", "text",
            ])
        try #require(r.succeeded, "aws kms create-key against moto failed: \(r)", sourceLocation: sourceLocation)
        let id = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(UUID(uuidString: id) != nil, "moto's key id is not a UUID: \(r)", sourceLocation: sourceLocation)
        return id
    }
}

// MARK: - The fault proxy's control port

/// `.ci/peers/faultproxy.py`'s control endpoint: POST /mode sets the rule, POST /reset clears rule and counters,
/// GET /stats counts requests and faults.
struct FaultProxy {
    let control: String

    func set(_ rule: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let body = String(
            decoding: try JSONSerialization.data(withJSONObject: rule, options: [.sortedKeys]), as: UTF8.self)
        try post("/mode", body, sourceLocation: sourceLocation)
    }

    func reset(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try post("/reset", "", sourceLocation: sourceLocation)
    }

    func stats(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let r = try Tools.run(["curl", "-sS", "-f", "--max-time", "5", control + "/stats"], timeout: 15)
        try #require(r.succeeded, "fault proxy control GET /stats failed: \(r)", sourceLocation: sourceLocation)
        return try parseJSONObject(Data(r.stdout.utf8), sourceLocation: sourceLocation)
    }

    /// Faults applied since the last reset, by action ("503", "reset-mid-body", ...).
    func faults(_ action: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let s = try stats(sourceLocation: sourceLocation)
        return ((s["by_action"] as? [String: Any])?[action] as? Int) ?? 0
    }

    private func post(_ path: String, _ body: String, sourceLocation: SourceLocation) throws {
        let r = try Tools.run(
            [
                "curl", "-sS", "-f", "--max-time", "5", "-X", "POST", "-H", "Content-Type: application/json",
                "--data", body, control + path,
            ], timeout: 15)
        try #require(
            r.succeeded, "fault proxy control POST \(path) \(body) failed: \(r)", sourceLocation: sourceLocation)
    }
}

/// A `.ci/peers/faultproxy.py` of a test's own in front of `upstream` (HOST:PORT, plain HTTP), on free loopback
/// ports; killed (by its pid) when the object goes away.
final class FaultProxyProcess {
    let endpoint: String
    let control: FaultProxy
    private let process: Process

    init(upstream: String) throws {
        let ports = try Self.freePorts(2)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".ci/peers/faultproxy.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-u", script, "--port", String(ports[0]), "--upstream", upstream,
            "--control-port", String(ports[1]),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        endpoint = "http://127.0.0.1:\(ports[0])"
        control = FaultProxy(control: "http://127.0.0.1:\(ports[1])")
        for _ in 0..<100 {
            if (try? Tools.run(["curl", "-sf", "\(control.control)/mode"]))?.succeeded == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw CocoaError(.featureUnsupported)
    }

    deinit { kill(process.processIdentifier, SIGKILL) }  // only this child, by its pid; waitUntilExit can hang

    private static func freePorts(_ n: Int) throws -> [Int] {
        let r = try Tools.run([
            "python3", "-c",
            """
            import socket
            s = [socket.socket() for _ in range(\(n))]
            for x in s: x.bind(("127.0.0.1", 0))
            print(" ".join(str(x.getsockname()[1]) for x in s))
            """,
        ])
        return r.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// A program started by `Tools.start`; output in files, read with `stdoutSoFar` and `wait`. Killed (by its pid) if
/// still running when the handle goes away.
final class RunningTool {
    let process = Process()
    let arguments: [String]
    let outURL: URL
    let errURL: URL
    private let done = DispatchSemaphore(value: 0)
    private var result: ToolRun?

    fileprivate init(_ arguments: [String], environment: [String: String]) throws {
        self.arguments = arguments
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("obsctl-cli-tests", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let id = UUID().uuidString.prefix(12)
        outURL = dir.appendingPathComponent(".tool-\(id).out")
        errURL = dir.appendingPathComponent(".tool-\(id).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [done] _ in done.signal() }
        try process.run()
        try? out.close(); try? err.close()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }  // only this child, by its pid
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }

    var stdoutSoFar: String { String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self) }

    /// Until stdout holds `text`; false when the process ended or `timeout` passed first.
    func waitFor(_ text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stdoutSoFar.contains(text) { return true }
            if !process.isRunning { return stdoutSoFar.contains(text) }
            usleep(20_000)
        }
        return false
    }

    /// Waits for the exit (killing the program after `timeout`) and returns all of its output.
    func wait(timeout: TimeInterval) -> ToolRun {
        if let result { return result }
        var timedOut = false
        if done.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)  // only this child, by its pid
            _ = done.wait(timeout: .now() + 10)
        }
        let r = ToolRun(
            arguments: arguments, status: process.terminationStatus, timedOut: timedOut, stdout: stdoutSoFar,
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
        result = r
        return r
    }
}
