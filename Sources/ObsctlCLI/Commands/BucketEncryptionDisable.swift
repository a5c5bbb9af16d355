import ArgumentParser

extension Obsctl.Bucket.Encryption {
    struct Disable: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn off default encryption. Objects already stored stay as they are.",
            discussion: Manual.discussion(examples: ["obsctl bucket encryption disable obs://secure"]))
        @Argument(help: ArgumentHelp("The bucket: obs://NAME or NAME.", valueName: "bucket"), completion: .obsBucket)
        var bucket: String
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let name = try parseBucket(bucket)
            try await ctx.storage.setBucketEncryption(name, nil)
            Renderer(ctx.output).render(Shown(bucket: name, encryption: nil, changed: true))
        }
    }
}
