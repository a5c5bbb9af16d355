import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Support for the `obsctl serve` end-to-end tests (Serve*.swift): the built obsctl (which execs obsctl-serve from
// its own directory) serving a test's sandbox store on 127.0.0.1:0, and real clients (awscli, boto3, Huawei's
// esdk-obs-python, curl) pointed at it.

// MARK: - A running server

/// One `obsctl serve` child of a test. `start` waits for the ready line; `stop` sends SIGTERM and waits for the
/// exit. A server still running when the object goes away is killed (by its pid).
final class ServeProcess {
    let sandbox: Sandbox
    let running: RunningObsctl
    /// The ready line, parsed (`--output json`): endpoint, ca_bundle, credentials_file, region, access_key_id.
    let ready: [String: Any]
    let endpoint: String
    let caBundle: String?
    let credentialsFile: String?
    let region: String
    let accessKeyID: String
    let secretAccessKey: String
    private var result: RunResult?

    var port: Int { Int(endpoint.split(separator: ":").last ?? "") ?? 0 }
    var pid: Int32 { running.process.processIdentifier }

    /// Starts `obsctl serve --listen LISTEN --output json` plus `arguments` (`tls`: --tls-self-signed) and
    /// waits for its ready line. `env` adds variables (OBSCTL_SERVE_ACCESS_KEY_ID, ...); without a pair there, the
    /// server generates one and the secret is read from the credentials file it names. `wrapper`: as for
    /// `Sandbox.start` (other limits).
    init(
        _ sandbox: Sandbox, listen: String = "127.0.0.1:0", tls: Bool = false, arguments: [String] = [],
        env: [String: String?] = [:], wrapper: String? = nil, timeout: TimeInterval = 60,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        self.sandbox = sandbox
        var args = ["serve", "--listen", listen, "--output", "json"] + arguments
        if tls { args.append("--tls-self-signed") }
        running = try sandbox.start(args, env: env, wrapper: wrapper)
        let line = Self.waitForFirstLine(running, timeout: timeout)
        guard let line,
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
            let endpoint = object["endpoint"] as? String
        else {
            kill(running.process.processIdentifier, SIGKILL)  // only this child, by its pid
            let r = running.wait(timeout: 10)
            Issue.record("obsctl serve printed no ready line: \(r)", sourceLocation: sourceLocation)
            throw ServeHarnessError.notReady
        }
        ready = object
        self.endpoint = endpoint
        caBundle = object["ca_bundle"] as? String
        credentialsFile = object["credentials_file"] as? String
        region = object["region"] as? String ?? "local"
        let givenKey = env[ServeProcess.accessKeyVariable] ?? nil
        let givenSecret = env[ServeProcess.secretKeyVariable] ?? nil
        if let givenKey, let givenSecret {
            accessKeyID = givenKey
            secretAccessKey = givenSecret
        } else {
            let file = try #require(credentialsFile, "no credentials_file in \(line)", sourceLocation: sourceLocation)
            let pair = try #require(
                Self.firstPair(file), "no pair in the credentials file \(file)", sourceLocation: sourceLocation)
            accessKeyID = pair.0
            secretAccessKey = pair.1
        }
    }

    deinit {
        if result == nil, running.process.isRunning {
            kill(running.process.processIdentifier, SIGKILL)  // only this child, by its pid
            _ = running.wait(timeout: 10)
        }
    }

    static let accessKeyVariable = "OBSCTL_SERVE_ACCESS_KEY_ID"
    static let secretKeyVariable = "OBSCTL_SERVE_SECRET_ACCESS_KEY"

    /// Sends `signal` (SIGTERM by default) and waits for the exit; the result holds all of stdout and stderr.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) -> RunResult {
        if let result { return result }
        kill(running.process.processIdentifier, signal)
        let r = running.wait(timeout: timeout)
        result = r
        return r
    }

    /// Waits for an exit without signalling (a server that stops by itself).
    func waitForExit(timeout: TimeInterval) -> RunResult {
        if let result { return result }
        let r = running.wait(timeout: timeout)
        result = r
        return r
    }

    /// The first line of the child's stdout, once written; nil when it exits or `timeout` passes first.
    static func waitForFirstLine(_ running: RunningObsctl, timeout: TimeInterval) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let data = try? Data(contentsOf: running.outURL), let nl = data.firstIndex(of: UInt8(ascii: "\n")) {
                return String(decoding: data[..<nl], as: UTF8.self)
            }
            if !running.process.isRunning { return nil }
            usleep(20_000)
        }
        return nil
    }

    /// The first `aws_access_key_id` / `aws_secret_access_key` pair of an AWS-format credentials file.
    static func firstPair(_ path: String) -> (String, String)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var ak: String?
        var sk: String?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "aws_access_key_id", ak == nil { ak = parts[1] }
            if parts[0] == "aws_secret_access_key", sk == nil { sk = parts[1] }
        }
        guard let ak, let sk else { return nil }
        return (ak, sk)
    }

    // MARK: Clients

    /// The environment for awscli and boto3: the server's pair, its region, its CA, no user configuration.
    func awsEnvironment(secret: String? = nil) -> [String: String] {
        var env = Tools.awsEnvironment(accessKey: accessKeyID, secretKey: secret ?? secretAccessKey, region: region)
        if let caBundle { env["AWS_CA_BUNDLE"] = caBundle }
        return env
    }

    /// awscli against the server (path-style addressing), its CA trusted.
    func aws(_ arguments: [String], secret: String? = nil, timeout: TimeInterval = 120) throws -> ToolRun {
        try Tools.run(
            ["aws", "--endpoint-url", endpoint, "--region", region] + arguments, env: awsEnvironment(secret: secret),
            timeout: timeout)
    }

    /// `.ci/peers/serve_sdk.py CLIENT SCENARIO ...` against the server; its last stdout line parsed as JSON.
    func sdk(
        _ client: String, _ scenario: String, _ arguments: [String] = [], env extra: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (json: [String: Any], run: ToolRun) {
        var env = sdkEnvironment()
        for (k, v) in extra { env[k] = v }
        let r = try Tools.run(
            [ServeClients.python, ServeClients.script, client, scenario] + arguments, env: env, timeout: 300)
        return (try Tools.lastJSONLine(r, sourceLocation: sourceLocation), r)
    }

    /// curl against the server with its CA; `sign` signs with SigV4 (curl's --aws-sigv4) and the server's pair.
    func curl(
        _ arguments: [String], sign: Bool = false, secret: String? = nil, timeout: TimeInterval = 60
    ) throws -> ToolRun {
        var args = ["curl", "-sS", "--max-time", "\(Int(timeout))"]
        if let caBundle { args += ["--cacert", caBundle] }
        if sign {
            // curl sends no payload hash of its own; SigV4 for S3 requires one.
            args += ["--aws-sigv4", "aws:amz:\(region):s3", "--user", "\(accessKeyID):\(secret ?? secretAccessKey)"]
            args += ["-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"]
        }
        return try Tools.run(args + arguments, timeout: timeout + 10)
    }
}

enum ServeHarnessError: Error { case notReady }

// MARK: - Client availability

/// The Python clients the serve tests drive, probed once; a test that needs a missing one is skipped with the
/// reason (the trait's comment) rather than failed.
enum ServeClients {
    static let python = "python3"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".ci/peers/serve_sdk.py").path

    static let hasBoto3 = pythonImports("boto3")
    static let hasEsdk = pythonImports("obs")
    static let hasAWSCLI = (try? Tools.run(["aws", "--version"], timeout: 60))?.succeeded ?? false

    static func pythonImports(_ module: String) -> Bool {
        (try? Tools.run([python, "-c", "import \(module)"], timeout: 60))?.succeeded ?? false
    }
}

extension Sandbox {
    /// The files under the store (`root/`) whose bytes hold `needle` anywhere.
    func storeFiles(containing needle: Data) -> [String] {
        files(under: "root").filter { read($0)?.range(of: needle) != nil }.sorted()
    }
}

extension ServeProcess {
    /// `serve_sdk.py CLIENT SCENARIO ...` started in the background.
    func sdkInBackground(_ client: String, _ scenario: String, _ arguments: [String]) throws -> RunningTool {
        try Tools.start(
            [ServeClients.python, ServeClients.script, client, scenario] + arguments, env: sdkEnvironment())
    }

    /// What serve_sdk.py reads: the server's endpoint, pair, region and CA.
    func sdkEnvironment() -> [String: String] {
        var env = awsEnvironment()
        env["SERVE_ENDPOINT"] = endpoint
        env["SERVE_ACCESS_KEY"] = accessKeyID
        env["SERVE_SECRET_KEY"] = secretAccessKey
        env["SERVE_CA"] = caBundle ?? ""
        env["SERVE_REGION"] = region
        return env
    }
}

// MARK: - Waiting on the server's sockets

extension ServeProcess {
    /// Until the server holds a client connection and has read all that was sent on each (`ss` shows Recv-Q 0 on
    /// every established connection to its port): a request head the client sent is then with the server, not in
    /// the kernel's queue. False after `timeout`.
    func waitUntilClientBytesRead(timeout: TimeInterval = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let ss = try? Tools.run(["ss", "-tnH", "state", "established", "( sport = :\(port) )"], timeout: 10)
            if let ss, ss.succeeded {
                let queues = ss.stdout.split(separator: "\n").map { $0.split(separator: " ").first.flatMap { Int($0) } }
                if !queues.isEmpty && queues.allSatisfy({ $0 == 0 }) { return true }
            }
            usleep(50_000)
        }
        return false
    }

    /// Until a new connection is refused (the server has stopped listening). False after `timeout`.
    func waitUntilRefusing(timeout: TimeInterval = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let r = try? Tools.run(["curl", "-sS", "--max-time", "5", endpoint + "/"], timeout: 15)
            if let r, !r.succeeded, !r.timedOut { return true }
            usleep(50_000)
        }
        return false
    }
}
