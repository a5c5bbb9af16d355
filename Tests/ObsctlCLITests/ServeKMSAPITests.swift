import Foundation
import OBSCrypto
import Testing

/// `obsctl serve --kms-listen`: Huawei's own Python SDK (huaweicloudsdkkms) against the real binary, driven by
/// `.ci/peers/serve_sdk.py kms ...`. Skipped, with the reason, when python3 cannot import the SDK.
@Suite(
    "serve KMS API (Huawei SDK)", .serialized,
    .enabled(
        if: ServeClients.pythonImports("huaweicloudsdkkms.v2"),
        "huaweicloudsdkkms is not importable (pip install huaweicloudsdkkms==3.1.219)"))
struct ServeKMSAPITests {
    /// `obsctl serve` with the KMS API on a second port, and the pair the SDK signs with.
    static func server() throws -> ServeProcess {
        let sandbox = try Sandbox("serve-kms")
        sandbox.environment["OBSCTL_LOCAL_ROOT_KEY"] = Base64.encode(Random.bytes(32))
        return try ServeProcess(
            sandbox, arguments: ["--kms-listen", "127.0.0.1:0"],
            env: [
                ServeProcess.accessKeyVariable: "KMSTESTAK" + Hex.encode(Random.bytes(4)).uppercased(),
                ServeProcess.secretKeyVariable: Base64.encode(Random.bytes(30)),
            ])
    }

    /// One `kms` scenario of serve_sdk.py against the server's KMS endpoint, every step expected to pass.
    static func sdk(_ server: ServeProcess, _ scenario: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let endpoint = server.ready["kms_endpoint"] as? String ?? ""
        let project = server.ready["project_id"] as? String ?? ""
        expectSteps(
            try server.sdk("kms", scenario, [endpoint, project], sourceLocation: sourceLocation),
            sourceLocation: sourceLocation)
    }

    @Test("ready line names kms_endpoint and project_id; the SDK runs every key and data-key operation")
    func lifecycle() throws {
        let server = try Self.server()
        defer { server.stop() }
        let endpoint = try #require(server.ready["kms_endpoint"] as? String)
        #expect(endpoint.hasPrefix("http://127.0.0.1:") && endpoint != server.endpoint)
        let project = try #require(server.ready["project_id"] as? String)
        #expect(project.count == 32 && Hex.decode(project) != nil)

        try Self.sdk(server, "lifecycle")
        // The project id found through IAM is the one the ready line names (the keys just made are listed).
        try Self.sdk(server, "iam-lookup")

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
        let server = try Self.server()
        defer { server.stop() }
        try Self.sdk(server, "wrong-secret")

        try server.sandbox.ok(["kms", "key", "create", "--alias", "denied-one"])
        _ = try server.sandbox.write("root/kms/policy.json", Data(#"{"deny": ["kms:dek:create"]}"#.utf8))
        try Self.sdk(server, "denied")
        let audit = String(decoding: server.sandbox.read("root/kms/audit.log") ?? Data(), as: UTF8.self)
        #expect(audit.contains("denied"), "the denial is audited")
    }

    /// KMS calls take one of 16 slots while their body is read: requests the headers already refuse must not,
    /// else 16 connections that announce a body and send none hold back every call for the body timeout.
    @Test("unsigned calls announcing a body that never comes are refused at once, holding no KMS slot")
    func heldBodiesHoldNoSlot() throws {
        let server = try Self.server()
        defer { server.stop() }
        let endpoint = server.ready["kms_endpoint"] as? String ?? ""
        let project = server.ready["project_id"] as? String ?? ""
        let (out, run) = try server.sdk("kms", "held-bodies", [endpoint, project, "20"])
        expectSteps((out, run))
        #expect((out["held_seconds"] as? Double ?? 99) < 5, "\(run)")
        #expect((out["call_seconds"] as? Double ?? 99) < 5, "\(run)")
        // Signed with the known access key id and a forged signature, which only the body can disprove: held
        // while they wait for it, yet holding no slot (they held all 16 for the 20 s body timeout).
        let (forged, forgedRun) = try server.sdk("kms", "held-bodies", [endpoint, project, "20", "forged"])
        expectSteps((forged, forgedRun))
        #expect((forged["call_seconds"] as? Double ?? 99) < 5, "\(forgedRun)")
    }

    @Test("requests the SDK's Signer signed over extra headers verify; a signed one changed is refused")
    func sdkExtraHeaders() throws {
        let server = try Self.server()
        defer { server.stop() }
        try Self.sdk(server, "extra-headers")
    }
}
