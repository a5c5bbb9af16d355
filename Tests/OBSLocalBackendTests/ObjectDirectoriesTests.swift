import Foundation
import OBSCore
import Testing

@testable import OBSLocalBackend

#if canImport(Glibc)
import Glibc
#endif

/// A write syncs the entries of the object directories it depends on before it renames anything into place: those
/// it made, and those another write of this process made and has not synced yet; never those already durable.
@Suite struct ObjectDirectoriesTests {
    @Test("made: its parent is synced by the write; found unsynced: by the finder too; once synced: by nobody")
    func pendingUntilSynced() throws {
        let root = try makeTempDirectory("objdirs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let registry = ObjectDirectories()
        let (h2, dir) = (root + "/ab", root + "/ab/cdef")

        let first = try registry.make([h2, dir], syncedAtOnce: [h2])
        #expect(first.parents == [h2], "the object directory is made: its parent's entry is the write's to sync")
        #expect(FileIO.isDirectory(dir))

        let second = try registry.make([h2, dir], syncedAtOnce: [h2])
        #expect(second.parents == [h2], "made by another write and not yet synced: synced by this one too")

        registry.synced(first)
        #expect(try registry.make([h2, dir], syncedAtOnce: [h2]).parents.isEmpty, "durable: nothing to sync")
    }

    @Test("a directory synced at once (the shared prefix) is never left to the write")
    func syncedAtOnceIsNotPending() throws {
        let root = try makeTempDirectory("objdirs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let registry = ObjectDirectories()
        let made = try registry.make([root + "/ab"], syncedAtOnce: [root + "/ab"])
        #expect(made.parents.isEmpty)
        #expect(FileIO.isDirectory(root + "/ab"))
    }

    @Test("a parent that is gone: ENOENT from the mkdir, nothing made")
    func missingParent() throws {
        let root = try makeTempDirectory("objdirs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let registry = ObjectDirectories()
        #expect {
            _ = try registry.make([root + "/gone/ab", root + "/gone/ab/cd"], syncedAtOnce: [])
        } throws: { error in
            (error as? ObjectDirectories.MakeFailure).map { $0.errno == ENOENT && !$0.synced } ?? false
        }
        #expect(!FileIO.isDirectory(root + "/gone"))
    }
}
