import ArgumentParser
import Foundation

/// The command tree as ArgumentParser describes it (`_dumpHelp()`, its ToolInfo JSON): subcommands, abstracts,
/// options and how each argument completes. The one source for the fish script's answers, for moving global options
/// in completions, and for the names of the global options (`GlobalArguments`), so no list of names is kept by hand.
struct CommandNode: Decodable, Sendable {
    let commandName: String
    let abstract: String?
    let shouldDisplay: Bool?
    let subcommands: [CommandNode]?
    let arguments: [ArgumentNode]?

    static let root: CommandNode = decode(Obsctl._dumpHelp())

    /// The arguments of a `ParsableArguments` type, e.g. `GlobalOptions`.
    static func arguments(of type: ParsableArguments.Type) -> [ArgumentNode] {
        decode(type._dumpHelp()).arguments ?? []
    }

    private static func decode(_ json: String) -> CommandNode {
        struct Tool: Decodable { let command: CommandNode }
        do { return try JSONDecoder().decode(Tool.self, from: Data(json.utf8)).command } catch {
            fatalError("ArgumentParser's ToolInfo could not be read: \(error)")
        }
    }

    var children: [CommandNode] { subcommands ?? [] }
    var isLeaf: Bool { children.isEmpty }
    func child(_ name: String) -> CommandNode? { children.first { $0.commandName == name } }

}

struct ArgumentNode: Decodable, Sendable {
    struct Name: Decodable, Sendable { let kind: String; let name: String }
    struct Completion: Decodable, Sendable { let values: [String]? }

    let kind: String  // positional, option or flag
    let names: [Name]?
    let isRepeating: Bool
    let shouldDisplay: Bool
    let abstract: String?
    /// One key, as in ToolInfo: list (with values), file, directory, shellCommand, custom, customAsync.
    let completionKind: [String: Completion]?

    /// How it is written on a command line: `--long`, `-s`.
    var spellings: [String] { (names ?? []).map { ($0.kind == "long" ? "--" : "-") + $0.name } }
    var takesValue: Bool { kind == "option" }
    var completion: String? { completionKind?.keys.first }
    var values: [String] { completionKind?["list"]?.values ?? [] }
}
