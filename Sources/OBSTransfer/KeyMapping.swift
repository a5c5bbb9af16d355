import OBSCore

/// The mapping between object keys and local paths, in one place for every direction: downloads never write
/// outside their destination directory, and a recursive copy never reads what it writes.
public enum KeyMapping {
    /// The last path component of a key or path, for `download obs://b/dir/name .` and uploads into a prefix.
    public static func baseName(_ path: String) -> String {
        KeyBytes.split(path).last(where: { !$0.isEmpty }) ?? path
    }

    /// The local relative path for `key` under `prefix`, or nil when the key cannot be mapped safely (an empty,
    /// `.` or `..` segment, a NUL): downloads never write outside the destination directory.
    public static func safeRelativePath(key: String, prefix: String) -> String? {
        guard let rel = KeyBytes.dropPrefix(key, prefix), unsafePathReason(rel) == nil else { return nil }
        return rel
    }

    /// Why `rel` (a key below its prefix) can be no path below the destination directory, nil when it can: an
    /// empty, '.' or '..' segment or a NUL byte (it would name another place), or a last segment named as obsctl
    /// names its download temporaries (the next download into that directory could take it for a leftover).
    public static func unsafePathReason(_ rel: String) -> String? {
        let segments = KeyBytes.split(rel)
        guard !segments.isEmpty, !rel.utf8.contains(0), !segments.contains(where: { [".", "..", ""].contains($0) })
        else { return "empty, '.' or '..' segment" }
        if DownloadTemps.writerPID(segments[segments.count - 1]) != nil {
            return "a name of the form obsctl gives its temporary files (.NAME.obsctl-PID-HEX.part)"
        }
        return nil
    }

    /// A prefix as `--recursive` uses it: empty (whole bucket) or ending in `/`, so `obs://b/dir` never takes
    /// obs://b/dirt.tar.
    public static func directoryPrefix(_ path: String) -> String {
        path.isEmpty || KeyBytes.hasSuffix(path, "/") ? path : path + "/"
    }

    /// A console "folder": an empty object whose key ends in `/`. No file can stand for it.
    public static func isFolderMarker(key: String, size: Int64) -> Bool { KeyBytes.hasSuffix(key, "/") && size == 0 }

    /// Refuses a recursive copy between two different prefixes of one bucket where one lies inside the other: a
    /// copy would then overwrite objects it has yet to read (and a move delete them).
    public static func refuseNestedPrefixes(_ src: OBSURL, _ from: String, _ dst: OBSURL, _ to: String) throws {
        guard src.bucket == dst.bucket, !KeyBytes.equal(from, to),
            KeyBytes.hasPrefix(from, to) || KeyBytes.hasPrefix(to, from)
        else { return }
        throw OBSError.invalidArgument(
            "obs://\(src.bucket)/\(from) and obs://\(dst.bucket)/\(to) lie one inside "
                + "the other; use separate prefixes")
    }
}
