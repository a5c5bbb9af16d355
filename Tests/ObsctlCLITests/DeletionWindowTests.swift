import Foundation
import Testing

/// KMS key deletion windows, stepping the backend's clock with OBSCTL_LOCAL_NOW (RFC 3339 or epoch seconds).
@Suite("KMS deletion window")
struct DeletionWindowTests {
    static func rfc3339(_ d: Date) -> String {
        let f = ISO8601DateFormatter(); f.formatOptions = [.withInternetDateTime];
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }

    @Test(
        "after the deletion date the key material is gone: downloads say unrecoverable, the key is deleted for good",
        arguments: ["epoch", "rfc3339"])
    func keyDeletedAfterWindow(clockFormat: String) throws {
        let sb = try Sandbox("window-\(clockFormat)")
        try sb.ok(["bucket", "create", "obs://window"])
        let data = randomData(10_000)
        try sb.write("f.bin", data)

        let created = try sb.json(["kms", "key", "create", "--alias", "doomed"])
        let keyID = try #require(created["key_id"] as? String)
        try sb.ok(["upload", "f.bin", "obs://window/k", "--sse", "kms", "--kms-key-id", "doomed"])
        try sb.ok(["upload", "f.bin", "obs://window/other", "--sse", "kms"])  // under obs/default, unaffected

        let now = Date()
        let scheduled = try sb.json(["kms", "key", "schedule-deletion", keyID, "--days", "7"])
        #expect(scheduled["state"] as? String == "pending-deletion")
        let deletionDate = try #require(
            (scheduled["deletion_date"] as? String).flatMap { s -> Date? in
                let f = ISO8601DateFormatter(); f.formatOptions = [.withInternetDateTime]; return f.date(from: s)
            })
        #expect(
            abs(deletionDate.timeIntervalSince(now) - 7 * 86400) < 120,
            "deletion date \(deletionDate) is 7 days after \(now)")
        // During the window: unusable, but not destroyed.
        expectError(try sb.run(["download", "obs://window/k", "-"]), 5, contains: ["pending deletion"])

        // 6 days later: still pending.
        let sixDays = now.addingTimeInterval(6 * 86400)
        let clock6 = clockFormat == "epoch" ? String(Int(sixDays.timeIntervalSince1970)) : Self.rfc3339(sixDays)
        #expect(
            try sb.json(["kms", "key", "describe", keyID], env: ["OBSCTL_LOCAL_NOW": clock6])["state"] as? String
                == "pending-deletion")

        // 8 days later: purged on first access.
        let later = now.addingTimeInterval(8 * 86400)
        let clock = clockFormat == "epoch" ? String(Int(later.timeIntervalSince1970)) : Self.rfc3339(later)
        let future: [String: String?] = ["OBSCTL_LOCAL_NOW": clock]
        let down = try sb.run(["download", "obs://window/k", "out.bin"], env: future)
        expectError(down, 5, contains: ["unrecoverable", keyID])
        #expect(!sb.exists("out.bin"))

        let described = try sb.json(["kms", "key", "describe", keyID], env: future)
        #expect(described["state"] as? String == "deleted")
        #expect(fields(try sb.ok(["kms", "key", "describe", keyID], env: future).out)["state"] == "deleted")

        // The id can never be used again: not enabled, not cancelled, not used for uploads.
        expectError(try sb.run(["kms", "key", "enable", keyID], env: future), 5)
        expectError(try sb.run(["kms", "key", "cancel-deletion", keyID], env: future), 5)
        expectError(
            try sb.run(["upload", "f.bin", "obs://window/k2", "--sse", "kms", "--kms-key-id", keyID], env: future), 5)
        expectError(try sb.run(["stat", "obs://window/k2"]), 3)

        // Back to the present the purge stays done: the tombstone is on disk.
        #expect(try sb.json(["kms", "key", "describe", keyID])["state"] as? String == "deleted")
        expectError(try sb.run(["download", "obs://window/k", "-"]), 5, contains: ["unrecoverable"])
        expectError(try sb.run(["kms", "key", "enable", keyID]), 5)
        let record = try String(contentsOfFile: sb.root + "/kms/keys/\(keyID).json", encoding: .utf8)
        #expect(record.contains("deleted"))

        // Objects under other keys are untouched.
        #expect(try sb.ok(["download", "obs://window/other", "-"], env: future).stdout == data)
        // The purged key is still listed, as deleted, and without its alias: released, it names a new key alone.
        let listed = try #require(try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]])
        #expect(listed.first { $0["key_id"] as? String == keyID }?["state"] as? String == "deleted")
        #expect(listed.first { $0["key_id"] as? String == keyID }?["alias"] is NSNull, "\(listed)")
        let successor = try #require(try sb.json(["kms", "key", "create", "--alias", "doomed"])["key_id"] as? String)
        let relisted = try #require(try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]])
        #expect(relisted.filter { $0["alias"] as? String == "doomed" }.map { $0["key_id"] as? String } == [successor])
        #expect(try sb.json(["kms", "key", "describe", "doomed"])["key_id"] as? String == successor)
    }

    @Test("deletion windows outside 7...1096 days are usage errors; cancel returns the key disabled")
    func windowBounds() throws {
        let sb = try Sandbox("bounds")
        let keyID = try #require(try sb.json(["kms", "key", "create", "--alias", "bounded"])["key_id"] as? String)
        expectError(try sb.run(["kms", "key", "schedule-deletion", keyID, "--days", "6"]), 2, contains: ["7"])
        expectError(try sb.run(["kms", "key", "schedule-deletion", keyID, "--days", "1097"]), 2, contains: ["1096"])
        expectError(try sb.run(["kms", "key", "schedule-deletion", keyID, "--days", "0"]), 2)
        #expect(try sb.json(["kms", "key", "describe", keyID])["state"] as? String == "enabled")
        #expect(
            try sb.json(["kms", "key", "schedule-deletion", keyID, "--days", "1096"])["state"] as? String
                == "pending-deletion")
        expectError(try sb.run(["kms", "key", "schedule-deletion", keyID, "--days", "7"]), 5, contains: ["already"])
        #expect(try sb.json(["kms", "key", "cancel-deletion", "bounded"])["state"] as? String == "disabled")
        #expect(try sb.json(["kms", "key", "describe", keyID])["deletion_date"] is NSNull)
        #expect(
            try sb.json(["kms", "key", "schedule-deletion", keyID, "--days", "7"])["state"] as? String
                == "pending-deletion")
        // Far in the future with a 7-day window the key is gone.
        let future = String(Int(Date().timeIntervalSince1970) + 7 * 86400 + 3600)
        #expect(
            try sb.json(["kms", "key", "describe", keyID], env: ["OBSCTL_LOCAL_NOW": future])["state"] as? String
                == "deleted")
        // A fresh key with the same alias is a new id.
        let again = try #require(
            try sb.json(["kms", "key", "create", "--alias", "bounded"], env: ["OBSCTL_LOCAL_NOW": future])["key_id"]
                as? String)
        #expect(again != keyID)
    }
}
