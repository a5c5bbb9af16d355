import Foundation
import OBSCore

#if canImport(Glibc)
import Glibc
#endif

/// The local file system as a planner sees it: which paths are directories, and the regular files below one.
public enum LocalTree {
    /// True for a directory, or a symbolic link to one. stat(2) itself: asked once per downloaded file.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Regular files below `dir`, as paths relative to it, sorted. `dir` itself may be a symbolic link; below it,
    /// links to files are followed and links to directories are not (no cycles). A directory that cannot be read
    /// is an error, never a silent gap: `sync --delete` would take the files missing from a listing for deleted
    /// ones. Names that are not valid UTF-8 can become no object key (nor be opened through a Swift String): they
    /// are left out and returned in `invalidNames` (escaped), for the caller to report.
    public static func filesBelow(_ dir: String, invalidNames: inout [String]) throws -> [String] {
        var notFiles: [PassedOver] = []
        return try entries(dir, withAttributes: false, invalidNames: &invalidNames, notFiles: &notFiles).map(\.name)
    }

    /// `filesBelow` with each file's size and modification time (links followed), for sync's comparison.
    public static func entries(_ dir: String, invalidNames: inout [String]) throws -> [Entry] {
        var notFiles: [PassedOver] = []
        return try entries(dir, withAttributes: true, invalidNames: &invalidNames, notFiles: &notFiles)
    }

    /// What the walk passed over as no regular file: its name below the walked directory, and what it is.
    public struct PassedOver: Sendable, CustomStringConvertible {
        /// Relative to the walked directory, as an entry's name would be (a directory's ends in "/").
        public let name: String
        public let path: String
        public let what: String
        /// A file (or a directory of them) the walk could not reach, as against what is no file: its path is longer
        /// than the system allows. The caller reports it as a file skipped, not as a note.
        public var isUnreachable = false
        /// "dir/l (a symbolic link to a directory, not followed)", for an upload to say it left it out.
        public var description: String { "\(path) (\(what))" }
    }

    /// `entries`, also returning in `notFiles` what the walk passed over as no regular file. `followLinks` false
    /// (mv): a symbolic link to a file is passed over too, as rclone's move does, since moving the file through the
    /// link and through its own name (both below `dir`) would depend on the order the two are taken in.
    /// `protected`: the local store's own files and directories, passed over (with what lies below them).
    /// `filter`: the run's filters; a directory below which they leave out every name is not entered (nor reported),
    /// so one that cannot be read fails nothing when the filters exclude it.
    public static func entries(
        _ dir: String, invalidNames: inout [String], notFiles: inout [PassedOver], followLinks: Bool = true,
        protected: ProtectedPaths = .none, filter: Filter = .all
    ) throws -> [Entry] {
        try entries(
            dir, withAttributes: true, invalidNames: &invalidNames, notFiles: &notFiles, followLinks: followLinks,
            protected: protected, filter: filter)
    }

    private static func entries(
        _ dir: String, withAttributes: Bool, invalidNames: inout [String], notFiles: inout [PassedOver],
        followLinks: Bool = true, protected: ProtectedPaths = .none, filter: Filter = .all
    ) throws -> [Entry] {
        var out: [Entry] = []
        func passOver(_ child: String, _ what: String) {
            notFiles.append(PassedOver(name: child, path: LocalPath.join(dir, child), what: what))
        }
        // ENAMETOOLONG: a path deeper than PATH_MAX (made with relative paths) cannot be opened by its name; the
        // one file or directory is passed over, not the whole walk failed.
        func passOverTooLong(_ child: String, _ path: String) {
            notFiles.append(
                PassedOver(
                    name: child, path: path,
                    what: "a path of \(path.utf8.count) bytes, longer than the system allows (\(LocalPath.pathMax))",
                    isUnreachable: true))
        }
        func walk(_ rel: String) throws {
            let path = rel.isEmpty ? dir : LocalPath.join(dir, rel)
            guard let d = opendir(path) else {
                let e = errno
                if e == ENAMETOOLONG && !rel.isEmpty { return passOverTooLong(rel + "/", path + "/") }
                throw OBSError.localIO("cannot read directory \(path): \(OBSError.reason(e))", errno: e)
            }
            defer { closedir(d) }
            var subdirectories: [String] = []
            while true {
                errno = 0
                guard let entry = readdir(d) else {
                    if errno != 0 {
                        throw OBSError.localIO("cannot read directory \(path): \(OBSError.reason(errno))")
                    }
                    break
                }
                let raw = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                guard let name = String(validating: raw, as: UTF8.self) else {
                    // A directory (or what readdir cannot tell apart from one) ends in "/": what lies below it is
                    // left out too, unseen.
                    let type = entry.pointee.d_type
                    let directory = type == UInt8(DT_DIR) || type == UInt8(DT_UNKNOWN)
                    invalidNames.append(LocalPath.join(path, escaped(raw)) + (directory ? "/" : ""))
                    continue
                }
                if name == "." || name == ".." { continue }
                let child = rel.isEmpty ? name : rel + "/" + name
                // Nothing below it is taken: a directory is not entered (it may not be readable). Asked only of
                // directories and of entries that cannot be looked at, not of every file.
                func prunable() -> Bool { !filter.isEmpty && filter.excludesEverything(below: child) }
                var st = stat()
                guard lstat(LocalPath.join(dir, child), &st) == 0 else {
                    let e = errno
                    if e == ENOENT { continue }  // removed meanwhile
                    // Unreachable, but left out whole whatever it is (its name and all below it): no failure.
                    if prunable() && !filter.includes(child) { continue }
                    if e == ENAMETOOLONG {
                        passOverTooLong(child, LocalPath.join(dir, child))
                        continue
                    }
                    throw unreadable(LocalPath.join(dir, child), errno: e)
                }
                if let store = protected.path(of: st) {
                    passOver(child + ((st.st_mode & S_IFMT) == S_IFDIR ? "/" : ""), Self.storeFile(store))
                    continue
                }
                switch st.st_mode & S_IFMT {
                case S_IFDIR where prunable(): continue
                case S_IFDIR: subdirectories.append(child)
                case S_IFREG where DownloadTemps.isTemporary(name: name, st):
                    passOver(child, "a download's temporary file")
                case S_IFREG where DownloadTemps.writerPID(name) != nil:
                    // Its key could never be downloaded (`KeyMapping.unsafePathReason`), so a sync would find it
                    // missing and upload it again on every run: left out in both directions alike.
                    passOver(child, "named as obsctl names its temporary files (.NAME.obsctl-PID-HEX.part)")
                case S_IFREG: out.append(makeEntry(child, st, withAttributes))
                case S_IFLNK:
                    var target = stat()
                    guard stat(LocalPath.join(dir, child), &target) == 0 else {
                        // Dangling (or a loop) is no file; a target the walk may not look at is an error like any
                        // entry it cannot read: passed over, a sync --delete would delete the copy of its name.
                        let e = errno
                        guard e == ENOENT || e == ENOTDIR || e == ELOOP else {
                            throw unreadable(LocalPath.join(dir, child), errno: e)
                        }
                        passOver(child, "a symbolic link to nothing")
                        continue
                    }
                    if let store = protected.path(of: target) {
                        passOver(child, "a symbolic link to " + Self.storeFile(store))
                        continue
                    }
                    switch target.st_mode & S_IFMT {
                    case S_IFREG where !followLinks:
                        passOver(child, "a symbolic link to a file, which mv leaves in place")
                    case S_IFREG: out.append(makeEntry(child, target, withAttributes))
                    case S_IFDIR: passOver(child, "a symbolic link to a directory, not followed")
                    default: passOver(child, "a symbolic link to a special file")
                    }
                default: passOver(child, "a special file: a pipe, socket or device")
                }
            }
            for sub in subdirectories { try walk(sub) }
        }
        try walk("")
        return out.sorted { $0.name < $1.name }
    }

    private static func storeFile(_ path: String) -> String {
        "obsctl's local store \(path), which this command works on"
    }

    /// An entry the walk found but cannot look at (a directory listed without the permission to enter it): an
    /// error, as a directory that cannot be read is, and never a gap a `sync --delete` would delete the copy of.
    private static func unreadable(_ path: String, errno e: Int32) -> OBSError {
        OBSError.localIO("cannot read \(path) (\(OBSError.reason(e))); fix its permissions", errno: e)
    }

    private static func makeEntry(_ name: String, _ st: stat, _ withAttributes: Bool) -> Entry {
        guard withAttributes else { return Entry(name: name, size: Int64(st.st_size), modified: .distantPast) }
        let seconds = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        return Entry(name: name, size: Int64(st.st_size), modified: Date(timeIntervalSince1970: seconds))
    }

    /// Printable ASCII as it is, every other byte as \xNN (valid UTF-8 sequences are kept): a name that is not
    /// UTF-8 (a file's, an argument's) shown in a message.
    public static func escaped(_ raw: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < raw.count {
            let b = raw[i]
            let length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0
            if length > 1, i + length <= raw.count, let s = String(validating: raw[i..<i + length], as: UTF8.self) {
                out += s
                i += length
                continue
            }
            let hex = String(b, radix: 16)
            out += b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\x" + (hex.count < 2 ? "0" + hex : hex)
            i += 1
        }
        return out
    }
}
