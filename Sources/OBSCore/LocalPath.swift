/// Path arithmetic on plain strings, for local files. NSString's path methods are not used: in Swift 6.3's
/// Foundation on Linux, `deletingLastPathComponent` traps on some short paths ("h", "h/"), which turned
/// `obsctl download obs://b/k h` into a crash.
public enum LocalPath {
    /// The directory part, as `dirname` without the ".": "" for "f", "/" for "/f", "a" for "a/f" and "a//f/".
    /// Worked on bytes: a "/" followed by a combining mark is one Character that is not "/" (see `KeyBytes`).
    public static func parent(_ path: String) -> String {
        let slash = UInt8(ascii: "/")
        var p = Array(path.utf8)
        while p.count > 1 && p.last == slash { p.removeLast() }
        guard let at = p.lastIndex(of: slash) else { return "" }
        var dir = p[..<at]
        while dir.last == slash { dir.removeLast() }
        return dir.isEmpty ? "/" : String(decoding: dir, as: UTF8.self)
    }

    /// `name` inside `dir`, with one "/" between them ("" is the current directory).
    public static func join(_ dir: String, _ name: String) -> String {
        if dir.isEmpty { return name }
        return dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }
}
