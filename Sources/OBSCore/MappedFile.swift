import CMappedFile
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file's bytes read through mmap, window by window: a pass that only looks at the bytes (a checksum) then costs
/// no copy from the page cache. A file truncated meanwhile does not kill the process (see `mf_window`): the pass
/// throws instead.
public enum MappedFile {
    /// Below this a pread into a small buffer is cheaper than mapping and unmapping.
    public static let minimumLength: Int64 = 1 << 20
    /// Mapped pages count in the resident set while mapped: 8 MiB at a time keeps that small.
    public static let window = 8 << 20

    /// Hands `body` the `length` bytes of `fd` from `offset`, in order, a window at a time. Returns false when the
    /// file cannot be mapped (nothing was handed over: read it instead). Throws when the file turned out shorter
    /// than `length` (`body` may have seen zeros for the missing part).
    public static func forEachWindow(
        fd: Int32, offset: Int64, length: Int64, path: String, window: Int = window,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Bool {
        let w = UnsafeMutablePointer<mf_window>.allocate(capacity: 1)
        defer { w.deallocate() }
        var done: Int64 = 0
        while done < length {
            let count = Int(min(Int64(window), length - done))
            // A mapping may reach past the file's end; only a page touched there would tell (see `mf_window`).
            var st = stat()
            if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int64(st.st_size) < offset + done + Int64(count) {
                throw shorter(path)
            }
            let status = mf_map(fd, offset + done, count, w)
            if status != 0 {
                if done == 0 { return false }
                throw OBSError.localIO("cannot read \(path): \(OBSError.reason(status))")
            }
            defer { mf_unmap(w) }
            try body(UnsafeRawBufferPointer(start: w.pointee.bytes, count: count))
            if w.pointee.truncated != 0 { throw shorter(path) }
            done += Int64(count)
        }
        return true
    }

    /// The same failure as a read that finds the file shorter (`RewindableFileSource`): SourceChanged, exit 10.
    private static func shorter(_ path: String) -> OBSError { OBSError.fileChanged(path, shorter: true) }
}
