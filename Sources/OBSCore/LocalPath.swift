#if canImport(Glibc)
import Glibc
#endif

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
        return KeyBytes.hasSuffix(dir, "/") ? dir + name : dir + "/" + name
    }

    /// Linux's limits on a name and on a whole path, in bytes (NAME_MAX, PATH_MAX less its NUL).
    public static let nameMax = 255, pathMax = 4095

    /// Refuses a path the kernel would answer ENAMETOOLONG: a component longer than `nameMax` bytes, or the
    /// whole longer than `pathMax`, before anything is written there.
    public static func refuseTooLong(_ path: String) throws {
        let long = path.utf8.split(separator: UInt8(ascii: "/")).first { $0.count > nameMax }
        guard long != nil || path.utf8.count > pathMax else { return }
        let what =
            long.map { "a name of \($0.count) bytes (at most \(nameMax))" }
            ?? "a path of \(path.utf8.count) bytes (at most \(pathMax))"
        throw OBSError.localIO(
            "cannot write \(path): \(OBSError.reason(ENAMETOOLONG)), \(what)",
            errno: ENAMETOOLONG)
    }
}
