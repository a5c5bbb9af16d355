import Foundation
import OBSCore

/// Which failures are worth sending again, how many times, and how long to wait before each resend.
struct RetryPolicy: Sendable {
    /// Resends after the first attempt (`--retries`).
    var retries: Int
    /// The first backoff's cap; each later one doubles, up to `maxDelay`.
    var baseDelay: TimeInterval = 0.2
    var maxDelay: TimeInterval = 10

    /// Capped exponential backoff with full jitter: retry n waits between half its cap and its cap (0.2 s, 0.4 s,
    /// 0.8 s ... at most 10 s). `jitter` in 0...1 picks the point (random in use, fixed in tests).
    func delay(beforeRetry n: Int, jitter: Double) -> TimeInterval {
        let cap = min(maxDelay, baseDelay * pow(2.0, Double(max(1, n) - 1)))
        return cap / 2 + cap / 2 * min(1, max(0, jitter))
    }

    /// A server answer that may succeed when sent again: 5xx but 501 (not implemented stays so) and 507 (the
    /// server's disk is full: sent again at once, it fills again), 429 (slow down), a code that says so whatever its
    /// status (400 RequestTimeout), and bytes damaged in transit (the checksum header caught it).
    static func isTransient(status: Int, category: OBSError.Category) -> Bool {
        status >= 500 && ![501, 507].contains(status) || status == 429 || category == .integrity
            || category == .transient
    }
}
