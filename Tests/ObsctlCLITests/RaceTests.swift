import Foundation
import Testing

/// Concurrent obsctl processes on one root: the default key is created exactly once, and overwrites of one key
/// never tear an object.
@Suite("races between processes")
struct RaceTests {
    @Test("8 concurrent SSE-KMS uploads to a fresh root create exactly one obs/default, and every object decrypts")
    func defaultKeyCreatedOnce() throws {
        let sb = try Sandbox("race-default")
        try sb.ok(["bucket", "create", "obs://race"])
        // No KMS key exists yet: the racing processes create obs/default. (The root key file exists: bucket
        // records are MAC'd under the root key.)
        #expect(FileManager.default.fileExists(atPath: sb.rootKeyFile))
        let n = 8
        var contents: [Data] = []
        for i in 0..<n {
            let d = randomData(20_000 + i * 4099)
            contents.append(d)
            try sb.write("f\(i).bin", d)
        }
        let running = try (0..<n).map { i in
            try sb.start(["upload", "f\(i).bin", "obs://race/obj-\(i)", "--sse", "kms"])
        }
        let results = running.map { $0.wait() }
        for r in results { expectSuccess(r) }

        let keys = try #require(try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]])
        #expect(keys.count == 1, "exactly one key: \(keys)")
        #expect(keys.first?["alias"] as? String == "obs/default")
        let keyID = try #require(keys.first?["key_id"] as? String)
        #expect(sb.directoryListing(sb.root + "/kms/keys").filter { $0.hasSuffix(".json") } == [keyID + ".json"])

        for i in 0..<n {
            let down = try sb.run(["download", "obs://race/obj-\(i)", "-"])
            expectSuccess(down)
            #expect(down.stdout == contents[i], "object \(i)")
            #expect(
                (try sb.json(["stat", "obs://race/obj-\(i)"])["sse"] as? [String: Any])?["kms_key_id"] as? String
                    == keyID)
        }
        // One create-key in the audit log.
        let audit = try String(contentsOfFile: sb.root + "/kms/audit.log", encoding: .utf8)
        #expect(
            audit.split(separator: "\n").filter {
                $0.contains("\"operation\":\"create-key\"") && $0.contains("\"outcome\":\"ok\"")
            }.count == 1,
            "\(audit)")
    }

    @Test("6 concurrent overwrites of one key: the final object is exactly one writer's content")
    func concurrentOverwrites() throws {
        let sb = try Sandbox("race-overwrite")
        try sb.ok(["bucket", "create", "obs://race", "--sse", "kms"])
        let n = 6
        var contents: [Data] = []
        for i in 0..<n {
            let d = randomData(65536 + 1000 * (i + 1))
            contents.append(d)
            try sb.write("w\(i).bin", d)
        }
        let modes = ["kms", "obs", "kms", "obs", "kms", "kms"]
        let running = try (0..<n).map { i in
            try sb.start(["upload", "w\(i).bin", "obs://race/shared", "--sse", modes[i]])
        }
        let results = running.map { $0.wait() }
        for r in results { expectSuccess(r) }

        let down = try sb.run(["download", "obs://race/shared", "-"])
        expectSuccess(down)
        let winner = contents.firstIndex(of: down.stdout)
        #expect(winner != nil, "the object must equal one writer's content (got \(down.stdout.count) bytes)")
        if let winner {
            let stat = try sb.json(["stat", "obs://race/shared"])
            #expect((stat["size"] as? NSNumber)?.intValue == contents[winner].count)
            #expect((stat["sse"] as? [String: Any])?["mode"] as? String == modes[winner])
        }
        try sb.ok(["download", "obs://race/shared", "final.bin"])
        #expect(sb.read("final.bin") == down.stdout)
        let names = sb.directoryListing(try #require(sb.objectDirectory(bucket: "race", key: "shared")))
        #expect(
            names.count == 2 && names.contains("meta.json"),
            "only meta.json and the winner's data file remain: \(names)")
        #expect(((try sb.json(["kms", "key", "list"])["keys"] as? [Any]) ?? []).count == 1)
    }

    @Test("racing bucket creates and alias creates: exactly one wins, the others get a conflict (exit 10)")
    func racingCreates() throws {
        let sb = try Sandbox("race-create")
        let buckets = try (0..<6).map { i in
            try sb.start(["bucket", "create", "obs://contested", "--sse", i % 2 == 0 ? "obs" : "kms"])
        }
        .map { $0.wait() }
        #expect(buckets.filter(\.succeeded).count == 1, "\(buckets)")
        for r in buckets where !r.succeeded { expectError(r, 10) }
        #expect(((try sb.json(["bucket", "list"])["buckets"] as? [Any]) ?? []).count == 1)
        #expect(sb.directoryListing(sb.root + "/buckets") == ["contested"], "no temp directories left")

        let aliases = try (0..<6).map { _ in try sb.start(["kms", "key", "create", "--alias", "contested-alias"]) }.map
        { $0.wait() }
        #expect(aliases.filter(\.succeeded).count == 1, "\(aliases)")
        for r in aliases where !r.succeeded { expectError(r, 10) }
        let keys = try #require(try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]])
        #expect(keys.count == 1 && keys[0]["alias"] as? String == "contested-alias", "\(keys)")
    }
}
