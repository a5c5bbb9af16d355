import Foundation
import Testing
import OBSCore
@testable import OBSLocalBackend

// A listing learns each object directory's key once (`ObjectKeyIndex`) and then reads only the metadata of the
// entries a page returns. These tests hold it to what a listing that reads everything returns.

private func page(_ s: TestStore, _ b: BucketName, after marker: String? = nil, max: Int, delimiter: String? = nil)
    async throws -> ObjectListing
{
    try await s.backend.listObjects(bucket: b, prefix: "", delimiter: delimiter, marker: marker, maxKeys: max)
}

/// Every key of the bucket, page by page.
private func allKeys(_ s: TestStore, _ b: BucketName, max: Int) async throws -> [String] {
    try await allPages(s.backend, b, max: max).keys
}

/// Every key and every unreadable entry of the bucket, page by page, as `backend` lists them.
private func allPages(_ backend: LocalBackend, _ b: BucketName, max: Int) async throws
    -> (keys: [String], unreadable: [UnreadableObject])
{
    var keys: [String] = [], unreadable: [UnreadableObject] = [], marker: String? = nil
    repeat {
        let p = try await backend.listObjects(bucket: b, prefix: "", delimiter: nil, marker: marker, maxKeys: max)
        keys += p.objects.map(\.key.value)
        unreadable += p.unreadable
        marker = p.nextMarker
    } while marker != nil
    return (keys, unreadable)
}

@Suite("Listing: a page reads its own entries, not the bucket's")
struct ListingIndexTests {
    @Test("a metadata file that cannot be read shows only on its own page, under its key, once keys are known")
    func unreadableOnItsOwnPage() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("idx")
            let keys = (0..<12).map { String(format: "k%02d", $0) }
            for k in keys { try await s.put(b, k, pattern(8), sse: .unencrypted) }
            #expect(try await allKeys(s, b, max: 5) == keys)  // every key learnt
            // k10's metadata becomes a directory: reading it fails. Pages that do not hold k10 must not read it.
            let meta = try s.metaPath(b, "k10")
            try FileManager.default.removeItem(atPath: meta)
            try FileManager.default.createDirectory(atPath: meta, withIntermediateDirectories: false)
            let first = try await page(s, b, max: 5)
            #expect(first.objects.map(\.key.value) == Array(keys[0..<5]) && first.unreadable.isEmpty)
            let last = try await page(s, b, after: "k09", max: 5)
            #expect(last.objects.map(\.key.value) == ["k11"])
            #expect(last.unreadable.map(\.key?.value) == ["k10"] && last.nextMarker == nil)
            #expect(last.unreadable.first?.error.message.contains("obsctl rm obs://idx/k10") == true)
        }
    }

    @Test("metadata rewritten to name another key after its key was learnt: that key's object is listed as damaged")
    func rewrittenAfterLearning() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("idx")
            for k in ["a", "b", "c"] { try await s.put(b, k, pattern(8), sse: .unencrypted) }
            #expect(try await allKeys(s, b, max: 10) == ["a", "b", "c"])
            try s.editMeta(b, "b") { $0["key"] = "zz" }
            let p = try await page(s, b, max: 10)
            #expect(p.objects.map(\.key.value) == ["a", "c"])
            #expect(p.unreadable.map(\.key?.value) == ["b"])
            #expect(p.unreadable.first?.error.category == .integrity)
            // A store opened afresh (nothing learnt) finds the same directory keyless, as before.
            let fresh = try await s.reopen().listObjects(
                bucket: b, prefix: "", delimiter: nil, marker: nil, maxKeys: 10)
            #expect(fresh.objects.map(\.key.value) == ["a", "c"])
            #expect(fresh.unreadable.count == 1 && fresh.unreadable[0].key == nil)
        }
    }

    @Test("deleted objects keep their directories but neither list nor fill a page; a key put again lists again")
    func deletedAndPutAgain() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("idx")
            for k in ["a", "b", "c", "d/e", "d/f"] { try await s.put(b, k, pattern(8), sse: .unencrypted) }
            #expect(try await allKeys(s, b, max: 2) == ["a", "b", "c", "d/e", "d/f"])
            for k in ["b", "d/e", "d/f"] { try await s.backend.deleteObject(bucket: b, key: try ObjectKey(k)) }
            let p = try await page(s, b, max: 2)
            #expect(p.objects.map(\.key.value) == ["a", "c"] && p.nextMarker == nil)
            // No prefix is made of deleted keys alone.
            let top = try await page(s, b, max: 10, delimiter: "/")
            #expect(top.objects.map(\.key.value) == ["a", "c"] && top.commonPrefixes.isEmpty)
            try await s.put(b, "d/f", pattern(3), sse: .unencrypted)
            let again = try await page(s, b, max: 10, delimiter: "/")
            #expect(again.objects.map(\.key.value) == ["a", "c"] && again.commonPrefixes == ["d/"])
            #expect(try await allKeys(s, b, max: 1) == ["a", "c", "d/f"])
        }
    }

    @Test("pages of a bucket other writers change between them: new keys appear, overwritten ones show their size")
    func changesBetweenPages() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("idx")
            for k in ["a", "c", "e"] { try await s.put(b, k, pattern(8), sse: .unencrypted) }
            let first = try await page(s, b, max: 2)
            #expect(first.objects.map(\.key.value) == ["a", "c"] && first.nextMarker == "c")
            try await s.put(b, "d", pattern(8), sse: .unencrypted)
            try await s.put(b, "e", pattern(21), sse: .unencrypted)
            let second = try await page(s, b, after: "c", max: 2)
            #expect(second.objects.map(\.key.value) == ["d", "e"])
            #expect(second.objects.last?.size == 21)
        }
    }
}

/// Waits until the store's directories changed so far are settled (`FileVersion.isSettled`): a listing then keeps
/// its snapshot. A premise, not a bound on any speed.
private func settle() async throws {
    try await Task.sleep(for: .seconds(Double(FileVersion.settlingSeconds) + 1.1))
}

@Suite("Listing: the key order kept between pages")
struct ListingSnapshotTests {
    @Test("a kept key order is used for the next pages, and a new key in a new or known directory is listed")
    func newKeysAfterASnapshot() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("snap")
            let keys = (0..<40).map { String(format: "k%02d", $0) }
            for k in keys { try await s.put(b, k, pattern(4), sse: .unencrypted) }
            try await settle()
            let before = s.backend.listingSnapshots.reused
            #expect(try await allKeys(s, b, max: 7) == keys)
            #expect(s.backend.listingSnapshots.reused >= before + 5)  // six pages: the first keeps it, five use it
            // "zz" and "k05x": one of them at least lands in an objects/<h2> that exists, one may make a new one.
            try await s.put(b, "zz", pattern(4), sse: .unencrypted)
            try await s.put(b, "k05x", pattern(4), sse: .unencrypted)
            var expected = keys + ["zz"]
            expected.insert("k05x", at: 6)
            #expect(try await allKeys(s, b, max: 7) == expected)
        }
    }

    @Test("an object put again where only an empty directory was (a deleted key unknown to this process) is listed")
    func putAgainIntoAnUnknownDirectory() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("snap")
            for k in ["a", "b", "c"] { try await s.put(b, k, pattern(4), sse: .unencrypted) }
            try await s.backend.deleteObject(bucket: b, key: try ObjectKey("b"))
            let other = try s.reopen()  // knows no key: b's directory is one it cannot place
            try await settle()
            let list = { try await other.listObjects(bucket: b, prefix: "", delimiter: nil, marker: nil, maxKeys: 10) }
            #expect(try await list().objects.map(\.key.value) == ["a", "c"])
            #expect(try await list().objects.map(\.key.value) == ["a", "c"])
            #expect(other.listingSnapshots.reused >= 1)
            try await s.put(b, "b", pattern(4), sse: .unencrypted)  // into the directory that stayed
            #expect(try await list().objects.map(\.key.value) == ["a", "b", "c"])
        }
    }

    @Test("deletes and overwrites after a snapshot: gone keys fill no page, sizes are the new ones")
    func deletesAndOverwritesAfterASnapshot() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("snap")
            for k in ["a", "b", "c", "d"] { try await s.put(b, k, pattern(4), sse: .unencrypted) }
            try await settle()
            #expect(try await allKeys(s, b, max: 2) == ["a", "b", "c", "d"])
            try await s.backend.deleteObject(bucket: b, key: try ObjectKey("b"))
            try await s.put(b, "c", pattern(9), sse: .unencrypted)
            let p = try await page(s, b, max: 2)
            #expect(p.objects.map(\.key.value) == ["a", "c"] && p.objects.last?.size == 9 && p.nextMarker == "c")
            #expect(try await page(s, b, after: "c", max: 2).objects.map(\.key.value) == ["d"])
        }
    }
}

@Suite("Listing: what the key index must not trust")
struct ListingIndexTrustTests {
    @Test("a copy of an object's directory under another <h2>: the object is listed, the copy is keyless")
    func copyUnderAnotherH2() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("idx")
            for k in ["a", "b", "c"] { try await s.put(b, k, pattern(4), sse: .unencrypted) }
            #expect(try await allKeys(s, b, max: 1) == ["a", "b", "c"])  // "a" learnt
            let a = try s.objectDir(b, "a")
            let name = (a as NSString).lastPathComponent
            let elsewhere = (LocalPath.parent(LocalPath.parent(a)) as NSString).appendingPathComponent(
                name.hasPrefix("00") ? "01" : "00")
            try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: a, toPath: elsewhere + "/" + name)
            for backend in [s.backend, try s.reopen()] {
                let (keys, unreadable) = try await allPages(backend, b, max: 1)
                #expect(keys == ["a", "b", "c"])
                #expect(unreadable.count == 1 && unreadable[0].key == nil, "\(unreadable)")
            }
        }
    }

    @Test("a file left among the object directories lists nothing and no error")
    func strayFile() async throws {
        try await withStore { s in
            let b = try await s.makeBucket("idx")
            try await s.put(b, "a", pattern(4), sse: .unencrypted)
            let h2 = LocalPath.parent(try s.objectDir(b, "a"))
            try writeFile(Array("notes".utf8), to: h2 + "/notes.txt")
            for _ in 0..<2 {
                let p = try await page(s, b, max: 10)
                #expect(p.objects.map(\.key.value) == ["a"] && p.unreadable.isEmpty, "\(p.unreadable)")
            }
        }
    }

    @Test("a key order is kept only from directories settled when the listing began, not when it ended")
    func settledWhenRead() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let version = try #require(FileIO.version(dir))
        let snapshot = ListingSnapshots.Snapshot(versions: [(dir, version)], entries: [], unresolved: [])
        let snapshots = ListingSnapshots()
        // Read one second after the change: not settled, however long ago the listing ended.
        snapshots.keep(snapshot, for: "b", listedFrom: version.changed + FileVersion.settlingSeconds - 1)
        #expect(snapshots.current("b") == nil)
        snapshots.keep(snapshot, for: "b", listedFrom: version.changed + FileVersion.settlingSeconds)
        #expect(snapshots.current("b") != nil)
    }

    @Test("the key orders kept hold no more keys than the bound, all buckets together: memory stays bounded")
    func boundedSnapshot() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let version = try #require(FileIO.version(dir))
        let settled = version.changed + FileVersion.settlingSeconds
        let snapshots = ListingSnapshots(maxEntries: 2)
        let three = ListingSnapshots.Snapshot(
            versions: [(dir, version)], entries: [("a", dir), ("b", dir), ("c", dir)], unresolved: [])
        snapshots.keep(three, for: "b", listedFrom: settled)
        #expect(snapshots.current("b") == nil)
        var two = three
        two.entries.removeLast()
        snapshots.keep(two, for: "b", listedFrom: settled)
        #expect(snapshots.current("b")?.entries.count == 2)
        // The bound is for all buckets together: one more bucket's keys push the others out.
        var one = two
        one.entries.removeLast()
        snapshots.keep(one, for: "c", listedFrom: settled)
        #expect(snapshots.current("c")?.entries.count == 1 && snapshots.current("b") == nil)
    }
}
