import ArgumentParser
import OBSCore

extension Obsctl.Bucket.Encryption {
    struct Enable: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn on default encryption: SSE-KMS (optionally with a key) or SSE-OBS.",
            discussion: Manual.discussion(examples: [
                "obsctl bucket encryption enable obs://secure --sse kms",
                "obsctl bucket encryption enable obs://secure --sse kms --kms-key-id my-app-key",
                "obsctl bucket encryption enable obs://secure --sse obs",
            ]))
        @Argument(help: ArgumentHelp("The bucket: obs://NAME or NAME.", valueName: "bucket"), completion: .obsBucket)
        var bucket: String
        @Option(
            help: ArgumentHelp("kms (SSE-KMS) or obs (SSE-OBS).", valueName: "kms|obs"),
            completion: .list(BucketSSEArgument.allValueStrings), transform: BucketSSEArgument.parse)
        var sse: BucketSSEArgument
        @Option(
            help: ArgumentHelp("KMS key (id, URN or alias); omitted means obs/default.", valueName: "id"),
            completion: .kmsKey)
        var kmsKeyId: String?
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let name = try parseBucket(bucket)
            let e = try ctx.resolvingKMSKey(SSERules.bucketDefault(mode: sse.mode, kmsKeyID: kmsKeyId))
            try await ctx.storage.setBucketEncryption(name, e)
            Renderer(ctx.output).render(
                Shown(bucket: name, encryption: try await ctx.storage.bucketEncryption(name), changed: true))
        }
    }
}
