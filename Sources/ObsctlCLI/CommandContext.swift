import Foundation
import OBSCore
import OBSLocalBackend
import ArgumentParser

/// What a command needs, built once from global options and the environment: the output, the storage backend
/// and, for `kms` commands, key management. Commands see only the protocols.
struct CommandContext {
    let output: Output
    let environment: [String: String]
    let storage: ObjectStorage
    let keyManagement: KeyManagement

    init(_ global: GlobalOptions) throws {
        output = Output(format: global.output, quiet: global.quiet)
        environment = ProcessInfo.processInfo.environment
        // No endpoint configured means the embedded local backend. The remote OBS client plugs in here.
        let local = try LocalBackend(environment: environment)
        storage = local
        keyManagement = local.kms
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
