import ArgumentParser
import Foundation

/// The command line being completed, seen the way obsctl parses it. Global options may stand before the subcommand
/// (`obsctl --profile p ls obs://`), but ArgumentParser declares them on each leaf command only, and so do the
/// scripts it generates. Completion therefore sees them where the command sees them after
/// `GlobalArguments.movedAfterSubcommand`: right after the leaf's name.
enum CompletionLine {
    /// `words[0]` is the command, `words[current]` the word being completed. Returns the words with the leading global
    /// options moved behind the subcommand path when it names a command that runs, dropped when the word being
    /// completed is still a subcommand (they cannot change its candidates). When the word being completed is the
    /// value of a leading global option (`obsctl --profile <TAB>`), the options go behind the first command that
    /// takes global options, so its completion of that value answers.
    /// The tree is walked through ArgumentParser's configurations: reading its full description (`CommandNode`)
    /// costs far too long for a TAB.
    static func globalsAfterSubcommand(_ words: [String], current: Int) -> (words: [String], current: Int) {
        guard current >= 1, current < words.count else { return (words, current) }
        let (groups, next) = GlobalArguments.leading(words, from: 1, end: current)
        if next == current - 1, GlobalArguments.withValue.contains(words[next]), let carrier = carrier(Obsctl.self) {
            return ([words[0]] + carrier + words[1...], current + carrier.count)
        }
        guard !groups.isEmpty else { return (words, current) }
        var command: ParsableCommand.Type = Obsctl.self, end = next
        while end < current, let sub = child(command, words[end]) { command = sub; end += 1 }
        // `--name=value` as two words: zsh's generated `_arguments` specs know only that form.
        let kept = command.configuration.subcommands.isEmpty ? groups.flatMap(separated) : []
        let moved = [words[0]] + words[next..<end] + kept + words[end...]
        return (moved, current - (next - 1) + kept.count)
    }

    private static func separated(_ group: [String]) -> [String] {
        guard group.count == 1, group[0].hasPrefix("--"), let eq = group[0].firstIndex(of: "=") else { return group }
        return [String(group[0][..<eq]), String(group[0][group[0].index(after: eq)...])]
    }

    static func child(_ command: ParsableCommand.Type, _ name: String) -> ParsableCommand.Type? {
        command.configuration.subcommands.first { $0._commandName == name }
    }

    /// The path to the first command, depth first, that takes the global options.
    static func carrier(_ command: ParsableCommand.Type) -> [String]? {
        if command is any ObsctlCommand.Type { return [] }
        for sub in command.configuration.subcommands {
            if let path = carrier(sub) { return [sub._commandName] + path }
        }
        return nil
    }

    /// `--name` of `--name=value`.
    static func name(of option: String) -> String { String(option.split(separator: "=", maxSplits: 1).first ?? "") }

    /// `obsctl ---completion-words CURRENT WORD...` (the bash and zsh scripts, when a word before the subcommand is an
    /// option): CURRENT and the words after `globalsAfterSubcommand`, one per line.
    static func printMoved(_ arguments: [String]) {
        guard arguments.count >= 3, let current = Int(arguments[1]),
            !arguments.contains(where: { $0.contains("\n") })
        else { return }
        let (words, index) = globalsAfterSubcommand(Array(arguments.dropFirst(2)), current: current)
        StandardStreams.write(.stdout, ([String(index)] + words).joined(separator: "\n") + "\n")
    }
}
