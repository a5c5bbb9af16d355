import Foundation
import Testing

/// `stat` and `ls` show the KMS key's alias beside its id when KMS can be asked (the local KMS, Huawei KMS as
/// `obsctl serve` serves it), each distinct key asked once per command, and only the id, with a `--debug` note,
/// when it cannot; the alias never fails the command.
@Suite("KMS key aliases in stat and ls", .serialized)
struct KMSAliasDisplayTests {
    /// The local KMS's `describe-key` lines in the audit log (each call is one).
    static func describeCalls(_ sb: Sandbox) -> Int {
        String(decoding: sb.read("root/kms/audit.log") ?? Data(), as: UTF8.self).split(separator: "\n")
            .filter { $0.contains("\"describe-key\"") }.count
    }

    static func alias(_ object: [String: Any]) -> Any? { sseField(object, "kms_key_alias") }

    @Test("local store: alias in stat (text and JSON) and ls JSON/NDJSON, one describe per key per command")
    func localAliases() throws {
        let sb = try Sandbox("alias-local")
        try sb.ok(["bucket", "create", "obs://alias-l"])
        _ = try sb.write("f.txt", Data("alias\n".utf8))
        let one = try #require(try sb.json(["kms", "key", "create", "--alias", "al-one"])["key_id"] as? String)
        try sb.ok(["kms", "key", "create", "--alias", "al-two"])
        for i in 0..<5 {
            try sb.ok(["upload", "f.txt", "obs://alias-l/one/\(i)", "--sse", "kms", "--kms-key-id", "al-one"])
        }
        try sb.ok(["upload", "f.txt", "obs://alias-l/two", "--sse", "kms", "--kms-key-id", "al-two"])
        try sb.ok(["upload", "f.txt", "obs://alias-l/plain", "--sse", "obs"])

        let text = fields(try sb.ok(["stat", "obs://alias-l/one/0"]).out)
        #expect(text["kms-key-id"] == one && text["kms-key-alias"] == "al-one", "\(text)")
        #expect(Self.alias(try sb.json(["stat", "obs://alias-l/one/0"])) as? String == "al-one")
        #expect(Self.alias(try sb.json(["stat", "obs://alias-l/plain"])) is NSNull)
        #expect(fields(try sb.ok(["stat", "obs://alias-l/plain"]).out)["kms-key-alias"] == nil)

        // Six KMS objects under two keys: two describe-key calls, whatever the number of objects.
        var before = Self.describeCalls(sb)
        let listed = try sb.json(["ls", "obs://alias-l", "--recursive"])
        let objects = try #require(listed["objects"] as? [[String: Any]])
        let aliases = Dictionary(uniqueKeysWithValues: objects.map { ($0["key"] as! String, Self.alias($0)) })
        #expect(aliases.count == 7)
        #expect((0..<5).allSatisfy { aliases["one/\($0)"] as? String == "al-one" }, "\(aliases)")
        #expect(aliases["two"] as? String == "al-two" && aliases["plain"] is NSNull, "\(aliases)")
        #expect(Self.describeCalls(sb) - before == 2)

        before = Self.describeCalls(sb)
        let ndjson = try sb.ok(["ls", "obs://alias-l", "--recursive", "--output", "ndjson"]).out.split(separator: "\n")
        let records = try ndjson.map { try parseJSONObject(Data($0.utf8)) }
        #expect(records.filter { Self.alias($0) as? String == "al-one" }.count == 5)
        #expect(Self.describeCalls(sb) - before == 2)
        // Text ls shows no key: KMS is not asked.
        before = Self.describeCalls(sb)
        try sb.ok(["ls", "obs://alias-l", "--recursive"])
        #expect(Self.describeCalls(sb) == before)
    }

    @Test("local store, kms:cmk:get denied: stat and ls succeed with the id only; --debug says why, once")
    func localDenied() throws {
        let sb = try Sandbox("alias-denied")
        try sb.ok(["bucket", "create", "obs://alias-d"])
        _ = try sb.write("f.txt", Data("denied\n".utf8))
        let id = try #require(try sb.json(["kms", "key", "create", "--alias", "ad-one"])["key_id"] as? String)
        for i in 0..<3 { try sb.ok(["upload", "f.txt", "obs://alias-d/\(i)", "--sse", "kms", "--kms-key-id", id]) }
        _ = try sb.write("root/kms/policy.json", Data(#"{"deny": ["kms:cmk:get"]}"#.utf8), mode: 0o600)

        let stat = try sb.ok(["stat", "obs://alias-d/0", "--debug"])
        #expect(fields(stat.out)["kms-key-id"] == id && fields(stat.out)["kms-key-alias"] == nil, "\(stat)")
        #expect(stat.stderr.contains("aliases are not shown") && stat.stderr.contains("kms:cmk:get"), "\(stat)")
        #expect(!(try sb.ok(["stat", "obs://alias-d/0"]).stderr.contains("aliases")), "the note is for --debug only")

        let before = Self.describeCalls(sb)
        let r = try sb.ok(["ls", "obs://alias-d", "--output", "json", "--debug"])
        let objects = try #require(try parseJSONObject(r.stdout)["objects"] as? [[String: Any]])
        #expect(
            objects.count == 3
                && objects.allSatisfy { Self.alias($0) is NSNull && sseField($0, "kms_key_id") as? String == id })
        #expect(r.stderrLines.filter { $0.contains("aliases are not shown") }.count == 1, "\(r.stderr)")
        #expect(Self.describeCalls(sb) - before == 1, "a denial stops the asking")
    }

    @Test("remote (serve's OBS and KMS APIs): the alias from Huawei KMS; KMS unreachable or absent: the id only")
    func remoteAliases() throws {
        let p = try RemoteKMSTests.Peer("alias")
        defer { p.server.stop() }
        let c = p.client
        let remote = ["--endpoint", p.server.endpoint] + p.kmsFlags
        let id = try #require(try c.json(["kms", "key", "create", "--alias", "ra-one"] + remote)["key_id"] as? String)
        _ = try c.write("f.txt", Data("remote alias\n".utf8))
        try c.ok(["bucket", "create", "obs://alias-r"] + remote)
        try c.ok(["upload", "f.txt", "obs://alias-r/f", "--sse", "kms", "--kms-key-id", "ra-one"] + remote)

        let shown = fields(try c.ok(["stat", "obs://alias-r/f"] + remote).out)
        #expect(shown["kms-key-id"] == id && shown["kms-key-alias"] == "ra-one", "\(shown)")
        #expect(Self.alias(try c.json(["stat", "obs://alias-r/f"] + remote)) as? String == "ra-one")

        // KMS on a closed port: the stat itself succeeds, with the id only and a note under --debug. The alias is
        // only shown, so KMS is asked once: no retry back-off (--retries is left at its default).
        let closed = [
            "--endpoint", p.server.endpoint, "--kms-endpoint", "https://127.0.0.1:1", "--project-id", p.project,
        ]
        let unreachable = try c.ok(["stat", "obs://alias-r/f", "--debug"] + closed)
        #expect(fields(unreachable.out)["kms-key-id"] == id && fields(unreachable.out)["kms-key-alias"] == nil)
        #expect(unreachable.stderr.contains("aliases are not shown"), "\(unreachable)")
        let kmsRequests = debugRequests(unreachable).filter { $0.contains("://127.0.0.1:1/") }
        #expect(kmsRequests.count == 1, "KMS asked \(kmsRequests.count) times: \(kmsRequests)")
        #expect(Self.alias(try c.json(["stat", "obs://alias-r/f"] + closed)) is NSNull)

        // No KMS to ask (OBS signature, no region, no KMS endpoint): the id only.
        let none = try c.ok(
            ["stat", "obs://alias-r/f", "--debug", "--endpoint", p.server.endpoint, "--signature", "obs"],
            env: ["OBSCTL_REGION": nil])
        #expect(fields(none.out)["kms-key-id"] == id && fields(none.out)["kms-key-alias"] == nil, "\(none)")
        #expect(none.stderr.contains("aliases are not shown"), "\(none)")
    }
}
