import Foundation
import OBSCore
import OBSLocalBackend
import OBSClient
import OBSSigner
import OBSTransfer
import ArgumentParser

/// What a command needs, built once from global options and the environment: the output, the storage backend
/// and, for `kms` commands, key management. Commands see only the protocols.
struct CommandContext {
    let output: Output
    let environment: [String: String]
    let storage: ObjectStorage
    /// The embedded backend's KMS: `kms policy` and `kms audit` read it, and it manages keys unless Huawei KMS
    /// is selected.
    let localKMS: LocalKMS
    /// Huawei KMS when a remote endpoint or a KMS endpoint is configured (and not `--local`), built on first use:
    /// commands that never need it must not fail for want of a region.
    let remoteKMS: RemoteKMSAccess?
    let isRemote: Bool
    /// How transfers show progress on stderr (`--progress`, `OBSCTL_PROGRESS`, `--quiet`, the terminal).
    let progressStyle: ProgressStyle
    /// `--jobs` of the commands that take it: items handled at once.
    var jobs = ConcurrencyOptions.defaultJobs
    /// `--debug`.
    let debug: Bool
    /// What the command's plan left out, for its JSON `failures` and its exit code.
    let skips = Skips()
    /// On the local backend, the store's own files, which no transfer touches (`ProtectedPaths`).
    let protectedPaths: ProtectedPaths
    /// The files this command wrote (`WrittenFiles`), shared by every transfer engine it makes.
    let writtenFiles = WrittenFiles()
    /// The default encryption of the buckets written into, asked once each (`BucketDefaults`).
    let bucketDefaults = BucketDefaults()

    init(_ global: GlobalOptions) throws {
        let output = Output(format: global.output, quiet: global.quiet)
        environment = ProcessInfo.processInfo.environment
        try Numbers.checkEnvironment(environment)
        progressStyle = try ProgressMode.resolve(global.progress, environment: environment).style(
            quiet: global.quiet, environment: environment)
        let local = try LocalBackend(environment: environment)
        localKMS = local.kms
        let (backend, kmsPlan) = try Self.resolveAll(global, environment)
        debug = global.debug
        let debugLog = global.debug ? DebugLog { Output.stderr($0) } : nil
        let env = environment
        remoteKMS = kmsPlan.map { plan in
            RemoteKMSAccess(plan) { try plan.make(environment: env, debug: debugLog, retries: $0) }
        }
        switch backend {
        case .remote(let remote, let origins):
            if remote.transport.insecure {
                output.warn("--insecure: the TLS certificate of \(remote.host) is not verified")
            }
            if global.debug { Output.stderr("* endpoint \(origins.endpoint), credentials \(origins.credentials)") }
            storage = try RemoteBackend(
                configuration: remote, warn: { line in output.warn(line) },
                advise: { line in output.advise(line) }, debug: debugLog)
            isRemote = true
        case .local(let credentialNames):
            // Credentials without an endpoint: the user probably meant a server. Say so even with --quiet.
            if !credentialNames.isEmpty && kmsPlan == nil && !global.local {
                output.warn(
                    "no endpoint is configured, so this uses the local store in \(local.paths.root), "
                        + "not a server, although credentials are set (\(credentialNames.joined(separator: ", "))); "
                        + "for a server give --endpoint URL, OBSCTL_ENDPOINT, AWS_ENDPOINT_URL or "
                        + "'obsctl config set endpoint URL'")
            }
            storage = local
            isRemote = false
        }
        protectedPaths = isRemote ? .none : ProtectedPaths(paths: local.ownPaths)
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
    static func resolve(_ g: GlobalOptions, _ env: [String: String]) throws -> Backend { try resolveAll(g, env).0 }

    /// The storage backend, and Huawei KMS's inputs when it is selected: a remote endpoint, or a KMS endpoint
    /// (`--kms-endpoint`, `OBSCTL_KMS_ENDPOINT`, profile `kms_endpoint`), and not `--local`.
    static func resolveAll(_ g: GlobalOptions, _ env: [String: String]) throws -> (Backend, RemoteKMSPlan?) {
        if g.local {
            if let clash = [("--endpoint", g.endpoint), ("--kms-endpoint", g.kmsEndpoint), ("--region", g.region)]
                .first(where: { $0.1 != nil })
            {
                throw OBSError.invalidArgument(
                    "--local uses the embedded backend, so \(clash.0) does not apply; drop one of them")
            }
            return (.local(credentialNames: []), nil)
        }
        if let region = g.region, !RegionName.isSafe(region) {
            throw OBSError.invalidArgument(RegionName.problem(region, from: "--region"))
        }
        let profile = try ConfigFile.load(environment: env, name: g.profile)
        let flags = SettingsLayer(
            endpoint: g.endpoint.map { SettingValue($0, from: "--endpoint") },
            region: g.region.map { SettingValue($0, from: "--region") },
            caBundle: g.caBundle.map { SettingValue($0, from: "--ca-bundle") })
        let regionEndpoint = g.region.map {
            SettingValue(RemoteConfiguration.endpoint(forRegion: $0), from: "--region")
        }
        let layers = SettingsLayers(flags: flags, regionEndpoint: regionEndpoint, environment: env, profile: profile)
        let kmsFlags = KMSSettings.Flags(kmsEndpoint: g.kmsEndpoint, projectID: g.projectId, iamEndpoint: g.iamEndpoint)
        let kmsEndpoint = [
            g.kmsEndpoint.map { SettingValue($0, from: "--kms-endpoint") },
            env[KMSSettings.environmentNames.kmsEndpoint].map { SettingValue($0, from: "OBSCTL_KMS_ENDPOINT") },
            profile?.values[KMSSettings.profileKeys.kmsEndpoint].map { SettingValue($0, from: "the profile") },
        ].lazy.compactMap { $0 }.first { !$0.value.isEmpty }
        let transportOptions = TransportOptions(
            caBundle: layers.caBundle?.value, insecure: g.insecure,
            lowSpeedTimeSeconds: g.timeout, userAgent: "obsctl/\(Obsctl.version)")
        guard let endpoint = layers.endpoint else {
            guard let kmsEndpoint else { return (.local(credentialNames: layers.credentialNames), nil) }
            // A KMS endpoint alone: Huawei KMS for `kms` commands, the local store for objects.
            let (credentials, _, _) = try CredentialSource.resolve(layers, endpoint: kmsEndpoint)
            let plan = RemoteKMSPlan(
                flags: kmsFlags, profile: profile, region: layers.ownRegion, obsEndpoint: nil,
                credentials: credentials, transport: transportOptions, retries: g.retries, resolvesKeyReferences: true)
            return (.local(credentialNames: []), plan)
        }
        let signature =
            try g.signature
            ?? profile?.values["signature"].map { v in
                guard let s = SignatureVersion(rawValue: v) else {
                    throw OBSError.configuration("profile signature '\(v)' must be obs, v2 or v4")
                }
                return s
            }
        do { try RemoteConfiguration.checkEndpoint(endpoint.value) } catch let e as OBSError {
            throw OBSError.configuration("\(e.message) (the endpoint of \(endpoint.origin))")
        }
        // A region used (past the local store's fallback above): a name in any signature, an id where it made the
        // host (`--region` alone).
        if let region = layers.ownRegion {
            if !RegionName.isSafe(region.value) {
                throw OBSError.configuration(RegionName.problem(region.value, from: region.origin))
            }
            if endpoint.origin == "--region", !RegionName.isValid(region.value) {
                throw OBSError.invalidArgument(RegionName.problem(region.value, from: "--region", id: true))
            }
        }
        let (credentials, keyOrigin, keyPlaces) = try CredentialSource.resolve(layers, endpoint: endpoint)
        var remote = try RemoteConfiguration(
            endpoint: endpoint.value, region: layers.ownRegion?.value,
            signature: signature, addressing: g.addressing, credentials: credentials,
            transport: transportOptions, retries: g.retries,
            fallbackRegion: layers.otherRegion?.value)
        remote.credentialPlaces = keyPlaces
        // Test hook: lets the peers that do enforce copy conditions (SeaweedFS) stand for OBS and S3.
        if env[Self.enforcedCopyConditionsVariable] == "1" { remote.enforcesCopySourceConditions = true }
        let plan = RemoteKMSPlan(
            flags: kmsFlags, profile: profile, region: layers.ownRegion, obsEndpoint: endpoint.value,
            credentials: credentials, transport: transportOptions, retries: g.retries,
            resolvesKeyReferences: kmsEndpoint != nil || remote.speaksOBS)
        return (.remote(remote, origins: ("\(endpoint.value) from \(endpoint.origin)", "from \(keyOrigin)")), plan)
    }

    /// The remote endpoint, or nil for the local backend (completion's view of `resolve`).
    static func remoteConfiguration(_ g: GlobalOptions, _ env: [String: String]) throws -> RemoteConfiguration? {
        if case .remote(let remote, _) = try resolve(g, env) { return remote }
        return nil
    }
}

extension CommandContext {
    /// The key management `kms key` commands act on: Huawei KMS when selected, else the local KMS, never both.
    var keyManagement: KeyManagement {
        get throws {
            if let remoteKMS { return try remoteKMS.kms() }
            return localKMS
        }
    }
}

extension CommandContext {
    /// The KMS key an SSE-KMS write names, checked with Huawei KMS before any byte is sent: an alias becomes its
    /// key id (`kms:cmk:list`), an id or URN is described (`kms:cmk:get`), and a key that does not exist, is
    /// disabled or pending deletion is refused (exit 5). Only against a remote endpoint whose KMS is Huawei's; the
    /// local backend resolves its own keys, and an S3-compatible server gets the reference as given.
    /// With no KMS to ask (an OBS-compatible endpoint that names no region, and no KMS endpoint), a key id or URN
    /// goes as given, for the server to check, as before KMS lookups existed; only an alias needs KMS.
    /// `obs/default` named is no key named, on any server: OBS (or S3) then uses its own default key.
    func kmsKeyForWrite(_ ref: String?) throws -> String? {
        guard let ref, !isRemote || !KMSKeyReference.namesDefaultKey(ref) else { return nil }
        guard isRemote, let remoteKMS, remoteKMS.resolvesKeyReferences else { return ref }
        let kms: RemoteKMS
        do { kms = try remoteKMS.kms() } catch let e as OBSError where e.category == .configuration {
            if case .keyID = KMSKeyReference(ref) { return ref }
            throw OBSError.configuration("--kms-key-id \(ref) is an alias, which only KMS can resolve: \(e.message)")
        }
        return try kms.keyForEncryption(ref)
    }

    /// A dry run's check of the KMS key its run's writes would encrypt under (`sse`, else `bucketDefault`): the
    /// run's refusal (exit 5) without a data key made. Remotely, what `resolvingKMSKey` asks KMS; the server's own
    /// refusal (of a bucket default's key) is seen only by the run.
    /// A failure of the default's key names `bucket`'s default (`OBSError.fromBucketDefault`), as the run's does.
    func checkKeyForWrite(_ sse: SSERequest?, bucketDefault: BucketEncryption?, bucket: BucketName) throws {
        let ref: String?
        switch (sse, bucketDefault) {
        case (.kms(let id)?, _), (nil, .kms(let id)?): ref = id
        default: return
        }
        if isRemote {
            if sse != nil { _ = try kmsKeyForWrite(ref) }
        } else if sse == nil {
            do { try localKMS.checkEncryptionKey(ref) } catch let e as OBSError {
                throw e.fromBucketDefault(bucket.value)
            }
        } else {
            try localKMS.checkEncryptionKey(ref)
        }
    }

    /// The key id `ref` names, whatever its state (a report's filter): from the local KMS, from Huawei KMS when it
    /// can be asked, else `ref` as given.
    func kmsKeyID(_ ref: String) throws -> String {
        guard isRemote else { return try localKMS.describeKey(ref).keyID }
        guard let remoteKMS, remoteKMS.resolvesKeyReferences else { return ref }
        return try remoteKMS.kms().details(ref).keyID
    }

    /// The aliases of the keys a command shows, from the KMS the keys live in: the local KMS on the local backend,
    /// Huawei KMS (or serve's KMS API) when it can be asked for this endpoint, else none (only ids are shown).
    func kmsAliases() -> KMSAliases {
        let note: ((String) -> Void)? = debug ? { Output.stderr($0) } : nil
        guard isRemote else {
            return KMSAliases(describe: { [localKMS] in try localKMS.describeKey($0).alias }, note: note)
        }
        guard let remoteKMS, remoteKMS.resolvesKeyReferences else {
            return KMSAliases(
                unavailable: "this endpoint's KMS is not Huawei KMS; give --kms-endpoint URL for one", note: note)
        }
        return KMSAliases(describe: { try remoteKMS.displayKMS().describeKey($0).alias }, note: note)
    }

    func resolvingKMSKey(_ request: SSERequest?) throws -> SSERequest? { try request.map(resolvingKMSKey) }

    func resolvingKMSKey(_ request: SSERequest) throws -> SSERequest {
        guard case .kms(let ref?) = request else { return request }
        return .kms(keyID: try kmsKeyForWrite(ref))
    }

    func resolvingKMSKey(_ options: StepOptions) throws -> StepOptions {
        var resolved = options
        resolved.sse = try resolvingKMSKey(options.sse)
        return resolved
    }

    func resolvingKMSKey(_ encryption: BucketEncryption?) throws -> BucketEncryption? {
        guard case .kms(let ref?)? = encryption else { return encryption }
        return .kms(keyID: try kmsKeyForWrite(ref))
    }
}

/// What Huawei KMS needs from the global options, resolved into `KMSSettings` only when a command asks for it.
struct RemoteKMSPlan {
    let flags: KMSSettings.Flags
    let profile: ConfigFile.Profile?
    let region: SettingValue?
    let obsEndpoint: String?
    let credentials: Credentials
    let transport: TransportOptions
    let retries: Int
    /// `--kms-key-id` goes through KMS first: the endpoint is Huawei OBS, or a KMS endpoint was given. An
    /// S3-compatible server's key ids (AWS KMS ARNs) are not Huawei KMS's business.
    let resolvesKeyReferences: Bool

    /// `retries`: instead of `--retries` (see `RemoteKMSAccess.displayKMS`).
    func make(environment env: [String: String], debug: DebugLog?, retries: Int? = nil) throws -> RemoteKMS {
        let settings = try KMSSettings.resolve(
            flags: flags, environment: env, profile: profile, region: region, obsEndpoint: obsEndpoint)
        debug.map { _ in Output.stderr("* Huawei KMS \(settings.endpoint.url) (\(settings.endpoint.origin))") }
        return RemoteKMS(
            settings: settings, credentials: credentials, transport: transport, retries: retries ?? self.retries,
            debug: debug,
            cache: KMSProjectCache(environment: env))
    }
}

/// Huawei KMS, built once on first use. `@unchecked Sendable`: `made` and `madeForDisplay` are touched only under
/// `lock` (a command's concurrent steps may ask at once).
final class RemoteKMSAccess: @unchecked Sendable {
    let resolvesKeyReferences: Bool
    /// Builds a client; the argument replaces `--retries` when not nil.
    private let make: (Int?) throws -> RemoteKMS
    private let lock = NSLock()
    private var made: Result<RemoteKMS, Error>?
    private var madeForDisplay: Result<RemoteKMS, Error>?

    init(_ plan: RemoteKMSPlan, make: @escaping (Int?) throws -> RemoteKMS) {
        resolvesKeyReferences = plan.resolvesKeyReferences
        self.make = make
    }

    /// For what the command needs done: failures are retried as `--retries` says.
    func kms() throws -> RemoteKMS {
        try lock.withLock {
            if made == nil { made = Result { try make(nil) } }
            return made!
        }.get()
    }

    /// For what is only shown (key aliases in `stat` and `ls`): one attempt per request, so an unreachable KMS
    /// costs the command no retry back-off; the command then shows key ids alone.
    func displayKMS() throws -> RemoteKMS {
        try lock.withLock {
            if madeForDisplay == nil { madeForDisplay = Result { try make(0) } }
            return madeForDisplay!
        }.get()
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
        if let concurrent = self as? RunsConcurrently {
            let output = context.output
            context.jobs = concurrent.concurrency.jobs(within: Int(clamping: OpenFileLimit.soft)) { output.note($0) }
        }
        guard let transfer = self as? TransferCommand else { return try await run(context) }
        try await Transfers.reportingFailure(context, item: transfer.failureItem, doneKey: transfer.doneKey) {
            try await run(context)
        }
    }
}

/// upload, download, cp, mv, sync and rm: a failure before any transfer (a source that is not there, a missing
/// bucket, a refused overlap) still prints the document of a failed command in JSON, as a failed transfer does.
protocol TransferCommand {
    /// What such a failure is about in `failures` (the source the command names).
    var failureItem: String { get }
    /// The document's list of what was done: "transfers", or rm's "deleted".
    var doneKey: String { get }
}

extension TransferCommand {
    var doneKey: String { "transfers" }
}

/// Thrown by commands that handle several objects, after each failure was reported: exit 8 (partial) when some
/// succeeded, else the code of the failure.
struct CommandFailure: Error {
    let exitCode: ObsctlExitCode
}
