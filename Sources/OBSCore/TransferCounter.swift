#if os(Linux)
import Synchronization
#else
import Foundation
#endif

/// Bytes moved so far by one transfer, read by a progress display on another thread. The transfer adds once per
/// buffer (64 KiB to 1 MiB), never per byte: one relaxed atomic add, no lock, no allocation.
public final class TransferCounter: Sendable {
    #if os(Linux)
    private let bytes = Atomic<Int64>(0)
    public init() {}
    public func add(_ n: Int64) { bytes.add(n, ordering: .relaxed) }
    public var value: Int64 { bytes.load(ordering: .relaxed) }
    #else
    // Atomic needs macOS 15; the package supports macOS 13, where an uncontended lock does the same job.
    private let lock = NSLock()
    nonisolated(unsafe) private var count: Int64 = 0  // touched only under `lock`
    public init() {}
    public func add(_ n: Int64) { lock.lock(); count += n; lock.unlock() }
    public var value: Int64 { lock.lock(); defer { lock.unlock() }; return count }
    #endif
}
