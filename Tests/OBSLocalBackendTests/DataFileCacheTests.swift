import Foundation
import Testing

@testable import OBSCore
@testable import OBSLocalBackend

/// Data files larger than a small file are written and read past the page cache (O_DIRECT), in every encryption
/// mode and for the parts of multipart objects: after a PUT and a GET, the cache holds at most each file's unaligned
/// tail. (That a small object goes through the cache is the sink's test: on a VM whose host reclaims memory, the
/// cache may drop a page at any time, so a page missing proves nothing.)
@Suite(
    .enabled(if: PageCache.directWritesBypass(in: NSTemporaryDirectory()), "no direct I/O in the temporary directory"))
struct DataFileCacheTests {
    /// How many pages of each data file (`d-*`) in the object's directory the page cache holds, by file.
    func cachedPages(_ s: TestStore, _ b: BucketName, _ key: String) throws -> [(cached: Int, pages: Int)] {
        let dir = try s.objectDir(b, key)
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("d-") }.sorted().map {
            let resident = try #require(PageCache.residentPages(of: dir + "/" + $0))
            return (resident.filter { $0 }.count, resident.count)
        }
    }

    @Test(arguments: ["none", "obs", "kms", "c"])
    func largeObjectsBypassTheCache(mode: String) async throws {
        try await withStore { s in
            let b = try await s.makeBucket("dfc-\(mode)")
            let (sse, key) = try sseMode(mode)
            let big = pattern(3 * (1 << 20) + 4321, seed: 7)
            try await s.put(b, "big", big, sse: sse)
            let small = pattern(20_000, seed: 8)
            try await s.put(b, "small", small, sse: sse)
            let up = try await s.initiate(b, "multi", sse: sse)
            let p1 = pattern(5 << 20, seed: 9), p2 = pattern(2_000_001, seed: 10)
            let e1 = try await s.part(up, 1, p1, key), e2 = try await s.part(up, 2, p2, key)
            _ = try await s.backend.completeMultipartUpload(up, parts: [(1, e1.etag), (2, e2.etag)])

            for round in ["after the PUT", "after the GET"] {
                for name in ["big", "multi"] {
                    let files = try cachedPages(s, b, name)
                    #expect(files.count == (name == "multi" ? 2 : 1))
                    for f in files {
                        #expect(f.cached <= 1, "\(name) \(round): \(f.cached) of \(f.pages) pages cached")
                    }
                }
                if round == "after the PUT" {
                    #expect(try await s.get(b, "big", customerKey: key).0.fp == big.fp)
                    #expect(try await s.get(b, "multi", customerKey: key).0.fp == (p1 + p2).fp)
                    #expect(try await s.get(b, "small", customerKey: key).0 == small)
                }
            }
        }
    }
}
