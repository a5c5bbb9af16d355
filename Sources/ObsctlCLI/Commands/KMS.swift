import ArgumentParser
import OBSLocalBackend

extension Obsctl {
    struct KMS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kms",
            abstract: "Manage KMS master keys, their states and deletion windows (Huawei KMS when a remote endpoint "
                + "or --kms-endpoint is configured, else the local KMS); the local KMS's policy and audit log.",
            discussion: Manual.discussion(examples: [
                "obsctl kms key create --alias my-app-key --description 'app data'",
                "obsctl kms key list",
            ]),
            subcommands: [Key.self, Policy.self, Audit.self])
    }
}

extension Obsctl.KMS {
    /// The local KMS behind the context (`kms policy show`, `kms audit verify`): policy and audit log are the
    /// embedded KMS's, whatever the endpoint.
    static func localKMS(_ ctx: CommandContext) throws -> LocalKMS { ctx.localKMS }
}
