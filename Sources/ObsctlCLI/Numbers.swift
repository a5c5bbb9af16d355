import Foundation
import OBSClient
import OBSCore
import OBSLocalBackend

/// Every number obsctl takes from its command line or environment, checked against its range in one place: "-1",
/// "0", "1.5", "abc" or an overflow each get one usage error (exit 2) naming the option or variable and what it
/// accepts. Nothing is clamped silently. Numeric options parse with `.unconditional`, so that a negative value
/// reaches this check instead of being taken for an option ("Missing value for '--part-size'").
enum Numbers {
    static let parallel = 1...64
    static let retries = 0...20
    static let timeoutSeconds = 1...3600
    static let deletionDays = LocalKMS.deletionWindow
    static let partSize = MultipartPlan.minPartSize...MultipartPlan.maxPartSize
    /// Above 5 GiB no single PUT is possible: a larger threshold would be lowered silently.
    static let multipartThreshold: ClosedRange<Int64> = 1...(5 << 30)
    static let progressIntervalSeconds = 0.2...86_400.0

    static func integer(_ text: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let n = Int(text), range.contains(n) else {
            throw InvalidValue("give a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// A size in bytes, or with K, M or G (powers of 1024; KB, KiB and lower case are accepted too).
    static func size(_ text: String, _ range: ClosedRange<Int64>) throws -> Int64 {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = text.uppercased(), factor: Int64 = 1
        if digits.hasSuffix("IB") { digits.removeLast(2) } else if digits.hasSuffix("B") { digits.removeLast() }
        if let u = digits.last, let f = units[u] { factor = f; digits.removeLast() }
        let invalid = InvalidValue(
            "give a size from \(Progress.bytes(range.lowerBound)) to "
                + "\(Progress.bytes(range.upperBound)), such as 8M, 512K or 1073741824")
        guard digits.allSatisfy(\.isASCII), let n = Int64(digits) else { throw invalid }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: factor)
        guard !overflow, range.contains(bytes) else { throw invalid }
        return bytes
    }

    /// Checks the numeric environment variables once, before any work: a bad value is a usage error naming the
    /// variable, never a silent fallback to the default.
    static func checkEnvironment(_ env: [String: String]) throws {
        if let text = env["OBSCTL_PROGRESS_INTERVAL"], !text.isEmpty {
            _ = try progressInterval(text)
        }
        if let text = env["OBSCTL_LOCAL_NOW"], !text.isEmpty, LocalClock.parse(text) == nil {
            throw OBSError.invalidArgument(
                "OBSCTL_LOCAL_NOW='\(text)' is neither an RFC 3339 time "
                    + "(2030-01-31T12:00:00Z) nor seconds since 1970; fix or unset it")
        }
    }

    /// OBSCTL_PROGRESS_INTERVAL: seconds between two summary lines of `--progress plain`.
    static func progressInterval(_ text: String) throws -> Double {
        let r = progressIntervalSeconds
        guard let s = Double(text), s.isFinite, r.contains(s) else {
            throw OBSError.invalidArgument(
                "OBSCTL_PROGRESS_INTERVAL='\(text)' must be a number of seconds from "
                    + "\(r.lowerBound) to \(Int(r.upperBound)); fix or unset it")
        }
        return s
    }
}
