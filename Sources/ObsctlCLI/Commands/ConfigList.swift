import ArgumentParser
import Foundation
import OBSClient

extension Obsctl.Config {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List profiles and their keys (secrets show as hidden).",
            discussion: Manual.discussion(examples: [
                "obsctl config list", "obsctl config list --profile prod --output json",
            ]))
        @Option(help: "Only this profile.", completion: .profile) var profile: String?
        @Option(name: .long, help: "Output format on stdout: text, json or ndjson.") var output: OutputFormat = .text
        @Flag(
            name: [.short, .long],
            help: "Accepted as by every command; the profiles asked for are printed all the same.")
        var quiet = false

        func run() async throws {
            let file = try ConfigFile(environment: ProcessInfo.processInfo.environment)
            let names = profile.map { [$0] } ?? file.sections.keys.sorted()
            var profiles: [String: [String: String]] = [:]
            for n in names {
                profiles[n] = (file.sections[n] ?? [:]).reduce(into: [String: String]()) {
                    $0[$1.key] = Obsctl.Config.shown($1.key, $1.value)
                }
            }
            Renderer(Output(format: output, quiet: quiet)).render(Listed(path: file.path, profiles: profiles))
        }

        /// `{"path","profiles":{"NAME":{"key":"value"}}}`; text: `[NAME]` then `key = value` lines, sorted.
        struct Listed: CommandResult {
            let path: String
            let profiles: [String: [String: String]]

            var text: [TextLine] {
                profiles.keys.sorted().flatMap { n in
                    [.data("[\(n)]")]
                        + (profiles[n] ?? [:]).sorted(by: { $0.key < $1.key }).map { .data("\($0.key) = \($0.value)") }
                }
            }
        }
    }
}
