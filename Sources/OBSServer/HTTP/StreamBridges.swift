import Foundation
import OBSCore

/// Why a request body stopped before its end. The server answers S3's codes: 400 `RequestTimeout` for a stall and
/// 400 `IncompleteBody` for a lost connection (no client hears that one, but the access log records it as the
/// client's failure, not the server's).
public enum RequestBodyFailure: Error, Sendable, Equatable {
    /// No byte arrived for the stall timeout while the server waited for one.
    case stalled
    /// The connection failed or closed before the body's end.
    case connectionLost(String)
}

/// A request body handed from the listener's async world to the backend's blocking reads. The listener `push`es
/// chunks (awaiting room: at most `capacity` bytes wait here, so a slow disk slows the client, memory stays
/// bounded); the backend's `read` blocks on a BlockingPool thread until bytes or the end arrive, for at most
/// `stallTimeout` at a time: a client that stops sending frees the thread (`RequestBodyFailure.stalled`), rather than
/// holding it until the connection's idle timeout.
/// `@unchecked Sendable`: its state is touched only under `condition`; `onFirstRead` is set before it is shared.
public final class StreamedRequestBody: ByteSource, @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var offset = 0
    private var buffered = 0
    private var finished = false
    private var failure: Error?
    private var abandoned = false
    private var waiter: CheckedContinuation<Void, Never>?
    /// `arrival`'s: woken when the body is whole, `capacity` bytes wait, or its deadline passed.
    private var arrivalWaiter: CheckedContinuation<Void, Never>?
    private var arrivalDeadlinePassed = false
    private let capacity: Int
    private let stallTimeout: TimeInterval
    private var stalled = false
    private var readStarted = false
    private var lastDropped: Date?

    /// Called once, when the body is first read (before that read waits): the listener's `100 Continue`, which a
    /// request refused before its body needs not hear. Set before the body is handed to the handler.
    public var onFirstRead: (@Sendable () -> Void)?

    public init(capacity: Int = 1 << 20, stallTimeout: TimeInterval = .infinity) {
        self.capacity = capacity
        self.stallTimeout = stallTimeout
    }

    /// How long a read waits for a byte (`RequestBodyFailure.stalled` after it).
    public var timeout: TimeInterval { stallTimeout }

    /// Whether a read gave up on a client that sent nothing for the stall timeout.
    public var didStall: Bool { condition.withLock { stalled } }

    /// Whether the reader has gone (`abandon`): what arrives now is dropped.
    public var isAbandoned: Bool { condition.withLock { abandoned } }

    /// A piece arrived after the reader had gone and was dropped (the listener's lingering close waits on these).
    public func dropped() { condition.withLock { lastDropped = Date() } }

    /// When a piece was last dropped; nil when none was.
    public var lastDrop: Date? { condition.withLock { lastDropped } }

    /// Whether the whole body arrived (or the connection ended it).
    public var isComplete: Bool { condition.withLock { finished } }

    /// Adds bytes; returns false when the reader has gone (the listener then stops reading the socket).
    public func push(_ bytes: [UInt8]) async -> Bool {
        while true {
            let ready: Bool = condition.withLock {
                if abandoned { return true }
                return buffered < capacity
            }
            if ready { break }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = condition.withLock {
                    if abandoned || buffered < capacity { return true }
                    waiter = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
        let (accepted, arrived): (Bool, CheckedContinuation<Void, Never>?) = condition.withLock {
            if abandoned { return (false, nil) }
            chunks.append(bytes)
            buffered += bytes.count
            condition.broadcast()
            return (true, takeArrivalWaiter())
        }
        arrived?.resume()
        return accepted
    }

    /// The body ended (`error == nil`) or the connection failed.
    public func finish(error: Error? = nil) {
        let arrived: CheckedContinuation<Void, Never>? = condition.withLock {
            finished = true
            failure = error
            condition.broadcast()
            return takeArrivalWaiter()
        }
        arrived?.resume()
    }

    /// Waits, holding no thread, until the whole body has arrived or `capacity` bytes of it wait, for at most
    /// `timeout`: a small body (a KMS call's JSON) can then be read at once, so a client that announces one and
    /// sends nothing holds its connection only, not a handler's slot or thread. Returns whether it arrived.
    public func arrival(timeout: TimeInterval) async -> Bool {
        startReading()  // a client that sent Expect: 100-continue waits for it before its body
        let deadline: Task<Void, Never>? =
            timeout.isFinite
            ? Task { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(max(0, timeout) * 1e9))
                guard let self else { return }
                let late: CheckedContinuation<Void, Never>? = condition.withLock {
                    arrivalDeadlinePassed = true
                    return takeArrivalWaiter(force: true)
                }
                late?.resume()
            } : nil
        defer { deadline?.cancel() }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Bool = condition.withLock {
                if hasArrived || arrivalDeadlinePassed { return true }
                arrivalWaiter = c
                return false
            }
            if now { c.resume() }
        }
        return condition.withLock { hasArrived }
    }

    /// The first read (or `arrival`) calls `onFirstRead`, once.
    private func startReading() {
        let hook: (@Sendable () -> Void)? = condition.withLock {
            if readStarted { return nil }
            readStarted = true
            return onFirstRead
        }
        hook?()
    }

    /// Under `condition`.
    private var hasArrived: Bool { finished || abandoned || buffered >= capacity }

    /// Under `condition`: the `arrival` waiter to wake, once the body has arrived (or `force`: its deadline).
    private func takeArrivalWaiter(force: Bool = false) -> CheckedContinuation<Void, Never>? {
        guard force || hasArrived, let w = arrivalWaiter else { return nil }
        arrivalWaiter = nil
        return w
    }

    /// The reader will read no more (the handler is done): wakes a waiting `push`, which then returns false.
    public func abandon() {
        let (w, arrived): (CheckedContinuation<Void, Never>?, CheckedContinuation<Void, Never>?) = condition.withLock {
            abandoned = true
            chunks.removeAll()
            head = 0
            buffered = 0
            let w = waiter
            waiter = nil
            return (w, takeArrivalWaiter())
        }
        w?.resume()
        arrived?.resume()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        startReading()
        condition.lock()
        // No deadline without a timeout: Foundation's wait(until:) traps on a date as far as distantFuture.
        let deadline = stallTimeout.isFinite ? Date(timeIntervalSinceNow: stallTimeout) : nil
        while head == chunks.count && !finished {
            guard let deadline else {
                condition.wait()
                continue
            }
            if !condition.wait(until: deadline), head == chunks.count, !finished {
                stalled = true
                condition.unlock()
                throw RequestBodyFailure.stalled
            }
        }
        if head == chunks.count {
            let error = failure
            condition.unlock()
            if let error { throw error }
            return 0
        }
        let chunk = chunks[head]
        let n = min(buffer.count, chunk.count - offset)
        chunk.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        buffered -= n
        if offset == chunk.count {
            head += 1
            offset = 0
            if head > 64 {
                chunks.removeFirst(head)
                head = 0
            }
        }
        var wake: CheckedContinuation<Void, Never>? = nil
        if buffered < capacity {
            wake = waiter
            waiter = nil
        }
        condition.unlock()
        wake?.resume()
        return n
    }
}

/// A response body handed from the backend's blocking writes to the listener's async writer: `write` and `fill` block
/// (on a BlockingPool thread) while `capacity` bytes wait to go out; `next` gives the listener the next chunk. Each
/// chunk is filled once, by `fillChunk`, in the form the listener sends (a NIO buffer for obsctl-serve): a backend
/// that fills lent space (`BufferLendingSink`) decrypts straight into it, without a copy in between.
/// `@unchecked Sendable`: its state is under `condition`; `fillChunk` runs on its one writer, one call at a time.
public final class StreamedResponseBody<Chunk: Sendable>: BufferLendingSink, @unchecked Sendable {
    /// Makes a chunk of at least `minimum` writable bytes, lets `body` write into it, and returns it with the count
    /// written.
    public typealias FillChunk = (
        _ minimum: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws -> (chunk: Chunk, count: Int)

    private let condition = NSCondition()
    private var chunks: [(chunk: Chunk, size: Int)] = []
    private var buffered = 0
    private var finished = false
    private var cancelled = false
    private var waiter: CheckedContinuation<Chunk?, Never>?
    private let capacity: Int
    private let stallTimeout: TimeInterval
    private let fillChunk: FillChunk

    /// `stallTimeout`: how long a write waits for the client to take bytes before it gives up
    /// (`StreamedResponseCancelled`), so a client that stops reading holds the writer's thread that long at most,
    /// not until the connection's idle timeout.
    public init(capacity: Int = 1 << 20, stallTimeout: TimeInterval = .infinity, fillChunk: @escaping FillChunk) {
        self.capacity = capacity
        self.stallTimeout = stallTimeout
        self.fillChunk = fillChunk
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        _ = try fill(minimum: bytes.count) { space in
            space.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            return bytes.count
        }
    }

    public func fill(minimum: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        try waitForRoom()
        let (chunk, count) = try fillChunk(minimum, body)  // outside the lock: filling need not hold up the listener
        guard count > 0 else { return 0 }
        condition.lock()
        if cancelled {  // the client went away meanwhile
            condition.unlock()
            throw StreamedResponseCancelled()
        }
        if let w = waiter {
            waiter = nil
            condition.unlock()
            w.resume(returning: chunk)
            return count
        }
        chunks.append((chunk, count))
        buffered += count
        condition.unlock()
        return count
    }

    /// Blocks while `capacity` bytes wait to go out; throws once the client went away or took nothing for the
    /// stall timeout.
    private func waitForRoom() throws {
        condition.lock()
        defer { condition.unlock() }
        // No deadline without a timeout: Foundation's wait(until:) traps on a date as far as distantFuture.
        let deadline = stallTimeout.isFinite ? Date(timeIntervalSinceNow: stallTimeout) : nil
        while buffered >= capacity && !cancelled {
            guard let deadline else {
                condition.wait()
                continue
            }
            if !condition.wait(until: deadline), buffered >= capacity { cancelled = true }
        }
        if cancelled { throw StreamedResponseCancelled() }
    }

    /// No more bytes will be written.
    public func finish() {
        let w: CheckedContinuation<Chunk?, Never>? = condition.withLock {
            finished = true
            let w = waiter
            waiter = nil
            return w
        }
        w?.resume(returning: nil)
    }

    /// The client went away: a blocked `write` throws.
    public func cancel() {
        condition.withLock {
            cancelled = true
            chunks.removeAll()
            buffered = 0
            condition.broadcast()
        }
    }

    /// The next chunk, or nil at the end.
    public func next() async -> Chunk? {
        await withCheckedContinuation { (c: CheckedContinuation<Chunk?, Never>) in
            condition.lock()
            if !chunks.isEmpty {
                let (chunk, size) = chunks.removeFirst()
                buffered -= size
                condition.broadcast()
                condition.unlock()
                c.resume(returning: chunk)
            } else if finished || cancelled {
                condition.unlock()
                c.resume(returning: nil)
            } else {
                waiter = c
                condition.unlock()
            }
        }
    }
}

extension StreamedResponseBody where Chunk == [UInt8] {
    /// Chunks as byte arrays (tests, and listeners that take arrays).
    public convenience init(capacity: Int = 1 << 20, stallTimeout: TimeInterval = .infinity) {
        self.init(capacity: capacity, stallTimeout: stallTimeout) { minimum, body in
            var bytes = [UInt8](repeating: 0, count: minimum)
            let n = try bytes.withUnsafeMutableBytes(body)
            bytes.removeLast(bytes.count - n)
            return (bytes, n)
        }
    }
}

/// A `StreamedResponseBody` write given up: the client took nothing for the stall timeout, or went away.
public struct StreamedResponseCancelled: Error {}
