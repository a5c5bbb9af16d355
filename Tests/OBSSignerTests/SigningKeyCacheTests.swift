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

    /// The cache does not keep a secret alive: once no one else holds it, its entry (and its derived key) goes at
    /// the next insertion.
    @Test func aSecretNoOneHoldsIsNotKeptAlive() {
        let cache = SigningKeyCache()
        weak var released: SecretBytes?
        do {
            let gone = Self.secret("short-lived")
            released = gone
            _ = cache.key(secret: gone, shortDate: "20240101", region: "r", service: "s3")
        }
        #expect(released == nil)
        let kept = Self.secret("kept")
        _ = cache.key(secret: kept, shortDate: "20240101", region: "r", service: "s3")
        #expect(cache.count == 1)
    }

    /// Two threads that derived the same key at once keep one: the second gets the first's.
    @Test func aKeyRememberedTwiceIsKeptOnce() {
        let cache = SigningKeyCache()
        let secret = Self.secret("race")
        let first = cache.derive(secret: secret, shortDate: "20240101", region: "r", service: "s3")
        let second = cache.derive(secret: secret, shortDate: "20240101", region: "r", service: "s3")
        #expect(cache.remember(first, secret: secret, shortDate: "20240101", region: "r", service: "s3") === first)
        #expect(cache.remember(second, secret: secret, shortDate: "20240101", region: "r", service: "s3") === first)
        #expect(cache.count == 1)
    }

    /// serve's verifier keeps a key only once a signature made with it matched: requests with a valid access key id
    /// but a wrong signature (made-up regions, say) cannot fill the cache and push the real keys out.
    @Test func theVerifierKeepsAKeyOnlyOnceItsSignatureMatched() {
        let secret = Self.secret("verifier/secret"), wrong = Self.secret("not/the/secret")
        let region = "made-up-\(UUID().uuidString.prefix(8).lowercased())"
        let date = Date(timeIntervalSince1970: 1_728_976_809)  // 2024-10-15T07:20:09Z
        let request = SignableRequest(method: "GET", path: "/b/k", query: [], headers: [("Host", "127.0.0.1:9000")])
        let scope = SigningScope(bucket: "b", virtualHosted: false, region: region)
        func verifies(signedWith key: SecretBytes) -> Bool {
            let signed = RequestSigner.sign(
                request, version: .v4, scope: scope,
                credentials: Credentials(accessKeyID: "AKVERIFY", secretAccessKey: key), date: date)
            let incoming = IncomingRequest(method: "GET", rawPath: "/b/k", rawQuery: "", headers: signed.headers)
            let result = RequestVerifier.verify(incoming, virtualHostBucket: nil, now: date) {
                $0 == "AKVERIFY" ? secret : nil
            }
            if case .success = result { return true }
            return false
        }
        let kept = {
            SigningKeyCache.shared.lookup(secret: secret, shortDate: "20241015", region: region, service: "s3")
        }
        #expect(!verifies(signedWith: wrong))
        #expect(kept() == nil)
        #expect(verifies(signedWith: secret))
        #expect(kept()?.copyBytes() == Self.derived(secret, "20241015", region))
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
