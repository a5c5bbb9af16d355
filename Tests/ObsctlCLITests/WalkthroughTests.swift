import Foundation
import Testing

/// The main job of the issue, end to end: an encrypted bucket, uploads, stat, toggling the default, downloads,
/// copies that change encryption, listings, removal and bucket deletion.
@Suite("walk-through")
struct WalkthroughTests {
    @Test("bucket create --sse kms, list, upload, stat, encryption show/disable/enable, download")
    func bucketsEncryptionAndTransfers() throws {
        let sb = try Sandbox("walk")

        // Create an SSE-KMS bucket.
        let created = try sb.ok(["bucket", "create", "obs://walk", "--sse", "kms"])
        #expect(created.out.contains("created obs://walk"), "\(created)")
        #expect(created.out.contains("SSE-KMS"), "\(created)")

        // bucket list, text and JSON.
        let listText = try sb.ok(["bucket", "list"])
        let line = try #require(
            listText.out.split(separator: "\n").first { $0.hasSuffix("obs://walk (local store)") }, "\(listText)")
        #expect(
            line.contains("local") && line.contains("standard") && line.contains("SSE-KMS (obs/default)"), "\(line)")
        let listJSON = try sb.json(["bucket", "list"])
        let buckets = try #require(listJSON["buckets"] as? [[String: Any]])
        #expect(buckets.count == 1)
        let b = try #require(buckets.first)
        #expect(Set(b.keys) == ["name", "location", "storage_class", "created", "encryption"])
        #expect(b["name"] as? String == "walk")
        #expect(b["location"] as? String == "local")
        #expect(b["storage_class"] as? String == "standard")
        #expect(isRFC3339(b["created"]))
        let enc = try #require(b["encryption"] as? [String: Any])
        #expect(enc["mode"] as? String == "kms")
        #expect(enc["algorithm"] as? String == "kms")
        #expect(enc["kms_key_id"] is NSNull)
        #expect(enc.keys.count == 3)

        // Upload a file that is not a whole number of 64 KiB chunks.
        let data = randomData(3 * 65536 + 5)
        try sb.write("data.bin", data)
        let up = try sb.ok(["upload", "data.bin", "obs://walk/docs/data.bin"])
        #expect(up.out.contains("upload: data.bin -> obs://walk/docs/data.bin"), "\(up)")

        // stat, text and JSON: SSE-KMS from the bucket default under obs/default.
        let statText = fields(try sb.ok(["stat", "obs://walk/docs/data.bin"]).out)
        #expect(statText["object"] == "obs://walk/docs/data.bin")
        #expect(statText["size"] == String(data.count))
        #expect(statText["encryption"] == "SSE-KMS")
        #expect(statText["encryption-origin"] == "bucket default")
        #expect(isUUID(statText["kms-key-id"]))
        let stat = try sb.json(["stat", "obs://walk/docs/data.bin"])
        #expect(stat["bucket"] as? String == "walk")
        #expect(stat["key"] as? String == "docs/data.bin")
        #expect((stat["size"] as? NSNumber)?.intValue == data.count)
        #expect(stat["content_type"] as? String == "application/octet-stream")
        #expect(isRFC3339(stat["last_modified"]))
        #expect(stat["etag"] is String)
        let sse = try #require(stat["sse"] as? [String: Any])
        #expect(sse["mode"] as? String == "kms")
        #expect(sse["origin"] as? String == "bucket-default")
        let keyID = try #require(sse["kms_key_id"] as? String)
        #expect(isUUID(keyID))
        let urn = try #require(sse["kms_key_urn"] as? String)
        #expect(urn.hasPrefix("local:") && urn.hasSuffix(":key/" + keyID), "\(urn)")
        #expect(urn.split(separator: ":")[1].count == 32, "domain id is 32 hex: \(urn)")
        #expect(sse["customer_key_md5"] is NSNull)
        #expect(statText["kms-key-id"] == keyID)
        #expect(statText["kms-key-urn"] == urn)

        // The default key was created once, with the alias obs/default.
        let keys = try #require(try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]])
        #expect(keys.count == 1)
        #expect(keys.first?["key_id"] as? String == keyID)
        #expect(keys.first?["alias"] as? String == "obs/default")
        #expect(keys.first?["default_key"] as? Bool == true)
        #expect(keys.first?["state"] as? String == "enabled")

        // encryption show.
        #expect(
            try sb.ok(["bucket", "encryption", "show", "obs://walk"]).out
                == "obs://walk: default encryption SSE-KMS (obs/default)\n")
        let shown = try sb.json(["bucket", "encryption", "show", "obs://walk"])
        #expect(shown["bucket"] as? String == "walk")
        #expect((shown["encryption"] as? [String: Any])?["mode"] as? String == "kms")

        // disable: new uploads are plaintext, the old object is unchanged.
        let metaBefore = try Data(
            contentsOf: URL(
                fileURLWithPath: try #require(sb.objectDirectory(bucket: "walk", key: "docs/data.bin")) + "/meta.json"))
        #expect(try sb.ok(["bucket", "encryption", "disable", "obs://walk"]).out.contains("default encryption none"))
        #expect(try sb.json(["bucket", "encryption", "show", "obs://walk"])["encryption"] is NSNull)
        #expect(
            try sb.ok(["bucket", "encryption", "show", "obs://walk"]).out == "obs://walk: default encryption none\n")
        try sb.write("plain.txt", Data("plain text\n".utf8))
        try sb.ok(["upload", "plain.txt", "obs://walk/plain.txt"])
        let plainSSE = try #require(try sb.json(["stat", "obs://walk/plain.txt"])["sse"] as? [String: Any])
        #expect(plainSSE["mode"] as? String == "none")
        #expect(plainSSE["origin"] as? String == "request")
        let metaAfter = try Data(
            contentsOf: URL(
                fileURLWithPath: try #require(sb.objectDirectory(bucket: "walk", key: "docs/data.bin")) + "/meta.json"))
        #expect(metaBefore == metaAfter, "disabling the default must not touch stored objects")
        #expect(
            (try sb.json(["stat", "obs://walk/docs/data.bin"])["sse"] as? [String: Any])?["mode"] as? String == "kms")

        // enable --sse obs.
        let obsOn = try sb.json(["bucket", "encryption", "enable", "obs://walk", "--sse", "obs"])
        let obsEnc = try #require(obsOn["encryption"] as? [String: Any])
        #expect(obsEnc["mode"] as? String == "obs")
        #expect(obsEnc["algorithm"] as? String == "AES256")
        try sb.ok(["upload", "plain.txt", "obs://walk/obs-default.txt"])
        let obsSSE = try #require(try sb.json(["stat", "obs://walk/obs-default.txt"])["sse"] as? [String: Any])
        #expect(obsSSE["mode"] as? String == "obs")
        #expect(obsSSE["origin"] as? String == "bucket-default")
        #expect(obsSSE["kms_key_id"] is NSNull)

        // enable --sse kms --kms-key-id <alias>: the default names the key by id.
        let created2 = try sb.json(["kms", "key", "create", "--alias", "walk-key", "--description", "walk-through"])
        let walkKey = try #require(created2["key_id"] as? String)
        #expect(isUUID(walkKey))
        #expect(created2["alias"] as? String == "walk-key")
        let kmsOn = try sb.json([
            "bucket", "encryption", "enable", "obs://walk", "--sse", "kms", "--kms-key-id", "walk-key",
        ])
        let kmsEnc = try #require(kmsOn["encryption"] as? [String: Any])
        #expect(kmsEnc["mode"] as? String == "kms")
        #expect(kmsEnc["kms_key_id"] as? String == walkKey)
        #expect(try sb.ok(["bucket", "encryption", "show", "obs://walk"]).out.contains("SSE-KMS (\(walkKey))"))
        try sb.ok(["upload", "data.bin", "obs://walk/docs/data2.bin"])
        let kmsSSE = try #require(try sb.json(["stat", "obs://walk/docs/data2.bin"])["sse"] as? [String: Any])
        #expect(kmsSSE["mode"] as? String == "kms")
        #expect(kmsSSE["origin"] as? String == "bucket-default")
        #expect(kmsSSE["kms_key_id"] as? String == walkKey)

        // An explicit method on upload wins over the default.
        try sb.ok(["upload", "data.bin", "obs://walk/docs/explicit.bin", "--sse", "obs"])
        let explicitSSE = try #require(try sb.json(["stat", "obs://walk/docs/explicit.bin"])["sse"] as? [String: Any])
        #expect(explicitSSE["mode"] as? String == "obs")
        #expect(explicitSSE["origin"] as? String == "request")

        // bucket list reflects the new default.
        let listed = try #require(
            (try sb.json(["bucket", "list"])["buckets"] as? [[String: Any]])?.first?["encryption"] as? [String: Any])
        #expect(listed["kms_key_id"] as? String == walkKey)

        // Download every object and compare.
        let down = try sb.ok(["download", "obs://walk/docs/data.bin", "out/data.bin"])
        #expect(down.out.contains("download: obs://walk/docs/data.bin -> out/data.bin"), "\(down)")
        #expect(sb.read("out/data.bin") == data)
        try sb.ok(["download", "obs://walk/docs/data2.bin", "out/data2.bin"])
        #expect(sb.read("out/data2.bin") == data)
        try sb.ok(["download", "obs://walk/docs/explicit.bin", "out/"])
        #expect(sb.read("out/explicit.bin") == data)
        try sb.ok(["download", "obs://walk/plain.txt", "out/plain.txt"])
        #expect(sb.read("out/plain.txt") == Data("plain text\n".utf8))
        try sb.ok(["download", "obs://walk/obs-default.txt", "out/obs-default.txt"])
        #expect(sb.read("out/obs-default.txt") == Data("plain text\n".utf8))
        // Nothing but the downloaded files is left in the destination directory.
        #expect(
            sb.directoryListing(sb.path("out")) == [
                "data.bin", "data2.bin", "explicit.bin", "obs-default.txt", "plain.txt",
            ])
    }

    @Test("cp local->obs, obs->local, obs->obs changing SSE, and SSE-C key rotation onto itself")
    func copies() throws {
        let sb = try Sandbox("cp")
        try sb.ok(["bucket", "create", "obs://cpb", "--sse", "kms"])
        try sb.ok(["bucket", "create", "obs://cpb2"])
        let data = randomData(70_000)
        try sb.write("in.bin", data)

        // local -> obs (an upload).
        let up = try sb.ok(["cp", "in.bin", "obs://cpb/a/in.bin"])
        #expect(up.out.contains("upload:"), "\(up)")
        #expect((try sb.json(["stat", "obs://cpb/a/in.bin"])["sse"] as? [String: Any])?["mode"] as? String == "kms")
        try sb.ok(["cp", "in.bin", "obs://cpb/a/in-obs.bin", "--sse", "obs"])
        let obsSSE = try #require(try sb.json(["stat", "obs://cpb/a/in-obs.bin"])["sse"] as? [String: Any])
        #expect(obsSSE["mode"] as? String == "obs")
        #expect(obsSSE["origin"] as? String == "request")

        // obs -> local (a download).
        let down = try sb.ok(["cp", "obs://cpb/a/in.bin", "out/copy.bin"])
        #expect(down.out.contains("download:"), "\(down)")
        #expect(sb.read("out/copy.bin") == data)

        // obs -> obs, SSE-KMS -> SSE-OBS, into another bucket without a default.
        let copied = try sb.ok(["cp", "obs://cpb/a/in.bin", "obs://cpb2/b/in.bin", "--sse", "obs"])
        #expect(copied.out.contains("copy: obs://cpb/a/in.bin -> obs://cpb2/b/in.bin"), "\(copied)")
        let dstSSE = try #require(try sb.json(["stat", "obs://cpb2/b/in.bin"])["sse"] as? [String: Any])
        #expect(dstSSE["mode"] as? String == "obs")
        #expect(dstSSE["kms_key_id"] is NSNull)
        #expect(
            (try sb.json(["stat", "obs://cpb/a/in.bin"])["sse"] as? [String: Any])?["mode"] as? String == "kms",
            "the source is unchanged")
        try sb.ok(["download", "obs://cpb2/b/in.bin", "out/copied.bin"])
        #expect(sb.read("out/copied.bin") == data)

        // obs -> obs without SSE options: the source's encryption is kept (never a silent turn to plaintext).
        try sb.ok(["cp", "obs://cpb/a/in.bin", "obs://cpb2/kept.bin"])
        let kept = try #require(try sb.json(["stat", "obs://cpb2/kept.bin"])["sse"] as? [String: Any])
        let source = try #require(try sb.json(["stat", "obs://cpb/a/in.bin"])["sse"] as? [String: Any])
        #expect(kept["mode"] as? String == "kms" && kept["kms_key_id"] as? String == source["kms_key_id"] as? String)

        // SSE-C rotation: copy onto itself with the old key as source and a new key as destination.
        let oldKey = randomData(32), newKey = randomData(32)
        try sb.write("old.key", oldKey, mode: 0o600)
        try sb.write("new.key", newKey, mode: 0o600)
        try sb.ok(["upload", "in.bin", "obs://cpb/vault/secret.bin", "--sse", "c", "--sse-c-key-file", "old.key"])
        let before = try sb.json(["stat", "obs://cpb/vault/secret.bin", "--sse-c-key-file", "old.key"])
        #expect((before["sse"] as? [String: Any])?["customer_key_md5"] as? String == md5Base64(oldKey))
        let vaultDir = try #require(sb.objectDirectory(bucket: "cpb", key: "vault/secret.bin"))
        let dataFileBefore = try #require(sb.directoryListing(vaultDir).first { $0.hasPrefix("d-") })
        let dataBytesBefore = try Data(contentsOf: URL(fileURLWithPath: vaultDir + "/" + dataFileBefore))
        let rotated = try sb.ok([
            "cp", "obs://cpb/vault/secret.bin", "obs://cpb/vault/secret.bin",
            "--source-sse-c-key-file", "old.key", "--sse-c-key-file", "new.key",
        ])
        #expect(rotated.out.contains("copy:"), "\(rotated)")
        // Rotation rewraps the data key only: the data file keeps its name and bytes (docs/local-backend-design.md §8,
        // case 16).
        let dataFilesAfter = sb.directoryListing(vaultDir).filter { $0.hasPrefix("d-") }
        #expect(
            dataFilesAfter == [dataFileBefore],
            "rotation must not rewrite the data file: \(sb.directoryListing(vaultDir))")
        #expect((try? Data(contentsOf: URL(fileURLWithPath: vaultDir + "/" + dataFileBefore))) == dataBytesBefore)
        expectError(
            try sb.run(["download", "obs://cpb/vault/secret.bin", "out/old.bin", "--sse-c-key-file", "old.key"]), 7)
        #expect(!sb.exists("out/old.bin"))
        expectError(try sb.run(["stat", "obs://cpb/vault/secret.bin", "--sse-c-key-file", "old.key"]), 7)
        expectError(try sb.run(["download", "obs://cpb/vault/secret.bin", "out/nokey.bin"]), 7, contains: ["SSE-C"])
        try sb.ok(["download", "obs://cpb/vault/secret.bin", "out/new.bin", "--sse-c-key-file", "new.key"])
        #expect(sb.read("out/new.bin") == data)
        let after = try sb.json(["stat", "obs://cpb/vault/secret.bin", "--sse-c-key-file", "new.key"])
        let afterSSE = try #require(after["sse"] as? [String: Any])
        #expect(afterSSE["mode"] as? String == "c")
        #expect(afterSSE["customer_key_md5"] as? String == md5Base64(newKey))

        // A copy from an SSE-C source without the source key fails with the SSE-C code and writes nothing.
        // Its hint names the options for the source's key, also when the destination's key is given.
        for extra in [[], ["--sse", "kms"], ["--sse-c-key-file", "new.key"]] {
            let r = try sb.run(["cp", "obs://cpb/vault/secret.bin", "obs://cpb2/stolen.bin"] + extra)
            expectError(r, 7, contains: ["--source-sse-c-key-file FILE or --source-sse-c-key-env VAR"])
        }
        expectError(try sb.run(["stat", "obs://cpb2/stolen.bin"]), 3)

        // --source-sse-c-key-* makes no sense for an upload or a download.
        expectError(try sb.run(["cp", "in.bin", "obs://cpb/x.bin", "--source-sse-c-key-file", "old.key"]), 2)
        expectError(try sb.run(["cp", "in.bin", "out/local-copy.bin"]), 2)
    }

    @Test("ls text and JSON with PRE roll-up and --recursive, rm and rm --recursive, bucket delete and --force")
    func listRemoveDelete() throws {
        let sb = try Sandbox("ls")
        try sb.ok(["bucket", "create", "obs://lsb"])
        try sb.write("f.txt", Data("x\n".utf8))
        for key in ["top.txt", "a/one.txt", "a/two.txt", "a/deep/three.txt", "b/four.txt"] {
            try sb.ok(["upload", "f.txt", "obs://lsb/" + key, "--sse", "obs"])
        }

        // ls without arguments lists buckets.
        #expect(try sb.ok(["ls"]).out.contains("obs://lsb"))

        // Delimiter roll-up.
        let top = try sb.ok(["ls", "obs://lsb"]).out.split(separator: "\n").map(String.init)
        let pre = top.filter { $0.contains("PRE") }
        #expect(pre.count == 2, "\(top)")
        #expect(pre.contains { $0.hasSuffix(" a/") } && pre.contains { $0.hasSuffix(" b/") }, "\(top)")
        let objectLines = top.filter { !$0.contains("PRE") }
        #expect(
            objectLines.count == 1 && objectLines[0].hasSuffix("  top.txt") && objectLines[0].contains("SSE-OBS"),
            "\(top)")

        let sub = try sb.ok(["ls", "obs://lsb/a/"]).out.split(separator: "\n").map(String.init)
        #expect(
            sub.filter { $0.contains("PRE") }.map { $0.split(separator: " ").last.map(String.init) } == ["a/deep/"],
            "\(sub)")
        #expect(
            Set(sub.filter { !$0.contains("PRE") }.compactMap { $0.split(separator: " ").last.map(String.init) }) == [
                "a/one.txt", "a/two.txt",
            ], "\(sub)")

        let topJSON = try sb.json(["ls", "obs://lsb"])
        #expect(topJSON["bucket"] as? String == "lsb")
        #expect(topJSON["prefix"] as? String == "")
        #expect((topJSON["prefixes"] as? [String]) == ["a/", "b/"])
        #expect(((topJSON["objects"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String } == ["top.txt"])

        // --recursive: every key, no roll-up.
        let all = try sb.ok(["ls", "obs://lsb", "--recursive"]).out
        #expect(!all.contains("PRE"))
        for key in ["top.txt", "a/one.txt", "a/two.txt", "a/deep/three.txt", "b/four.txt"] {
            #expect(all.contains("  " + key + "\n"), "\(all)")
        }
        let allJSON = try sb.json(["ls", "obs://lsb", "--recursive"])
        #expect(
            ((allJSON["objects"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }
                == ["a/deep/three.txt", "a/one.txt", "a/two.txt", "b/four.txt", "top.txt"])
        #expect((allJSON["prefixes"] as? [String]) == [])

        // rm one object.
        let rm = try sb.ok(["rm", "obs://lsb/top.txt"])
        #expect(rm.out.contains("delete: obs://lsb/top.txt"))
        expectError(try sb.run(["stat", "obs://lsb/top.txt"]), 3)
        expectError(try sb.run(["rm", "obs://lsb/top.txt"]), 3)

        // rm --recursive a prefix.
        let rmr = try sb.ok(["rm", "obs://lsb/a/", "--recursive"])
        #expect(rmr.out.split(separator: "\n").count == 3, "\(rmr)")
        #expect(
            ((try sb.json(["ls", "obs://lsb", "--recursive"])["objects"] as? [[String: Any]]) ?? []).compactMap {
                $0["key"] as? String
            } == ["b/four.txt"])

        // bucket delete: non-empty is a conflict; --force empties it first.
        expectError(try sb.run(["bucket", "delete", "obs://lsb"]), 10, contains: ["not empty", "--force"])
        #expect(try sb.ok(["bucket", "delete", "obs://lsb", "--force"]).out.contains("deleted obs://lsb"))
        #expect((try sb.json(["bucket", "list"])["buckets"] as? [Any])?.isEmpty == true)
        expectError(try sb.run(["ls", "obs://lsb"]), 3)
        #expect(sb.objectDirectories(bucket: "lsb").isEmpty)

        // An empty bucket deletes without --force.
        try sb.ok(["bucket", "create", "obs://empty-one"])
        try sb.ok(["bucket", "delete", "empty-one"])
        expectError(try sb.run(["bucket", "delete", "obs://empty-one"]), 3)
    }

    @Test("--help and --version exit 0; bucket --help lists its subcommands")
    func helpAndVersion() throws {
        let sb = try Sandbox("help")
        let help = try sb.run(["--help"])
        #expect(help.succeeded, "\(help)")
        for word in ["USAGE", "bucket", "upload", "download", "cp", "ls", "stat", "rm", "kms", "EXIT CODES"] {
            #expect(help.out.contains(word), "--help should mention \(word): \(help)")
        }
        let version = try sb.run(["--version"])
        #expect(version.succeeded, "\(version)")
        let v = version.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            !v.isEmpty && v.split(separator: ".").count == 3 && v.split(separator: ".").allSatisfy { Int($0) != nil },
            "\(version)")
        let bucketHelp = try sb.run(["bucket", "--help"])
        #expect(bucketHelp.succeeded, "\(bucketHelp)")
        for sub in ["create", "list", "delete", "encryption"] { #expect(bucketHelp.out.contains(sub), "\(bucketHelp)") }
        let encHelp = try sb.run(["bucket", "encryption", "--help"])
        #expect(encHelp.succeeded)
        for sub in ["show", "enable", "disable"] { #expect(encHelp.out.contains(sub), "\(encHelp)") }
        let kmsHelp = try sb.run(["kms", "key", "--help"])
        #expect(kmsHelp.succeeded)
        for sub in ["create", "list", "describe", "enable", "disable", "schedule-deletion", "cancel-deletion"] {
            #expect(kmsHelp.out.contains(sub), "\(kmsHelp)")
        }
        // Help touches nothing on disk.
        #expect(!FileManager.default.fileExists(atPath: sb.root))
        #expect(!FileManager.default.fileExists(atPath: sb.rootKeyFile))
    }
}
