import Foundation
import Testing

/// kill -9 at every commit step (OBSCTL_TEST_CRASH_AT makes the process SIGKILL itself there): the object is the
/// old or the new version, never a mix, and the next successful write cleans up what the crash left.
@Suite("crash safety")
struct CrashTests {
    /// Crash points of a PUT, and whether the new version is visible after a crash there.
    static let putPoints: [(String, Bool)] = [
        ("put-data-written", false),
        ("put-meta-tmp-written", false),
        ("put-data-renamed", false),
        ("put-meta-renamed", true),
        ("put-committed", true),
    ]

    @Test(
        "a crash during an overwrite leaves exactly the old or the new version; the next upload cleans up",
        arguments: [
            "put-data-written", "put-meta-tmp-written", "put-data-renamed", "put-meta-renamed", "put-committed",
        ],
        ["kms", "obs", "none"])
    func overwriteCrash(point: String, mode: String) throws {
        let expectNew: Bool = Self.putPoints.first(where: { $0.0 == point }).map { $0.1 } ?? false
        let sb = try Sandbox("crash-\(point)-\(mode)")
        try sb.ok(["bucket", "create", "obs://crash"])
        let a = randomData(65536 * 2 + 11), b = randomData(65536 + 7), c = randomData(999)
        try sb.write("a.bin", a)
        try sb.write("b.bin", b)
        try sb.write("c.bin", c)
        let sse = mode == "none" ? [] : ["--sse", mode]

        try sb.ok(["upload", "a.bin", "obs://crash/k"] + sse)
        let crashed = try sb.run(["upload", "b.bin", "obs://crash/k"] + sse, env: ["OBSCTL_TEST_CRASH_AT": point])
        #expect(crashed.signaled && crashed.status == 9, "the upload must die by SIGKILL at \(point): \(crashed)")

        // Old or new, whole.
        let got = try sb.run(["download", "obs://crash/k", "-"])
        expectSuccess(got)
        #expect(
            got.stdout == (expectNew ? b : a),
            """
            after a crash at \(point) the object must be exactly \(expectNew ? "B" : "A") (got \(got.stdout.count) \
            bytes)
            """
        )
        let stat = try sb.json(["stat", "obs://crash/k"])
        #expect((stat["size"] as? NSNumber)?.intValue == (expectNew ? b.count : a.count))
        #expect((stat["sse"] as? [String: Any])?["mode"] as? String == mode)
        let listed = try sb.json(["ls", "obs://crash", "--recursive"])
        #expect(((listed["objects"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String } == ["k"])

        // One more successful upload; afterwards only meta.json and one data file remain.
        try sb.ok(["upload", "c.bin", "obs://crash/k"] + sse)
        #expect(try sb.ok(["download", "obs://crash/k", "-"]).stdout == c)
        let dir = try #require(sb.objectDirectory(bucket: "crash", key: "k"))
        let names = sb.directoryListing(dir)
        #expect(
            names.count == 2 && names.contains("meta.json") && names.filter { $0.hasPrefix("d-") }.count == 1,
            "leftovers of the crash at \(point) were not cleaned: \(names)")
        #expect(sb.objectDirectories(bucket: "crash").count == 1)
    }

    @Test("uploads, a copy and a delete that end normally leave no in-flight journal behind")
    func noJournalAfterExit() throws {
        let sb = try Sandbox("journal-exit")
        try sb.ok(["bucket", "create", "obs://journal"])
        try sb.write("src/a.bin", randomData(2000))
        try sb.write("src/b.bin", randomData(3000))
        try sb.ok(["upload", "src", "obs://journal/d/", "--recursive"])
        try sb.ok(["cp", "obs://journal/d/a.bin", "obs://journal/c.bin"])
        try sb.ok(["rm", "obs://journal/d/b.bin"])
        #expect(sb.directoryListing(sb.root + "/inflight").isEmpty, "\(sb.directoryListing(sb.root + "/inflight"))")
    }

    @Test("a crash while creating a new object leaves no object, and the next upload of it works")
    func firstWriteCrash() throws {
        let sb = try Sandbox("crash-first")
        try sb.ok(["bucket", "create", "obs://crash"])
        let b = randomData(10_000)
        try sb.write("b.bin", b)
        for point in ["put-data-written", "put-meta-tmp-written", "put-data-renamed"] {
            let key = "new-\(point)"
            let crashed = try sb.run(
                ["upload", "b.bin", "obs://crash/" + key, "--sse", "kms"], env: ["OBSCTL_TEST_CRASH_AT": point])
            #expect(crashed.signaled && crashed.status == 9, "\(crashed)")
            // The next run of any command removes what the dead upload left, without touching that key.
            try sb.ok(["ls", "obs://crash"])
            for dir in sb.objectDirectories(bucket: "crash") where !sb.directoryListing(dir).contains("meta.json") {
                #expect(
                    sb.directoryListing(dir).isEmpty,
                    "\(point): leftovers after the next run: \(sb.directoryListing(dir))")
            }
            #expect(sb.directoryListing(sb.root + "/inflight").isEmpty)
            expectError(try sb.run(["stat", "obs://crash/" + key]), 3)
            expectError(try sb.run(["download", "obs://crash/" + key, "-"]), 3)
            try sb.ok(["upload", "b.bin", "obs://crash/" + key, "--sse", "kms"])
            #expect(try sb.ok(["download", "obs://crash/" + key, "-"]).stdout == b)
            let names = sb.directoryListing(try #require(sb.objectDirectory(bucket: "crash", key: key)))
            #expect(names.count == 2 && names.contains("meta.json"), "\(point): \(names)")
        }
        // The bucket can still be emptied and deleted.
        try sb.ok(["bucket", "delete", "obs://crash", "--force"])
    }

    @Test(
        "a crash while creating obs/default leaves a parseable keystore, and exactly one default key afterwards",
        arguments: ["kms-create-tmp-written", "kms-create-renamed"])
    func defaultKeyCrash(point: String) throws {
        let sb = try Sandbox("crash-\(point)")
        try sb.ok(["bucket", "create", "obs://kcrash"])
        let data = randomData(4096)
        try sb.write("f.bin", data)

        let crashed = try sb.run(
            ["upload", "f.bin", "obs://kcrash/k", "--sse", "kms"], env: ["OBSCTL_TEST_CRASH_AT": point])
        #expect(crashed.signaled && crashed.status == 9, "\(crashed)")
        expectError(try sb.run(["stat", "obs://kcrash/k"]), 3)

        let keysAfterCrash = try #require(try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]])
        #expect(keysAfterCrash.count <= 1)
        #expect(
            keysAfterCrash.allSatisfy { $0["alias"] as? String == "obs/default" && $0["state"] as? String == "enabled" }
        )

        try sb.ok(["upload", "f.bin", "obs://kcrash/k", "--sse", "kms"])
        try sb.ok(["upload", "f.bin", "obs://kcrash/k2", "--sse", "kms"])
        let keys = try #require(try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]])
        #expect(keys.count == 1, "\(keys)")
        #expect(keys.filter { $0["alias"] as? String == "obs/default" }.count == 1)
        let keyID = keys.first?["key_id"] as? String
        for k in ["k", "k2"] {
            #expect(try sb.ok(["download", "obs://kcrash/" + k, "-"]).stdout == data)
            #expect(
                (try sb.json(["stat", "obs://kcrash/" + k])["sse"] as? [String: Any])?["kms_key_id"] as? String == keyID
            )
        }
        // One key record on disk, and no temp file of the dead writer left beside it.
        let keyFiles = sb.directoryListing(sb.root + "/kms/keys")
        #expect(keyFiles.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") } == ["\(keyID ?? "?").json"])
        #expect(
            keyFiles.filter { $0.hasPrefix(".") }.isEmpty,
            "leftovers of the crash at \(point) in kms/keys were not cleaned: \(keyFiles)")
        // The audit log still parses line by line.
        let audit = try String(contentsOfFile: sb.root + "/kms/audit.log", encoding: .utf8)
        for line in audit.split(separator: "\n") {
            #expect(
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "audit line does not parse: \(line)")
        }
    }

    @Test(
        "a crash during SSE-C key rotation leaves the object readable with exactly one of the two keys",
        arguments: [("rotate-meta-tmp-written", false), ("rotate-meta-renamed", true)])
    func rotationCrash(point: String, newKeyWins: Bool) throws {
        let sb = try Sandbox("crash-\(point)")
        try sb.ok(["bucket", "create", "obs://rot"])
        let data = randomData(65536 + 5)
        try sb.write("f.bin", data)
        try sb.write("old.key", randomData(32), mode: 0o600)
        try sb.write("new.key", randomData(32), mode: 0o600)
        try sb.ok(["upload", "f.bin", "obs://rot/k", "--sse-c-key-file", "old.key"])

        // A wrong source key changes nothing.
        expectError(
            try sb.run([
                "cp", "obs://rot/k", "obs://rot/k", "--source-sse-c-key-file", "new.key", "--sse-c-key-file", "new.key",
            ]), 7)
        #expect(try sb.ok(["download", "obs://rot/k", "-", "--sse-c-key-file", "old.key"]).stdout == data)

        let crashed = try sb.run(
            ["cp", "obs://rot/k", "obs://rot/k", "--source-sse-c-key-file", "old.key", "--sse-c-key-file", "new.key"],
            env: ["OBSCTL_TEST_CRASH_AT": point])
        #expect(crashed.signaled && crashed.status == 9, "the rotation must die by SIGKILL at \(point): \(crashed)")
        let (good, bad) = newKeyWins ? ("new.key", "old.key") : ("old.key", "new.key")
        #expect(try sb.ok(["download", "obs://rot/k", "-", "--sse-c-key-file", good]).stdout == data)
        expectError(try sb.run(["download", "obs://rot/k", "-", "--sse-c-key-file", bad]), 7)

        // The next write cleans up.
        try sb.ok(["upload", "f.bin", "obs://rot/k", "--sse-c-key-file", "new.key"])
        let names = sb.directoryListing(try #require(sb.objectDirectory(bucket: "rot", key: "k")))
        #expect(names.count == 2 && names.contains("meta.json"), "\(names)")
    }
}
