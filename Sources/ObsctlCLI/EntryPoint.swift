import ArgumentParser
import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// The process entry: parse, run, and turn every failure into one line on stderr and a documented exit code.
public enum ObsctlMain {
    /// `signalsTakenByCaller`: the program takes SIGINT and SIGTERM itself and hands a one-shot command's to
    /// `interrupt(signal:)` (obsctl-serve, whose main thread waits for them); obsctl's own come through dispatch
    /// signal sources.
    public static func run(signalsTakenByCaller: Bool = false) async {
        EnvironmentVariables.unsetEmpty()
        StandardStreams.install()
        OpenFileLimit.raise()
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
            Output.stderr(
                "obsctl: error: argument \(bad.position) ('\(bad.escaped)') is not valid UTF-8; object keys, "
                    + "prefixes and paths must be UTF-8: spell the key in UTF-8, or rename the file")
            Interrupts.finish(ObsctlExitCode.usage.rawValue)
        }
        // Before the parse, so that a signal during start-up ends the command as a later one does (one inherited as
        // ignored, as a script's `cmd &` has SIGINT, would otherwise be lost), `serve` in obsctl included: it execs
        // the server with them blocked (`execServer`). obsctl-serve makes no signal source: a dispatch source leaves
        // libdispatch's handler installed, which could replace nothing there but must not exist beside sigwait.
        Interrupts.install(signalSources: !signalsTakenByCaller)
        let code: ObsctlExitCode
        do {
            var command = try Obsctl.parseAsRoot(GlobalArguments.movedAfterSubcommand(arguments))
            // After the parse: the command takes these options (else its own error), and --help went first.
            if let conflict = OnceOnlyOptions.firstConflict(in: arguments) {
                Output.stderr("obsctl: error: \(conflict)")
                Interrupts.finish(ObsctlExitCode.usage.rawValue)
            }
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
            Output.errorLine("obsctl: error: \(Output.describe(error))")
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
            let message =
                Self.printableArguments(in: Obsctl.message(for: error)).split(separator: "\n").first
                .map(String.init) ?? "\(error)"
            if parserCode == .validationFailure, let word = unknownCommand() {
                let names = Obsctl.configuration.subcommands.map { $0._commandName }.joined(separator: ", ")
                Output.stderr(
                    "obsctl: error: '\(HeaderValues.printable(word))' is not an obsctl command; the commands are "
                        + "\(names) (see 'obsctl --help')")
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

    /// A one-shot command's SIGINT or SIGTERM taken by the program (`run(signalsTakenByCaller: true)`): cleanup
    /// and exit 130 or 143, as obsctl's own signal sources do.
    public static func interrupt(signal: Int32) -> Never { Interrupts.interrupt(signal: signal) }

    /// `obsctl --version`, answered before the command tree is built (scripts call it to probe for obsctl).
    public static func printVersion() -> Never {
        StandardStreams.install()
        StandardStreams.write(.stdout, Obsctl.version + "\n")
        Interrupts.finish(0)
    }

    /// The parser quotes a bad value as given: one holding a newline or another control character is shown as the
    /// rest of obsctl shows it (`\x0a`), so that the message stays one line (its first is all that is printed).
    private static func printableArguments(in message: String) -> String {
        var text = message
        // The values as given, `--option=value`'s too, longest first.
        let values = CommandLine.arguments.dropFirst().flatMap { argument -> [String] in
            guard argument.hasPrefix("-"), let eq = argument.firstIndex(of: "=") else { return [argument] }
            return [argument, String(argument[argument.index(after: eq)...])]
        }
        for value in values.sorted(by: { $0.count > $1.count })
        where value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            text = text.replacingOccurrences(of: value, with: HeaderValues.printable(value))
        }
        return text
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
        let words = CommandLine.arguments.dropFirst().prefix {
            !$0.hasPrefix("-") && !$0.contains("://") && !$0.contains("/")
        }
        var known: [String] = []
        var type: ParsableCommand.Type = Obsctl.self
        for w in words {
            guard let sub = type.configuration.subcommands.first(where: { $0._commandName == w }) else { break }
            known.append(w); type = sub
        }
        return (["obsctl"] + known + ["--help"]).joined(separator: " ")
    }
}
