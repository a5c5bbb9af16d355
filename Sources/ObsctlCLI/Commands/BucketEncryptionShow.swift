import ArgumentParser

extension Obsctl.Bucket.Encryption {
    struct Show: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a bucket's default encryption (none when it has none).",
            discussion: Manual.discussion(examples: [
                "obsctl bucket encryption show obs://secure",
                "obsctl bucket encryption show obs://secure --output json",
            ]))
        @Argument(help: ArgumentHelp("The bucket: obs://NAME or NAME.", valueName: "bucket"), completion: .obsBucket)
        var bucket: String
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let name = try parseBucket(bucket)
            Renderer(ctx.output).render(Shown(bucket: name, encryption: try await ctx.storage.bucketEncryption(name)))
        }
    }
}
