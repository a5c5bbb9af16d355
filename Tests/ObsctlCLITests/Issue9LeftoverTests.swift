import Foundation
import Testing

/// Issue 9 leftovers on the embedded backend: item 10 for buckets.
struct Issue9LeftoverTests {
    @Test(
        "item 10: one damaged bucket.json hides only its bucket: the others are listed, exit 13 names file and fix",
        arguments: ["text", "json", "ndjson"])
    func damagedBucketRecordListsTheOthers(format: String) throws {
        let sb = try Sandbox("i9-buckets-\(format)")
        for b in ["aaa", "bad", "zzz", "gone"] { try sb.ok(["bucket", "create", "obs://" + b]) }
        let bad = sb.root + "/buckets/bad/bucket.json"
        try "{".write(toFile: bad, atomically: false, encoding: .utf8)
        // A bucket directory that lost its record is reported the same way.
        unlink(sb.root + "/buckets/gone/bucket.json")
        let r = try sb.run(["bucket", "list", "--output", format])
        #expect(r.status == 13, "\(r)")
        let out = String(decoding: r.stdout, as: UTF8.self)
        #expect(out.contains("aaa") && out.contains("zzz"), "the readable buckets were not listed: \(r)")
        #expect(!out.contains("bad") && !out.contains("gone"), "\(r)")
        let errors = r.stderrLines.filter { $0.hasPrefix("obsctl: error:") }
        #expect(errors.count == 2, "\(r)")
        #expect(errors.contains { $0.contains(bad) && $0.contains("does not parse") && $0.contains("restore") })
        #expect(errors.contains { $0.contains(sb.root + "/buckets/gone") && $0.contains("no bucket.json") })
        if format == "json" { _ = try parseJSONObject(r.stdout) }
    }

    @Test("item 10: a wrong root key still fails the whole bucket listing (exit 12), no bucket shown as damaged")
    func wrongRootKeyIsNotADamagedBucket() throws {
        let sb = try Sandbox("i9-buckets-key")
        try sb.ok(["bucket", "create", "obs://one"])
        let other = Data(repeating: 7, count: 32).base64EncodedString()
        let r = try sb.run(["bucket", "list"], env: ["OBSCTL_LOCAL_ROOT_KEY": other])
        #expect(r.status == 12 && r.stdout.isEmpty, "\(r)")
    }
}
