import Foundation
import Testing
import OBSCore
@testable import OBSLocalBackend

#if canImport(Glibc)
import Glibc
#endif

/// The journal of writes in flight: one file per backend, not a file per upload; it names every directory being
/// written, is empty when nothing is, and a dead process's journal leads the next run to each directory it names.
@Suite("In-flight journal")
struct InflightJournalTests {
    static func files(_ s: TestStore) -> [String] { FileIO.listDirectory(s.paths.inflightDir).sorted() }

    static func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    @Test("many uploads in one backend use one journal file (same inode), empty between uploads")
    func oneFileForManyUploads() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("journal")
            #expect(Self.files(s).isEmpty, "no journal before the first write")
            try await s.put(b, "k0", pattern(100), sse: nil)
            let names = Self.files(s)
            try #require(names.count == 1, "\(names)")
            let journal = s.paths.inflightDir + "/" + names[0]
            let first = Self.inode(journal)
            for i in 1..<20 { try await s.put(b, "k\(i)", pattern(100 + i), sse: i % 2 == 0 ? .kms(keyID: nil) : nil) }
            try await s.backend.deleteObject(bucket: b, key: ObjectKey("k3"))
            #expect(Self.files(s) == names)
            #expect(Self.inode(journal) == first, "the journal was replaced: a file per write again?")
            #expect(readFile(journal).isEmpty, "nothing is in flight, yet the journal names: \(readFile(journal))")
        }
    }

    @Test("while writes are in flight the journal names each directory; the last end empties it")
    func namesEveryWriteInFlight() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("flight")
            let journal = s.backend.inflightJournal
            let dirs = try ["a", "b"].map { s.paths.objectDir(b, try ObjectKey($0)) }
            let one = try journal.begin(bucket: b, objectDirectory: dirs[0])
            let two = try journal.begin(bucket: b, objectDirectory: dirs[1])
            let path = s.paths.inflightDir + "/" + (try #require(Self.files(s).first))
            let text = String(decoding: readFile(path), as: UTF8.self)
            for d in dirs { #expect(text.contains(String(d.dropFirst(s.paths.root.count + 1)))) }
            one.end()
            #expect(!readFile(path).isEmpty, "a write is still in flight")
            two.end()
            #expect(readFile(path).isEmpty)
        }
    }

    @Test("a dead process's journal: whole pairs are read (older one-marker files too), a pair cut short is not")
    func abandonedJournalsAreRead() async throws {
        try await withStore { s in
            _ = try await s.makeBucket("dead")
            try FileIO.makeDirectories(s.paths.inflightDir)
            // pid 2^22 + 1 is above Linux's pid_max limit: no process runs with it.
            let dead = s.paths.inflightDir + "/.tmp-4194305-aaaa"
            let older = s.paths.inflightDir + "/.tmp-4194305-bbbb"
            let pairs = "dead\nbuckets/dead/objects/aa/1\ndead\nbuckets/dead/objects/bb/2\n"
            try writeFile(Array((pairs + "dead\nbuck").utf8), to: dead)
            try writeFile(Array("dead\nbuckets/dead/objects/cc/3\n".utf8), to: older)
            let found = Dictionary(
                uniqueKeysWithValues: InflightJournal.abandoned(s.paths).map { ($0.journal, $0.writes.map(\.1)) })
            #expect(found[dead] == ["objects/aa/1", "objects/bb/2"].map { s.paths.root + "/buckets/dead/" + $0 })
            #expect(found[older] == [s.paths.root + "/buckets/dead/objects/cc/3"])
            // The next backend on this store sweeps them and removes the journals.
            _ = try s.reopen()
            #expect(Self.files(s).isEmpty, "\(Self.files(s))")
        }
    }
}
