import OBSCore

/// The exit code table: one place, used by every command, printed in the README and the man page.
/// Scripts may rely on these numbers.
public enum ObsctlExitCode: Int32, CaseIterable, Sendable {
    case success = 0
    case general = 1
    case usage = 2
    case notFound = 3
    case accessDenied = 4
    case kms = 5
    case encryptionMismatch = 6
    case customerKey = 7
    case partial = 8
    case conflict = 10
    case transient = 11
    case configuration = 12
    case integrity = 13
    case interrupted = 130

    public var meaning: String {
        switch self {
        case .success: return "success"
        case .general: return "unclassified error (local I/O and the like)"
        case .usage: return "usage error: bad flag, argument, bucket name or object key"
        case .notFound: return "not found: bucket, object or local file"
        case .accessDenied:
            return "access denied: by the server, or by a local file's or directory's permissions (or a read-only "
                + "file system)"
        case .kms:
            return "KMS problem: key missing, disabled, pending deletion or deleted, or a kms:* permission denied"
        case .encryptionMismatch: return "encryption verification failed: the object is not encrypted as asked"
        case .customerKey: return "SSE-C key problem: missing, wrong, malformed, or given for an object that has none"
        case .partial: return "partial failure: some objects of a recursive command failed"
        case .conflict: return "conflict: bucket exists, bucket not empty, alias taken"
        case .transient: return "transient failure after retries"
        case .configuration:
            return "configuration problem: root key missing, unreadable, too open or mismatched; no credentials; a bad "
                + "endpoint, profile, config file or KMS policy; the endpoint's TLS certificate not verified"
        case .integrity: return "integrity failure: stored data or metadata was modified or damaged"
        case .interrupted:
            return "interrupted (SIGINT; 143 for SIGTERM): multipart uploads in flight aborted, temporary files removed"
        }
    }

    public init(_ category: OBSError.Category) {
        switch category {
        case .general: self = .general
        case .usage: self = .usage
        case .notFound: self = .notFound
        case .accessDenied: self = .accessDenied
        case .kms: self = .kms
        case .encryptionMismatch: self = .encryptionMismatch
        case .customerKey: self = .customerKey
        case .partial: self = .partial
        case .conflict: self = .conflict
        case .transient: self = .transient
        case .configuration: self = .configuration
        case .integrity: self = .integrity
        case .interrupted: self = .interrupted
        }
    }

    /// The table as text, for `--help` discussions and the man page.
    public static var table: String {
        allCases.map { "  \(String($0.rawValue).padding(toLength: 4, withPad: " ", startingAt: 0)) \($0.meaning)" }
            .joined(separator: "\n")
    }
}
