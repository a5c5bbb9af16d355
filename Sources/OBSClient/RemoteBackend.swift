import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import OBSXML

/// The storage protocol against OBS or an S3-compatible endpoint: each operation is one signed HTTP exchange
/// over libcurl (a few are two). The jobs live apart: the OBS/S3 dialect in `Dialect/`, sending and resending in
/// `Executor/` and `RemoteBackend+Requests.swift`, the operations in `RemoteBackend+Buckets/Objects/Multipart/
/// Download.swift`. Sendable: every stored property is immutable or guards its own state with a lock.
public final class RemoteBackend: ObjectStorage, Sendable {
    public let configuration: RemoteConfiguration
    /// Idle transports (libcurl handles with their open connections), lent one caller at a time.
    let transports: TransportPool
    /// Warnings the user must see whatever --quiet says (parts left stored, for example).
    let warn: @Sendable (String) -> Void
    /// Advisories about what the user explicitly chose (SSE over plain HTTP to loopback): --quiet hides them. Each
    /// text once per backend (a run), not once per request: a recursive upload gave one line per file.
    let advise: @Sendable (String) -> Void
    /// Receives the redacted dump of every exchange with `--debug`; nil otherwise.
    let debugLog: DebugLog?
    /// What this client learnt of the server on earlier requests: clock offset, SSE-KMS support, bucket defaults.
    let shared = RemoteBackendState()
    /// Waits out a retry's backoff (a no-op in the executor's unit tests).
    let sleep: @Sendable (TimeInterval) -> Void

    public var displayName: String {
        "\(configuration.scheme)://\(configuration.host)" + (configuration.port.map { ":\($0)" } ?? "")
    }
    public var defaultLocation: String { configuration.region }

    /// `debug` receives a redacted dump of every exchange (`--debug`). A given `transport` is the only one used
    /// (one request at a time); without one, each concurrent request gets a libcurl handle of its own.
    public convenience init(
        configuration: RemoteConfiguration, transport: HTTPTransport? = nil,
        warn: @escaping @Sendable (String) -> Void,
        advise: (@Sendable (String) -> Void)? = nil, debug: DebugLog? = nil
    ) throws {
        try self.init(
            configuration: configuration, transport: transport, warn: warn, advise: advise, debug: debug,
            sleep: { Thread.sleep(forTimeInterval: $0) })
    }

    init(
        configuration: RemoteConfiguration, transport: HTTPTransport?, warn: @escaping @Sendable (String) -> Void,
        advise: (@Sendable (String) -> Void)?, debug: DebugLog?, sleep: @escaping @Sendable (TimeInterval) -> Void
    )
        throws
    {
        self.configuration = configuration
        if let transport {
            transports = TransportPool(only: transport)
        } else {
            let options = configuration.transport
            transports = try TransportPool { try CurlTransport(options: options) }
        }
        self.warn = warn
        let said = SaidOnce(), say = advise ?? warn
        self.advise = { text in if said.first(text) { say(text) } }
        self.debugLog = debug
        self.sleep = sleep
    }

    /// Runs `body` with a transport of this backend's own, lent to this caller alone until `body` returns.
    func serialised<R>(_ body: (HTTPTransport) throws -> R) throws -> R {
        try transports.with(body)
    }

    /// Runs `body` on a thread of the shared blocking pool and resumes the caller with its result: blocking
    /// libcurl calls never occupy Swift's cooperative pool.
    func runBlocking<R>(_ body: @escaping (RemoteBackend) throws -> R) async throws -> R {
        try await BlockingPool.shared.run { [self] in try body(self) }
    }
}

/// What the client learnt from earlier answers, shared by concurrent requests; each field under its own lock.
final class RemoteBackendState: Sendable {
    /// Seconds to add to the local clock when signing (set from the server's Date after RequestTimeTooSkewed).
    private let clock = Locked<TimeInterval>(0)
    /// Set once an answer of the server has confirmed SSE-KMS: its 500s are then ordinary, not a sign that it
    /// lacks a KMS.
    private let kms = Locked(false)
    /// Buckets' default encryption as last read: `.some(nil)` is "none", a missing entry "not known".
    private let defaults = Locked<[String: BucketEncryption?]>([:])
    /// Buckets whose default encryption could not be read (the caller may write but not read the setting): asked
    /// once, not at every write.
    private let unreadableDefaults = Locked<Set<String>>([])
    /// Whether a single copy's `copy-source-if-match` was seen enforced (nil: not known; `RemoteBackend+Objects`),
    /// and whether a copy has taken on learning it (one probe per client, however many copies run at once).
    private let pin = Locked<Bool?>(nil)
    private let pinProbe = Locked(false)

    var clockOffset: TimeInterval {
        get { clock.value }
        set { clock.value = newValue }
    }

    var kmsAccepted: Bool {
        get { kms.value }
        set { kms.value = newValue }
    }

    var copyPinEnforced: Bool? {
        get { pin.value }
        set { pin.value = newValue }
    }

    /// True for the first caller only: it sends the probe.
    func claimPinProbe() -> Bool {
        var first = false
        pinProbe.update { claimed in
            first = !claimed
            claimed = true
        }
        return first
    }

    func bucketDefault(_ bucket: String) -> BucketEncryption?? { defaults.value[bucket] }

    func setBucketDefault(_ bucket: String, _ value: BucketEncryption?) {
        defaults.update { $0[bucket] = .some(value) }
    }

    func forgetBucketDefault(_ bucket: String) {
        defaults.update { $0[bucket] = nil }
        unreadableDefaults.update { $0.remove(bucket) }
    }

    func isBucketDefaultUnreadable(_ bucket: String) -> Bool { unreadableDefaults.value.contains(bucket) }

    func markBucketDefaultUnreadable(_ bucket: String) { unreadableDefaults.update { $0.insert(bucket) } }
}

/// Idle transports of one backend, lent to one caller at a time and kept for the next: each libcurl handle keeps
/// its connections open, so requests reuse them (keep-alive) whichever pool thread runs them. `@unchecked
/// Sendable`: `idle` is touched only under `condition`, and a transport is used by one thread between take and give.
final class TransportPool: @unchecked Sendable {
    /// Handles kept idle at most (more are made when more requests run at once, and closed when given back). As
    /// many as `--jobs` allows: a handle closed here is a connection the next request must open again (a round
    /// trip for TCP, two or more for TLS): with 32, `upload -r --jobs 64` of 2,000 files opened 229 connections. The
    /// idle set never holds more handles than requests ran at once.
    static let maxIdle = 256
    private let condition = NSCondition()
    private var idle: [HTTPTransport]
    private let make: (() throws -> HTTPTransport)?

    /// New transports from `make` as needed; the first is made now, so a missing libcurl is said at once.
    init(_ make: @escaping () throws -> HTTPTransport) throws {
        self.make = make
        idle = [try make()]
    }

    /// Only `transport`, lent to one caller at a time (a test's scripted transport).
    init(only transport: HTTPTransport) {
        make = nil
        idle = [transport]
    }

    func with<R>(_ body: (HTTPTransport) throws -> R) throws -> R {
        let transport = try take()
        defer { give(transport) }
        return try body(transport)
    }

    private func take() throws -> HTTPTransport {
        condition.lock()
        defer { condition.unlock() }
        while idle.isEmpty {
            if let make { return try make() }
            condition.wait()
        }
        return idle.removeLast()
    }

    private func give(_ transport: HTTPTransport) {
        condition.lock()
        defer { condition.unlock() }
        guard make == nil || idle.count < Self.maxIdle else { return }
        idle.append(transport)
        condition.signal()
    }
}

/// Carries a value the compiler cannot see is used by one thread at a time. `@unchecked Sendable`: each use
/// hands the value to exactly one other thread (a pool job, a part worker) while its owner waits for it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// A value read and written from any thread. `@unchecked Sendable`: `value` is touched only under `lock`, and
/// `T` is Sendable.
final class Locked<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
        set {
            lock.lock()
            stored = newValue
            lock.unlock()
        }
    }

    /// Changes the value in place under the lock (a read-modify-write that no other caller can interleave).
    func update(_ change: (inout T) -> Void) {
        lock.lock()
        change(&stored)
        lock.unlock()
    }
}

/// A value that is not Sendable (a libcurl handle), used by one thread at a time: only inside `withLock`, which
/// never lets it out. `@unchecked Sendable`: `stored` is touched only under `lock` (what `Mutex` does, which needs
/// macOS 15).
final class Exclusive<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }

    func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&stored)
    }
}

/// Texts already said. `@unchecked Sendable`: `said` only under `lock`.
private final class SaidOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var said = Set<String>()

    /// True the first time `text` is asked about.
    func first(_ text: String) -> Bool { lock.withLock { said.insert(text).inserted } }
}
