import ArgumentParser

extension Obsctl.KMS.Key {
    struct Describe: NamesOneKMSKey {
        static let configuration = CommandConfiguration(
            abstract: "Show one master key.",
            discussion: Manual.discussion(examples: [
                "obsctl kms key describe my-app-key",
                "obsctl kms key describe obs/default --output json",
            ]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.describeKey(key), changed: false)
        }
    }
}
