import ArgumentParser

extension Obsctl.KMS.Key {
    struct Create: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a master key (AES-256).",
            discussion: Manual.discussion(examples: [
                "obsctl kms key create --alias my-app-key --description 'app data'",
                "obsctl kms key create --output json",
            ]))
        @Option(help: "Alias: 1-255 of a-z A-Z 0-9 : / _ -, not ending in /default.") var alias: String?
        @Option(help: "Free text, up to 255 bytes.") var description: String = ""
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.createKey(alias: alias, description: description))
        }
    }
}
