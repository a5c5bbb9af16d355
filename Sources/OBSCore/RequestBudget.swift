import Foundation

/// The bound on requests in flight across one run of many transfers (`--jobs`), shared by the files and the parts of
/// each: every file being transferred holds one request, and a large file's extra parts or ranges (up to
/// `--parallel`) start only on requests no file holds, such as those of workers left without a file at the end of a
/// run. Requests in flight, their connections, threads and receive blocks then stay within one bound, whatever the
/// number and size of the files (aws's max_concurrent_requests; rclone and s5cmd multiply files by parts).
public final class RequestBudget: @unchecked Sendable {  // `spare` only under `lock`
    private let lock = NSLock()
    private var spare: Int

    public init(_ total: Int) { spare = max(0, total) }

    /// Requests no one holds.
    public var available: Int { lock.withLock { spare } }

    /// Takes `n` requests whether or not they are spare (the run's file workers, each of which is one of the total).
    public func withdraw(_ n: Int) { lock.withLock { spare -= n } }

    /// Takes one spare request, if there is one.
    public func take() -> Bool {
        lock.withLock {
            guard spare > 0 else { return false }
            spare -= 1
            return true
        }
    }

    public func giveBack(_ n: Int = 1) { lock.withLock { spare += n } }
}

extension RequestBudget: Equatable {
    /// The same budget: one run's.
    public static func == (a: RequestBudget, b: RequestBudget) -> Bool { a === b }
}
