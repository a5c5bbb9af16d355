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
}
