import Foundation
import Testing

@testable import OBSCore

/// The one atomic rewrite: the new content or the old, 0600, no temporary left; and, not replacing, the first of
/// two writers wins.
struct AtomicFileTests {
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("replaces the file whole, with the mode asked, leaving no temporary beside it")
    func replaces() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/f"
        try AtomicFile.write(Array("old".utf8), to: path)
        try AtomicFile.write(Array("new content".utf8), to: path, mode: 0o600)
        #expect(FileManager.default.contents(atPath: path) == Data("new content".utf8))
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f"])
    }

    @Test("replacing: false creates only if absent: EEXIST, and the first writer's content stays")
    func firstWins() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/creds"
        try AtomicFile.write(Array("first".utf8), to: path, replacing: false)
        let error = #expect(throws: AtomicFile.Failure.self) {
            try AtomicFile.write(Array("second".utf8), to: path, replacing: false)
        }
        #expect(error?.errno == EEXIST && error?.step == "create")
        #expect(FileManager.default.contents(atPath: path) == Data("first".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["creds"])
    }

    @Test("a directory that takes no new file: the failing step is named, nothing is left")
    func unwritableDirectory() throws {
        let error = #expect(throws: AtomicFile.Failure.self) {
            try AtomicFile.write(Array("x".utf8), to: "/proc/obsctl-cannot-be-here")
        }
        #expect(error?.step == "create")
    }
}
