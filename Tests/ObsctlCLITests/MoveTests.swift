import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mv`: cp, then the source goes, and only once its copy is written and verified.
@Suite("mv (local backend)")
struct MoveTests {
    @Test("mv file -> object -> object (re-encrypted) -> file: each source goes once its copy is there")
    func moveEachWay() throws {
        let sb = try Sandbox("mv")
        try sb.ok(["bucket", "create", "obs://mvb"])
        let data = randomData(70_000)
        try sb.write("a.bin", data)

        let up = try sb.ok(["mv", "a.bin", "obs://mvb/a.bin"])
        #expect(String(decoding: up.stdout, as: UTF8.self).hasPrefix("move: a.bin -> obs://mvb/a.bin"), "\(up)")
        #expect(!sb.exists("a.bin"))
        try sb.ok(["mv", "obs://mvb/a.bin", "obs://mvb/b.bin", "--sse", "kms"])
        expectError(try sb.run(["stat", "obs://mvb/a.bin"]), 3)
        #expect((try sb.json(["stat", "obs://mvb/b.bin"])["sse"] as? [String: Any])?["mode"] as? String == "kms")
        try sb.ok(["mv", "obs://mvb/b.bin", "back.bin"])
        #expect(sb.read("back.bin") == data)
        expectError(try sb.run(["stat", "obs://mvb/b.bin"]), 3)
    }

    @Test("mv --recursive: a directory's files go up and are removed (the directories stay); a prefix moves to another")
    func moveRecursive() throws {
        let sb = try Sandbox("mvr")
        try sb.ok(["bucket", "create", "obs://mvr"])
        try sb.write("d/x.txt", Data("x".utf8))
        try sb.write("d/sub/y.txt", Data("y".utf8))
        try sb.ok(["mv", "d", "obs://mvr/d/", "--recursive"])
        #expect(sb.files(under: "d").isEmpty && sb.exists("d/sub"), "\(sb.files(under: "d"))")
        try sb.ok(["mv", "obs://mvr/d/", "obs://mvr/e/", "--recursive"])
        let keys = ((try sb.json(["ls", "obs://mvr/", "--recursive"])["objects"] as? [[String: Any]]) ?? []).compactMap
        { $0["key"] as? String }
        #expect(keys.sorted() == ["e/sub/y.txt", "e/x.txt"])
    }

    @Test("mv refuses '-' and an object onto itself, and keeps the source when the copy fails or is not as expected")
    func sourceKeptOnFailure() throws {
        let sb = try Sandbox("mvfail")
        try sb.ok(["bucket", "create", "obs://mvf"])
        try sb.write("f.txt", Data("keep me\n".utf8))
        try sb.write("k.bin", randomData(32), mode: 0o600)
        try sb.ok(["upload", "f.txt", "obs://mvf/f.txt"])

        expectError(try sb.run(["mv", "-", "obs://mvf/x"], stdin: Data("s".utf8)), 2, contains: ["'-'"])
        expectError(try sb.run(["mv", "obs://mvf/f.txt", "-"]), 2, contains: ["'-'"])
        expectError(
            try sb.run(["mv", "obs://mvf/f.txt", "obs://mvf/f.txt", "--sse", "kms"]), 2, contains: ["onto itself"])
        expectError(try sb.run(["mv", "obs://mvf/", "obs://mvf/", "--recursive"]), 2, contains: ["onto itself"])
        // --expect-sse not met: the object is written, the file stays.
        expectError(try sb.run(["mv", "f.txt", "obs://mvf/g.txt", "--expect-sse", "kms"]), 6)
        #expect(sb.read("f.txt") == Data("keep me\n".utf8))
        // A download that fails (an SSE-C object without its key) keeps the object and writes no file.
        try sb.ok(["upload", "f.txt", "obs://mvf/c.txt", "--sse-c-key-file", "k.bin"])
        expectError(try sb.run(["mv", "obs://mvf/c.txt", "c.txt"]), 7)
        #expect(!sb.exists("c.txt"))
        try sb.ok(["stat", "obs://mvf/c.txt", "--sse-c-key-file", "k.bin"])
        // Prefixes one inside the other: a copy would overwrite what it has yet to read.
        try sb.ok(["upload", "f.txt", "obs://mvf/p/a"])
        try sb.ok(["upload", "f.txt", "obs://mvf/p/d/a"])
        expectError(
            try sb.run(["mv", "obs://mvf/p/", "obs://mvf/p/d/", "--recursive"]), 2, contains: ["one inside the other"])
        expectError(
            try sb.run(["cp", "obs://mvf/p/d/", "obs://mvf/p/", "--recursive"]), 2, contains: ["one inside the other"])
        #expect(try sb.ok(["download", "obs://mvf/p/d/a", "-"]).stdout == Data("keep me\n".utf8))
        // Only regular files move: a FIFO is refused before anything is read.
        #expect(mkfifo(sb.path("fifo"), 0o600) == 0)
        expectError(try sb.run(["mv", "fifo", "obs://mvf/fifo"]), 2, contains: ["not a regular file"])
        #expect(sb.exists("fifo"))
        expectError(try sb.run(["stat", "obs://mvf/fifo"]), 3)
        // A missing source: not found, nothing else touched.
        expectError(try sb.run(["mv", "obs://mvf/missing", "m.txt"]), 3)
        #expect(try sb.ok(["download", "obs://mvf/f.txt", "-"]).stdout == Data("keep me\n".utf8))
    }
}
