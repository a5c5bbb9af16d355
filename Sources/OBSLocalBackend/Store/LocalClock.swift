import Foundation
import OBSCore
import OBSTime

/// The backend's notion of now. `OBSCTL_LOCAL_NOW` (RFC 3339 or seconds since the epoch) moves it, so tests can
/// step past a KMS key's deletion date without waiting days. The command line refuses a value `parse` rejects.
public enum LocalClock {
    static func now() -> Date { fixedNow ?? Date() }

    /// Read once per process: `now` runs on every KMS call and audit line, and `ProcessInfo.environment` builds a
    /// dictionary of the whole environment each time (3.5% of a small GET's CPU in `obsctl serve`).
    private static let fixedNow: Date? = getenv("OBSCTL_LOCAL_NOW").flatMap { parse(String(cString: $0)) }

    /// An OBSCTL_LOCAL_NOW value: RFC 3339 (ISO 8601), or seconds since 1970 (finite, up to the year 9999).
    public static func parse(_ text: String) -> Date? {
        if let secs = Double(text) {
            guard secs.isFinite, (-62_135_596_800...253_402_300_799).contains(secs) else { return nil }
            return Date(timeIntervalSince1970: secs)
        }
        return Timestamps.parseISO8601(text)
    }
}
