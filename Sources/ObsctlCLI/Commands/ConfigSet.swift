import ArgumentParser
import Foundation
import OBSClient
import OBSCore

extension Obsctl.Config {
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set one key of a profile.",
            discussion: Manual.discussion(
                [
                    "Secrets (secret_access_key, security_token) only with --from-env VAR or --from-stdin, never as an "
                        + "argument."
                ],
                examples: [
                    "obsctl config set region cn-north-4",
                    "obsctl config set endpoint https://obs.cn-north-4.myhuaweicloud.com --profile prod",
                    "obsctl config set secret_access_key --from-env OBS_SECRET_ACCESS_KEY --profile prod",
                    "printf '%s\\n' \"$SK\" | obsctl config set secret_access_key --from-stdin",
                ]))
        @Argument(help: ArgumentHelp("The key: \(ConfigFile.knownKeys.joined(separator: ", ")).", valueName: "key"))
        var key: String
        @Argument(help: ArgumentHelp("The value (not for secrets).", valueName: "value")) var value: String?
        @Option(help: ArgumentHelp("Read the value from this environment variable.", valueName: "var")) var fromEnv:
            String?
        @Flag(help: "Read the value from the first line of stdin.") var fromStdin = false
        @Option(help: "The profile to change (default: OBSCTL_PROFILE, else default).", completion: .profile)
        var profile: String?
        @Option(name: .long, help: "Output format on stdout: text (nothing), json or ndjson.") var output:
            OutputFormat = .text
        @Flag(name: [.short, .long], help: "Do not print the note naming the profile and file changed.")
        var quiet = false

        func run() async throws {
            let sources = [value != nil, fromEnv != nil, fromStdin].filter { $0 }.count
            guard sources == 1 else {
                throw OBSError.invalidArgument("give the value once: as an argument, --from-env VAR or --from-stdin")
            }
            if value != nil && ConfigFile.secretKeys.contains(key) {
                throw OBSError.invalidArgument(
                    "\(key) is a secret: pass it with --from-env VAR or --from-stdin, never on the command line")
            }
            var v = value ?? ""
            if let name = fromEnv {
                guard let e = ProcessInfo.processInfo.environment[name], !e.isEmpty else {
                    throw OBSError.invalidArgument("environment variable \(name) is not set")
                }
                v = e
            }
            if fromStdin { v = readLine(strippingNewline: true) ?? "" }
            if key == "ca_bundle" && !v.isEmpty && !FileManager.default.isReadableFile(atPath: v) {
                throw OBSError.invalidArgument("ca_bundle \(v) cannot be read; give the path of a PEM CA bundle")
            }
            var file = try ConfigFile(environment: ProcessInfo.processInfo.environment)
            let name = Obsctl.Config.profileName(profile)
            try file.set(profile: name, key: key, value: v)
            try file.save()
            let changed = Changed(
                profile: name, key: key, path: file.path, secret: ConfigFile.secretKeys.contains(key))
            Renderer(Output(format: output, quiet: false)).render(changed)
            Output(format: output, quiet: quiet).note("set \(key) in profile [\(name)] of \(file.path)")
        }

        /// `{"profile","key","path","secret"}`; text prints nothing on stdout (the note goes to stderr).
        struct Changed: CommandResult {
            let profile: String, key: String, path: String, secret: Bool
            var text: [TextLine] { [] }
        }
    }
}
