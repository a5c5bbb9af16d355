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
    /// `--jobs` of the commands that take it: items handled at once.
    var jobs = ConcurrencyOptions.defaultJobs

    init(_ global: GlobalOptions) throws {
        let output = Output(format: global.output, quiet: global.quiet)
        environment = ProcessInfo.processInfo.environment
        try Numbers.checkEnvironment(environment)
        progressStyle = try ProgressMode.resolve(global.progress, environment: environment).style(
            quiet: global.quiet, environment: environment)
        let local = try LocalBackend(environment: environment)
        keyManagement = local.kms
        switch try Self.resolve(global, environment) {
        case .remote(let remote, let origins):
            if remote.transport.insecure {
                output.warn("--insecure: the TLS certificate of \(remote.host) is not verified")
            }
            if global.debug { Output.stderr("* endpoint \(origins.endpoint), credentials \(origins.credentials)") }
            let debug = global.debug ? DebugLog { Output.stderr($0) } : nil
            storage = try RemoteBackend(
                configuration: remote, warn: { line in output.warn(line) },
                advise: { line in output.advise(line) }, debug: debug)
            isRemote = true
        case .local(let credentialNames):
            // Credentials without an endpoint: the user probably meant a server. Say so even with --quiet.
            if !credentialNames.isEmpty {
                output.warn(
                    "no endpoint is configured, so this uses the local store in \(local.paths.root), "
                        + "not a server, although credentials are set (\(credentialNames.joined(separator: ", "))); "
                        + "for a server give --endpoint URL, OBSCTL_ENDPOINT, AWS_ENDPOINT_URL or "
                        + "'obsctl config set endpoint URL'")
            }
            storage = local
            isRemote = false
        }
        self.output = isRemote ? output : output.forLocalStore()
    }

    enum Backend {
        /// Where the endpoint and the credentials came from, for --debug.
        case remote(RemoteConfiguration, origins: (endpoint: String, credentials: String))
        /// No endpoint anywhere; the names of credentials found all the same.
        case local(credentialNames: [String])
    }

    static let enforcedCopyConditionsVariable = "OBSCTL_TEST_ENFORCED_COPY_CONDITIONS"

    /// The remote endpoint from obsctl's settings (--endpoint, OBSCTL_ENDPOINT, the profile's, --region), else
    /// from other tools' (OtherToolSettings); none means the local backend.
    static func resolve(_ g: GlobalOptions, _ env: [String: String]) throws -> Backend {
        let profile = try ConfigFile.load(environment: env, name: g.profile)
        let flags = SettingsLayer(
            endpoint: g.endpoint.map { SettingValue($0, from: "--endpoint") },
            region: g.region.map { SettingValue($0, from: "--region") },
            caBundle: g.caBundle.map { SettingValue($0, from: "--ca-bundle") })
        let regionEndpoint = g.region.map {
            SettingValue(RemoteConfiguration.endpoint(forRegion: $0), from: "--region")
        }
        let layers = SettingsLayers(flags: flags, regionEndpoint: regionEndpoint, environment: env, profile: profile)
        guard let endpoint = layers.endpoint else { return .local(credentialNames: layers.credentialNames) }
        let signature =
            try g.signature
            ?? profile?.values["signature"].map { v in
                guard let s = SignatureVersion(rawValue: v) else {
                    throw OBSError.configuration("profile signature '\(v)' must be obs, v2 or v4")
                }
                return s
            }
        let transport = TransportOptions(
            caBundle: layers.caBundle?.value, insecure: g.insecure,
            lowSpeedTimeSeconds: g.timeout, userAgent: "obsctl/\(Obsctl.version)")
        do { try RemoteConfiguration.checkEndpoint(endpoint.value) } catch let e as OBSError {
            throw OBSError.configuration("\(e.message) (the endpoint of \(endpoint.origin))")
        }
        let (credentials, keyOrigin) = try CredentialSource.resolve(layers, endpoint: endpoint)
        var remote = try RemoteConfiguration(
            endpoint: endpoint.value, region: layers.ownRegion?.value,
            signature: signature, addressing: g.addressing, credentials: credentials,
            transport: transport, retries: g.retries,
            fallbackRegion: layers.otherRegion?.value)
        // Test hook: lets the peers that do enforce copy conditions (SeaweedFS) stand for OBS and S3.
        if env[Self.enforcedCopyConditionsVariable] == "1" { remote.enforcesCopySourceConditions = true }
        return .remote(remote, origins: ("\(endpoint.value) from \(endpoint.origin)", "from \(keyOrigin)"))
    }

    /// The remote endpoint, or nil for the local backend (completion's view of `resolve`).
    static func remoteConfiguration(_ g: GlobalOptions, _ env: [String: String]) throws -> RemoteConfiguration? {
        if case .remote(let remote, _) = try resolve(g, env) { return remote }
        return nil
    }
}

/// Commands built on the context: `run()` builds it once, leaf commands implement `run(_:)`.
protocol ObsctlCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    func run(_ context: CommandContext) async throws
}

extension ObsctlCommand {
    mutating func run() async throws {
        var context = try CommandContext(global)
        if let concurrent = self as? RunsConcurrently { context.jobs = concurrent.concurrency.jobs }
        try await run(context)
    }
}

/// Thrown by commands that handle several objects, after each failure was reported: exit 8 (partial) when some
/// succeeded, else the code of the failure.
struct CommandFailure: Error {
    let exitCode: ObsctlExitCode
}
