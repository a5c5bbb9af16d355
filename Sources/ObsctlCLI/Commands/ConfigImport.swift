import ArgumentParser
import Foundation
import OBSClient
import OBSCore

extension Obsctl.Config {
    enum ImportSource: String, ExpressibleByArgument, CaseIterable { case obsutil, aws }

    /// `config import obsutil|aws`: another tool's endpoint and keys become an obsctl profile, written like every
    /// profile (a 0600 file through a temp file and a rename). Secrets are never printed, only the keys' names.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an obsctl profile from obsutil's ~/.obsutilconfig or an AWS profile.",
            discussion: Manual.discussion(
                [
                    "obsutil: endpoint, ak, sk and token of ~/.obsutilconfig (keys obsutil has encrypted cannot "
                        + "be read; set those with 'config set'). aws: aws_access_key_id, aws_secret_access_key, "
                        + "aws_session_token of ~/.aws/credentials and region, endpoint_url (or that of its s3 block) "
                        + "and ca_bundle of ~/.aws/config, for the profile --from-profile, else AWS_PROFILE, else "
                        + "default (AWS_SHARED_CREDENTIALS_FILE and "
                        + "AWS_CONFIG_FILE move the files). An existing obsctl profile is replaced only with --force."
                ],
                examples: [
                    "obsctl config import obsutil",
                    "obsctl config import aws --from-profile seaweed --profile sw",
                    "obsctl --profile sw ls",
                ]))
        @Argument(help: ArgumentHelp("Where from: obsutil or aws.", valueName: "tool")) var source: ImportSource
        @Option(help: "The obsctl profile to write (default: OBSCTL_PROFILE, else default).", completion: .profile)
        var profile: String?
        @Option(help: ArgumentHelp("The AWS profile to read (default: AWS_PROFILE, else default).", valueName: "name"))
        var fromProfile: String?
        @Flag(help: "Replace the obsctl profile if it exists.") var force = false
        @Flag(name: [.short, .long], help: "Print nothing on success.") var quiet = false
        @Option(name: .long, help: "Output format on stdout: text (nothing), json or ndjson.") var output:
            OutputFormat = .text

        func run() async throws {
            let env = ProcessInfo.processInfo.environment
            let (layer, origin) = try read(env)
            if let problem = layer.keyProblem { throw OBSError.configuration(problem) }
            var values: [String: String] = [:]
            if let e = layer.endpoint?.value { try RemoteConfiguration.checkEndpoint(e); values["endpoint"] = e }
            values["region"] = layer.region?.value
            values["ca_bundle"] = layer.caBundle?.value
            if let k = layer.keys {
                values["access_key_id"] = k.accessKeyID
                values["secret_access_key"] = k.secretAccessKey
                values["security_token"] = k.securityToken
            }
            guard !values.isEmpty else {
                throw OBSError.configuration("\(origin) has no endpoint, region or keys to import")
            }
            var file = try ConfigFile(environment: env)
            let name = Obsctl.Config.profileName(profile)
            if !(file.sections[name] ?? [:]).isEmpty && !force {
                throw OBSError(
                    code: "Conflict",
                    message: "profile [\(name)] of \(file.path) exists; give --force to replace it, "
                        + "or --profile NAME for a new one", httpStatus: 0, category: .conflict)
            }
            try file.replace(profile: name, with: values)
            try file.save()
            let keys = values.keys.sorted()
            Renderer(Output(format: output, quiet: false)).render(
                Imported(profile: name, path: file.path, source: origin, keys: keys))
            guard !quiet else { return }
            Output.stderr(
                "imported \(keys.joined(separator: ", ")) from \(origin) into profile [\(name)] of \(file.path)")
            if values["endpoint"] == nil {
                Output.stderr(
                    "profile [\(name)] has no endpoint: set one with 'obsctl config set endpoint URL --profile \(name)'"
                )
            }
        }

        /// `{"profile","path","source","keys"}`; text prints nothing on stdout (the messages go to stderr).
        struct Imported: CommandResult {
            let profile: String, path: String, source: String, keys: [String]
            var text: [TextLine] { [] }
        }

        /// The source's settings and a name for it in messages.
        private func read(_ env: [String: String]) throws -> (SettingsLayer, String) {
            switch source {
            case .obsutil:
                if fromProfile != nil {
                    throw OBSError.invalidArgument("--from-profile is for aws; obsutil has no profiles")
                }
                let path = Obsutil.path(env)
                guard FileManager.default.fileExists(atPath: path) else {
                    throw OBSError.configuration(
                        "\(path) does not exist; configure obsutil first ('obsutil config -interactive')")
                }
                return (Obsutil.layer(environment: env), OtherToolSettings.shortPath(path, env))
            case .aws:
                let files = AWSFiles(environment: env)
                let name = fromProfile ?? AWSFiles.namedProfile(env) ?? "default"
                let where_ =
                    OtherToolSettings.shortPath(files.credentialsPath, env) + " nor "
                    + OtherToolSettings.shortPath(files.configPath, env)
                guard files.has(profile: name) else {
                    throw OBSError.configuration(
                        "the AWS profile '\(name)' is in neither \(where_); name one with --from-profile")
                }
                return (files.layer(profile: name, ignoreEndpoints: false, explicit: true), "the AWS profile '\(name)'")
            }
        }
    }
}
