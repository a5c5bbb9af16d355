import Foundation
import OBSCore

/// Set once, read from any task: whether a run must start no more items (a failure every other item would
/// repeat: `Transfers.failsEveryStep`, `Applier.stopsTheRun`, `RunWideFailure`), and the failure that decided it (the
/// first). `@unchecked Sendable`: its state is touched only under `lock`.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var reason: OBSError?
    public init() {}
    public var isSet: Bool { lock.withLock { value } }
    /// The failure that stopped the run, when one was given.
    public var stoppedBy: OBSError? { lock.withLock { reason } }
    public func set(because failure: OBSError? = nil) {
        lock.withLock {
            if !value { reason = failure }
            value = true
        }
    }
}
