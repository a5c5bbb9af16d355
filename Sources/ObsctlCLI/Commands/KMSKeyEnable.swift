import ArgumentParser

extension Obsctl.KMS.Key {
    struct Enable: NamesOneKMSKey {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled master key.",
            discussion: Manual.discussion(examples: ["obsctl kms key enable my-app-key"]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.enableKey(key))
        }
    }
}
