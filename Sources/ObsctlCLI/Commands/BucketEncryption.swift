import ArgumentParser
import OBSCore

extension Obsctl.Bucket {
    struct Encryption: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, enable or disable a bucket's default encryption.",
            discussion: Manual.discussion(
                [
                    "The default applies only to objects uploaded after it is enabled, and only to uploads that name "
                        + "no encryption of their own. Disabling it changes no stored object."
                ],
                examples: [
                    "obsctl bucket encryption show obs://secure",
                    "obsctl bucket encryption enable obs://secure --sse kms --kms-key-id my-app-key",
                    "obsctl bucket encryption disable obs://secure",
                ]),
            subcommands: [Show.self, Enable.self, Disable.self, Report.self, Apply.self])
    }
}

extension Obsctl.Bucket.Encryption {
    /// `{"bucket","encryption"}`, the encryption null for none; in text one line naming it.
    struct Shown: CommandResult {
        let bucket: BucketName
        let encryption: BucketEncryption?
        /// Set by enable and disable: the line reports a change, which --quiet silences.
        var changed = false

        private enum CodingKeys: String, CodingKey { case bucket, encryption }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(bucket.value, forKey: .bucket)
            try container.encode(Nullable(wrappedValue: encryption.map(EncryptionShape.init)), forKey: .encryption)
        }

        var text: [TextLine] {
            let line = "obs://\(bucket): default encryption \(TextShape.encryption(encryption))"
            return [changed ? .report(line) : .data(line)]
        }
    }

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
