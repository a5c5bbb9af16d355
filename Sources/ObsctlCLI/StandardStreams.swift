import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// The one path of every byte obsctl writes to stdout and stderr: results, messages, progress, help, and object
/// data for `-`. A failed write never crashes the process and never undoes what the command did:
/// - stdout failing (a full disk, /dev/full, a file-size limit): later output is dropped, the command runs to its
///   end, and then one error line on stderr says that its output was lost; exit 1 (or the command's own code).
/// - stdout's reader gone (EPIPE, `obsctl ls | head -1`): later output is dropped, listings stop early, and the
///   process ends quietly by SIGPIPE (status 141 in shells), as cat, ls and grep do.
/// - stderr failing: nothing can be said; exit 1 unless the command already failed with a code of its own.
enum StandardStreams {
    enum Stream { case stdout, stderr }

    /// Whether a download to `path` writes where results go: `-`, or another name of stdout (`/dev/stdout`,
    /// `/dev/fd/1`, the FIFO or file stdout is), which a download writes through. Its results then go to stderr, so
    /// that no report line lands among the object's bytes.
    static func isStandardOutput(_ path: String) -> Bool {
        if path == "-" { return true }
        var out = stat(), named = stat()
        guard fstat(STDOUT_FILENO, &out) == 0, stat(path, &named) == 0 else { return false }
        return FileIdentity(out) == FileIdentity(named)
    }

    /// The error a sink writing object data to stdout throws once its reader is gone: the process then ends by
    /// SIGPIPE with no message.
    static let readerGoneCode = "StdoutClosed"

    private static let lock = NSLock()
    // fd -> errno of its first failed write; touched only under `lock`
    nonisolated(unsafe) private static var failures: [Int32: Int32] = [:]

    /// Writes all of `bytes`, unless the stream failed before. Returns false when the bytes did not all go out.
    @discardableResult
    static func write(_ stream: Stream, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let fd = stream == .stdout ? STDOUT_FILENO : STDERR_FILENO
        lock.lock(); defer { lock.unlock() }
        if failures[fd] != nil { return false }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failures[fd] = errno
                return false
            }
            offset += n
        }
        return true
    }

    @discardableResult
    static func write(_ stream: Stream, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { write(stream, UnsafeRawBufferPointer($0)) }
    }

    /// The reader of stdout went away (EPIPE): producing more output is pointless.
    static var readerGone: Bool { failure(STDOUT_FILENO) == EPIPE }

    /// stdout can take no more output, for whatever reason.
    static var stdoutFailed: Bool { failure(STDOUT_FILENO) != nil }

    private static func failure(_ fd: Int32) -> Int32? { lock.lock(); defer { lock.unlock() }; return failures[fd] }

    /// Why stdout failed, in the system's words.
    static var stdoutFailure: String { failure(STDOUT_FILENO).map { OBSError.reason($0) } ?? "unknown error" }

    /// Ignores SIGPIPE, so that a closed pipe or socket is an EPIPE error handled here, not a sudden death; and
    /// SIGXFSZ, so that a file-size limit (`ulimit -f`, `prlimit --fsize`) is an EFBIG error that the writer
    /// cleans up after (no torn audit line or half-written file), not a death in the middle of a write.
    static func install() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
    }

    /// The process's exit status for the command's own `code`, after what the streams went through. May end the
    /// process by SIGPIPE.
    static func exitStatus(_ code: Int32) -> Int32 {
        if readerGone && (code == 0 || commandFailedOnStdout) {
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
            return 128 + SIGPIPE
        }
        guard code == 0 else { return code }
        if stdoutFailed {
            write(
                .stderr,
                "obsctl: error: cannot write to stdout: \(stdoutFailure); the output is lost, but what the "
                    + "command did stands (free space or redirect stdout, then check the result)\n")
            return 1
        }
        return failure(STDERR_FILENO) == nil ? 0 : 1
    }

    /// Set when the command's failure was its stdout's reader going away (see `readerGoneCode`).
    static var commandFailedOnStdout: Bool {
        get { lock.lock(); defer { lock.unlock() }; return failedOnStdout }
        set { lock.lock(); failedOnStdout = newValue; lock.unlock() }
    }
    nonisolated(unsafe) private static var failedOnStdout = false  // touched only under `lock`
}

/// Object data for `-` (download to stdout), through `StandardStreams`.
final class StandardOutputSink: ByteSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !StandardStreams.write(.stdout, bytes) else { return }
        if StandardStreams.readerGone {
            throw OBSError(
                code: StandardStreams.readerGoneCode, message: "stdout was closed by its reader",
                httpStatus: 0,
                category: .general)
        }
        throw OBSError.localIO("cannot write to stdout: \(StandardStreams.stdoutFailure)")
    }
}
