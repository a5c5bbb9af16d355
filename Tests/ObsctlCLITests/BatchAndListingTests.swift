import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Several objects per command: multi-file uploads, partial failures, listings longer than one page, object
/// attributes, KMS key references, interrupts.
@Suite("batches, listings and attributes")
struct BatchAndListingTests {
    @Test("upload of several files puts them under a prefix; a missing one makes the run partial (exit 8)")
    func multiFileUploadAndPartialFailure() throws {
        let sb = try Sandbox("multi")
        try sb.ok(["bucket", "create", "obs://multi"])
        try sb.write("one.txt", Data("1\n".utf8))
        try sb.write("two.json", Data("{}".utf8))

        let up = try sb.ok(["upload", "one.txt", "two.json", "obs://multi/dir", "--sse", "obs"])
        #expect(up.out.split(separator: "\n").count == 2, "\(up)")
        let keys = ((try sb.json(["ls", "obs://multi", "--recursive"])["objects"] as? [[String: Any]]) ?? []).compactMap
        { $0["key"] as? String }
        #expect(keys == ["dir/one.txt", "dir/two.json"])
        #expect(try sb.json(["stat", "obs://multi/dir/two.json"])["content_type"] as? String == "application/json")
        #expect(try sb.json(["stat", "obs://multi/dir/one.txt"])["content_type"] as? String == "text/plain")

        // A single file into a prefix keeps its base name.
        try sb.ok(["upload", "one.txt", "obs://multi/into/"])
        expectSuccess(try sb.run(["stat", "obs://multi/into/one.txt"]))

        // One source missing: the others are uploaded, the missing one is reported, exit 8.
        let partial = try sb.run(["upload", "one.txt", "missing.txt", "two.json", "obs://multi/partial/"])
        #expect(!partial.signaled && partial.status == 8, "\(partial)")
        #expect(partial.stderr.contains("missing.txt"), "\(partial)")
        #expect(partial.stderrLines.filter { $0.hasPrefix("obsctl: error:") }.count == 1, "\(partial)")
        let partialKeys =
            ((try sb.json(["ls", "obs://multi/partial/", "--recursive"])["objects"] as? [[String: Any]]) ?? [])
            .compactMap { $0["key"] as? String }
        #expect(partialKeys == ["partial/one.txt", "partial/two.json"])

        // JSON output of a partial run names the failure.
        let partialJSON = try sb.run(["upload", "one.txt", "missing.txt", "obs://multi/pj/", "--output", "json"])
        #expect(partialJSON.status == 8, "\(partialJSON)")
        let doc = try parseJSONObject(partialJSON.stdout)
        #expect((doc["transfers"] as? [Any])?.count == 1)
        let failures = try #require(doc["failures"] as? [[String: Any]])
        #expect(failures.count == 1 && failures[0]["item"] as? String == "missing.txt", "\(failures)")

        // Every source missing: the code of the failure (not found), not partial.
        let allMissing = try sb.run(["upload", "missing.txt", "missing2.txt", "obs://multi/none/"])
        #expect(!allMissing.signaled && allMissing.status == 3, "\(allMissing)")
    }

    @Test("a recursive copy, download or removal of an empty prefix says there was nothing, exit 0")
    func emptyPrefixes() throws {
        let sb = try Sandbox("empty-prefix")
        try sb.ok(["bucket", "create", "obs://empty-prefix"])
        for (args, note) in [
            (["cp", "-r", "obs://empty-prefix/none/", "obs://empty-prefix/to/"], "no objects under"),
            (["download", "-r", "obs://empty-prefix/none/", "out"], "no objects under"),
            (["rm", "-r", "obs://empty-prefix/none/"], "nothing to delete under"),
        ] {
            let r = try sb.run(args)
            #expect(r.status == 0 && r.stderr.contains("\(note) obs://empty-prefix/none/"), "\(args): \(r)")
        }
    }

    @Test("ls, rm --recursive and bucket delete --force across more than one 1000-key page")
    func listingsLongerThanOnePage() throws {
        let sb = try Sandbox("pages")
        try sb.ok(["bucket", "create", "obs://pages"])
        // 999 objects at the top, then two "directories": the first page ends on a common prefix.
        for i in 0..<999 { try sb.write(String(format: "src/k%04d", i), Data("\(i)".utf8)) }
        try sb.write("src/p/x", Data("p".utf8))
        try sb.write("src/q/y", Data("q".utf8))
        try sb.ok(["upload", "src", "obs://pages/", "--recursive"])

        let text = try sb.ok(["ls", "obs://pages"]).out.split(separator: "\n").map(String.init)
        let pre = text.filter { $0.contains("PRE") }.compactMap { $0.split(separator: " ").last.map(String.init) }
        #expect(pre == ["p/", "q/"], "each common prefix exactly once: \(pre)")
        #expect(text.count == 999 + 2, "\(text.count) lines")
        let json = try sb.json(["ls", "obs://pages"])
        #expect((json["prefixes"] as? [String]) == ["p/", "q/"])
        let objects = ((json["objects"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }
        #expect(objects.count == 999 && Set(objects).count == 999)

        let all = try sb.ok(["ls", "obs://pages", "--recursive"]).out.split(separator: "\n")
        #expect(all.count == 1001 && Set(all.compactMap { $0.split(separator: " ").last }).count == 1001)

        // --recursive takes the path as a folder: "k0" means "k0/", which holds nothing here.
        #expect(try sb.ok(["rm", "obs://pages/k0", "--recursive", "--quiet"]).out.isEmpty)
        let removed = try sb.ok(["rm", "obs://pages/p", "--recursive"])
        #expect(removed.out.split(separator: "\n").count == 1)
        #expect(try sb.ok(["rm", "obs://pages", "--recursive"]).out.split(separator: "\n").count == 1000)
        try sb.ok(["bucket", "delete", "obs://pages", "--force"])
        expectError(try sb.run(["ls", "obs://pages"]), 3)
    }

    @Test("--content-type and --metadata are stored, shown by stat, and kept by a copy unless replaced")
    func attributes() throws {
        let sb = try Sandbox("attrs")
        try sb.ok(["bucket", "create", "obs://attrs"])
        try sb.write("f.dat", Data("data".utf8))
        try sb.ok([
            "upload", "f.dat", "obs://attrs/a", "--sse", "kms", "--content-type", "text/x-test",
            "--metadata", "Owner=alice", "--metadata", "build_id=42",
        ])
        let stat = try sb.json(["stat", "obs://attrs/a"])
        #expect(stat["content_type"] as? String == "text/x-test")
        #expect((stat["metadata"] as? [String: String]) == ["owner": "alice", "build_id": "42"])
        let text = fields(try sb.ok(["stat", "obs://attrs/a"]).out)
        #expect(text["metadata.owner"] == "alice")
        #expect(text["content-type"] == "text/x-test")

        try sb.ok(["cp", "obs://attrs/a", "obs://attrs/b", "--sse", "obs"])
        let copied = try sb.json(["stat", "obs://attrs/b"])
        #expect(copied["content_type"] as? String == "text/x-test")
        #expect((copied["metadata"] as? [String: String]) == ["owner": "alice", "build_id": "42"])

        try sb.ok(["cp", "obs://attrs/a", "obs://attrs/c", "--metadata", "owner=bob"])
        #expect((try sb.json(["stat", "obs://attrs/c"])["metadata"] as? [String: String]) == ["owner": "bob"])

        expectError(try sb.run(["upload", "f.dat", "obs://attrs/d", "--metadata", "bad key=v"]), 2)
        expectError(try sb.run(["upload", "f.dat", "obs://attrs/d", "--metadata", "k=caf\u{e9}"]), 2)
    }

    @Test("KMS keys are accepted as id, URN or alias, for uploads and bucket defaults")
    func keyReferences() throws {
        let sb = try Sandbox("keyref")
        try sb.ok(["bucket", "create", "obs://keyref"])
        try sb.write("f.bin", randomData(777))
        let created = try sb.json(["kms", "key", "create", "--alias", "team/app", "--description", "for refs"])
        let keyID = try #require(created["key_id"] as? String)
        let urn = try #require(created["urn"] as? String)
        #expect(urn.hasSuffix(":key/" + keyID))
        #expect(created["description"] as? String == "for refs")
        #expect(created["default_key"] as? Bool == false)

        for (i, ref) in [keyID, urn, "team/app"].enumerated() {
            try sb.ok(["upload", "f.bin", "obs://keyref/o\(i)", "--sse", "kms", "--kms-key-id", ref])
            let sse = try #require(try sb.json(["stat", "obs://keyref/o\(i)"])["sse"] as? [String: Any])
            #expect(sse["kms_key_id"] as? String == keyID, "\(ref)")
            #expect(sse["kms_key_urn"] as? String == urn, "\(ref)")
            #expect(try sb.json(["kms", "key", "describe", ref])["key_id"] as? String == keyID)
            try sb.ok(["download", "obs://keyref/o\(i)", "out\(i).bin"])
            #expect(sb.read("out\(i).bin") == sb.read("f.bin"))
        }
        let described = fields(try sb.ok(["kms", "key", "describe", "team/app"]).out)
        #expect(described["key-id"] == keyID)
        #expect(described["alias"] == "team/app")
        #expect(described["state"] == "enabled")
        #expect(described["default-key"] == "no")

        let enabled = try sb.json([
            "bucket", "encryption", "enable", "obs://keyref", "--sse", "kms", "--kms-key-id", urn,
        ])
        #expect((enabled["encryption"] as? [String: Any])?["kms_key_id"] as? String == keyID)
        try sb.ok(["bucket", "create", "obs://keyref2", "--sse", "kms", "--kms-key-id", "team/app"])
        let listed = ((try sb.json(["bucket", "list"])["buckets"] as? [[String: Any]]) ?? []).first {
            $0["name"] as? String == "keyref2"
        }
        #expect((listed?["encryption"] as? [String: Any])?["kms_key_id"] as? String == keyID)

        // A URN of another domain is not this key.
        let foreign = "local:" + String(repeating: "0", count: 32) + ":key/" + keyID
        expectError(try sb.run(["upload", "f.bin", "obs://keyref/x", "--sse", "kms", "--kms-key-id", foreign]), 5)
    }

    @Test(
        "SIGINT and SIGTERM stop an upload with exit 130 / 143, leave no object, and the next upload cleans up",
        arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func interrupted(signal: Int32, expected: Int32) throws {
        let sb = try Sandbox("signal-\(signal)")
        try sb.ok(["bucket", "create", "obs://sig"])
        let pipe = Pipe()
        let running = try sb.start(["upload", "-", "obs://sig/k", "--sse", "kms"], stdinPipe: pipe)
        pipe.fileHandleForWriting.write(randomData(20_000))
        // Wait until the upload has its temp file open.
        let deadline = Date().addingTimeInterval(20)
        var started = false
        while Date() < deadline && !started {
            started = sb.objectDirectories(bucket: "sig").contains { d in
                sb.directoryListing(d).contains { $0.hasPrefix(".tmp-") }
            }
            if !started { usleep(20_000) }
        }
        #expect(started, "the upload never started writing")
        kill(running.process.processIdentifier, signal)
        let r = running.wait(timeout: 20)
        try? pipe.fileHandleForWriting.close()
        #expect(!r.signaled && r.status == expected, "\(r)")
        #expect(r.stderr.contains("interrupted"), "\(r)")
        #expect(r.stdout.isEmpty)
        expectError(try sb.run(["stat", "obs://sig/k"]), 3)

        let data = randomData(5000)
        try sb.ok(["upload", "-", "obs://sig/k", "--sse", "kms"], stdin: data)
        #expect(try sb.ok(["download", "obs://sig/k", "-"]).stdout == data)
        let names = sb.directoryListing(try #require(sb.objectDirectory(bucket: "sig", key: "k")))
        #expect(names.count == 2 && names.contains("meta.json"), "\(names)")
    }

    @Test(
        "bucket create --location / --storage-class / OBSCTL_REGION are stored and listed; bad values are usage errors")
    func bucketAttributes() throws {
        let sb = try Sandbox("battrs")
        try sb.ok(["bucket", "create", "obs://cold-one", "--location", "cn-north-4", "--storage-class", "cold"])
        try sb.ok(
            ["bucket", "create", "obs://warm-one", "--storage-class", "warm"], env: ["OBSCTL_REGION": "ap-southeast-1"])
        // OBS's Deep Archive class, spelled in the output as on the command line, so a script can pass it back.
        let deep = try sb.json(["bucket", "create", "obs://deep-one", "--storage-class", "deep-archive"])
        #expect(deep["storage_class"] as? String == "deep-archive")
        let created = try sb.json(["bucket", "create", "obs://plain-one"])
        #expect(created["name"] as? String == "plain-one")
        #expect(created["location"] as? String == "local")
        #expect(created["storage_class"] as? String == "standard")
        #expect(created["encryption"] is NSNull)

        let buckets = try #require(try sb.json(["bucket", "list"])["buckets"] as? [[String: Any]])
        #expect(buckets.compactMap { $0["name"] as? String } == ["cold-one", "deep-one", "plain-one", "warm-one"])
        let byName = Dictionary(uniqueKeysWithValues: buckets.map { ($0["name"] as? String ?? "", $0) })
        #expect(byName["cold-one"]?["location"] as? String == "cn-north-4")
        #expect(byName["cold-one"]?["storage_class"] as? String == "cold")
        #expect(byName["warm-one"]?["location"] as? String == "ap-southeast-1")
        #expect(byName["warm-one"]?["storage_class"] as? String == "warm")
        #expect(byName["deep-one"]?["storage_class"] as? String == "deep-archive")
        let text = try sb.ok(["bucket", "list"]).out
        #expect(
            text.split(separator: "\n").contains {
                $0.contains("cn-north-4") && $0.contains("cold") && $0.hasSuffix("none  obs://cold-one (local store)")
            }, "\(text)")

        expectError(
            try sb.run(["bucket", "create", "obs://bad-loc", "--location", "CN_North"]), 2, contains: ["location"])
        expectError(try sb.run(["bucket", "create", "obs://bad-loc", "--location", ""]), 2)
        expectError(
            try sb.run(["bucket", "create", "obs://bad-class", "--storage-class", "deep_archive"]), 2,
            contains: ["deep-archive"])
        #expect(((try sb.json(["bucket", "list"])["buckets"] as? [Any]) ?? []).count == 4)
    }
}
