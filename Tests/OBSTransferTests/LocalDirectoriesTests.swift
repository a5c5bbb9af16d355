import Foundation
import OBSCore
import OBSTransfer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The directories a recursive download makes for its files go again when none of them holds a file, whatever
/// order the files' workers made and reported them in.
@Suite("local directories made for downloads")
struct LocalDirectoriesTests {
    static func scratch(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "obsctl-localdirs-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Two workers: one made `new`, the other `new/r` and `new/r/tree`, and the second reported first.
    @Test("parents reported after their children are still removed, children first")
    func parentsReportedLate() throws {
        let dir = try Self.scratch("late")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/new/r/tree", withIntermediateDirectories: true)
        LocalDirectories.removeMade([dir + "/new/r", dir + "/new/r/tree", dir + "/new"])
        #expect(!FileManager.default.fileExists(atPath: dir + "/new"))
    }

    /// Many files' directories made at once below a root that does not exist yet; every one reported is removed.
    @Test("directories made at once by many workers below a new root all go again", arguments: 0..<5)
    func concurrentMakers(round: Int) async throws {
        let dir = try Self.scratch("many\(round)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = dir + "/new/r"
        // Each worker reports what it made as it is made; the lists are joined in the order the workers end.
        let made = await withTaskGroup(of: [String].self) { group in
            for i in 0..<16 {
                group.addTask {
                    let leaf = i % 2 == 0 ? root : root + "/d\(i % 3)/e\(i % 5)"
                    var mine: [String] = []
                    try? LocalDirectories.make(leaf, below: root) { mine.append($0) }
                    return mine
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(FileManager.default.fileExists(atPath: root))
        LocalDirectories.removeMade(made)
        #expect(!FileManager.default.fileExists(atPath: dir + "/new"), "\(made)")
    }
}
