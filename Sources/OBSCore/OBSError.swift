#if canImport(Glibc)
import Glibc
#endif

/// The one error type of the storage protocol. It carries the OBS error code (`NoSuchKey`,
/// `KMS.DisabledException`, ...), the HTTP status OBS would answer with, and a message that names the problem and,
/// where there is one, the fix. The CLI maps `category` to an exit code in one place.
public struct OBSError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What kind of failure this is, for exit codes. Stable: scripts branch on the exit codes derived from it.
    public enum Category: String, Sendable, CaseIterable {
        case general, usage, notFound, accessDenied, kms, encryptionMismatch, customerKey, partial, conflict,
            transient, configuration, integrity, interrupted
    }

    public var code: String
    public var message: String
    public var httpStatus: Int
    public var category: Category
    public var requestID: String?
    public var resource: String?

    public init(
        code: String, message: String, httpStatus: Int, category: Category, requestID: String? = nil,
        resource: String? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.category = category
        self.requestID = requestID
        self.resource = resource
    }

    public var description: String { message }
}

// Constructors for the codes both backends produce, so that wording and categories live in one place.
extension OBSError {
    public static func invalidBucketName(_ name: String, _ why: String) -> OBSError {
        OBSError(
            code: "InvalidBucketName", message: "invalid bucket name '\(name)': \(why)", httpStatus: 400,
            category: .usage)
    }
    public static func invalidArgument(_ message: String) -> OBSError {
        OBSError(code: "InvalidArgument", message: message, httpStatus: 400, category: .usage)
    }
    /// An empty local path argument (an unset `$DEST`, say) names no file: never read as "here", nor as `-`.
    public static let emptyPath = invalidArgument(
        "an empty string is no local path; name a file or directory ('.' for the current one)")
    public static func noSuchBucket(_ bucket: String) -> OBSError {
        OBSError(
            code: "NoSuchBucket",
            message: "bucket '\(bucket)' does not exist; create it with 'obsctl bucket create obs://\(bucket)'",
            httpStatus: 404, category: .notFound, resource: bucket)
    }
    public static func noSuchKey(_ bucket: String, _ key: String) -> OBSError {
        OBSError(
            code: "NoSuchKey",
            message: "object obs://\(bucket)/\(key) does not exist; list the bucket with 'obsctl ls obs://\(bucket)/'",
            httpStatus: 404, category: .notFound, resource: "\(bucket)/\(key)")
    }
    /// A copy pinned to the source's ETag found the source changed (written again since it was read).
    public static func sourceChanged(_ bucket: String, _ key: String) -> OBSError {
        OBSError(
            code: "PreconditionFailed",
            message: "obs://\(bucket)/\(key) changed since it was read, so it was not copied (a newer write is kept); "
                + "run the command again to handle it",
            httpStatus: 412, category: .conflict, resource: "\(bucket)/\(key)")
    }
    public static func bucketAlreadyExists(_ bucket: String) -> OBSError {
        OBSError(
            code: "BucketAlreadyOwnedByYou",
            message: "bucket '\(bucket)' already exists; pick another name or use it as it is",
            httpStatus: 409, category: .conflict, resource: bucket)
    }
    public static func bucketNotEmpty(_ bucket: String) -> OBSError {
        OBSError(
            code: "BucketNotEmpty",
            message: "bucket '\(bucket)' is not empty; delete its objects first or pass --force",
            httpStatus: 409, category: .conflict, resource: bucket)
    }
    /// Not BucketNotEmpty either: the versions and delete markers of a versioned bucket, which no listing of
    /// objects shows and `--force` does not delete (it deletes objects, not their history).
    public static func versionsRemain(_ bucket: String) -> OBSError {
        OBSError(
            code: "BucketHasVersions",
            message: "bucket '\(bucket)' still holds object versions or delete markers (it is or was versioned); "
                + "delete them with a tool that removes versions (e.g. 'aws s3api delete-objects' with their "
                + "version ids, or the console), then delete the bucket",
            httpStatus: 409, category: .conflict, resource: bucket)
    }
    /// Not BucketNotEmpty: no object is left, and deleting objects (what that error asks for) does not help.
    public static func uploadsInProgress(_ bucket: String) -> OBSError {
        OBSError(
            code: "MultipartUploadsInProgress",
            message: "bucket '\(bucket)' has multipart uploads in progress (obsctl multipart list obs://\(bucket)); "
                + "abort them with 'obsctl multipart abort obs://\(bucket) --all', or pass --force",
            httpStatus: 409, category: .conflict, resource: bucket)
    }
    public static func kmsNotFound(_ keyRef: String) -> OBSError {
        OBSError(
            code: "KMS.NotFoundException",
            message: "KMS key '\(keyRef)' does not exist; list keys with 'obsctl kms key list'",
            httpStatus: 400, category: .kms, resource: keyRef)
    }
    public static func kmsDisabled(_ keyID: String, state: String) -> OBSError {
        OBSError(
            code: "KMS.DisabledException",
            message: "KMS key \(keyID) is \(state); enable it with 'obsctl kms key enable \(keyID)'"
                + (state == "pending deletion" ? " after 'obsctl kms key cancel-deletion \(keyID)'" : ""),
            httpStatus: 400, category: .kms, resource: keyID)
    }
    public static func kmsKeyDeleted(_ keyID: String) -> OBSError {
        OBSError(
            code: "KMS.KeyDeletedException",
            message:
                "KMS key \(keyID) was deleted and its key material destroyed: objects encrypted under it are "
                + "unrecoverable",
            httpStatus: 400, category: .kms, resource: keyID)
    }
    /// This KMS key failure, of a write that named no method, as a failure of `bucket`'s default encryption: the
    /// user named no key, so the error says whose it is and the ways around it. A permission denial stays as it is:
    /// there the policy, not the default, is what to change.
    public func fromBucketDefault(_ bucket: String) -> OBSError {
        guard category == .kms, code != "AccessDenied" else { return self }
        var e = self
        e.message +=
            "; it is the default encryption of bucket \(bucket): name a method with --sse, or change the default "
            + "('obsctl bucket encryption enable obs://\(bucket) --sse obs', or --sse kms --kms-key-id KEY)"
        return e
    }
    public static func kmsPermissionDenied(_ action: String) -> OBSError {
        OBSError(
            code: "AccessDenied",
            message:
                "No privilege to this kms operation: '\(action)' is denied; allow it in the KMS policy (see 'obsctl "
                + "kms policy show')",
            httpStatus: 403, category: .kms, resource: action)
    }
    public static func integrity(_ what: String) -> OBSError {
        OBSError(
            code: "IntegrityCheckFailed",
            message: "integrity check failed: \(what); the stored object was modified or damaged",
            httpStatus: 500, category: .integrity)
    }
    /// An object whose stored state is damaged, with the way out: restore it, or delete it (deleting needs no
    /// readable metadata).
    public static func damagedObject(_ bucket: String, _ key: String, _ what: String) -> OBSError {
        OBSError(
            code: "IntegrityCheckFailed",
            message: "integrity check failed: obs://\(bucket)/\(key): \(what); "
                + "the stored object was modified or damaged: "
                + "upload it again, or remove it with 'obsctl rm obs://\(bucket)/\(key)'",
            httpStatus: 500, category: .integrity, resource: "\(bucket)/\(key)")
    }
    /// `options`: how the command takes the key (a copy takes its source's with `--source-sse-c-key-*`).
    public static func customerKeyRequired(
        _ bucket: String, _ key: String, options: String = "--sse-c-key-file FILE or --sse-c-key-env VAR"
    ) -> OBSError {
        OBSError(
            code: "InvalidRequest",
            message: "object obs://\(bucket)/\(key) is encrypted with SSE-C; pass its key with \(options)",
            httpStatus: 400, category: .customerKey, resource: "\(bucket)/\(key)")
    }
    public static func customerKeyMismatch(_ bucket: String, _ key: String) -> OBSError {
        OBSError(
            code: "AccessDenied",
            message:
                "the SSE-C key does not match the one obs://\(bucket)/\(key) was encrypted with; pass the key used at "
                + "upload",
            httpStatus: 403, category: .customerKey, resource: "\(bucket)/\(key)")
    }
    public static func customerKeyNotExpected(_ bucket: String, _ key: String, mode: String) -> OBSError {
        OBSError(
            code: "InvalidRequest",
            message: "object obs://\(bucket)/\(key) is not SSE-C encrypted (it is \(mode)); drop the SSE-C key option",
            httpStatus: 400, category: .customerKey, resource: "\(bucket)/\(key)")
    }
    public static func invalidCustomerKey(_ why: String) -> OBSError {
        OBSError(code: "InvalidArgument", message: why, httpStatus: 400, category: .customerKey)
    }
    /// A file being uploaded was written to (or cut shorter) meanwhile: its bytes may mix old and new.
    public static func fileChanged(_ path: String, shorter: Bool = false) -> OBSError {
        OBSError(
            code: "SourceChanged",
            message: "\(path) \(shorter ? "became shorter" : "changed") while it was uploaded; nothing was stored: "
                + "upload it again once nothing writes to it",
            httpStatus: 0, category: .conflict)
    }
    /// A request not sent (again) because SIGINT or SIGTERM arrived: the process is exiting.
    public static let interrupted = OBSError(
        code: "Interrupted", message: "not sent: the command was interrupted", httpStatus: 0, category: .interrupted)

    public static func configuration(_ message: String) -> OBSError {
        OBSError(code: "ConfigurationError", message: message, httpStatus: 0, category: .configuration)
    }
    /// The code of a local write that found no room (ENOSPC, EDQUOT): local I/O all the same.
    public static let storageFullCode = "InsufficientStorage"

    /// A local call that failed with `errno` `e`: local I/O (exit 1), coded `storageFullCode` when there was no room
    /// (serve answers that 507; a delete goes on without its journal line).
    public static func localIO(_ message: String, failedWith e: Int32) -> OBSError {
        var error = localIO(message)
        if e == ENOSPC || e == EDQUOT { error.code = storageFullCode }
        return error
    }

    public static func localIO(_ message: String) -> OBSError {
        OBSError(code: "LocalIOError", message: message, httpStatus: 0, category: .general)
    }
    /// A local file system call that failed with `errno` `e`. The code and exit follow the cause, not the call: a
    /// missing path is NotFound (exit 3), a refused one AccessDenied (exit 4: its permissions, a read-only file
    /// system), anything else LocalIOError (exit 1). `message` names the path and the fix; `reason(e)` words `e`.
    /// Too many open files is no fault of the path: the advice after the reason (from "; ") is left out.
    public static func localIO(_ message: String, errno e: Int32) -> OBSError {
        switch e {
        case ENOENT, ENOTDIR:
            return OBSError(code: "NotFound", message: message, httpStatus: 0, category: .notFound)
        case EACCES, EPERM, EROFS:
            return OBSError(code: "AccessDenied", message: message, httpStatus: 0, category: .accessDenied)
        case EMFILE, ENFILE:
            guard let words = message.range(of: reason(e)),
                let advice = message.range(of: "; ", range: words.upperBound..<message.endIndex)
            else { return localIO(message) }
            return localIO(String(message[..<advice.lowerBound]))
        default:
            return localIO(message)
        }
    }
    /// `errno` `e` in words, for a local failure's message.
    public static func reason(_ e: Int32) -> String {
        switch e {
        // Not the file's fault: the process (or the system) holds too many; the words say which setting helps.
        case EMFILE, ENFILE: "too many open files (lower --jobs, or raise the limit: ulimit -n)"
        default: String(cString: strerror(e))
        }
    }
}
