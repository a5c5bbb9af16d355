import ArgumentParser
import Foundation
import OBSClient
import OBSCore

extension Obsctl.Config {
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one key of a profile (secrets show as hidden).",
            discussion: Manual.discussion(examples: [
                "obsctl config get endpoint", "obsctl config get region --profile prod",
            ]))
        @Argument(help: ArgumentHelp("The key.", valueName: "key")) var key: String
        @Option(help: "The profile (default: OBSCTL_PROFILE, else default).", completion: .profile) var profile: String?
        @Option(name: .long, help: "Output format on stdout: text, json or ndjson.") var output: OutputFormat = .text
        @Flag(
            name: [.short, .long], help: "Accepted as by every command; the value asked for is printed all the same.")
        var quiet = false

        func run() async throws {
            // A key no profile can hold is a usage error, as `config set` makes it: never "set it with config set".
            guard ConfigFile.knownKeys.contains(key) else {
                throw OBSError.invalidArgument(
                    "unknown config key '\(key)'; known keys: \(ConfigFile.knownKeys.joined(separator: ", "))")
            }
            let file = try ConfigFile(environment: ProcessInfo.processInfo.environment)
            let name = Obsctl.Config.profileName(profile)
            guard let v = file.sections[name]?[key] else {
                throw OBSError(
                    code: "NotFound",
                    message:
                        "'\(key)' is not set in profile [\(name)] of \(file.path); set it with 'obsctl config set "
                        + "\(key) ...'",
                    httpStatus: 0, category: .notFound)
            }
            let shown = Shown(profile: name, key: key, value: Obsctl.Config.shown(key, v), path: file.path)
            Renderer(Output(format: output, quiet: quiet)).render(shown)
        }

        /// `{"profile","key","value","path"}`; text: the value (secrets hidden).
        struct Shown: CommandResult {
            let profile: String, key: String, value: String, path: String
            var text: [TextLine] { [.data(value)] }
        }
    }
}
