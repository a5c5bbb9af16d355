import Foundation
import OBSCrypto
import Testing

@testable import OBSSigner

/// The SigV4 signing keys kept between requests: each is the key the derivation gives for its own secret, day,
/// region and service, never another's.
struct SigningKeyCacheTests {
    static func secret(_ text: String) -> SecretBytes { SecretBytes(copying: Array(text.utf8)) }

    static func derived(_ secret: SecretBytes, _ day: String, _ region: String, _ service: String = "s3") -> [UInt8] {
        RequestSigner.signingKeyV4(secret: secret, shortDate: day, region: region, service: service)
    }

    @Test func aKeptKeyIsTheDerivedOneAndIsReused() {
        let cache = SigningKeyCache()
        let secret = Self.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        let first = cache.key(secret: secret, shortDate: "20130524", region: "us-east-1", service: "s3")
        #expect(first.copyBytes() == Self.derived(secret, "20130524", "us-east-1"))
        let again = cache.key(secret: secret, shortDate: "20130524", region: "us-east-1", service: "s3")
        #expect(again === first)
        #expect(cache.count == 1)
    }

    /// Every part of what the key depends on makes a key of its own: a day, a region, a service, a secret (even one
    /// with the same bytes in another object, which the cache cannot know to be the same).
    @Test func eachDayRegionServiceAndSecretGetsItsOwnKey() {
        let cache = SigningKeyCache()
        let a = Self.secret("secret-a"), b = Self.secret("secret-b"), aAgain = Self.secret("secret-a")
        let cases: [(SecretBytes, String, String, String)] = [
            (a, "20241015", "cn-north-4", "s3"), (a, "20241016", "cn-north-4", "s3"),
            (a, "20241015", "eu-west-101", "s3"), (a, "20241015", "cn-north-4", "kms"),
            (b, "20241015", "cn-north-4", "s3"), (aAgain, "20241015", "cn-north-4", "s3"),
        ]
        var keys: [SecretBytes] = []
        for (secret, day, region, service) in cases {
            let key = cache.key(secret: secret, shortDate: day, region: region, service: service)
            #expect(key.copyBytes() == Self.derived(secret, day, region, service))
            #expect(!keys.contains { $0 === key })
            keys.append(key)
        }
        #expect(Set(keys.prefix(5).map { $0.copyBytes() }).count == 5)
        #expect(cache.count == cases.count)
    }

    /// At most `capacity` keys are held; the one used last stays, the one used longest ago goes.
    @Test func holdsAFewKeysAndDropsTheLeastRecentlyUsed() {
        let cache = SigningKeyCache()
        let secret = Self.secret("secret")
        let kept = cache.key(secret: secret, shortDate: "20240101", region: "r0", service: "s3")
        let dropped = cache.key(secret: secret, shortDate: "20240101", region: "r1", service: "s3")
        for i in 2..<SigningKeyCache.capacity {
            _ = cache.key(secret: secret, shortDate: "20240101", region: "r\(i)", service: "s3")
        }
        #expect(cache.count == SigningKeyCache.capacity)
        #expect(cache.key(secret: secret, shortDate: "20240101", region: "r0", service: "s3") === kept)
        _ = cache.key(secret: secret, shortDate: "20240101", region: "new", service: "s3")
        #expect(cache.count == SigningKeyCache.capacity)
        #expect(cache.key(secret: secret, shortDate: "20240101", region: "r0", service: "s3") === kept)
        let r1 = cache.key(secret: secret, shortDate: "20240101", region: "r1", service: "s3")
        #expect(r1 !== dropped)
        #expect(r1.copyBytes() == dropped.copyBytes())
    }

    /// Many threads at once, more keys than the cache holds: each caller gets the key of what it asked for.
    @Test func concurrentCallersEachGetTheirOwnKey() {
        let cache = SigningKeyCache()
        let secrets = (0..<3).map { Self.secret("secret-\($0)") }
        let days = (1...5).map { String(format: "202401%02d", $0) }
        let expected = secrets.map { s in days.map { Self.derived(s, $0, "us-east-1") } }
        let wrong = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 600) { i in
            let (s, d) = (i % secrets.count, (i / secrets.count) % days.count)
            let key = cache.key(secret: secrets[s], shortDate: days[d], region: "us-east-1", service: "s3")
            if key.copyBytes() != expected[s][d] { wrong.add() }
        }
        #expect(wrong.value == 0)
        #expect(cache.count <= SigningKeyCache.capacity)
    }

    /// Requests signed either side of midnight (UTC) with one secret carry the signatures that a secret never seen
    /// before (a new object, so nothing cached: its key is derived) gives on each day.
    @Test func signaturesEitherSideOfMidnightUseEachDaysKey() {
        func credentials() -> Credentials {
            Credentials(accessKeyID: "AKEXAMPLE", secretAccessKey: Self.secret("midnight/secret"))
        }
        let kept = credentials()
        let scope = SigningScope(bucket: "b", virtualHosted: true, region: "cn-north-4")
        let request = SignableRequest(
            method: "GET", path: "/k", query: [], headers: [("Host", "b.obs.cn-north-4.myhuaweicloud.com")])
        let before = Date(timeIntervalSince1970: 1_729_036_799)  // 2024-10-15 23:59:59 UTC
        var signatures: Set<String> = []
        for (date, day) in [
            (before, "20241015"), (before + 2, "20241016"), (before, "20241015"), (before + 2, "20241016"),
        ] {
            let signed = RequestSigner.sign(request, version: .v4, scope: scope, credentials: kept, date: date)
            let fresh = RequestSigner.sign(request, version: .v4, scope: scope, credentials: credentials(), date: date)
            #expect(signed.headerValue("x-amz-date")?.hasPrefix(day) == true)
            #expect(signed.headerValue("Authorization") == fresh.headerValue("Authorization"))
            signatures.insert(signed.headerValue("Authorization") ?? "")
        }
        #expect(signatures.count == 2)
    }
}

private final class LockedCounter: @unchecked Sendable {  // `count` is touched only under `lock`
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
