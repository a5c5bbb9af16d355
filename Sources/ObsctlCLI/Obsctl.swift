import ArgumentParser
import Foundation
import OBSCore
import OBSClient
#if canImport(Glibc)
import Glibc
#endif

public struct Obsctl: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "obsctl",
        abstract: "Huawei Cloud OBS object storage from the command line, with server-side encryption (SSE-KMS, SSE-OBS, SSE-C).",
        discussion: Manual.discussion([
            "With no endpoint configured obsctl works on its embedded local backend, which implements OBS's buckets, "
                + "objects and server-side encryption for real: AES-256-GCM envelope encryption and a local KMS with key "
                + "states and kms:* permissions. Data lives under $OBSCTL_LOCAL_ROOT (default ~/.local/share/obsctl); the root "
                + "key comes from $OBSCTL_LOCAL_ROOT_KEY or the 0600 file ~/.config/obsctl/local-root.key.",
            "A remote endpoint is used when one is configured: --endpoint URL, $OBSCTL_ENDPOINT, the profile's endpoint, "
                + "or --region R; then other tools' settings: $OBS_ENDPOINT, $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, "
                + "the AWS profile $AWS_PROFILE names, ~/.obsutilconfig, the AWS default profile. On the local store "
                + "report lines end in '(local store)', and credentials set without an endpoint get a warning. s3:// "
                + "means obs://. An empty variable counts as unset. Global options may stand before or after the "
                + "command. Results go to stdout, "
                + "everything meant for people to stderr; each error is one line, 'obsctl: error: ...'.",
        ], examples: [
            "obsctl bucket create obs://secure --sse kms",
            "obsctl upload report.pdf obs://secure/2026/report.pdf --sse kms",
            "obsctl ls obs://secure/2026/",
            "obsctl stat obs://secure/2026/report.pdf --output json",
            "obsctl download obs://secure/2026/report.pdf ./report.pdf",
            "obsctl --region cn-north-4 ls obs://reports/",
        ]),
        version: version,
        subcommands: [Bucket.self, Upload.self, Download.self, Cat.self, Copy.self, Move.self, Sync.self, List.self,
                      Stat.self, Remove.self, Presign.self, Multipart.self, KMS.self, Config.self]
    )

    public init() {}
}

/// The process entry: parse, run, and turn every failure into one line on stderr and a documented exit code.
public enum ObsctlMain {
    public static func run() async {
        EnvironmentVariables.unsetEmpty()
        StandardStreams.install()
        var arguments = Array(CommandLine.arguments.dropFirst())
        // A shell's TAB: whatever goes wrong, the shell must show nothing but candidates.
        if ["---completion", "---completion-words"].contains(arguments.first) {
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, 2); close(null) }
            if arguments.first == "---completion" { arguments = Completion.withCursorIndex(arguments) }
        }
        if arguments.first == "---completion-words" {
            CompletionLine.printMoved(arguments)
            Interrupts.finish(0)
        }
        // The bash and zsh scripts are ArgumentParser's with fixes (BashCompletion, ZshCompletion); fish has its own.
        switch Completion.requestedScript(arguments) {
        case .bash?:
            StandardStreams.write(.stdout, BashCompletion.script(Obsctl.completionScript(for: .bash)))
            Interrupts.finish(0)
        case .zsh?:
            StandardStreams.write(.stdout, ZshCompletion.script(Obsctl.completionScript(for: .zsh)))
            Interrupts.finish(0)
        case .fish?:
            StandardStreams.write(.stdout, FishCompletion.script())
            Interrupts.finish(0)
        default: break
        }
        if arguments.first != "---completion", let bad = RawArgument.firstInvalid() {
            Output.stderr("obsctl: error: argument \(bad.position) ('\(bad.escaped)') is not valid UTF-8; object keys, "
                          + "prefixes and paths must be UTF-8: spell the key in UTF-8, or rename the file")
            Interrupts.finish(ObsctlExitCode.usage.rawValue)
        }
        Interrupts.install()
        let code: ObsctlExitCode
        do {
            var command = try Obsctl.parseAsRoot(GlobalArguments.movedAfterSubcommand(arguments))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            code = .success
        } catch let error as OBSError where error.code == StandardStreams.readerGoneCode {
            StandardStreams.commandFailedOnStdout = true  // `download ... - | head`: ends quietly, as cat does
            code = .general
        } catch let error as OBSError {
            Output.stderr("obsctl: error: \(Output.describe(error))")
            code = ObsctlExitCode(error.category)
        } catch let failure as CommandFailure {
            code = failure.exitCode
        } catch {
            let parserCode = Obsctl.exitCode(for: error)
            if parserCode == .success {  // --help, --version, completion candidates: through the one output path
                let text = Obsctl.fullMessage(for: error)
                if !text.isEmpty { StandardStreams.write(.stdout, text + "\n") }
                Interrupts.finish(0)
            }
            if let exit = error as? ExitCode { Interrupts.finish(exit.rawValue) }
            let message = Obsctl.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            if parserCode == .validationFailure, let word = unknownCommand() {
                let names = Obsctl.configuration.subcommands.map { $0._commandName }.joined(separator: ", ")
                Output.stderr("obsctl: error: '\(word)' is not an obsctl command; the commands are \(names) "
                              + "(see 'obsctl --help')")
                code = .usage
            } else if parserCode == .validationFailure {
                Output.stderr("obsctl: error: \(message) (see '\(helpHint())')")
                code = .usage
            } else {
                Output.stderr("obsctl: error: \(message)")
                code = .general
            }
        }
        Interrupts.finish(code.rawValue)
    }

    /// `obsctl --version`, answered before the command tree is built (scripts call it to probe for obsctl).
    public static func printVersion() -> Never {
        StandardStreams.install()
        StandardStreams.write(.stdout, Obsctl.version + "\n")
        Interrupts.finish(0)
    }

    /// The first word, when it names no command (global options before it set aside): `obsctl cp2 a b`.
    private static func unknownCommand() -> String? {
        let args = Array(CommandLine.arguments.dropFirst())
        let moved = GlobalArguments.movedAfterSubcommand(args)
        guard let first = (moved == args ? args : moved).first, !first.hasPrefix("-") else { return nil }
        return first == "help" || Obsctl.configuration.subcommands.contains { $0._commandName == first } ? nil : first
    }

    /// `obsctl <subcommands> --help` for the words the user typed before the first option.
    private static func helpHint() -> String {
        let words = CommandLine.arguments.dropFirst().prefix { !$0.hasPrefix("-") && !$0.contains("://") && !$0.contains("/") }
        var known: [String] = []
        var type: ParsableCommand.Type = Obsctl.self
        for w in words {
            guard let sub = type.configuration.subcommands.first(where: { $0._commandName == w }) else { break }
            known.append(w); type = sub
        }
        return (["obsctl"] + known + ["--help"]).joined(separator: " ")
    }
}

/// Global options are declared on every leaf command (ArgumentParser parses options where they are declared), so
/// `obsctl --endpoint URL ls` is rewritten to `obsctl ls --endpoint URL`, as users of aws and mc expect.
enum GlobalArguments {
    /// The names of `GlobalOptions`, read from its declaration (no second list to keep in step).
    static let withValue = Set(CommandNode.arguments(of: GlobalOptions.self).filter(\.takesValue).flatMap(\.spellings))
    static let flags = Set(CommandNode.arguments(of: GlobalOptions.self).filter { $0.kind == "flag" }
        .flatMap(\.spellings)).subtracting(["-h", "--help", "--version"])

    static func movedAfterSubcommand(_ args: [String]) -> [String] {
        let (groups, i) = leading(args)
        let rest = Array(args[i...])
        return groups.isEmpty || rest.isEmpty ? args : rest + groups.joined()
    }

    /// The global options that stand in `args[start..<end]` from `start` on, each with its value (`--profile p`,
    /// `--profile=p`, `-q`), and the index of the first word that is not one.
    static func leading(_ args: [String], from start: Int = 0, end: Int? = nil) -> (groups: [[String]], next: Int) {
        let end = end ?? args.count
        var groups: [[String]] = [], i = start
        while i < end {
            let a = args[i], name = String(a.split(separator: "=", maxSplits: 1).first ?? "")
            if flags.contains(a) || (withValue.contains(name) && a.contains("=")) { groups.append([a]); i += 1 }
            else if withValue.contains(a) && i + 1 < end { groups.append([a, args[i + 1]]); i += 2 }
            else { break }
        }
        return (groups, i)
    }

    /// Every global option among `words`, wherever it stands, with its value.
    static func all(in words: [String]) -> [String] {
        var out: [String] = [], i = 0
        while i < words.count {
            let (groups, next) = leading(words, from: i)
            if groups.isEmpty { i += 1 } else { out += groups.joined(); i = next }
        }
        return out
    }
}

/// SIGINT and SIGTERM: run registered cleanup actions (abort multipart uploads in flight), remove registered
/// temporary files (half-written downloads), then exit 130 / 143. Cleanup actions run in parallel and get at most
/// `cleanupDeadline` seconds in all: an unreachable endpoint cannot keep an interrupted obsctl alive.
enum Interrupts {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var tempFiles: Set<String> = []
    nonisolated(unsafe) private static var cleanups: [Int: @Sendable () -> String?] = [:]
    nonisolated(unsafe) private static var interrupting = false
    nonisolated(unsafe) private static var nextCleanup = 0
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    static let cleanupDeadline: Double = 5

    static func install() {
        // Multipart uploads register their abort here for as long as they are in flight.
        RemoteBackend.multipartUploadStarted = { abort in
            let id = registerCleanup(abort)
            return { unregisterCleanup(id) }
        }
        for (sig, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { interrupted(code) }
            source.resume()
            sources.append(source)
        }
    }

    private static func interrupted(_ code: Int32) -> Never {
        lock.lock()
        if interrupting {  // a second signal while cleaning up: the first handler finishes the job
            lock.unlock()
            while true { pause() }
        }
        interrupting = true
        let actions = Array(cleanups.values), files = tempFiles
        cleanups = [:]
        lock.unlock()
        let results = CleanupResults()
        var finished = true
        if !actions.isEmpty {
            let group = DispatchGroup()
            for action in actions {
                group.enter()
                Thread { results.add(action()); group.leave() }.start()
            }
            finished = group.wait(timeout: .now() + cleanupDeadline) == .success
        }
        for path in files { unlink(path) }
        var message = "obsctl: interrupted; temporary files removed"
        let failed = results.failures
        if !actions.isEmpty {
            let n = actions.count, plural = actions.count == 1 ? "" : "s"
            if !finished {
                message += "; aborting \(n) multipart upload\(plural) did not finish within \(Int(cleanupDeadline)) s (list them with 'obsctl multipart list' and abort them with 'obsctl multipart abort')"
            } else if failed.isEmpty {
                message += ", \(n) multipart upload\(plural) aborted"
            } else {
                message += "; could not abort \(failed.joined(separator: ", ")): their parts stay stored until aborted ('obsctl multipart abort')"
            }
        }
        Output.stderr(message)
        _exit(code)
    }

    /// Creates a download's temporary file (`AbandonedTemp.create`) and registers it, under the lock: a file either
    /// exists registered before an interruption takes its list, or is never created. A transfer that starts one
    /// while the interruption is cleaning up waits for the exit. Returns the descriptor, or -1 with errno set.
    static func createTemp(_ path: String) -> Int32 {
        lock.lock()
        if interrupting { lock.unlock(); while true { pause() } }
        defer { lock.unlock() }
        let fd = AbandonedTemp.create(path)
        if fd >= 0 { tempFiles.insert(path) }
        return fd
    }

    /// True once SIGINT or SIGTERM arrived: no new transfer starts.
    static var isInterrupting: Bool { lock.lock(); defer { lock.unlock() }; return interrupting }

    static func unregisterTemp(_ path: String) { lock.lock(); tempFiles.remove(path); lock.unlock() }

    /// Registers an action for an interruption (for example aborting a multipart upload); returns its id.
    @discardableResult
    /// The action returns nil on success, else what it could not clean up. Registered after an interruption
    /// began (an upload initiated during the cleanup), it runs at once instead.
    static func registerCleanup(_ action: @escaping @Sendable () -> String?) -> Int {
        lock.lock()
        if interrupting { lock.unlock(); _ = action(); return 0 }
        defer { lock.unlock() }
        nextCleanup += 1
        cleanups[nextCleanup] = action
        return nextCleanup
    }

    static func unregisterCleanup(_ id: Int) { lock.lock(); cleanups[id] = nil; lock.unlock() }

    /// What the cleanup threads could not do, collected under a lock.
    private final class CleanupResults: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ failure: String?) { if let failure { lock.lock(); list.append(failure); lock.unlock() } }
        var failures: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }

    static func finish(_ code: Int32) -> Never {
        fflush(nil)
        exit(StandardStreams.exitStatus(code))
    }
}
