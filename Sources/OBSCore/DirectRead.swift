import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Positioned reads of a file past the page cache (O_DIRECT), served from one aligned window of at most
/// `windowSize` bytes: callers read at any offset and length, the disk is read in whole aligned windows. Once the
/// reads go through the file in order (a window loaded right after the one before), the window after the current
/// one is read ahead on a thread of its own, so the disk works while the caller decrypts (direct reads get no
/// read-ahead from the kernel). A read of less than a block outside the window (an object's header, before a range
/// read seeks elsewhere) loads that one block, not a window.
///
/// Why: the store writes large data files past the cache (`PipelinedFileSink`'s `directIO`), so reading one back
/// through the cache would fill a page of cache for every page of the file: a copy per byte and, on a VM, the first
/// touch of as much fresh memory, which measured 3 to 4 s of system time per GiB (serve's GET after a PUT of a
/// GiB). Direct reads cost neither. A file the page cache still holds dirty is written back by the kernel first.
public final class DirectFileReader {
    public static let windowSize = 1 << 20

    private let path: String
    private let size: Int64
    private var fd: Int32
    private var window: UnsafeMutableRawBufferPointer
    private var windowStart: Int64 = 0
    private var windowCount = 0
    /// Where the last whole window loaded ended: a load from there means the reads go in order.
    private var sequentialNext: Int64 = -1
    private var readAhead: ReadAhead?
    private var readAheadFailed = false
    /// How many windows came from the read-ahead (tests).
    private(set) var windowsReadAhead = 0

    /// Reads `fd`'s file through a second descriptor with O_DIRECT (`DirectIO.reopen`); nil where there is none.
    /// `size` bounds the window, so a file smaller than one costs no more memory than itself.
    public init?(fd: Int32, size: Int64, path: String) {
        guard let d = DirectIO.reopen(fd, writing: false) else { return nil }
        self.fd = d
        self.path = path
        self.size = size
        let a = Int64(DirectIO.alignment)
        window = WindowCache.take(Int(min(Int64(Self.windowSize), max(a, (size + a - 1) / a * a))))
    }

    deinit {
        readAhead?.stop()  // waits for a read in flight: the descriptor and its buffer must outlive it
        if fd >= 0 { close(fd) }
        WindowCache.give(window)
    }

    /// Up to `buffer.count` bytes at `offset`: fewer at the end of the window or of the file, 0 past the end.
    /// nil when the file system refused the direct read itself (the caller reads through the cache instead, and
    /// this reader is spent).
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        guard fd >= 0 else { return nil }
        if buffer.isEmpty || offset >= size { return 0 }
        if offset < windowStart || offset >= windowStart + Int64(windowCount) {
            let a = Int64(DirectIO.alignment)
            let small = buffer.count < DirectIO.alignment
            let start = small ? offset / a * a : offset / Int64(window.count) * Int64(window.count)
            guard try load(start, length: small ? DirectIO.alignment : window.count) else { return nil }
            if offset >= start + Int64(windowCount) { return 0 }
        }
        let from = Int(offset - windowStart)
        let n = min(buffer.count, windowCount - from)
        buffer.baseAddress!.copyMemory(from: window.baseAddress! + from, byteCount: n)
        return n
    }

    /// Makes the window the `length` bytes at `start` (fewer at the end of the file): the read-ahead's, when it
    /// read those, else read here. Then, when the reads go in order, asks for the next window. False when O_DIRECT
    /// was refused.
    private func load(_ start: Int64, length: Int) throws -> Bool {
        windowCount = 0  // the buffer's bytes are undefined until this load succeeds
        let want = Int(min(Int64(length), size - start))
        var result: (count: Int, error: Int32)
        if let readAhead, let ahead = readAhead.take(start, swapping: &window) {
            result = ahead
            windowsReadAhead += 1
        } else {
            result = Self.readFully(fd, into: window, count: want, at: start)
        }
        if result.error == EINVAL {
            close(fd)
            fd = -1
            return false
        }
        if result.error != 0 { throw OBSError.localIO("cannot read \(path): \(OBSError.reason(result.error))") }
        (windowStart, windowCount) = (start, result.count)
        guard length == window.count else { return true }
        let next = start + Int64(window.count)
        if start == sequentialNext && next < size { askAhead(next) }
        sequentialNext = next
        return true
    }

    private func askAhead(_ start: Int64) {
        if readAhead == nil && !readAheadFailed {
            readAhead = ReadAhead(fd: fd, windowSize: window.count, fileSize: size)
            readAheadFailed = readAhead == nil
        }
        readAhead?.ask(start)
    }

    /// Reads `count` bytes at `offset` into `buffer`, looping on short reads (a file system may return fewer bytes
    /// than asked before the end) and EINTR; fewer only at the end of the file. The count read, or an errno.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: Int64)
        -> (count: Int, error: Int32)
    {
        var done = 0
        while done < count {
            // Whole blocks from an aligned offset, as O_DIRECT wants: past the end of the file they read short.
            let ask = (count - done + DirectIO.alignment - 1) / DirectIO.alignment * DirectIO.alignment
            let n = pread(fd, buffer.baseAddress! + done, min(ask, buffer.count - done), off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                return (0, errno)
            }
            if n == 0 { break }
            done += n
            if n % DirectIO.alignment != 0 { break }  // a partial block: the end of the file
        }
        return (min(done, count), 0)
    }
}

/// The read-ahead of a `DirectFileReader`: one thread reading one window at a time into its own buffer, which the
/// reader swaps with its window when it reaches that offset. `@unchecked Sendable`: every field but the buffer is
/// guarded by `condition`, and the buffer is the thread's only while a read is asked for and not yet taken.
private final class ReadAhead: @unchecked Sendable {
    private let fd: Int32
    private let fileSize: Int64
    private var buffer: UnsafeMutableRawBufferPointer
    private let condition = NSCondition()
    private var asked: Int64?  // the window start being read, or read
    private var result: (count: Int, error: Int32)?
    private var stopping = false
    private var stopped = false

    /// nil when no thread could be started (the reader then reads every window itself).
    init?(fd: Int32, windowSize: Int, fileSize: Int64) {
        self.fd = fd
        self.fileSize = fileSize
        buffer = WindowCache.take(windowSize)
        guard DetachedThread.start({ [self] in run() }) == 0 else { return nil }  // deinit gives the buffer back
    }

    deinit { WindowCache.give(buffer) }

    /// Starts reading the window at `start`. Only when nothing is asked: the reader takes each answer first.
    func ask(_ start: Int64) {
        condition.withLock {
            precondition(asked == nil, "ReadAhead: a read is already asked for")
            (asked, result) = (start, nil)
            condition.broadcast()
        }
    }

    /// The answer for `start`, its bytes swapped into `window` when it is no error; nil (and the window untouched)
    /// when the read asked for was another or none. Either way the thread is idle afterwards.
    func take(_ start: Int64, swapping window: inout UnsafeMutableRawBufferPointer) -> (count: Int, error: Int32)? {
        condition.lock()
        defer { condition.unlock() }
        guard let wanted = asked else { return nil }
        while result == nil { condition.wait() }
        asked = nil
        guard wanted == start, let answer = result else { return nil }
        if answer.error == 0 { swap(&window, &buffer) }
        return answer
    }

    /// Ends the thread, after the read it is doing (the descriptor and buffer stay valid until then).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            while !stopping && (asked == nil || result != nil) { condition.wait() }
            if stopping { break }
            let start = asked!
            let target = buffer
            condition.unlock()
            let want = Int(min(Int64(target.count), fileSize - start))
            let answer = DirectFileReader.readFully(fd, into: target, count: want, at: start)
            condition.lock()
            result = answer
            condition.broadcast()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Whole windows kept for the next reader: in `obsctl serve` (whose allocations of more than 128 KiB are each a
/// fresh mapping) a new MiB cost 256 page faults and its unmapping a TLB shootdown, for every part of every large
/// GET. They hold file bytes (ciphertext, or an unencrypted object's), never keys. Smaller windows are not kept.
enum WindowCache {
    static let kept = 8
    private static let lock = NSLock()
    nonisolated(unsafe) private static var idle: [UnsafeMutableRawBufferPointer] = []  // under `lock`

    static func take(_ count: Int) -> UnsafeMutableRawBufferPointer {
        if count == DirectFileReader.windowSize, let b = lock.withLock({ idle.popLast() }) { return b }
        return .allocate(byteCount: count, alignment: DirectIO.alignment)
    }

    static func give(_ buffer: UnsafeMutableRawBufferPointer) {
        let keep =
            buffer.count == DirectFileReader.windowSize
            && lock.withLock {
                guard idle.count < kept else { return false }
                idle.append(buffer)
                return true
            }
        if !keep { buffer.deallocate() }
    }
}

/// Which pages of a file the page cache holds now (mincore over a mapping that faults nothing in): how tests see
/// that a file went past the cache. nil when the file cannot be opened or mapped (an empty one).
enum PageCache {
    static func residentPages(of path: String) -> [Bool]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let length = Int(st.st_size)
        guard let map = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else { return nil }
        defer { munmap(map, length) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: (length + page - 1) / page)
        guard mincore(map, length, &vector) == 0 else { return nil }
        return vector.map { $0 & 1 != 0 }
    }

    /// Whether direct writes in `directory` leave the page cache empty: not on tmpfs (which is all cache), nor
    /// where O_DIRECT is refused or turned into buffered writes (btrfs with checksums). Tests of the bypass ask.
    static func directWritesBypass(in directory: String) -> Bool {
        let path = directory + "/.direct-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | DirectIO.openFlag, 0o600)
        guard fd >= 0 else { return false }
        defer { unlink(path) }
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * DirectIO.alignment, alignment: 4096)
        defer { block.deallocate() }
        block.initializeMemory(as: UInt8.self, repeating: 7)
        let n = pwrite(fd, block.baseAddress, block.count, 0)
        close(fd)
        return n == block.count && residentPages(of: path)?.contains(true) == false
    }
}
