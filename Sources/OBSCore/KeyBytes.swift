/// Object keys (and the local names they map to) compared as S3 and OBS compare them: byte for byte, in UTF-8.
/// Swift's `String` `==`, `hasPrefix`, `dropFirst(n)`, `split` and hashing work on Characters under canonical
/// equivalence: a precomposed "é" equals "e" plus a combining accent, and "/" followed by a combining mark is one
/// Character that is not "/". Two distinct keys could then match one prefix, one name or one rolled-up prefix
/// (`rm -r` of one deleted the other's objects). Keys and the names mapped from them are compared through here (and
/// `ObjectKey`'s own `==`, which uses it).
public enum KeyBytes {
    public static func hasPrefix(_ key: String, _ prefix: String) -> Bool { key.utf8.starts(with: prefix.utf8) }

    public static func hasSuffix(_ key: String, _ suffix: String) -> Bool {
        key.utf8.count >= suffix.utf8.count && key.utf8.reversed().starts(with: suffix.utf8.reversed())
    }

    public static func equal(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    /// `key` without `prefix`, as bytes; nil when `key` does not begin with it.
    public static func dropPrefix(_ key: String, _ prefix: String) -> String? {
        guard hasPrefix(key, prefix) else { return nil }
        return String(Substring(key.utf8.dropFirst(prefix.utf8.count)))
    }

    /// The parts of `text` between `separator` bytes (empty parts kept), as `split(omittingEmptySubsequences:
    /// false)` would give them if it compared bytes.
    public static func split(_ text: String, _ separator: UInt8 = UInt8(ascii: "/")) -> [String] {
        text.utf8.split(separator: separator, omittingEmptySubsequences: false).map { String(Substring($0)) }
    }

    /// True for a key a listing leaves out after `marker` because it rolls up into the marker itself: a marker
    /// that is one of the listing's rolled-up prefixes (the last page's NextMarker) stands for every key under it.
    /// A marker that is no such prefix (the listing's own prefix, "dir/" under prefix "dir/") skips nothing more
    /// than the keys up to it.
    public static func underRolledUpMarker(_ key: String, marker: String, prefix: String, delimiter: String?) -> Bool {
        rolledUp(key, prefix: prefix, delimiter: delimiter).map { equal($0, marker) } ?? false
    }

    /// The common prefix a listing rolls `key` up into: up to and including the first `delimiter` after `prefix`;
    /// nil when there is none (or no delimiter).
    public static func rolledUp(_ key: String, prefix: String, delimiter: String?) -> String? {
        guard let delimiter, !delimiter.isEmpty, hasPrefix(key, prefix) else { return nil }
        let bytes = Array(key.utf8), d = Array(delimiter.utf8)
        var i = prefix.utf8.count
        while i + d.count <= bytes.count {
            if bytes[i..<i + d.count].elementsEqual(d) {
                return String(decoding: bytes[..<(i + d.count)], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }
}

/// A key or name that compares and hashes by its UTF-8 bytes (`KeyBytes`), for dictionaries and sets of them.
public struct ByteKey: Hashable, Sendable, Comparable {
    public let value: String
    public init(_ value: String) { self.value = value }
    public static func == (a: ByteKey, b: ByteKey) -> Bool { KeyBytes.equal(a.value, b.value) }
    public func hash(into hasher: inout Hasher) { for b in value.utf8 { hasher.combine(b) } }
    /// Byte order, as S3 lists keys.
    public static func < (a: ByteKey, b: ByteKey) -> Bool {
        a.value.utf8.lexicographicallyPrecedes(b.value.utf8)
    }
}
