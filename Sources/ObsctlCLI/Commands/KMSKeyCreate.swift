import ArgumentParser

extension Obsctl.KMS.Key {
    struct Create: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a master key (AES-256).",
            discussion: Manual.discussion(
                ["With --quiet only the new key's id is printed, for scripts: KEY=$(obsctl kms key create -q)."],
                examples: [
                    "obsctl kms key create --alias my-app-key --description 'app data'",
                    "obsctl kms key create --output json",
                ]))
        @Option(help: "Alias: 1-255 of a-z A-Z 0-9 : / _ -; not a key id or URN, not ending in /default.")
        var alias: String?
        @Option(help: "Free text, up to 255 bytes.") var description: String = ""
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            let key = try ctx.keyManagement.createKey(alias: alias, description: description)
            // The new key's id is what the command was run for: -q prints it alone (`KEY=$(... -q)`).
            if ctx.output.quiet && ctx.output.format == .text {
                Renderer(ctx.output).render(KeyID(id: key.keyID))
            } else {
                Obsctl.KMS.Key.report(ctx, key)
            }
        }

        /// A new key's id, alone: what `--quiet` leaves of the report.
        struct KeyID: CommandResult {
            let id: String
            func encode(to encoder: Encoder) throws { try ["key_id": id].encode(to: encoder) }
            var text: [TextLine] { [.data(id)] }
        }
    }
}
