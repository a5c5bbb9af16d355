import ArgumentParser

extension Obsctl {
    struct Copy: ObsctlCommand, TransferCommand {
        static let configuration = CommandConfiguration(
            commandName: "cp",
            abstract: "Copy between local paths and OBS, or between objects (which can change their encryption).",
            discussion: Manual.discussion(
                [
                    "Local to obs:// is an upload, obs:// to local a download, obs:// to obs:// a copy. For a copy, "
                        + "--sse and --sse-c-key-* describe the destination and --source-sse-c-key-* the source; "
                        + "copying an object onto itself with new options re-encrypts it (for example to rotate an "
                        + "SSE-C key)."
                ],
                examples: [
                    "obsctl cp notes.txt obs://docs/notes.txt --sse kms",
                    "obsctl cp obs://docs/notes.txt ./notes.txt",
                    "obsctl cp obs://docs/notes.txt obs://archive/notes.txt --sse obs",
                    "obsctl cp obs://vault/a obs://vault/a --source-sse-c-key-file old.key --sse-c-key-file new.key",
                ]))

        @OptionGroup var transfer: TransferArguments
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions
        var failureItem: String { transfer.source }

        func run(_ ctx: CommandContext) async throws { try await transfer.run(ctx, move: false) }
    }
}
