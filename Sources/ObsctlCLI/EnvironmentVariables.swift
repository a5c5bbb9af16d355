import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An empty variable counts as unset, for every variable obsctl reads (OBSCTL_*, OBS_*, AWS_*, XDG_*):
/// `OBSCTL_PROFILE=` is how shells and CI templates spell "no value", not a profile named "". The empties are
/// removed from the process environment once, at start and before any thread reads it, so that no reader can
/// treat them otherwise.
enum EnvironmentVariables {
    static let prefixes = ["OBSCTL_", "OBS_", "AWS_", "XDG_"]

    static func unsetEmpty() {
        let empty = ProcessInfo.processInfo.environment.filter { name, value in
            value.isEmpty && prefixes.contains { name.hasPrefix($0) }
        }
        for name in empty.keys { unsetenv(name) }
    }
}
