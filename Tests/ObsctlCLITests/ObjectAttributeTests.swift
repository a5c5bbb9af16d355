import Foundation
import Testing

/// --cache-control, --content-disposition, --content-encoding, --content-language and --expires on the local
/// backend: stored, shown by stat, kept or replaced by copies, refused by downloads and when malformed.
@Suite("object attributes: the standard headers")
struct ObjectAttributeTests {
    static let given = [
        "--cache-control", "max-age=60", "--content-disposition", "attachment; filename=\"a.txt\"",
        "--content-encoding", "gzip", "--content-language", "en-US", "--expires", "2027-01-31T12:00:00Z",
    ]
    static let stored = [
        "Cache-Control": "max-age=60", "Content-Disposition": "attachment; filename=\"a.txt\"",
        "Content-Encoding": "gzip", "Content-Language": "en-US", "Expires": "Sun, 31 Jan 2027 12:00:00 GMT",
    ]

    @Test("upload, cp -r and sync store them; stat shows them in text and JSON")
    func stored() throws {
        let sb = try Sandbox("attrs-stored")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("src/a.txt", Data("a".utf8))
        try sb.ok(["upload", "src/a.txt", "obs://bkt/one"] + Self.given)
        try sb.ok(["cp", "-r", "src", "obs://bkt/tree/"] + Self.given)
        try sb.ok(["sync", "src", "obs://bkt/synced/"] + Self.given)
        for key in ["one", "tree/a.txt", "synced/a.txt"] {
            let doc = try sb.json(["stat", "obs://bkt/\(key)"])
            #expect(doc["headers"] as? [String: String] == Self.stored, "\(key): \(doc)")
        }
        let text = try sb.ok(["stat", "obs://bkt/one"]).out
        #expect(text.contains("cache-control:      max-age=60\n"), "\(text)")
        #expect(text.contains("expires:            Sun, 31 Jan 2027 12:00:00 GMT\n"), "\(text)")
        // Without them an object has none.
        try sb.ok(["upload", "src/a.txt", "obs://bkt/plain"])
        #expect((try sb.json(["stat", "obs://bkt/plain"])["headers"] as? [String: String])?.isEmpty == true)
    }

    @Test("a copy keeps its source's headers, with or without new metadata; those given replace theirs")
    func copies() throws {
        let sb = try Sandbox("attrs-copies")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("a.txt", Data("a".utf8))
        try sb.ok(["upload", "a.txt", "obs://bkt/src", "--metadata", "owner=me"] + Self.given)
        try sb.ok(["cp", "obs://bkt/src", "obs://bkt/kept"])
        try sb.ok(["cp", "obs://bkt/src", "obs://bkt/meta", "--metadata", "k=v"])
        try sb.ok(["cp", "obs://bkt/src", "obs://bkt/changed", "--cache-control", "no-store"])
        try sb.ok(["cp", "obs://bkt/src", "obs://bkt/moved-src"])
        try sb.ok(["mv", "obs://bkt/moved-src", "obs://bkt/moved", "--content-language", "de"])
        for key in ["kept", "meta"] {
            #expect(try sb.json(["stat", "obs://bkt/\(key)"])["headers"] as? [String: String] == Self.stored, "\(key)")
        }
        var changed = Self.stored
        changed["Cache-Control"] = "no-store"
        let changedStat = try sb.json(["stat", "obs://bkt/changed"])
        #expect(changedStat["headers"] as? [String: String] == changed)
        #expect(changedStat["metadata"] as? [String: String] == ["owner": "me"], "kept without --metadata")
        #expect(try sb.json(["stat", "obs://bkt/meta"])["metadata"] as? [String: String] == ["k": "v"], "replaced")
        var moved = Self.stored
        moved["Content-Language"] = "de"
        #expect(try sb.json(["stat", "obs://bkt/moved"])["headers"] as? [String: String] == moved)
        // A header option alone changes a copy onto itself, so it is no longer refused.
        try sb.ok(["cp", "obs://bkt/kept", "obs://bkt/kept", "--cache-control", "private"])
        #expect(
            (try sb.json(["stat", "obs://bkt/kept"])["headers"] as? [String: String])?["Cache-Control"] == "private")
    }

    @Test("refused, exit 2, nothing written: a download, empty, bad --expires (year 0, weekday), a line break")
    func refused() throws {
        let sb = try Sandbox("attrs-refused")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("a.txt", Data("a".utf8))
        try sb.ok(["upload", "a.txt", "obs://bkt/a"])
        let cases: [([String], String)] = [
            (["cp", "obs://bkt/a", "out.txt", "--cache-control", "x"], "--cache-control"),
            (["sync", "obs://bkt/", "dir", "--content-encoding", "gzip"], "--content-encoding"),
            (["upload", "a.txt", "obs://bkt/b", "--cache-control", " "], "--cache-control is empty"),
            (["upload", "a.txt", "obs://bkt/b", "--expires", "tomorrow"], "ISO 8601"),
            (["upload", "a.txt", "obs://bkt/b", "--expires", "0000-01-01T00:00:00Z"], "from 1970 to 9999"),
            (["upload", "a.txt", "obs://bkt/b", "--expires", "Mon, 31 Jan 2027 12:00:00 GMT"], "that date is a Sun"),
            (["upload", "a.txt", "obs://bkt/b", "--expires", "Monday, 31-Jan-27 12:00:00 GMT"], "that date is a Sun"),
            (["upload", "a.txt", "obs://bkt/b", "--content-disposition", "a\nb"], "--content-disposition"),
            (["upload", "a.txt", "obs://bkt/b", "--content-encoding", "gzip, aws-chunked"], "framing"),
        ]
        for (command, message) in cases {
            let r = try sb.run(command)
            #expect(r.status == 2 && r.stderr.contains(message), "\(command): \(r)")
        }
        #expect(!sb.exists("out.txt") && !sb.exists("dir"))
        #expect(try sb.run(["stat", "obs://bkt/b"]).status == 3)
    }
}
