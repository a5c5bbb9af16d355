import ArgumentParser

extension Obsctl.KMS.Key {
    struct CancelDeletion: NamesOneKMSKey {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a scheduled deletion. The key comes back disabled; enable it to use it.",
            discussion: Manual.discussion(examples: [
                "obsctl kms key cancel-deletion my-app-key",
                "obsctl kms key enable my-app-key",
            ]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.cancelKeyDeletion(key))
        }
    }
}
