import Foundation
import OBSCore
import OBSLocalBackend
import OBSTransfer
import Testing

/// A temp directory with a local backend over it (the real store, encryption and all) and one bucket.
final class EngineFixture {
    let dir: String
    let backend: LocalBackend
    let bucket: BucketName
    let temps = RecordingTemps()

    init() async throws {
        dir = NSTemporaryDirectory() + "obsctl-engine-tests-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: dir + "/files", withIntermediateDirectories: true)
        let rootKey = Data((0..<32).map { UInt8(0xA0 + $0) }).base64EncodedString()
        backend = try LocalBackend(environment: [
            "OBSCTL_LOCAL_ROOT": dir + "/store", "HOME": dir, "OBSCTL_LOCAL_ROOT_KEY": rootKey,
        ])
        bucket = try BucketName("engine")
        _ = try await backend.createBucket(
            CreateBucketRequest(name: bucket, location: "local", storageClass: .standard, encryption: nil))
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    var engine: TransferEngine { TransferEngine(storage: backend, isRemote: false, temps: temps) }

    func file(_ name: String, _ text: String) throws -> String {
        let path = dir + "/files/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func object(_ key: String) throws -> Location { .object(bucket, try ObjectKey(key)) }

    func exists(_ key: String) async -> Bool {
        (try? await backend.headObject(GetObjectRequest(bucket: bucket, key: try ObjectKey(key)))) != nil
    }

    /// The names in a local directory, temporaries included.
    func names(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}

/// Temporaries as the engine creates and releases them, for checking that every one is released.
final class RecordingTemps: TempFileRegistry, @unchecked Sendable {  // `log` is touched under `lock`
    private let lock = NSLock()
    private var log: [String] = []
    func create(_ path: String) -> Int32 {
        lock.lock(); log.append("create " + path); lock.unlock()
        return AbandonedTemp.create(path)
    }
    func release(_ path: String) { lock.lock(); log.append("release " + path); lock.unlock() }
    var events: [String] { lock.lock(); defer { lock.unlock() }; return log }
}

@Suite("transfer engine: one code path for every direction")
struct TransferEngineTests {
    @Test("an upload, a copy and a download are each one plan step for `perform`")
    func directions() async throws {
        let f = try await EngineFixture()
        let source = try f.file("a.txt", "hello engine")
        let engine = f.engine
        let up = try await engine.perform(PlanStep(.upload, .file(source), try f.object("in/a.txt")), StepOptions())
        #expect(up.size == 12)
        #expect(up.contentType == "text/plain")  // guessed from the name
        _ = try await engine.perform(
            PlanStep(.copy, try f.object("in/a.txt"), try f.object("out/a.txt")), StepOptions())
        let target = f.dir + "/down/sub/a.txt"
        let down = try await engine.perform(
            PlanStep(.download, try f.object("out/a.txt"), .file(target)), StepOptions())
        #expect(down.size == 12)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "hello engine")
        #expect(f.names(f.dir + "/down/sub") == ["a.txt"], "no temporary is left beside the file")
        let created = f.temps.events.filter { $0.hasPrefix("create ") }.map { $0.dropFirst(7) }
        let released = f.temps.events.filter { $0.hasPrefix("release ") }.map { $0.dropFirst(8) }
        #expect(created.count == 1 && created == released, "the download's temporary went through the hook")
        #expect(created.first?.hasSuffix(".part") == true)
    }

    @Test("a failed download leaves neither the file nor its temporary, and releases the temporary")
    func failedDownload() async throws {
        let f = try await EngineFixture()
        let target = f.dir + "/down/missing.txt"
        await #expect(throws: OBSError.self) {
            _ = try await f.engine.perform(
                PlanStep(.download, try f.object("missing.txt"), .file(target)), StepOptions())
        }
        #expect(f.names(f.dir + "/down").isEmpty)
        let events = f.temps.events
        #expect(events.count == 2 && events[0].hasPrefix("create ") && events[1].hasPrefix("release "))
    }

    @Test("a move removes each source only after its copy is stored, in every direction")
    func moves() async throws {
        let f = try await EngineFixture()
        let source = try f.file("m.txt", "moving")
        let move = StepOptions(move: true)
        _ = try await f.engine.perform(PlanStep(.upload, .file(source), try f.object("m1")), move)
        #expect(!FileManager.default.fileExists(atPath: source))
        _ = try await f.engine.perform(PlanStep(.copy, try f.object("m1"), try f.object("m2")), move)
        let (m1, m2) = (await f.exists("m1"), await f.exists("m2"))
        #expect(!m1 && m2)
        let target = f.dir + "/m.txt"
        _ = try await f.engine.perform(PlanStep(.download, try f.object("m2"), .file(target)), move)
        #expect(await !f.exists("m2"))
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "moving")
    }

    @Test("a move whose stored copy fails its check keeps the source")
    func verifyKeepsSource() async throws {
        let f = try await EngineFixture()
        let source = try f.file("v.txt", "kept")
        struct Mismatch: Error {}
        let options = StepOptions(verify: { _ in throw Mismatch() }, move: true)
        await #expect(throws: Mismatch.self) {
            _ = try await f.engine.perform(PlanStep(.upload, .file(source), try f.object("v")), options)
        }
        #expect(FileManager.default.fileExists(atPath: source))
    }

    @Test("a file changed since its snapshot, or an object since its ETag, is kept and the move fails")
    func changedSources() async throws {
        let f = try await EngineFixture()
        let path = try f.file("c.txt", "before")
        let snapshot = try FileSnapshot(path)
        try Data("after, longer".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: OBSError.self) {
            try f.engine.removeLocalSource(path, unchangedSince: snapshot, movedTo: "obs://engine/c")
        }
        #expect(FileManager.default.fileExists(atPath: path))
        _ = try await f.engine.perform(PlanStep(.upload, .file(path), try f.object("c")), StepOptions())
        let request = GetObjectRequest(bucket: f.bucket, key: try ObjectKey("c"))
        do {
            try await f.engine.removeObjectSource(request, etag: "\"not-the-etag\"", movedTo: path)
            Issue.record("an object of another ETag was deleted")
        } catch let e as OBSError {
            #expect(e.code == "SourceChanged" && e.category == .conflict)
        }
        #expect(await f.exists("c"))
    }

    @Test("deletions of files and objects run through the executor; a failure does not stop the others")
    func deletions() async throws {
        let f = try await EngineFixture()
        var locations: [Location] = []
        for i in 0..<5 {
            let path = try f.file("d\(i)", "x")
            locations.append(.file(path))
            _ = try await f.engine.perform(PlanStep(.upload, .file(path), try f.object("d\(i)")), StepOptions())
            locations.append(try f.object("d\(i)"))
        }
        locations.insert(.file(f.dir + "/files/never-there"), at: 3)
        var deletedEvents = 0, failedEvents: [String] = []
        let outcome = try await f.engine.delete(locations, executor: TransferExecutor(jobs: 3)) { event in
            switch event {
            case .deleted: deletedEvents += 1
            case .failed(let failed): failedEvents.append(failed.item)
            default: break
            }
        }
        #expect(outcome.deleted.count == 10 && deletedEvents == 10)
        #expect(outcome.failures.map(\.item) == [f.dir + "/files/never-there"])
        #expect(failedEvents == [f.dir + "/files/never-there"])
        #expect(f.names(f.dir + "/files").isEmpty)
        for i in 0..<5 { #expect(await !f.exists("d\(i)")) }
        // Objects come back by their obs:// name, files by their path, each group in input order.
        #expect(outcome.deleted.filter { $0.hasPrefix("obs://") } == (0..<5).map { "obs://engine/d\($0)" })
    }

    @Test("content types are guessed from the extension, case-insensitively")
    func contentTypes() {
        #expect(ContentTypes.guess("dir/Page.HTML") == "text/html")
        #expect(ContentTypes.guess("archive.tar") == "application/x-tar")
        #expect(ContentTypes.guess("noext") == "application/octet-stream")
        // Only the last name counts: a dot in a directory is no extension; a trailing '/' is not a name.
        #expect(ContentTypes.guess("site.d/readme") == "application/octet-stream")
        #expect(ContentTypes.guess("a/b.json/") == "application/json")
        #expect(ContentTypes.guess(".bashrc") == "application/octet-stream")
        #expect(ContentTypes.guess("notes.") == "application/octet-stream")
        #expect(ContentTypes.guess("x.tar.GZ") == "application/gzip")
        #expect(ContentTypes.guess("/") == "application/octet-stream")
    }

    @Test("download temporaries are named beside the target with the writer's pid")
    func tempNames() {
        let name = DownloadTemps.name(for: "/x/y/report.pdf")
        #expect(name.hasPrefix("/x/y/.report.pdf.obsctl-\(getpid())-") && name.hasSuffix(".part"))
        #expect(DownloadTemps.writerPID(String(name.dropFirst(5))) == getpid())
        #expect(DownloadTemps.writerPID(".report.pdf.part") == nil)
    }
}
