import Foundation
import OBSCore
import OBSTransfer
import Testing

/// Plans in process: no backend, no binary; listings are arrays and the file system a dictionary.
@Suite("Planner: upload, download, copy, rm")
struct PlanTests {
    let epoch = Date(timeIntervalSince1970: 1_700_000_000)

    func url(_ text: String) throws -> OBSURL { try OBSURL(text) }
    func object(_ bucket: String, _ key: String) throws -> Location {
        .object(try BucketName(bucket), try ObjectKey(key))
    }
    func listing(_ keys: [String: Int64]) -> [ListedObject] {
        keys.keys.sorted().map { ListedObject(key: $0, size: keys[$0]!, modified: epoch) }
    }
    func filter(_ rules: [(FilterRule.Kind, String)]) throws -> Filter {
        Filter(try rules.map { try FilterRule($0.0, $0.1) })
    }

    /// A file system of directories, each with its files (relative names and sizes).
    func upload(
        _ paths: [String], _ destination: String, recursive: Bool = false, filter: Filter = .all,
        tree: [String: [String: Int64]] = [:]
    ) throws -> Plan {
        try Planner.upload(
            paths, to: try url(destination), recursive: recursive, filter: filter,
            isDirectory: { tree[$0] != nil },
            files: { dir in tree[dir]!.keys.sorted().map { Entry(name: $0, size: tree[dir]![$0]!, modified: epoch) } })
    }

    // MARK: Upload

    @Test("upload: one file to a key, into a prefix, several files, a directory with -r")
    func uploads() throws {
        #expect(
            try upload(["a/r.pdf"], "obs://bkt/k.pdf").steps == [
                PlanStep(.upload, .file("a/r.pdf"), try object("bkt", "k.pdf"))
            ])
        #expect(
            try upload(["a/r.pdf"], "obs://bkt/d/").steps == [
                PlanStep(.upload, .file("a/r.pdf"), try object("bkt", "d/r.pdf"))
            ])
        #expect(
            try upload(["x", "y/z"], "obs://bkt/d").steps.map(\.destination) == [
                try object("bkt", "d/x"), try object("bkt", "d/z"),
            ])
        let tree: [String: [String: Int64]] = ["site": ["index.html": 5, "css/a.css": 7]]
        let plan = try upload(["site"], "obs://bkt/web", recursive: true, tree: tree)
        #expect(
            plan.steps == [
                PlanStep(.upload, .file("site/css/a.css"), try object("bkt", "web/css/a.css"), size: 7),
                PlanStep(.upload, .file("site/index.html"), try object("bkt", "web/index.html"), size: 5),
            ])
        #expect(
            try upload(["-"], "obs://bkt/in.sql").steps == [PlanStep(.upload, .file("-"), try object("bkt", "in.sql"))])
    }

    @Test("upload: a directory without -r, stdin into a prefix are refused")
    func uploadRefusals() throws {
        #expect(throws: OBSError.self) { try upload(["site"], "obs://bkt/", tree: ["site": [:]]) }
        let stdin = #expect(throws: OBSError.self) { try upload(["-"], "obs://bkt/d/") }
        #expect(stdin?.message.contains("stdin") == true)
    }

    @Test("upload: sources that would land on one key are refused, naming both")
    func uploadSharedKeys() throws {
        let files = #expect(throws: OBSError.self) { try upload(["d1/f", "d2/f"], "obs://bkt/dup/") }
        #expect(files?.message.contains("d1/f") == true && files?.message.contains("d2/f") == true)
        let tree: [String: [String: Int64]] = ["r1": ["s/x": 1], "r2": ["s/x": 2, "s/y": 3]]
        let trees = #expect(throws: OBSError.self) {
            try upload(["r1", "r2"], "obs://bkt/dup2/", recursive: true, tree: tree)
        }
        #expect(trees?.message.contains("obs://bkt/dup2/s/x") == true, "\(String(describing: trees))")
        // Distinct keys, and one key spelt two ways in Unicode (two keys as bytes), go ahead.
        #expect(try upload(["a/f", "b/g"], "obs://bkt/ok/").steps.count == 2)
        // An object among the sources is no local file: refused, pointing at cp.
        let object = #expect(throws: OBSError.self) { try upload(["a.txt", "obs://bkt/x"], "obs://bkt/p/") }
        #expect(object?.message.contains("cp") == true)
        #expect(try upload(["a/caf\u{E9}", "b/cafe\u{301}"], "obs://bkt/ok/").steps.count == 2)
    }

    @Test("upload: a file whose key would be too long is refused alone, unless the filter leaves it out")
    func uploadUnkeyable() throws {
        let long = String(repeating: "n", count: 1020)  // 1,024 bytes is OBS's longest key
        let tree: [String: [String: Int64]] = ["src": ["ok.txt": 1, "sub/" + long: 2, long + ".tmp": 3]]
        let plan = try upload(["src"], "obs://bkt/p/", recursive: true, tree: tree)
        #expect(plan.steps.map(\.source) == [.file("src/ok.txt")])
        #expect(plan.unkeyable.map(\.path) == ["src/" + long + ".tmp", "src/sub/" + long])
        #expect(plan.unkeyable.allSatisfy { $0.error.message.contains("at most 1024") })
        // Excluded: never planned, so never refused; listed as excluded like any other.
        let noTmp = try upload(
            ["src"], "obs://bkt/p/", recursive: true, filter: try filter([(.exclude, "*.tmp")]), tree: tree)
        #expect(noTmp.unkeyable.map(\.path) == ["src/sub/" + long])
        #expect(noTmp.excluded == ["src/" + long + ".tmp"])
        // The same rule for single files into a prefix; a short prefix makes the same name fit.
        let single = try upload(["a/ok", "b/" + long + ".tmp"], "obs://bkt/p/", tree: [:])
        #expect(single.steps.count == 1 && single.unkeyable.map(\.path) == ["b/" + long + ".tmp"])
        #expect(try upload(["src"], "obs://bkt/", recursive: true, tree: ["src": [long: 1]]).unkeyable.isEmpty)
    }

    @Test("upload: filters see names relative to the directory, a single file by its base name")
    func uploadFilters() throws {
        let tree: [String: [String: Int64]] = ["src": ["a.txt": 1, "b.bin": 2, "sub/c.txt": 3, "sub/d.tmp": 4]]
        let onlyText = try filter([(.exclude, "*"), (.include, "*.txt")])
        let plan = try upload(["src"], "obs://bkt/", recursive: true, filter: onlyText, tree: tree)
        #expect(plan.steps.map(\.source) == [.file("src/a.txt"), .file("src/sub/c.txt")])
        #expect(plan.excluded == ["src/b.bin", "src/sub/d.tmp"])
        // The directory's own name is not part of the name: "src/*" matches nothing below src.
        let byDir = try upload(
            ["src"], "obs://bkt/", recursive: true, filter: try filter([(.exclude, "src/*")]), tree: tree)
        #expect(byDir.steps.count == 4)
        let single = try upload(["dir/notes.txt"], "obs://bkt/n.txt", filter: try filter([(.exclude, "*.txt")]))
        #expect(single.steps.isEmpty && single.excluded == ["dir/notes.txt"])
        let kept = try upload(["dir/notes.txt"], "obs://bkt/n.txt", filter: try filter([(.exclude, "dir/*")]))
        #expect(kept.steps.count == 1, "a single file is matched by its base name, as aws does")
    }

    // MARK: Download

    @Test("download: recursive below the prefix; folder markers left out; unsafe keys reported, never mapped")
    func downloads() throws {
        let objects = listing([
            "p/a.txt": 1, "p/sub/b.txt": 2, "p/sub/": 0, "p/../evil": 3, "p//x": 4, "p/./y": 5,
            "pq/other": 6,
        ])
        let plan = try Planner.download(try url("obs://bkt/p"), to: "out", recursive: true, listing: objects)
        #expect(
            plan.steps == [
                PlanStep(.download, try object("bkt", "p/a.txt"), .file("out/a.txt"), size: 1),
                PlanStep(.download, try object("bkt", "p/sub/b.txt"), .file("out/sub/b.txt"), size: 2),
            ])
        #expect(Set(plan.unsafeKeys) == ["p/../evil", "p//x", "p/./y"])
        #expect(throws: OBSError.self) { try Planner.download(try url("obs://bkt/p/"), to: "-", recursive: true) }
    }

    @Test("download: one object to a file, into a directory, to stdout; a folder key has no file name")
    func downloadSingle() throws {
        let source = try url("obs://bkt/dir/r.pdf")
        #expect(try Planner.download(source, to: "x.pdf", recursive: false).steps.first?.destination == .file("x.pdf"))
        #expect(
            try Planner.download(source, to: "out/", recursive: false).steps.first?.destination == .file("out/r.pdf"))
        #expect(
            try Planner.download(source, to: "out", recursive: false, pathIsDirectory: true).steps.first?.destination
                == .file("out/r.pdf"))
        #expect(try Planner.download(source, to: "-", recursive: false).steps.first?.destination == .file("-"))
        let folder = #expect(throws: OBSError.self) {
            try Planner.download(try url("obs://bkt/dir/"), to: "out/", recursive: false)
        }
        #expect(folder?.message.contains("--recursive") == true)
    }

    @Test("download: filters relative to the prefix; an excluded unsafe key is not reported")
    func downloadFilters() throws {
        let objects = listing(["p/a.txt": 1, "p/b.log": 2, "p/logs/c.log": 3, "p/../evil.log": 4])
        let plan = try Planner.download(
            try url("obs://bkt/p/"), to: "o", recursive: true,
            filter: try filter([(.exclude, "*.log"), (.include, "logs/*")]), listing: objects)
        #expect(plan.steps.map(\.destination) == [.file("o/a.txt"), .file("o/logs/c.log")])
        #expect(plan.unsafeKeys.isEmpty, "excluded before it is judged")
        #expect(plan.excluded == ["obs://bkt/p/../evil.log", "obs://bkt/p/b.log"])
        let single = try Planner.download(
            try url("obs://bkt/p/a.txt"), to: "x", recursive: false,
            filter: try filter([(.exclude, "a.*")]))
        #expect(single.steps.isEmpty && single.excluded == ["obs://bkt/p/a.txt"])
    }

    // MARK: Copy

    @Test("copy: recursive between prefixes and buckets, every key taken; nested prefixes refused")
    func copies() throws {
        let objects = listing(["src/a": 1, "src/x/../b": 2, "src/": 0])
        let plan = try Planner.copy(
            try url("obs://bkt/src"), to: try url("obs://cbk/dst/"), recursive: true, listing: objects)
        #expect(
            plan.steps == [
                PlanStep(.copy, try object("bkt", "src/"), try object("cbk", "dst/"), size: 0),
                PlanStep(.copy, try object("bkt", "src/a"), try object("cbk", "dst/a"), size: 1),
                PlanStep(.copy, try object("bkt", "src/x/../b"), try object("cbk", "dst/x/../b"), size: 2),
            ])
        #expect(throws: OBSError.self) {
            try Planner.copy(try url("obs://bkt/a/"), to: try url("obs://bkt/a/b/"), recursive: true)
        }
        #expect(try Planner.copy(try url("obs://bkt/a/"), to: try url("obs://cbk/a/b/"), recursive: true).steps.isEmpty)
    }

    @Test("copy: single to a key or under a prefix; a move onto itself refused, a copy onto itself allowed")
    func copySingle() throws {
        let underPrefix = try Planner.copy(try url("obs://bkt/d/k"), to: try url("obs://cbk/"), recursive: false)
        #expect(underPrefix.steps.first?.destination == (try object("cbk", "k")))
        let toKey = try Planner.copy(try url("obs://bkt/d/k"), to: try url("obs://cbk/n"), recursive: false)
        #expect(toKey.steps.first?.destination == (try object("cbk", "n")))
        #expect(try Planner.copy(try url("obs://bkt/k"), to: try url("obs://bkt/k"), recursive: false).steps.count == 1)
        let onto = #expect(throws: OBSError.self) {
            try Planner.copy(try url("obs://bkt/k"), to: try url("obs://bkt/"), recursive: false, isMove: true)
        }
        #expect(onto?.message.contains("onto itself") == true)
    }

    @Test("copy: filters relative to the source prefix")
    func copyFilters() throws {
        let objects = listing(["s/a.jpg": 1, "s/b.png": 2, "s/t/c.jpg": 3])
        let plan = try Planner.copy(
            try url("obs://bkt/s/"), to: try url("obs://bkt/t2/"), recursive: true,
            filter: try filter([(.include, "*.png"), (.exclude, "t/*")]), listing: objects)
        #expect(plan.steps.map(\.destination) == [try object("bkt", "t2/a.jpg"), try object("bkt", "t2/b.png")])
    }

    // MARK: Remove

    @Test("rm: a prefix means a folder; filters relative to it; a single object by its base name")
    func removes() throws {
        let keys = try ["d/a.txt", "d/b.log", "d/s/c.txt", "dirt.tar"].map { try ObjectKey($0) }
        let all = try Planner.remove(try url("obs://bkt/d"), recursive: true, keys: keys)
        #expect(
            all.steps.map(\.source) == [
                try object("bkt", "d/a.txt"), try object("bkt", "d/b.log"), try object("bkt", "d/s/c.txt"),
            ])
        #expect(all.steps.allSatisfy { $0.operation == .delete && $0.destination == nil })
        let logs = try Planner.remove(
            try url("obs://bkt/d/"), recursive: true, filter: try filter([(.exclude, "*.txt")]),
            keys: keys)
        #expect(logs.steps.map(\.source) == [try object("bkt", "d/b.log")])
        #expect(logs.excluded == ["obs://bkt/d/a.txt", "obs://bkt/d/s/c.txt"])
        let single = try Planner.remove(
            try url("obs://bkt/d/a.txt"), recursive: false, filter: try filter([(.exclude, "a*")]))
        #expect(single.steps.isEmpty && single.excluded == ["obs://bkt/d/a.txt"])
    }

    // MARK: Key mapping

    @Test("safe relative paths: no empty, '.' or '..' segment, no NUL; prefixes in directory form")
    func keyMapping() {
        #expect(KeyMapping.safeRelativePath(key: "p/a/b", prefix: "p/") == "a/b")
        for bad in ["p/", "p//a", "p/a/", "p/./a", "p/a/..", "p/../x", "p/a\u{0}b", "q/a"] {
            #expect(KeyMapping.safeRelativePath(key: bad, prefix: "p/") == nil, "\(bad)")
        }
        #expect(
            KeyMapping.directoryPrefix("") == "" && KeyMapping.directoryPrefix("a") == "a/"
                && KeyMapping.directoryPrefix("a/") == "a/")
        #expect(KeyMapping.baseName("a/b/c.txt") == "c.txt" && KeyMapping.baseName("a/b/") == "b")
    }

    @Test("the walk: files below a directory, sorted, links to files followed, non-UTF-8 names reported")
    func localTree() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plan-tree-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/sub/deep", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/b.txt", contents: Data("bb".utf8))
        FileManager.default.createFile(atPath: dir + "/sub/deep/a.txt", contents: Data("a".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.txt", withDestinationPath: dir + "/b.txt")
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop", withDestinationPath: dir)
        let bad = Array((dir + "/bad-").utf8) + [0xFF, 0x2E] + [0]
        let fd = bad.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bad.count) {
                open($0, O_CREAT | O_WRONLY, 0o600)
            }
        }
        #expect(fd >= 0)
        close(fd)
        try FileManager.default.createSymbolicLink(atPath: dir + "/sub/dangling", withDestinationPath: dir + "/none")
        #expect(mkfifo(dir + "/pipe", 0o600) == 0)
        var invalid: [String] = [], notFiles: [LocalTree.PassedOver] = []
        let entries = try LocalTree.entries(dir, invalidNames: &invalid, notFiles: &notFiles)
        #expect(entries.map(\.name) == ["b.txt", "link.txt", "sub/deep/a.txt"])
        #expect(entries.map(\.size) == [2, 2, 1])
        #expect(invalid == [dir + "/bad-\\xff."])
        // What is no regular file is passed over, and said: the walk never follows a link to a directory.
        #expect(Set(notFiles.map(\.name)) == ["loop", "sub/dangling", "pipe"])
        #expect(
            Set(notFiles.map(\.description)) == [
                dir + "/loop (a symbolic link to a directory, not followed)",
                dir + "/sub/dangling (a symbolic link to nothing)",
                dir + "/pipe (a special file: a pipe, socket or device)",
            ], "\(notFiles)")
        #expect(throws: OBSError.self) { try LocalTree.entries(dir + "/missing", invalidNames: &invalid) }
    }
}
