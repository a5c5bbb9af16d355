#if canImport(Glibc)
import Glibc
#endif

/// The local store's own files and directories (its data directory, root key file and state directory), which a
/// transfer over that store must never read as a source, write into or delete: `mv ~ obs://b/ -r` would otherwise
/// move the store into itself, and `sync obs://b/ ~/.local --delete` delete it. Known by device and inode, so any
/// path to them (a link, `..`) is recognised; those that do not exist yet are left out.
public struct ProtectedPaths: Sendable {
    private let byIdentity: [FileIdentity: String]
    /// The real (resolved) path of each, for the names a download below a directory holding them must not plan.
    private let realPaths: [String]

    public static let none = ProtectedPaths(paths: [])

    public init(paths: [String]) {
        var byIdentity: [FileIdentity: String] = [:]
        var realPaths: [String] = []
        for path in paths {
            var st = stat()
            guard stat(path, &st) == 0, let real = Self.realPath(path) else { continue }
            byIdentity[FileIdentity(st)] = path
            realPaths.append(real)
        }
        self.byIdentity = byIdentity
        self.realPaths = realPaths
    }

    public var isEmpty: Bool { byIdentity.isEmpty }

    /// The protected path the file or directory `st` describes, if any.
    public func path(of st: stat) -> String? { byIdentity.isEmpty ? nil : byIdentity[FileIdentity(st)] }

    /// Refuses `path` (a source or destination the user named) when it is one of them or lies inside one; a path
    /// not made yet is judged by where it will lead (`resolved`).
    public func refuseInside(_ path: String) throws {
        guard !isEmpty, path != "-", let real = Self.resolved(path) else { return }
        var current = real
        while true {
            var st = stat()
            if stat(current, &st) == 0, let protected = self.path(of: st) {
                throw OBSError.invalidArgument(
                    "\(path) lies in obsctl's local store (\(protected)), which this command reads and writes: a "
                        + "transfer there would change the store from within; name a path outside it")
            }
            guard current != "/" else { return }
            current = LocalPath.parent(current)
        }
    }

    /// The names below `directory` (relative, as a recursive download plans them) that are, or lead into, one of
    /// them: a download must write no file there. Empty when none lies below it, as for almost every download.
    public func names(below directory: String) -> [String] {
        guard !isEmpty, let root = Self.resolved(directory) else { return [] }
        let prefix = root == "/" ? "/" : root + "/"
        return realPaths.compactMap { KeyBytes.dropPrefix($0, prefix) }
    }

    /// Whether `name` (relative to a download's directory) is one of `names` or lies below one. Compared as bytes
    /// (`KeyBytes`), as a planned path is made.
    public static func leadsInto(_ name: String, _ names: [String]) -> Bool {
        names.contains { KeyBytes.equal(name, $0) || KeyBytes.hasPrefix(name, $0 + "/") }
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Where `path` leads once the directories it names are made: its longest existing part resolved (links and
    /// all), the rest taken as written, `..` going up from a directory still to be made as the kernel will then
    /// take it (`new/../../x` is `../x`). nil when even the start cannot be resolved.
    static func resolved(_ path: String) -> String? {
        let slash = UInt8(ascii: "/")
        let parts = path.utf8.split(separator: slash, omittingEmptySubsequences: true).map {
            String(decoding: $0, as: UTF8.self)
        }
        var existing = path.utf8.first == slash ? "/" : "."
        var index = 0
        while index < parts.count {
            let next = LocalPath.join(existing == "/" ? "/" : existing, parts[index])
            var st = stat()
            guard lstat(next, &st) == 0 else { break }
            existing = next
            index += 1
        }
        guard var real = realPath(existing) else { return nil }
        for part in parts[index...] where part != "." {
            if part == ".." {
                real = LocalPath.parent(real)
                if real.isEmpty { real = "/" }
            } else {
                real = LocalPath.join(real, part)
            }
        }
        return real
    }
}
