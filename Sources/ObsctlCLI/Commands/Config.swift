import ArgumentParser
import Foundation
import OBSClient
import OBSCore

extension Obsctl {
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage profiles in ~/.config/obsctl/config (endpoint, region, signature, credentials).",
            discussion: Manual.discussion(
                [
                    "Secret values (secret_access_key, security_token) are never taken from the command line, where ps "
                        + "and CI logs would show them: pass --from-env VAR or --from-stdin. get and list never print "
                        + "them."
                ],
                examples: [
                    "obsctl config set endpoint https://obs.cn-north-4.myhuaweicloud.com",
                    "obsctl config set access_key_id HPUAEXAMPLE --profile prod",
                    "obsctl config set secret_access_key --from-env OBS_SECRET_ACCESS_KEY --profile prod",
                    "obsctl config list --profile prod",
                    "obsctl config import obsutil",
                ]),
            subcommands: [Set.self, Get.self, List.self, Import.self])
    }
}

extension Obsctl.Config {
    static func profileName(_ explicit: String?) -> String {
        explicit ?? ProcessInfo.processInfo.environment["OBSCTL_PROFILE"] ?? "default"
    }

    static func shown(_ key: String, _ value: String) -> String {
        ConfigFile.secretKeys.contains(key) ? "<set, hidden>" : value
    }

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
