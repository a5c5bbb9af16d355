import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// The plaintext of a multipart object: its parts' sources one after another. Each part is its own OBX1 stream
/// (own salt, part number in the header and the chunk AAD), verified on its own; the next part is opened when the
/// previous one ends, so memory and descriptors stay at one part's whatever the part count.
final class PartChain: ByteSource {
    private var current: ByteSource?
    private var opened = 0
    private let remaining: Int
    private let open: (Int) throws -> ByteSource

    /// `open(i)` opens the part after the first at index i (0-based among the `remaining` ones).
    init(first: ByteSource, remaining: Int, open: @escaping (Int) throws -> ByteSource) {
        current = first; self.remaining = remaining; self.open = open
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while let source = current {
            let n = try source.read(into: buffer)
            if n > 0 { return n }
            // An empty part is possible (the last one may be 0 bytes): move on until a part gives bytes.
            current = nil
            if opened < remaining {
                current = try open(opened)
                opened += 1
            }
        }
        return 0
    }
}

/// An open data file, closed when the last reader lets go of it. It stays readable after an overwrite unlinks it.
/// One larger than a small file is read past the page cache, as it was written (`DirectFileReader`).
final class DataFile {
    let path: String
    let size: Int64
    private let fd: Int32
    private let direct: DirectFileReader?

    /// nil when the file does not exist.
    init?(path: String) throws {
        guard let fd = try FileIO.openRegular(path) else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else { let e = errno; close(fd); throw FileIO.ioError("stat", path, e) }
        self.path = path; self.fd = fd; size = Int64(st.st_size)
        direct = size > DirectIO.smallFileSize ? DirectFileReader(fd: fd, size: size, path: path) : nil
    }

    deinit { close(fd) }

    func read(at offset: Int64, into buf: UnsafeMutableRawBufferPointer) throws -> Int {
        if let direct, let n = try direct.read(at: offset, into: buf) { return n }
        while true {
            let n = pread(fd, buf.baseAddress, buf.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw FileIO.ioError("read", path) }
        }
    }
}
