import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// A marker file that says "this process is writing into that object directory". An upload creates it before its
/// first byte and removes it after the commit. If the process dies (kill -9, power loss), the next obsctl run
/// finds the marker of a dead pid and sweeps that directory, so leftovers of an interrupted upload are removed
/// without scanning the whole store.
struct InflightMarker {
    let path: String

    static func create(_ paths: LocalPaths, bucket: BucketName, objectDirectory: String) throws -> InflightMarker {
        try FileIO.makeDirectories(paths.inflightDir)
        let path = FileIO.tempPath(in: paths.inflightDir)
        let relative = String(objectDirectory.dropFirst(paths.root.count + 1))
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileIO.ioError("create", path) }
        defer { close(fd) }
        try Array("\(bucket.value)\n\(relative)\n".utf8).withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
        return InflightMarker(path: path)
    }

    func remove() { unlink(path) }

    /// Markers left by processes that no longer run: (marker path, bucket, object directory).
    static func abandoned(_ paths: LocalPaths) -> [(marker: String, bucket: BucketName, objectDirectory: String)] {
        let names = FileIO.listDirectory(paths.inflightDir).filter { FileIO.isAbandonedTemp($0, in: paths.inflightDir) }
        return names.compactMap { name in
            let marker = paths.inflightDir + "/" + name
            guard let bytes = try? FileIO.readAll(marker) else { return nil }
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            guard lines.count == 2, let bucket = try? BucketName(lines[0]), !lines[1].contains("..") else {
                unlink(marker); return nil
            }
            return (marker, bucket, paths.root + "/" + lines[1])
        }
    }
}
