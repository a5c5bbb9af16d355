import Foundation
import Testing

/// Huawei KMS's failures as obsctl meets them, against `obsctl serve --kms-listen` over plain HTTP with
/// `.ci/peers/faultproxy.py` of the test's own in front of it (serve's KMS and IAM answer through the proxy; the
/// proxy answers instead of them only for the faults set): retries and re-signing, an IAM denial of the project
/// lookup, and a cached project id that went stale.
@Suite("Remote KMS: retries, IAM denial, stale project id", .serialized)
struct RemoteKMSFaultTests {
    typealias Peer = RemoteKMSTests.Peer

    /// The server, a proxy in front of its KMS listener, and the flags that send KMS and IAM through the proxy.
    static func setUp(_ tag: String) throws -> (Peer, FaultProxyProcess) {
        let p = try Peer(tag, tls: false)
        let upstream = try #require(URL(string: p.kms))
        return (p, try FaultProxyProcess(upstream: "\(upstream.host!):\(upstream.port!)"))
    }

    static func kmsBody(_ code: String, _ message: String) -> String {
        #"{"error": {"error_code": "\#(code)", "error_msg": "\#(message)"}}"#
    }

    /// The `X-Sdk-Date` of each request `--debug` shows to `path`.
    static func sdkDates(_ r: RunResult, to path: String) -> [String] {
        var dates: [String] = [], inside = false
        for line in r.stderrLines where line.hasPrefix("> ") {
            if line.hasPrefix("> POST ") || line.hasPrefix("> GET ") { inside = line.contains(path) }
            if inside, line.lowercased().hasPrefix("> x-sdk-date: ") { dates.append(String(line.dropFirst(14))) }
        }
        return dates
    }

    static func iamRequests(_ r: RunResult) -> Int {
        r.stderrLines.filter { $0.hasPrefix("> GET ") && $0.contains("/v3/projects") }.count
    }

    @Test("5xx and 429 from KMS are retried, each attempt signed anew; a persistent 5xx exits 11 after the retries")
    func retries() throws {
        let (p, proxy) = try Self.setUp("retry")
        defer { p.server.stop() }
        let c = p.client
        let flags = ["--kms-endpoint", proxy.endpoint, "--project-id", p.project]
        try c.ok(["kms", "key", "create", "--alias", "rt-one"] + flags)

        // Four 503s: the backoff before the fifth attempt adds up to more than 1.5 s, so a request signed once
        // and sent five times would show one X-Sdk-Date; signed anew, the dates move on.
        try proxy.control.set([
            "mode": "503", "count": 4, "match": "list-keys", "body": Self.kmsBody("KMS.0101", "busy"),
        ])
        let listed = try c.ok(["kms", "key", "list", "--retries", "4", "--debug"] + flags)
        #expect(listed.out.contains("rt-one"), "\(listed)")
        #expect(try proxy.control.faults("503") == 4)
        let dates = Self.sdkDates(listed, to: "/kms/list-keys")
        #expect(dates.count == 5 && Set(dates).count > 1, "\(dates)")

        // 429 (KMS's rate limit) too.
        try proxy.control.reset()
        try proxy.control.set(["mode": "503", "status": 429, "count": 1, "match": "/kms/"])
        #expect(try c.json(["kms", "key", "describe", "rt-one"] + flags)["alias"] as? String == "rt-one")
        #expect(try proxy.control.faults("503") == 1)

        // Every answer a 500: the retries, then exit 11, saying to try again later.
        try proxy.control.reset()
        try proxy.control.set([
            "mode": "503", "status": 500, "count": -1, "match": "/kms/", "body": Self.kmsBody("KMS.0101", "down"),
        ])
        expectError(
            try c.run(["kms", "key", "list", "--retries", "2"] + flags), 11, contains: ["KMS.0101", "try again later"])
        #expect(try proxy.control.faults("503") == 3)
    }

    @Test("IAM denies the project lookup: exit 5, one line naming iam:projects:list, --project-id, OBSCTL_PROJECT_ID")
    func iamDenied() throws {
        let (p, proxy) = try Self.setUp("iam403")
        defer { p.server.stop() }
        // IAM's (Keystone's) error shape for a permission it does not grant.
        let body =
            #"{"error": {"code": 403, "message": "You are not authorized to perform the requested action: "#
            + #"identity:projects:list.", "title": "Forbidden"}}"#
        try proxy.control.set(["mode": "503", "status": 403, "count": -1, "match": "/v3/projects", "body": body])
        let r = try p.client.run(
            ["kms", "key", "list", "--kms-endpoint", proxy.endpoint, "--iam-endpoint", proxy.endpoint])
        expectError(r, 5, contains: ["iam:projects:list", "--project-id", "OBSCTL_PROJECT_ID", "403"])
        #expect(try proxy.control.faults("503") == 1, "a denial is not retried")
        #expect(p.cachedProjects().isEmpty)
    }

    @Test("a cached project id KMS does not know is dropped: IAM asked once more, the call sent once more")
    func staleCachedProject() throws {
        let (p, proxy) = try Self.setUp("stale")
        defer { p.server.stop() }
        let c = p.client
        let stale = "0123456789abcdef0123456789abcdef"
        #expect(stale != p.project)
        try p.cache(stale, for: proxy.endpoint)
        let lookup = ["--kms-endpoint", proxy.endpoint, "--iam-endpoint", proxy.endpoint]
        let r = try c.ok(["kms", "key", "create", "--alias", "st-one", "--debug"] + lookup)
        #expect(Self.iamRequests(r) == 1 && r.stderr.contains("dropped"), "\(r)")
        #expect(p.cachedProjects() == [p.project])
        // The fresh id serves from the cache: no IAM request.
        let again = try c.ok(["kms", "key", "describe", "st-one", "--debug"] + lookup)
        #expect(Self.iamRequests(again) == 0, "\(again)")

        // KMS refuses every project id: the stale one is dropped, IAM's is tried once, then exit 12; no loop.
        try p.cache(stale, for: proxy.endpoint)
        try proxy.control.set([
            "mode": "503", "status": 400, "count": -1, "match": "/kms/",
            "body": Self.kmsBody("KMS.0201", "Invalid request URL."),
        ])
        let refused = try c.run(["kms", "key", "list"] + lookup)
        expectError(refused, 12, contains: [p.project, "IAM", "--project-id"])
        #expect(try proxy.control.faults("503") == 2)
    }

    @Test("a wrong project id the user gave is never dropped or replaced: exit 12 naming it and where it came from")
    func wrongGivenProject() throws {
        let (p, proxy) = try Self.setUp("given")
        defer { p.server.stop() }
        let c = p.client
        let wrong = "fedcba9876543210fedcba9876543210"
        let kms = ["--kms-endpoint", proxy.endpoint, "--iam-endpoint", proxy.endpoint]
        let flag = try c.run(["kms", "key", "list", "--project-id", wrong, "--debug"] + kms)
        #expect(flag.status == 12 && Self.iamRequests(flag) == 0, "\(flag)")
        let error = flag.stderrLines.filter { $0.hasPrefix("obsctl: error:") }
        #expect(error.count == 1 && error[0].contains(wrong) && error[0].contains("(from --project-id)"), "\(flag)")
        expectError(
            try c.run(["kms", "key", "list"] + kms, env: ["OBSCTL_PROJECT_ID": wrong]), 12,
            contains: [wrong, "OBSCTL_PROJECT_ID", "wrong"])
        #expect(!FileManager.default.fileExists(atPath: p.cacheFile))
    }
}
