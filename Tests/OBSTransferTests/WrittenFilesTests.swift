import Foundation
import OBSCore
import OBSTransfer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A run never replaces or removes a file it wrote itself, whatever name reaches it: on a file system that folds
/// case two keys name one file. No such file system here, so a hard link stands for the other spelling: a second
/// name of the same file, as `report.txt` is of `Report.txt` there.
@Suite("written files: one file under two names")
struct WrittenFilesTests {
    @Test("a download onto, or a removal of, another name of a file the run wrote is refused; the file stays")
    func otherNameOfAWrittenFile() async throws {
        let f = try await EngineFixture()
        let engine = f.engine  // one run: one record of what it wrote
        let first = try f.file("first", "first object")
        _ = try await engine.perform(PlanStep(.upload, .file(first), try f.object("Report.txt")), StepOptions())
        _ = try await engine.perform(PlanStep(.upload, .file(first), try f.object("report.txt")), StepOptions())
        let out = f.dir + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        _ = try await engine.perform(
            PlanStep(.download, try f.object("Report.txt"), .file(out + "/Report.txt")), .init())
        #expect(link(out + "/Report.txt", out + "/report.txt") == 0)
        await #expect(throws: OBSError.self) {
            _ = try await engine.perform(
                PlanStep(.download, try f.object("report.txt"), .file(out + "/report.txt")), StepOptions())
        }
        let removal = try await engine.delete([.file(out + "/report.txt")], executor: TransferExecutor(jobs: 1))
        #expect(removal.deleted.isEmpty && removal.failures.count == 1, "\(removal.failures)")
        #expect(FileManager.default.contents(atPath: out + "/Report.txt") == Data("first object".utf8))
        // Another run (another engine) has written nothing: it replaces and removes as asked.
        let later = f.engine
        let removed = try await later.delete([.file(out + "/report.txt")], executor: TransferExecutor(jobs: 1))
        #expect(removed.deleted.count == 1)
    }

    @Test("a planned path free in the listing is not replaced when something is found there; a rename never replaces")
    func freeWhenPlanned() async throws {
        let f = try await EngineFixture()
        let source = try f.file("src", "new bytes")
        _ = try await f.engine.perform(PlanStep(.upload, .file(source), try f.object("k")), StepOptions())
        let target = f.dir + "/files/taken"
        try Data("was there".utf8).write(to: URL(fileURLWithPath: target))
        var step = PlanStep(.download, try f.object("k"), .file(target))
        step.destinationWasFree = true
        await #expect(throws: OBSError.self) { _ = try await f.engine.perform(step, StepOptions()) }
        #expect(FileManager.default.contents(atPath: target) == Data("was there".utf8))
        #expect(!f.names(f.dir + "/files").contains { $0.hasSuffix(".part") }, "the temporary is gone")
        let other = try f.file("other", "x")
        #expect(FileIdentity.renameWithoutReplacing(other, target) == -1 && errno == EEXIST)
        #expect(FileManager.default.contents(atPath: target) == Data("was there".utf8))
    }
}
