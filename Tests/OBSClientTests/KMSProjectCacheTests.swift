import Foundation
import Testing
import OBSCore
@testable import OBSClient

/// The project-id cache: where it lives, what it is keyed by, its mode, and that a bad file is only a miss.
struct KMSProjectCacheTests {
    static func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmscache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("under XDG_CACHE_HOME, else HOME/.cache")
    func location() {
        #expect(KMSProjectCache(environment: ["XDG_CACHE_HOME": "/x/c"]).path == "/x/c/obsctl/kms-projects.json")
        #expect(
            KMSProjectCache(environment: ["XDG_CACHE_HOME": "rel", "HOME": "/h"]).path
                == "/h/.cache/obsctl/kms-projects.json")
    }

    @Test("stored 0600 under KMS endpoint, region and access key id; other keys miss; junk is a miss")
    func roundTrip() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = KMSProjectCache(environment: ["XDG_CACHE_HOME": dir])
        let kms = try ServiceEndpoint("https://kms.cn-north-4.myhuaweicloud.com", origin: "t")
        let key = KMSProjectCache.key(kms: kms, region: "cn-north-4", accessKeyID: "AK1")
        #expect(cache.lookup(key) == nil)
        cache.store("0123456789abcdef0123456789abcdef", for: key)
        cache.store(
            "fedcba9876543210fedcba9876543210", for: KMSProjectCache.key(kms: kms, region: "r2", accessKeyID: "AK1"))
        #expect(cache.lookup(key) == "0123456789abcdef0123456789abcdef")
        #expect(cache.lookup(KMSProjectCache.key(kms: kms, region: "cn-north-4", accessKeyID: "AK2")) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: cache.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try Data("not json".utf8).write(to: URL(fileURLWithPath: cache.path))
        #expect(cache.lookup(key) == nil)
    }

    @Test("a stale entry is removed only while it still holds the refused id; other entries stay")
    func removeStale() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = KMSProjectCache(environment: ["XDG_CACHE_HOME": dir])
        cache.store("aaaa", for: "k1")
        cache.store("bbbb", for: "k2")
        cache.remove("k1", ifStill: "other")
        #expect(cache.lookup("k1") == "aaaa", "another process stored a fresh id meanwhile: kept")
        cache.remove("k1", ifStill: "aaaa")
        #expect(cache.lookup("k1") == nil && cache.lookup("k2") == "bbbb")
        let mode = try FileManager.default.attributesOfItem(atPath: cache.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
