import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 9, items 3, 5, 8, 9, 13 and 16, through the binary: the root key and the local store's state, the KMS
/// audit log and the KMS policy.
@Suite("hardening: root key, state, audit log and KMS policy")
struct HardeningKeysCLITests {
    /// A sandbox whose root key lives in the key file (created by the first run) and holds one bucket.
    private func storeWithBucket(_ name: String) throws -> Sandbox {
        let sb = try Sandbox(name)
        expectSuccess(try sb.run(["bucket", "create", "obs://kept", "--sse", "kms"]))
        return sb
    }

    @Test("item 3: another root key makes bucket list fail with exit 12, in text and JSON, not print nothing")
    func wrongKeyListing() throws {
        let sb = try storeWithBucket("wrongkey")
        let other = ["OBSCTL_LOCAL_ROOT_KEY": Data(repeating: 7, count: 32).base64EncodedString()]
        for args in [["bucket", "list"], ["ls", "--output", "json"], ["ls"], ["bucket", "encryption", "show", "obs://kept"], ["ls", "obs://kept"]] {
            expectError(try sb.run(args, env: other), 12, contains: ["root key mismatch", "restore the original key"])
        }
        expectSuccess(try sb.run(["bucket", "list"]))
    }

    @Test("item 3: a too-open key file fails listings with exit 12 naming chmod 600")
    func tooOpenKeyFile() throws {
        let sb = try storeWithBucket("openkey")
        chmod(sb.rootKeyFile, 0o644)
        expectError(try sb.run(["ls", "--output", "json"]), 12, contains: ["chmod 600"])
        expectError(try sb.run(["bucket", "list"]), 12, contains: ["chmod 600"])
    }

    @Test("item 3: a missing root-key.check is not rewritten by a run with another key; the right key still works")
    func missingCheckOtherKey() throws {
        let sb = try storeWithBucket("nocheck")
        let check = sb.root + "/root-key.check"
        try FileManager.default.removeItem(atPath: check)
        let other = ["OBSCTL_LOCAL_ROOT_KEY": Data(repeating: 9, count: 32).base64EncodedString()]
        expectError(try sb.run(["bucket", "list"], env: other), 12, contains: ["root key mismatch"])
        expectError(try sb.run(["bucket", "create", "obs://new"], env: other), 12, contains: ["root key mismatch"])
        #expect(!FileManager.default.fileExists(atPath: check), "a wrong key wrote its check value")
        let r = try sb.run(["bucket", "list"])
        expectSuccess(r)
        #expect(r.out.contains("kept"))
        #expect(FileManager.default.fileExists(atPath: check), "the right key, proven against a record, restores the check")
    }

    @Test("item 3: a missing key file on a store with data is 'root key file missing' (exit 12), no new key written")
    func missingKeyFile() throws {
        let sb = try storeWithBucket("nokeyfile")
        try FileManager.default.removeItem(atPath: sb.rootKeyFile)
        for args in [["bucket", "list"], ["bucket", "create", "obs://other"], ["kms", "key", "list"]] {
            expectError(try sb.run(args), 12, contains: ["root key file", "missing", "backup"])
        }
        #expect(!FileManager.default.fileExists(atPath: sb.rootKeyFile), "a new random key was written")
    }

    @Test("item 16: a root key path that is a directory, a FIFO or a symlink is named as such (exit 12)")
    func keyPathKinds() throws {
        let sb = try Sandbox("keykind")
        try FileManager.default.createDirectory(atPath: sb.rootKeyFile, withIntermediateDirectories: true)
        chmod(sb.rootKeyFile, 0o755)
        expectError(try sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]), 12, contains: ["is a directory"])
        #expect(try !sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]).stderr.contains("readable by group"))
        try FileManager.default.removeItem(atPath: sb.rootKeyFile)
        #expect(mkfifo(sb.rootKeyFile, 0o600) == 0)
        expectError(try sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]), 12, contains: ["named pipe"])
        try FileManager.default.removeItem(atPath: sb.rootKeyFile)
        try FileManager.default.createSymbolicLink(atPath: sb.rootKeyFile, withDestinationPath: "/dev/null")
        expectError(try sb.run(["bucket", "create", "obs://bkt", "--sse", "obs"]), 12, contains: ["symbolic link"])
    }
}
