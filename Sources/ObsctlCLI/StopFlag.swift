import Foundation

/// Set once, read from any task: whether a run must start no more items (a failure every other item would
/// repeat: `Transfers.failsEveryStep`, `Applier.stopsTheRun`). `@unchecked Sendable`: `value` is touched only
/// under `lock`.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
