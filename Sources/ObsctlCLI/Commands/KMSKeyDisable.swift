import ArgumentParser

extension Obsctl.KMS.Key {
    struct Disable: NamesOneKMSKey {
        static let configuration = CommandConfiguration(
            abstract: "Disable a master key: uploads and downloads under it fail until it is enabled again.",
            discussion: Manual.discussion(examples: ["obsctl kms key disable my-app-key"]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.disableKey(key))
        }
    }
}
