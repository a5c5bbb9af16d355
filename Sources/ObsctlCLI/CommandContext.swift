import Foundation
import OBSCore
import OBSLocalBackend
import OBSClient
import OBSSigner
import ArgumentParser

/// What a command needs, built once from global options and the environment: the output, the storage backend
/// and, for `kms` commands, key management. Commands see only the protocols.
struct CommandContext {
    let output: Output
    let environment: [String: String]
    let storage: ObjectStorage
    /// The local KMS. Against a remote endpoint `kms` commands still manage the local KMS only, and say so.
    let keyManagement: KeyManagement
    let isRemote: Bool
    /// How transfers show progress on stderr (`--progress`, `OBSCTL_PROGRESS`, `--quiet`, the terminal).
    let progressStyle: ProgressStyle

    init(_ global: GlobalOptions) throws {
        let output = Output(format: global.output, quiet: global.quiet)
        self.output = output
        environment = ProcessInfo.processInfo.environment
        try Numbers.checkEnvironment(environment)
        progressStyle = try ProgressMode.resolve(global.progress, environment: environment).style(quiet: global.quiet, environment: environment)
        let local = try LocalBackend(environment: environment)
        keyManagement = local.kms
        if let remote = try Self.remoteConfiguration(global, environment) {
            if remote.transport.insecure { output.warn("--insecure: the TLS certificate of \(remote.host) is not verified") }
            let debug = global.debug ? DebugLog { Output.stderr($0) } : nil
            storage = try RemoteBackend(configuration: remote, warn: { line in output.warn(line) },
                                        advise: { line in output.advise(line) }, debug: debug)
            isRemote = true
        } else {
            storage = local
            isRemote = false
        }
    }

    /// The remote endpoint from --endpoint, OBSCTL_ENDPOINT, the profile, or --region; nil means the local backend.
    static func remoteConfiguration(_ g: GlobalOptions, _ env: [String: String]) throws -> RemoteConfiguration? {
        let profile = try ConfigProfile.load(environment: env, name: g.profile)
        let endpoint = g.endpoint ?? env["OBSCTL_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? profile?.values["endpoint"]
            ?? g.region.map(RemoteConfiguration.endpoint(forRegion:))
        guard let endpoint else { return nil }
        let region = g.region ?? env["OBSCTL_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? profile?.values["region"]
        let signature = try g.signature ?? profile?.values["signature"].map { v in
            guard let s = SignatureVersion(rawValue: v) else { throw OBSError.configuration("profile signature '\(v)' must be obs, v2 or v4") }
            return s
        }
        let transport = TransportOptions(caBundle: g.caBundle ?? env["OBSCTL_CA_BUNDLE"] ?? profile?.values["ca_bundle"], insecure: g.insecure,
                                         lowSpeedTimeSeconds: g.timeout,
                                         userAgent: "obsctl/\(Obsctl.version)")
        return try RemoteConfiguration(endpoint: endpoint, region: region, signature: signature, addressing: g.addressing,
                                       credentials: try CredentialSource.resolve(environment: env, profile: profile),
                                       transport: transport, retries: g.retries)
    }
}

/// Commands built on the context: `run()` builds it once, leaf commands implement `run(_:)`.
protocol ObsctlCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    func run(_ context: CommandContext) async throws
}

extension ObsctlCommand {
    mutating func run() async throws {
        try await run(try CommandContext(global))
    }
}

/// Thrown by commands that handle several objects, after each failure was reported: exit 8 (partial) when some
/// succeeded, else the code of the failure.
struct CommandFailure: Error {
    let exitCode: ObsctlExitCode
}
