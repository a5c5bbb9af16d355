import Foundation

/// Where upload bytes come from. `read` fills up to `buffer.count` bytes and returns how many; 0 means end of data.
/// Backends pull in bounded pieces, so memory stays bounded whatever the object size.
public protocol ByteSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A source that can start over from its first byte (a regular file), so a failed upload can be retried by
/// re-reading its bytes rather than keeping them in memory. `length` is known up front.
public protocol RewindableByteSource: ByteSource {
    var length: Int64 { get }
    func rewind() throws
}

/// Where download bytes go. A backend writes only bytes it has verified.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// A sink that also takes bytes at any offset and can read back what it holds (a regular file). A backend may
/// then fetch an object's ranges in parallel. A caller uses either `write(_:)` or `write(_:at:)`, never both;
/// `write(_:at:)` and `read(into:at:)` may be called from several threads at once.
public protocol RandomAccessSink: ByteSink {
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int
    /// A write of whole 4 KiB blocks from a 4 KiB-aligned buffer to a 4 KiB-aligned offset, which a file sink may
    /// send past the page cache (O_DIRECT). Default: `write(_:at:)`.
    func writeAligned(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws
    /// Makes room for `size` bytes up front where the sink can (a file: all its blocks allocated at once), so
    /// that parallel writes fill space already there, and a full disk fails before any byte is fetched.
    /// Default: nothing.
    func reserve(_ size: Int64) throws
}

extension RandomAccessSink {
    public func writeAligned(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws { try write(bytes, at: offset) }
    public func reserve(_ size: Int64) throws {}
}

/// O_DIRECT's alignment for buffers, sizes and offsets (the logical block size of common disks and file systems).
public enum DirectIO {
    public static let alignment = 4096

    /// O_DIRECT, which Swift's Glibc module does not export: 040000 on x86-64, 0200000 on arm64.
    #if arch(arm64)
    public static let openFlag = Int32(0o200000)
    #else
    public static let openFlag = Int32(0o40000)
    #endif

    /// Files of at most this many bytes go through the page cache both ways: a direct write or read of a small file
    /// costs a second descriptor and a wait for the disk, and small files are what the cache serves best.
    public static let smallFileSize = 64 << 10

    /// A second descriptor of `fd`'s file with O_DIRECT, for reading or for writing; nil where the file system
    /// refuses O_DIRECT (tmpfs on older kernels) or /proc is missing. Reopened through /proc, so it is the same file
    /// even after a rename replaced its path; `fd` keeps its own flags, and the kernel keeps the page cache coherent
    /// with what goes past it.
    public static func reopen(_ fd: Int32, writing: Bool) -> Int32? {
        let d = open("/proc/self/fd/\(fd)", (writing ? O_WRONLY : O_RDONLY) | O_CLOEXEC | openFlag)
        return d >= 0 ? d : nil
    }
}

/// Sequential writes into a `RandomAccessSink` from `start`, gathered in an aligned block and handed on as
/// `writeAligned` writes (the unaligned tail as a plain write): one range of a parallel download. A `start` that
/// is not aligned (a --part-size that is no multiple of 4 KiB) makes every write a plain one. The block is lent
/// by a `BlockPool`, so a worker's ranges reuse memory already touched.
public final class AlignedRangeSink: ByteSink {
    private let target: RandomAccessSink
    private let start: Int64
    private let buffer: UnsafeMutableRawBufferPointer
    private let aligned: Bool
    private var filled = 0
    private var flushed: Int64 = 0
    public var written: Int64 { flushed + Int64(filled) }
    /// The most of the block ever filled: its pages that are now resident (`BlockPool.give`).
    public private(set) var touched = 0

    public init(_ target: RandomAccessSink, start: Int64, block: UnsafeMutableRawBufferPointer) {
        precondition(block.count % DirectIO.alignment == 0, "AlignedRangeSink needs a block of whole 4 KiB pages")
        self.target = target; self.start = start; buffer = block
        aligned = start % Int64(DirectIO.alignment) == 0
    }

    private func flush(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        if aligned { try target.writeAligned(bytes, at: offset) } else { try target.write(bytes, at: offset) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = min(buffer.count - filled, bytes.count - offset)
            (buffer.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            filled += n; offset += n
            touched = max(touched, filled)
            if filled == buffer.count {
                try flush(UnsafeRawBufferPointer(buffer), at: start + flushed)
                flushed += Int64(filled); filled = 0
            }
        }
    }

    /// Writes what is gathered: whole 4 KiB blocks aligned, the rest plainly. A range that fit in the block (a
    /// small object) is written plainly as a whole: past the page cache it would cost a synchronous disk write now
    /// and a disk read for the checksum pass, where the fsync before the rename writes it anyway.
    public func finish() throws {
        if flushed == 0 {
            if filled > 0 { try target.write(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]), at: start) }
            flushed = Int64(filled); filled = 0
            return
        }
        let whole = filled / DirectIO.alignment * DirectIO.alignment
        if whole > 0 { try flush(UnsafeRawBufferPointer(rebasing: buffer[0..<whole]), at: start + flushed) }
        if filled > whole {
            try target.write(
                UnsafeRawBufferPointer(rebasing: buffer[whole..<filled]), at: start + flushed + Int64(whole))
        }
        flushed += Int64(filled); filled = 0
    }
}

/// Aligned blocks for parallel workers, lent out and given back, so a worker's ranges reuse memory already
/// touched. A block is allocated on the first `take` that finds none free, up to `count` of them.
///
/// The block size is what one O_DIRECT write carries. Measured on a 1 GiB download from SeaweedFS on 127.0.0.1
/// (4 workers, 16 MiB ranges): 256 KiB blocks took 0.80 client CPU s, 1 MiB 0.53–0.58, 2 MiB 0.42–0.46,
/// 4 MiB 0.41–0.49 with 12 MiB more peak RSS; every write is one system call and one disk request.
/// `@unchecked Sendable`: `all` and `free` are touched only under `lock`; a block has one user between take and give.
public final class BlockPool: @unchecked Sendable {
    public static let blockSize = 2 << 20
    private let lock = NSLock()
    private let count: Int
    private let spares: SpareBlocks
    private var all: [SpareBlocks.Block] = []  // `touched`: the most of it any user wrote (its resident pages)
    private var free: [UnsafeMutableRawBufferPointer] = []

    /// `spares`: where blocks come from and go back to once the pool is done (tests give it one of its own).
    public init(count: Int, spares: SpareBlocks = .shared) {
        self.count = max(1, count)
        self.spares = spares
    }

    /// A block never given back (its download failed) may have been written anywhere: counted as all touched.
    deinit {
        let given = Set(free.map(\.baseAddress))
        spares.keep(
            all.map { given.contains($0.buffer.baseAddress) ? $0 : .init(buffer: $0.buffer, touched: Self.blockSize) })
    }

    /// A block; callers never hold more blocks than the pool's `count` (one per worker).
    public func take() -> UnsafeMutableRawBufferPointer {
        lock.lock(); defer { lock.unlock() }
        if let b = free.popLast() { return b }
        precondition(all.count < count, "BlockPool: more blocks taken than the pool holds")
        let b = spares.take()
        all.append(b)
        return b.buffer
    }

    /// `touched`: how much of the block its user wrote (`AlignedRangeSink.touched`); unknown counts as all of it.
    public func give(_ b: UnsafeMutableRawBufferPointer, touched: Int = BlockPool.blockSize) {
        lock.lock(); defer { lock.unlock() }
        if let i = all.firstIndex(where: { $0.buffer.baseAddress == b.baseAddress }) {
            all[i].touched = max(all[i].touched, touched)
        }
        free.append(b)
    }
}

/// Blocks of pools that are done, for the next pools: each download has a pool, and with many small downloads at
/// once (`--jobs`) a fresh block each was an mmap, page faults and a munmap (with a TLB shootdown) per file, about
/// 5% of a 2,000-file download's CPU. The pages a block has touched stay with it, so how many are kept depends on
/// how much of each was written: up to `lightLimit` blocks of which at most `lightBytes` were (a small object's),
/// at most 8 MiB resident in all, and up to `heavyLimit` others (16 MiB). Each block is a mapping of its own (`map`),
/// so that what was written is all that is resident.
/// `@unchecked Sendable`: `light` and `heavy` are touched only under `lock`.
public final class SpareBlocks: @unchecked Sendable {
    public static let shared = SpareBlocks()

    public struct Block: @unchecked Sendable {
        public let buffer: UnsafeMutableRawBufferPointer
        public var touched: Int
    }

    public let lightLimit: Int, heavyLimit: Int, lightBytes: Int
    private let lock = NSLock()
    private var light: [Block] = []
    private var heavy: [Block] = []

    public init(lightLimit: Int = 128, heavyLimit: Int = 8, lightBytes: Int = 64 << 10) {
        (self.lightLimit, self.heavyLimit, self.lightBytes) = (lightLimit, heavyLimit, lightBytes)
    }

    /// The shared instance lives as long as the process; others (tests') give their blocks back.
    deinit { for b in light + heavy { munmap(b.buffer.baseAddress, b.buffer.count) } }

    /// A kept block, most touched first (its pages are there already), or a new one.
    func take() -> Block {
        lock.withLock { heavy.popLast() ?? light.popLast() } ?? Self.map()
    }

    /// A fresh mapping of its own, so that nothing of it is resident before it is written: glibc's allocator may
    /// hand out heap memory written before (once it has raised its mmap threshold), which a "light" block would
    /// keep without counting. No transparent huge pages: one write would make a whole 2 MiB resident.
    private static func map() -> Block {
        let size = BlockPool.blockSize
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED
        else {
            fatalError("out of memory: cannot map a \(size)-byte download buffer (\(OBSError.reason(errno)))")
        }
        _ = madvise(p, size, MADV_NOHUGEPAGE)
        return Block(buffer: UnsafeMutableRawBufferPointer(start: p, count: size), touched: 0)
    }

    func keep(_ given: [Block]) {
        var extra: [Block] = []
        lock.withLock {
            for b in given {
                if b.touched <= lightBytes && light.count < lightLimit {
                    light.append(b)
                } else if b.touched > lightBytes && heavy.count < heavyLimit {
                    heavy.append(b)
                } else {
                    extra.append(b)
                }
            }
        }
        for b in extra { munmap(b.buffer.baseAddress, b.buffer.count) }
    }

    /// Blocks kept now, by kind: for tests.
    public var kept: (light: Int, heavy: Int) { lock.withLock { (light.count, heavy.count) } }
}

/// A sink that lends its own buffer, so a producer (a decryptor) writes into it directly instead of into a buffer
/// of its own that is then copied.
public protocol BufferLendingSink: ByteSink {
    /// Calls `body` with writable space of at least `minimum` bytes; `body` returns how many it wrote (0: none).
    func fill(minimum: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int
}

/// An in-memory source, for small bodies and tests.
public final class BufferSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        if n > 0 {
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        }
        offset += n
        return n
    }
}

/// In-memory bytes that can be read again from the first one: a request body held whole (KMS's JSON, OBS's XML),
/// which libcurl may have to send again by itself. (A plain `BufferSource` stands for a body read once.)
public final class RewindableBufferSource: RewindableByteSource {
    private let bytes: [UInt8]
    private var reader: BufferSource
    public init(_ bytes: [UInt8]) { self.bytes = bytes; reader = BufferSource(bytes) }
    public var length: Int64 { Int64(bytes.count) }
    public func rewind() { reader = BufferSource(bytes) }
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try reader.read(into: buffer) }
}

/// An in-memory sink, for small bodies and tests.
public final class BufferSink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
}

/// A byte buffer for I/O whose bytes are each written before they are read, so it is not zero-filled: for the
/// batch buffers (about 1 MiB) of a 4 KiB object, filling them with zeros was a tenth of a small upload's CPU in
/// `obsctl serve`, and only the pages actually used are ever touched.
public func ioBuffer(count: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}
