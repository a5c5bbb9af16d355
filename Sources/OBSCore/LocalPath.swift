/// Path arithmetic on plain strings, for local files. NSString's path methods are not used: in Swift 6.3's
/// Foundation on Linux, `deletingLastPathComponent` traps on some short paths ("h", "h/"), which turned
/// `obsctl download obs://b/k h` into a crash.
public enum LocalPath {
    /// The directory part, as `dirname` without the ".": "" for "f", "/" for "/f", "a" for "a/f" and "a//f/".
    public static func parent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return "" }
        var dir = p[..<slash]
        while dir.hasSuffix("/") { dir.removeLast() }
        return dir.isEmpty ? "/" : String(dir)
    }

    /// `name` inside `dir`, with one "/" between them ("" is the current directory).
    public static func join(_ dir: String, _ name: String) -> String {
        if dir.isEmpty { return name }
        return dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }
}
