import CLinuxSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `ByteSource` over a file descriptor (a regular file or stdin).
public class FileDescriptorSource: ByteSource {
    fileprivate let fd: Int32
    /// The name the file was opened by, for messages.
    public let path: String
    /// Counts the bytes read, for a progress display; a rewind takes back what was read since the start, so a
    /// retried upload is not counted twice. Ranges made by `range(offset:length:)` count into the same counter.
    public var counter: TransferCounter?
    public init(fd: Int32, path: String) { self.fd = fd; self.path = path }

    /// A rewindable source when `fd` is a regular file, else a plain one (a pipe can be read once). `opened`: the
    /// fstat of a file the caller has just opened (so read from its first byte), saving an lseek and an fstat per
    /// file of an upload.
    public static func make(fd: Int32, path: String, opened: stat? = nil) -> FileDescriptorSource {
        if let opened, (opened.st_mode & S_IFMT) == S_IFREG {
            return RewindableFileSource(fd: fd, path: path, start: 0, length: Int64(opened.st_size), opened: opened)
        }
        var st = stat()
        let start = lseek(fd, 0, SEEK_CUR)
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, start >= 0 {
            return RewindableFileSource(
                fd: fd, path: path, start: Int64(start), length: Int64(st.st_size) - Int64(start), opened: st)
        }
        return FileDescriptorSource(fd: fd, path: path)
    }
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { counter?.add(Int64(n)); return n }
            if errno != EINTR { throw OBSError.localIO("cannot read \(path): \(OBSError.reason(errno))") }
        }
    }
}

/// A regular file from a start offset to its end as of opening.
public final class RewindableFileSource: FileDescriptorSource, RewindableByteSource {
    private let start: Int64
    public let length: Int64
    /// Bytes read since `start` (the descriptor's position less `start`), kept here rather than asked of the
    /// kernel with an lseek on every read.
    private var consumed: Int64 = 0
    /// The file as it was when opened, which its end is checked against (`read`).
    private let opened: FileContentState

    init(fd: Int32, path: String, start: Int64, length: Int64, opened: stat) {
        self.start = start
        self.length = length
        self.opened = FileContentState(opened)
        super.init(fd: fd, path: path)
    }

    /// Reads stop at `length`: a file still growing (a log) yields the bytes it had when opened, the same bytes
    /// a checksum pass and the upload that follows it see. A file cut shorter, or written in place (its size the
    /// same, its modification time not), fails the read at its end, so what consumes it (the local store, a request
    /// body) stores nothing rather than a mix of old and new bytes. The change time is not compared: a chmod, a new
    /// hard link or a rename changes it and no byte. A file rewritten and grown at once passes for a growing log.
    public override func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let left = length - consumed
        if buffer.count == 0 { return 0 }
        if left <= 0 {
            let now = try contentState()
            if now.size == opened.size && now.modified != opened.modified { throw OBSError.fileChanged(path) }
            return 0
        }
        let n = try super.read(
            into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), left))]))
        if n == 0 { throw OBSError.fileChanged(path, shorter: true) }
        consumed += Int64(n)
        return n
    }

    public func rewind() throws {
        guard lseek(fd, off_t(start), SEEK_SET) >= 0 else {
            throw OBSError.localIO("cannot rewind \(path): \(OBSError.reason(errno))")
        }
        counter?.add(-consumed)
        consumed = 0
    }

    /// `length` bytes from `offset` (relative to this source's start), read with pread: independent of this
    /// source's position, so several ranges can be read by several threads at once.
    public func range(offset: Int64, length: Int64) -> FileRangeSource {
        FileRangeSource(fd: fd, path: path, offset: start + offset, length: length, counter: counter)
    }

    /// What fstat says of the file's content now: any write changes its size, its modification time or its
    /// change time, so a state that differs from an earlier one means the bytes may have changed in between.
    public func contentState() throws -> FileContentState {
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw OBSError.localIO("cannot stat \(path): \(OBSError.reason(errno))")
        }
        return FileContentState(st)
    }

    /// The same bytes, read with pread and counted by no progress counter (a checksum pass before the send).
    public func uncounted() -> FileRangeSource { FileRangeSource(fd: fd, path: path, offset: start, length: length) }
}

/// A regular file's size and times (seconds and nanoseconds), as `RewindableFileSource.contentState` reads them.
public struct FileContentState: Equatable, Sendable {
    let size: Int64
    let modified: [Int]
    let changed: [Int]

    init(_ st: stat) {
        size = Int64(st.st_size)
        modified = [Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec)]
        changed = [Int(st.st_ctim.tv_sec), Int(st.st_ctim.tv_nsec)]
    }
}

/// One range of a file (a multipart upload's part), rewindable for retries.
public final class FileRangeSource: RewindableByteSource {
    private let fd: Int32
    private let path: String
    private let offset: Int64
    public let length: Int64
    private var position: Int64 = 0
    private let counter: TransferCounter?

    init(fd: Int32, path: String, offset: Int64, length: Int64, counter: TransferCounter? = nil) {
        self.fd = fd; self.path = path; self.offset = offset; self.length = length; self.counter = counter
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let want = Int(min(Int64(buffer.count), length - position))
        if want <= 0 { return 0 }
        while true {
            let n = pread(fd, buffer.baseAddress, want, off_t(offset + position))
            if n > 0 { position += Int64(n); counter?.add(Int64(n)); return n }
            if n == 0 { throw OBSError.fileChanged(path, shorter: true) }
            if errno != EINTR { throw OBSError.localIO("cannot read \(path): \(OBSError.reason(errno))") }
        }
    }

    public func rewind() throws { counter?.add(-position); position = 0 }

    /// The whole range handed to `body` in order, without copying it when it is large enough to map (see
    /// `MappedFile`), else read a buffer at a time; a file found shorter than the range throws. Independent of
    /// this source's position; counted by no progress counter (it is a look at the bytes, not their send).
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if length >= MappedFile.minimumLength,
            try MappedFile.forEachWindow(fd: fd, offset: offset, length: length, path: path, body)
        {
            return
        }
        let reader = FileRangeSource(fd: fd, path: path, offset: offset, length: length)
        var buffer = [UInt8](repeating: 0, count: Int(min(Int64(256 << 10), max(length, 1))))
        var done: Int64 = 0
        while done < length {
            let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += Int64(n)
        }
    }
}

/// A `ByteSink` over a file descriptor (a regular file or stdout), writing synchronously.
public final class FileDescriptorSink: ByteSink {
    private let fd: Int32
    private let path: String
    public init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    public func write(_ bytes: UnsafeRawBufferPointer) throws { try Self.writeAll(fd, bytes, path: path) }

    /// Writes every byte, looping on short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                throw OBSError.localIO("cannot write \(path): \(OBSError.reason(e))", failedWith: e)
            }
            off += n
        }
    }
}

/// A `ByteSink` that writes to a file descriptor on a background thread, so that the kernel's copy into the page
/// cache overlaps with the caller's work (decryption, on downloads). Memory is bounded: `depth` buffers of
/// `bufferSize` bytes. Call `finish()` to flush and to learn of any write error; the descriptor must stay open
/// until `finish()` returned or the sink was released. As a `RandomAccessSink` (a regular file) it writes and
/// reads in place with pwrite/pread, bypassing the queue.
///
/// `directIO`: a file that outgrows the first buffer goes to the disk with O_DIRECT where the file system takes it
/// (aligned buffers and offsets; the unaligned tail is written through the page cache); a small one is written
/// through the cache. A large download or stored object then costs no copy into the page cache, and on a VM no
/// first touch of a GiB of fresh page-cache memory, which measured 1 to 8 s of system time per GiB here
/// (bench/local-sse.sh, bench/serve.sh). Not for `RandomAccessSink` use: pwrite goes through the cache.
public final class PipelinedFileSink: RandomAccessSink, BufferLendingSink {
    private let queue: WriteQueue
    private let bufferSize: Int
    private var current: UnsafeMutableRawBufferPointer?
    private var currentFill = 0
    /// `current` is the sink's small first buffer (`firstBufferSize`), not one of the queue's. Most files (a tree of
    /// small downloads, the objects of a store) fit in it, and a 4 MiB buffer for each cost them a fresh mapping,
    /// its page faults and its unmapping (with a TLB shootdown): about 12% of a 2,000-file download's CPU. A file
    /// that outgrows it moves on to the queue's buffers (`grow`), once.
    private var currentIsFirst = false
    private var grown = false
    static let firstBufferSize = DirectIO.smallFileSize

    public convenience init(fd: Int32, path: String, bufferSize: Int = 4 << 20, depth: Int = 3, directIO: Bool = false)
    {
        self.init(fd: fd, path: path, bufferSize: bufferSize, depth: depth, directIO: directIO, spares: .shared)
    }

    /// `spares`: the budget its buffers beyond the first come out of (tests give it one of its own).
    init(fd: Int32, path: String, bufferSize: Int, depth: Int, directIO: Bool, spares: SpareBuffers) {
        self.bufferSize = bufferSize
        queue = WriteQueue(
            fd: fd, path: path, bufferSize: bufferSize, depth: depth, directIO: directIO, spares: spares)
    }

    /// Whether this sink started a writer thread of its own.
    var startedWriter: Bool { queue.startedWriter }

    /// Whether this sink wrote anything with O_DIRECT (tests: a small file does not).
    var wroteDirect: Bool { queue.openedDirectDescriptor }

    /// Stops the writer (after the buffers already handed over) and waits for it, so the descriptor is no longer used.
    deinit {
        if let current {
            if currentIsFirst { current.deallocate() } else { queue.giveBack(current) }
        }
        queue.close()
    }

    /// A buffer to fill: the small first one while the file has not outgrown it (and `minimum` fits), else the
    /// queue's.
    private func startBuffer(minimum: Int = 0) throws {
        if !grown && bufferSize > Self.firstBufferSize && minimum <= Self.firstBufferSize {
            current = .allocate(byteCount: Self.firstBufferSize, alignment: DirectIO.alignment)
            currentIsFirst = true
        } else {
            current = try queue.takeFree()
            currentIsFirst = false
            grown = true
        }
        currentFill = 0
    }

    /// The file outgrew the first buffer: its bytes move into one of the queue's, and the first is freed.
    private func grow() throws {
        let first = current!
        let next = try queue.takeFree()
        next.baseAddress!.copyMemory(from: first.baseAddress!, byteCount: currentFill)
        first.deallocate()
        (current, currentIsFirst, grown) = (next, false, true)
    }

    /// Allocates the file's blocks at once (fallocate). Where the file system cannot, they are allocated as written.
    public func reserve(_ size: Int64) throws {
        guard size > 0, cs_allocate(queue.fd, size) != 0 else { return }
        let e = errno
        guard e == ENOSPC || e == EDQUOT || e == EFBIG else { return }
        let fix =
            e == EFBIG
            ? "raise the file-size limit (ulimit -f) or download a smaller object"
            : "free some space or download somewhere else"
        throw OBSError.localIO("no room for \(size) bytes at \(queue.path) (\(OBSError.reason(e))); \(fix)")
    }

    /// Whole aligned blocks go past the page cache, through the queue's O_DIRECT descriptor.
    public func writeAligned(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try queue.writeAligned(bytes, at: offset)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if current == nil { try startBuffer() }
            if currentIsFirst && currentFill == current!.count { try grow() }
            let n = min(current!.count - currentFill, bytes.count - offset)
            (current!.baseAddress! + currentFill).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            currentFill += n
            offset += n
            if currentFill == bufferSize { queue.submit(current!, count: currentFill); current = nil }
        }
    }

    public func fill(minimum: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        precondition(minimum <= bufferSize, "fill(minimum:) asks for more than one buffer")
        if let c = current, c.count - currentFill < minimum {
            if currentIsFirst { try grow() }
            if bufferSize - currentFill < minimum { queue.submit(current!, count: currentFill); current = nil }
        }
        if current == nil { try startBuffer(minimum: minimum) }
        let n = try body(UnsafeMutableRawBufferPointer(rebasing: current![currentFill...]))
        currentFill += n
        if currentFill == bufferSize { queue.submit(current!, count: currentFill); current = nil }
        return n
    }

    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try queue.pwriteAll(bytes, at: offset)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        while true {
            let n = pread(queue.fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR {
                throw OBSError.localIO("cannot read back \(queue.path): \(OBSError.reason(errno))")
            }
        }
    }

    /// Writes what is buffered and waits until every byte reached the descriptor. What fits in one buffer (a small
    /// object, most of those a store holds) is written here, on the caller's thread: no writer thread was started.
    public func finish() throws {
        if let c = current {
            current = nil
            if currentIsFirst {
                // Nothing went to the queue before (the file never outgrew this buffer): written here, then freed;
                // through the page cache, as a direct write of a small file costs a second descriptor and a wait.
                defer { c.deallocate() }
                try queue.writeInline(UnsafeRawBufferPointer(rebasing: c[0..<currentFill]), direct: false)
                return try queue.drain()
            }
            if try queue.writeInlineIfIdle(c, count: currentFill) { return }
            queue.submit(c, count: currentFill)
        }
        try queue.drain()
    }
}

/// The bound on write buffers beyond each file's first: many large files written at once (`--jobs`, serve's
/// uploads) share it, so their memory is one buffer a file plus this, not `depth` buffers a file. A queue that finds
/// it spent goes on with the buffers it has (writing then overlaps filling less), so nothing ever waits for it.
final class SpareBuffers: @unchecked Sendable {  // `used` is read and written under `lock`
    static let shared = SpareBuffers(limit: 32 << 20)

    let limit: Int
    private let lock = NSLock()
    private var used = 0

    init(limit: Int) { self.limit = limit }

    func take(_ size: Int) -> Bool {
        lock.withLock {
            guard used + size <= limit else { return false }
            used += size
            return true
        }
    }

    func giveBack(_ count: Int, of size: Int) { lock.withLock { used -= count * size } }

    /// What the spare buffers in use hold now (tests).
    var inUse: Int { lock.withLock { used } }
}

/// The state shared by `PipelinedFileSink` and its writer thread. `@unchecked Sendable`: every mutable field is
/// guarded by `condition`. The buffers come with the first write, the thread with the first full buffer: a sink
/// used only in place (a remote download's ranges, many small files at once) costs neither, and one that never
/// fills a buffer costs no thread (`writeInlineIfIdle`).
private final class WriteQueue: @unchecked Sendable {
    let fd: Int32
    let path: String
    private let condition = NSCondition()
    private let bufferSize: Int
    private let depth: Int
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    private var free: [UnsafeMutableRawBufferPointer] = []
    private var started = false
    private var filled: [(UnsafeMutableRawBufferPointer, Int)] = []
    private var writing = 0
    private var error: Error?
    private var closed = false
    private var done = false

    private let directIO: Bool

    private let spares: SpareBuffers

    init(fd: Int32, path: String, bufferSize: Int, depth: Int, directIO: Bool, spares: SpareBuffers) {
        self.spares = spares
        self.fd = fd
        self.path = path
        self.directIO = directIO
        self.bufferSize = bufferSize
        self.depth = depth
    }

    deinit {
        for b in buffers { b.deallocate() }  // none once closed
        if buffers.count > 1 { spares.giveBack(buffers.count - 1, of: bufferSize) }
        if directFD >= 0 { Glibc.close(directFD) }
    }

    func takeFree() throws -> UnsafeMutableRawBufferPointer {
        condition.lock(); defer { condition.unlock() }
        if let error { throw error }
        // The first buffer is the queue's own; the others, which only let writing overlap filling, come out of the
        // process's spare budget, or the queue makes do with the buffers it has.
        if free.isEmpty && buffers.count < depth && (buffers.isEmpty || spares.take(bufferSize)) {
            let b = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: DirectIO.alignment)
            buffers.append(b)
            return b
        }
        while free.isEmpty && error == nil { condition.wait() }
        if let error { throw error }
        return free.removeLast()
    }

    func giveBack(_ b: UnsafeMutableRawBufferPointer) {
        condition.lock(); free.append(b); condition.broadcast(); condition.unlock()
    }

    /// Whether the writer thread was started (tests: a sink used only in place starts none).
    var startedWriter: Bool { condition.withLock { started } }

    func submit(_ b: UnsafeMutableRawBufferPointer, count: Int) {
        condition.lock()
        defer { condition.unlock() }
        if !started && error == nil {
            let e = DetachedThread.start { [self] in writerLoop() }
            if e == 0 {
                started = true
            } else {
                error = OBSError.localIO("cannot write \(path): no thread to write with (\(OBSError.reason(e)))")
            }
        }
        // Without a writer the buffer goes back unwritten: the error reaches the caller at its next buffer or drain.
        if started { filled.append((b, count)) } else { free.append(b) }
        condition.broadcast()
    }

    /// Writes `b` on the caller's thread, as the writer would, when no buffer was ever handed to the writer (so
    /// none is in flight and nothing comes after this one); false, having done nothing, otherwise.
    func writeInlineIfIdle(_ b: UnsafeMutableRawBufferPointer, count: Int) throws -> Bool {
        guard condition.withLock({ !started }) else { return false }
        defer { giveBack(b) }
        try writeInline(UnsafeRawBufferPointer(rebasing: b[0..<count]))
        return true
    }

    /// Writes `bytes` at the descriptor's position on the caller's thread, as the writer would. Only while no
    /// buffer was handed to the writer: else it would race the writer for the position.
    func writeInline(_ bytes: UnsafeRawBufferPointer, direct: Bool = true) throws {
        if directIO && direct {
            try writeAligned(bytes, at: Int64(max(0, lseek(fd, 0, SEEK_CUR))))
        } else {
            try FileDescriptorSink.writeAll(fd, bytes, path: path)
        }
    }

    func drain() throws {
        condition.lock(); defer { condition.unlock() }
        while error == nil && (!filled.isEmpty || writing > 0) { condition.wait() }
        if let error { throw error }
    }

    /// Stops the writer and frees the buffers at once (their spares go back to the budget for the next file), not
    /// when the writer thread lets go of the queue.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while started && !done { condition.wait() }
        let spent = buffers
        (buffers, free) = ([], [])
        condition.unlock()
        for b in spent { b.deallocate() }
        if spent.count > 1 { spares.giveBack(spent.count - 1, of: bufferSize) }
    }

    func writerLoop() {
        var writeback = EarlyWriteback(fd: fd)
        // With O_DIRECT the queue writes with pwrite at offsets of its own, from the descriptor's position on.
        var offset = directIO ? Int64(max(0, lseek(fd, 0, SEEK_CUR))) : 0
        condition.lock()
        while true {
            while filled.isEmpty && !closed { condition.wait() }
            if filled.isEmpty { break }
            let (buffer, count) = filled.removeFirst()
            let skip = error != nil
            writing += 1
            condition.unlock()
            var failure: Error? = nil
            if !skip {
                do {
                    let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                    if directIO {
                        if try !writeAligned(bytes, at: offset) { writeback.wrote(count) }
                        offset += Int64(count)
                    } else {
                        try FileDescriptorSink.writeAll(fd, bytes, path: path)
                        writeback.wrote(count)
                    }
                } catch { failure = error }
            }
            condition.lock()
            writing -= 1
            if let failure, error == nil { error = failure }
            free.append(buffer)
            condition.broadcast()
        }
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// A second descriptor of the same file with O_DIRECT (`DirectIO.reopen`), opened on first use (-1: not yet;
    /// -2: refused, as by tmpfs). Plain writes and reads through the sink's own descriptor are unaffected.
    private var directFD: Int32 = -1
    private let directLock = NSLock()

    var openedDirectDescriptor: Bool { directLock.withLock { directFD >= 0 } }

    private func directDescriptor() -> Int32? {
        directLock.lock(); defer { directLock.unlock() }
        if directFD == -1 { directFD = DirectIO.reopen(fd, writing: true) ?? -2 }
        return directFD >= 0 ? directFD : nil
    }

    /// Writes `bytes` at `offset`: the whole aligned blocks they start with past the page cache, the unaligned
    /// tail (and whatever a short direct write left) through it. Returns true when all of it went direct.
    @discardableResult
    func writeAligned(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws -> Bool {
        var done = 0
        let a = DirectIO.alignment
        let blocks = bytes.count / a * a
        if blocks > 0, offset % Int64(a) == 0, Int(bitPattern: bytes.baseAddress) % a == 0,
            let d = directDescriptor()
        {
            var n: Int
            repeat { n = pwrite(d, bytes.baseAddress, blocks, off_t(offset)) } while n < 0 && errno == EINTR
            if n == bytes.count { return true }
            done = max(0, n)
        }
        try pwriteAll(UnsafeRawBufferPointer(rebasing: bytes[done...]), at: offset + Int64(done))
        return false
    }

    func pwriteAll(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw OBSError.localIO("cannot write \(path): \(OBSError.reason(errno))")
            }
            done += n
        }
    }
}

/// Starts the kernel's write-back of a file as it is written, a few MiB behind the writer, without waiting for it.
/// Without this, a large file sits dirty in the page cache until the final fsync, which then waits for the whole
/// file at once; with it, the disk writes overlap with encryption or decryption and the fsync finds little left.
/// Descriptors that are not regular files (pipes, terminals) are left alone after the first refusal.
public struct EarlyWriteback {
    private let fd: Int32
    private var written: Int64 = 0
    private var started: Int64 = 0
    private var enabled = true
    /// Write-back is started in steps of this many bytes.
    static let step: Int64 = 8 << 20

    public init(fd: Int32) { self.fd = fd }

    /// Records `count` bytes written at the end of the file, starting write-back of every full step behind them.
    public mutating func wrote(_ count: Int) {
        written += Int64(count)
        guard enabled, written - started >= Self.step else { return }
        if cs_start_writeback(fd, started, written - started) != 0 { enabled = false }
        started = written
    }
}
