import Foundation
import OBSCore
import ArgumentParser
import OBSTime
#if canImport(Glibc)
import Glibc
#endif

/// `--output`: `json` prints one document per command; `ndjson` prints listings and recursive transfers as one
/// compact JSON record per line and object (as each object is done), and any other result as one compact line.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable { case text, json, ndjson }

/// Everything a command prints goes through here: results on stdout, messages for people on stderr.
struct Output {
    let format: OutputFormat
    let quiet: Bool
    /// The embedded local backend: report lines and `bucket list` say "(local store)", so that nobody takes a
    /// write to the local disk for one to a server.
    private(set) var isLocalStore = false

    func forLocalStore() -> Output { var o = self; o.isLocalStore = true; return o }

    /// " (local store)" on the local backend, else nothing: the end of report lines and `bucket list` lines.
    var storeSuffix: String { isLocalStore ? " (local store)" : "" }

    /// A line of result data (stdout): a listing, a stat, a key's description.
    func line(_ text: String) {
        Progress.clearForMessage()
        StandardStreams.write(.stdout, Self.printable(text) + "\n")
    }

    /// A line reporting what a command did ("upload: a -> obs://b/a", "created obs://b") on stdout, silenced by
    /// --quiet as `aws s3 cp --quiet` silences its own: a quiet command prints only errors and data asked for.
    func report(_ text: String) { if !quiet { line(text + storeSuffix) } }

    /// Control characters (a newline or an escape sequence in an object key) are shown escaped, so one record
    /// stays one line and nothing reaches the terminal as a command (`HeaderValues.isShownAsIs`).
    static func printable(_ text: String) -> String { HeaderValues.printable(text) }

    /// A message for people (stderr), silenced by --quiet: hints, "nothing to do", summaries. One line, as
    /// `errorLine`: a note names files and keys.
    func note(_ text: String) { if !quiet { Self.errorLine(text) } }

    /// A warning about a consequence of what the user explicitly chose (SSE over plain HTTP to a loopback test
    /// server), silenced by --quiet: the user already knows, and scripts asked for silence.
    func advise(_ text: String) { if !quiet { warn(text) } }

    /// A warning (stderr), shown even with --quiet: what the user may not know and must, because data or security
    /// is not what they may believe (TLS unverified with --insecure, multipart parts left stored, kms commands
    /// acting on the local KMS while a remote endpoint is used, the local store used where another tool's
    /// settings point to a server).
    func warn(_ text: String) { Self.stderr("obsctl: warning: " + text) }

    static func stderr(_ text: String) {
        Progress.clearForMessage()
        StandardStreams.write(.stderr, messageText(text))
    }

    /// One line on stderr whatever it holds: a newline in a key or file name it names is shown escaped, as report
    /// lines show it, so no object can forge a line of obsctl's (an "upload: ..." under an error).
    static func errorLine(_ text: String) {
        Progress.clearForMessage()
        StandardStreams.write(.stderr, printable(text) + "\n")
    }

    /// A message as written to stderr: each of its lines printable, ending in a newline.
    static func messageText(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { printable(String($0)) }
            .joined(separator: "\n") + "\n"
    }

    /// An error's message followed by its OBS error code, in OBS's words (for example `KMS.DisabledException`),
    /// so that it can be searched for in OBS's documentation. Codes of local failures add nothing and are left out.
    static func describe(_ error: OBSError) -> String {
        error.httpStatus == 0 ? error.message : "\(error.message) (\(error.code))"
    }
}

/// Stable JSON shapes: sizes in bytes, times RFC 3339 UTC, snake_case names.
enum JSONShape {
    static func time(_ d: Date) -> String {
        Timestamps.rfc3339(d)
    }
}

/// Human wording of SSE settings, shared by every text output.
enum TextShape {
    static func encryption(_ e: BucketEncryption?) -> String {
        switch e {
        case nil: return "none"
        case .obs?: return "SSE-OBS"
        case .kms(let id)?: return "SSE-KMS (\(id ?? "obs/default"))"
        }
    }

    static func sse(_ o: ObjectInfo) -> String {
        switch o.sseMode {
        case nil: return "-"
        case .unencrypted?: return "none"
        case .obs?: return "SSE-OBS"
        case .kms?: return "SSE-KMS"
        case .c?: return "SSE-C"
        }
    }
}
