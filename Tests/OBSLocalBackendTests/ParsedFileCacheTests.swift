import Foundation
import Testing
import OBSCore
@testable import OBSLocalBackend

#if canImport(Glibc)
import Glibc
#endif

/// The cache of verified small files (key records, bucket records, the KMS policy): a kept value is used only while
/// the file is unchanged, and no change made after it was kept goes unseen, tampering included.
@Suite("Parsed file cache")
struct ParsedFileCacheTests {
    /// Counts the parses; `parse` fails on content starting with "bad".
    final class Counting: @unchecked Sendable {
        var parses = 0
        func parse(_ bytes: [UInt8]) throws -> String {
            parses += 1
            let s = String(decoding: bytes, as: UTF8.self)
            if s.hasPrefix("bad") { throw OBSError.integrity("bad content") }
            return s
        }
    }

    /// A file whose change time is past the cache's settling time, so a read keeps its value.
    static func settledFile(_ content: String) throws -> (dir: String, path: String) {
        let dir = try makeTempDirectory("pfc")
        let path = dir + "/f.json"
        try writeFile(Array(content.utf8), to: path)
        Thread.sleep(forTimeInterval: Double(FileVersion.settlingSeconds) + 1.1)
        return (dir, path)
    }

    /// Overwrites the file's first bytes in place: same inode, same size.
    static func editInPlace(_ path: String, _ content: String) throws {
        let fd = open(path, O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let bytes = Array(content.utf8)
        #expect(pwrite(fd, bytes, bytes.count, 0) == bytes.count)
    }

    @Test("a settled file is parsed once; an edit in place (same size, same inode) is seen at once")
    func editInPlaceIsSeen() throws {
        let (dir, path) = try Self.settledFile("alpha")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = ParsedFileCache<String>(), c = Counting()
        for _ in 0..<3 { #expect(try cache.value(at: path, parse: c.parse) == "alpha") }
        #expect(c.parses == 1, "an unchanged settled file is parsed once")
        try Self.editInPlace(path, "omega")
        #expect(try cache.value(at: path, parse: c.parse) == "omega")
        #expect(c.parses == 2)
        try Self.editInPlace(path, "bad!!")
        #expect(throws: OBSError.self) { try cache.value(at: path, parse: c.parse) }
        #expect(throws: OBSError.self) { try cache.value(at: path, parse: c.parse) }
        #expect(c.parses == 4, "a parse failure is not kept: each read checks again")
    }

    @Test("a replaced file (rename) and a removed file are seen; fresh reads bypass the cache")
    func replacedRemovedFresh() throws {
        let (dir, path) = try Self.settledFile("alpha")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = ParsedFileCache<String>(), c = Counting()
        #expect(try cache.value(at: path, parse: c.parse) == "alpha")
        #expect(try cache.value(at: path, fresh: true, parse: c.parse) == "alpha")
        #expect(c.parses == 2, "fresh parses a settled file again")
        try writeFile(Array("gamma".utf8), to: dir + "/new")
        #expect(rename(dir + "/new", path) == 0)
        #expect(try cache.value(at: path, parse: c.parse) == "gamma")
        #expect(unlink(path) == 0)
        #expect(try cache.value(at: path, parse: c.parse) == nil)
    }

    /// Within the settling time the version cannot tell an edit in place apart (same size, same inode, the same
    /// second): every read reads the file, and reuses a parse only for the very bytes it parsed.
    @Test("a file changed within the settling time is read every time: the same bytes reuse their parse, others not")
    func recentFilesAreReadEveryTime() throws {
        let dir = try makeTempDirectory("pfc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/f.json"
        // The reads must fall inside the settling time of the file's change time (whole seconds): an attempt that a
        // busy machine held up past it proves nothing and is made again with a new file.
        for attempt in 0..<5 {
            try writeFile(Array("attempt \(attempt)".utf8), to: dir + "/new")
            #expect(rename(dir + "/new", path) == 0)
            var st = stat()
            #expect(stat(path, &st) == 0)
            let settles = Int64(st.st_ctim.tv_sec) + FileVersion.settlingSeconds
            let cache = ParsedFileCache<String>(), c = Counting()
            for _ in 0..<3 { #expect(try cache.value(at: path, parse: c.parse) == "attempt \(attempt)") }
            guard Int64(time(nil)) < settles else { continue }  // the reads may have met a settled file
            #expect(c.parses == 1, "the same bytes are parsed once")
            // The same size, in place, within the same second: the version may well look unchanged.
            try Self.editInPlace(path, "attempX \(attempt)")
            #expect(try cache.value(at: path, parse: c.parse) == "attempX \(attempt)")
            try Self.editInPlace(path, "bad!!!! \(attempt)")
            #expect(throws: OBSError.self) { try cache.value(at: path, parse: c.parse) }
            #expect(c.parses == 3)
            return
        }
        Issue.record("five attempts each took longer than the settling time")
    }

    @Test("a key record and a bucket record tampered in place after being kept: integrity errors, as without cache")
    func tamperAfterCaching() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("cached", encryption: .kms(keyID: nil))
            let k = try s.kms.createKey(alias: "app/cached", description: "")
            try await Task.sleep(for: .seconds(Double(FileVersion.settlingSeconds) + 1.1))
            // Read (and kept) through the normal paths.
            _ = try s.kms.describeKey(k.keyID)
            _ = try await s.put(b, "obj", pattern(10), sse: .kms(keyID: k.keyID))
            #expect(try await s.backend.bucketEncryption(b) == .kms(keyID: nil))

            // One character of each record's MAC changed in place: same size, same inode.
            for path in [s.paths.keyRecord(k.keyID), s.paths.bucketFile(b)] {
                let text = String(decoding: readFile(path), as: UTF8.self)
                let mac = try #require(text.range(of: #""mac" : ""#), "no mac in \(text)")
                var bytes = Array(text.utf8)
                let i = text.utf8.distance(from: text.startIndex, to: mac.upperBound)
                bytes[i] = bytes[i] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
                try Self.editInPlace(path, String(decoding: bytes, as: UTF8.self))
            }
            let kmsError = await expectOBSError(.integrity) { _ = try s.kms.describeKey(k.keyID) }
            #expect(kmsError?.message.contains("corrupted") == true, "\(String(describing: kmsError))")
            let bucketError = await expectOBSError(.integrity) { _ = try await s.backend.bucketEncryption(b) }
            #expect(bucketError?.message.contains("MAC") == true, "\(String(describing: bucketError))")
        }
    }
}
