import Foundation
import Testing

/// Keys are bytes (S3 and OBS compare them byte for byte), not Swift Strings, which equate the composed and
/// decomposed spellings of a name ("café" as é, or as e and a combining accent): a prefix, a sync name or a rolled-up
/// listing prefix of one spelling never takes the other's objects.
@Suite("keys compare as bytes: composed and decomposed names are two names")
struct UnicodeKeyTests {
    static let composed = "caf\u{E9}"  // é, one scalar
    static let decomposed = "cafe\u{301}"  // e and a combining acute accent

    @Test func prefixesListingsAndRemoval() throws {
        let sb = try Sandbox("nfc-nfd")
        try sb.ok(["bucket", "create", "obs://nfc-nfd"])
        try sb.write("f", Data("x".utf8))
        try sb.ok(["upload", "f", "obs://nfc-nfd/\(Self.decomposed)/x"])
        try sb.ok(["upload", "f", "obs://nfc-nfd/\(Self.composed)/y"])
        // Two rolled-up prefixes, and each prefix lists only its own object.
        let top = try sb.json(["ls", "obs://nfc-nfd/"])
        #expect((top["prefixes"] as? [String])?.count == 2, "\(top)")
        let one = try sb.json(["ls", "obs://nfc-nfd/\(Self.composed)/"])
        let keys = (one["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
        #expect(keys.map { $0.map { Array($0.utf8) } } == [Array("\(Self.composed)/y".utf8)], "\(one)")
        // rm -r of one spelling leaves the other's object.
        try sb.ok(["rm", "-r", "obs://nfc-nfd/\(Self.composed)/"])
        let left = try sb.json(["ls", "obs://nfc-nfd", "--recursive"])
        let remaining = (left["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String } ?? []
        #expect(remaining.map { Array($0.utf8) } == [Array("\(Self.decomposed)/x".utf8)], "\(left)")
    }

    @Test func syncNamesAreBytes() throws {
        let sb = try Sandbox("nfc-sync")
        try sb.ok(["bucket", "create", "obs://nfc-sync"])
        try sb.write("src/\(Self.composed)", Data("AAAA".utf8))
        try sb.write("other", Data("BBBB".utf8))
        try sb.ok(["upload", "other", "obs://nfc-sync/u/\(Self.decomposed)"])
        try sb.ok(["sync", "src", "obs://nfc-sync/u/", "--delete"])
        let listed = try sb.json(["ls", "obs://nfc-sync/u/", "--recursive"])
        let keys = (listed["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String } ?? []
        // The composed file was uploaded; the decomposed object, which no file has, was deleted.
        #expect(keys.map { Array($0.utf8) } == [Array("u/\(Self.composed)".utf8)], "\(listed)")
    }

    /// A mark that joins the next character into one Character (U+0600 before "/", U+0301 after "/" or ".") hid
    /// the "/" or "." from String's Character-based hasSuffix/hasPrefix/firstIndex: a prefix taken for a key, a
    /// key taken for part of the bucket name, a download's temporary taken for a file.
    @Test func separatorsAreBytes() throws {
        let sb = try Sandbox("unicode-separators")
        try sb.ok(["bucket", "create", "obs://bkt"])
        try sb.write("f", Data("f".utf8))
        let prefix = "obs://bkt/pp/p\u{0600}/"
        try sb.ok(["upload", "f", prefix])
        let listed = try sb.json(["ls", "-r", "obs://bkt/pp/"])
        let keys = (listed["objects"] as? [[String: Any]])?.compactMap { $0["key"] as? String } ?? []
        #expect(keys.map { Array($0.utf8) } == [Array("pp/p\u{0600}/f".utf8)], "a prefix: \(listed)")
        try sb.ok(["rm", prefix, "-r"])
        #expect(try sb.run(["ls", "-r", "obs://bkt/pp/"]).out.isEmpty)
        try sb.ok(["upload", "f", "obs://bkt/\u{0301}k"])
        #expect(try sb.ok(["cat", "obs://bkt/\u{0301}k"]).out == "f")
        // A file named as a download's temporary whose stem starts with a mark: passed over, never uploaded.
        let temp = try sb.write("t/.\u{0301}big.obsctl-4399-d59b19f8.part", Data("plain".utf8), mode: 0o600)
        let sync = try sb.ok(["sync", "t", "obs://bkt/t/"])
        #expect(sync.stderr.contains("temporary"), "\(sync)")
        #expect(try sb.run(["ls", "-r", "obs://bkt/t/"]).out.isEmpty && FileManager.default.fileExists(atPath: temp))
    }
}
