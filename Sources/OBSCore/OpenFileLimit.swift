import Foundation

/// The number of descriptors the process may hold. Each file in flight holds several (a connection, libcurl's
/// wake-up socket pair, the file itself), so `--jobs 256` needs more than 1,024, the usual soft limit, and a server
/// holds one for each client. Like Go programs (s5cmd) at start, obsctl raises the soft limit to the hard one,
/// capped: nothing it runs closes every descriptor up to the limit, but a bound keeps such a cost small anyway.
public enum OpenFileLimit {
    static let cap: rlim_t = 1 << 16

    /// Raises the soft limit toward the hard one (at most `cap`); never lowers it. Returns the soft limit in force.
    @discardableResult
    public static func raise() -> rlim_t {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        let wanted = min(limit.rlim_max, cap)
        guard limit.rlim_cur < wanted else { return limit.rlim_cur }
        var raised = limit
        raised.rlim_cur = wanted
        return setrlimit(resource, &raised) == 0 ? wanted : limit.rlim_cur
    }

    /// The soft limit in force (`Int32.max` when it cannot be read).
    public static var soft: rlim_t {
        var limit = rlimit()
        return getrlimit(resource, &limit) == 0 ? limit.rlim_cur : rlim_t(Int32.max)
    }

    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
