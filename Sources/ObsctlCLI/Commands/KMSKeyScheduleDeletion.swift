import ArgumentParser

extension Obsctl.KMS.Key {
    struct ScheduleDeletion: NamesOneKMSKey {
        static let configuration = CommandConfiguration(
            abstract: "Schedule a master key for deletion in 7 to 1096 days. After that date its material is "
                + "destroyed and its objects are unrecoverable.",
            discussion: Manual.discussion(examples: ["obsctl kms key schedule-deletion my-app-key --days 30"]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @Option(
            parsing: .unconditional, help: "Days until deletion, 7 to 1096.",
            transform: { try Numbers.integer($0, Numbers.deletionDays) }) var days: Int
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.scheduleKeyDeletion(key, pendingDays: days))
        }
    }
}
