import Foundation
import OBSCrypto
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `obsctl serve --kms-listen`: Huawei's own Python SDK (huaweicloudsdkkms) against the real binary, driven by
/// Tests/Scripts/kms_sdk_check.py. Skipped, with the reason, when python3 or the SDK is missing.
@Suite("serve KMS API (Huawei SDK)", .serialized)
struct ServeKMSAPITests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts/kms_sdk_check.py").path

    /// A running `obsctl serve` and what its ready line says.
    final class Server {
        let sandbox: Sandbox
        let running: RunningObsctl
        let ready: [String: Any]
        let env: [String: String]

        init() throws {
            sandbox = try Sandbox("serve-kms")
            sandbox.environment["OBSCTL_LOCAL_ROOT_KEY"] = Base64.encode(Random.bytes(32))
            env = [
                "OBSCTL_SERVE_ACCESS_KEY_ID": "KMSTESTAK" + Hex.encode(Random.bytes(4)).uppercased(),
                "OBSCTL_SERVE_SECRET_ACCESS_KEY": Base64.encode(Random.bytes(30)),
            ]
            running = try sandbox.start(
                ["serve", "--listen", "127.0.0.1:0", "--kms-listen", "127.0.0.1:0", "--output", "json"], env: env)
            var line: String?
            for _ in 0..<600 where line == nil {
                let out = String(decoding: (try? Data(contentsOf: running.outURL)) ?? Data(), as: UTF8.self)
                if let end = out.firstIndex(of: "\n") { line = String(out[..<end]) } else { usleep(50_000) }
                if !running.process.isRunning { break }
            }
            guard let line else {
                kill(running.process.processIdentifier, SIGTERM)
                throw ServeError("serve printed no ready line: \(running.wait(timeout: 10))")
            }
            ready = try parseJSONObject(Data(line.utf8))
        }

        func stop() -> RunResult {
            kill(running.process.processIdentifier, SIGTERM)
            return running.wait(timeout: 30)
        }

        /// Runs one scenario of the script; nil when the SDK is not installed (exit 77).
        func sdk(_ scenario: String) throws -> (status: Int32, output: String)? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", ServeKMSAPITests.script, scenario, ready["kms_endpoint"] as? String ?? "",
                ready["region"] as? String ?? "", ready["project_id"] as? String ?? "",
            ]
            var environment = ProcessInfo.processInfo.environment
            for (k, v) in env { environment[k] = v }
            process.environment = environment
            let out = sandbox.path("sdk-\(scenario).out")
            FileManager.default.createFile(atPath: out, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            process.waitUntilExit()
            try handle.close()
            let text = String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self)
            return process.terminationStatus == 77 ? nil : (process.terminationStatus, text)
        }
    }

    struct ServeError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    @Test("ready line names kms_endpoint and project_id; the SDK runs every key and data-key operation")
    func lifecycle() throws {
        let server = try Server()
        defer { _ = server.stop() }
        let endpoint = try #require(server.ready["kms_endpoint"] as? String)
        #expect(endpoint.hasPrefix("http://127.0.0.1:") && endpoint != server.ready["endpoint"] as? String)
        let project = try #require(server.ready["project_id"] as? String)
        #expect(project.count == 32 && Hex.decode(project) != nil)

        guard let run = try server.sdk("lifecycle") else {
            print("skipped: huaweicloudsdkkms is not importable (pip install huaweicloudsdkkms==3.1.219)")
            return
        }
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("all passed"))

        // The project id found through IAM is the one the ready line names.
        let lookup = try #require(try server.sdk("iam-lookup"))
        #expect(lookup.status == 0, "\(lookup.output)")

        // The same keystore as the CLI: the keys the SDK made are listed by `obsctl kms key list`.
        let listed = try server.sandbox.json(["kms", "key", "list"])
        let text = String(describing: listed)
        #expect(text.contains("sdk-new") && text.contains("sdk-2"), "\(text)")

        // Every call is in the audit log, data-key operations included; no data key appears in it.
        let audit = String(decoding: server.sandbox.read("root/kms/audit.log") ?? Data(), as: UTF8.self)
        for op in ["create-key", "list-keys", "encrypt-datakey", "decrypt-datakey", "update-key-alias"] {
            #expect(audit.contains("\"\(op)\""), "audit log lacks \(op)")
        }
    }

    @Test("a wrong secret key gets 401 APIGW.0301; a kms:* action the policy denies gets 403 KMS.0306")
    func refusals() throws {
        let server = try Server()
        defer { _ = server.stop() }
        guard let wrong = try server.sdk("wrong-secret") else {
            print("skipped: huaweicloudsdkkms is not importable (pip install huaweicloudsdkkms==3.1.219)")
            return
        }
        #expect(wrong.status == 0, "\(wrong.output)")

        try server.sandbox.ok(["kms", "key", "create", "--alias", "denied-one"])
        _ = try server.sandbox.write("root/kms/policy.json", Data(#"{"deny": ["kms:dek:create"]}"#.utf8))
        let denied = try #require(try server.sdk("denied"))
        #expect(denied.status == 0, "\(denied.output)")
        let audit = String(decoding: server.sandbox.read("root/kms/audit.log") ?? Data(), as: UTF8.self)
        #expect(audit.contains("denied"), "the denial is audited")
    }
}
