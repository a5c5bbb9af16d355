import Testing
import OBSCore

/// `dirname`-like path arithmetic (NSString's traps on some short paths in Swift 6.3 on Linux).
struct LocalPathTests {
    @Test func parent() {
        let cases: [(String, String)] = [
            ("h", ""), ("h/", ""), ("ab", ""), ("/h", "/"), ("/", "/"), ("d/h", "d"), ("d/h/", "d"),
            ("a//b", "a"), ("/tmp/x.bin", "/tmp"), ("./x", "."), ("a/b/c", "a/b"), ("", ""),
        ]
        for (path, dir) in cases { #expect(LocalPath.parent(path) == dir, "parent of '\(path)'") }
    }

    @Test func join() {
        #expect(LocalPath.join("", "f") == "f")
        #expect(LocalPath.join("d", "f") == "d/f")
        #expect(LocalPath.join("d/", "f") == "d/f")
        #expect(LocalPath.join("/", "f") == "/f")
        #expect(LocalPath.join("d", "a/b") == "d/a/b")
    }
}
