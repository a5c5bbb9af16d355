import ArgumentParser
import OBSCore

extension Obsctl.Bucket {
    struct Create: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a bucket, optionally with default encryption set in the same step.",
            discussion: Manual.discussion(examples: [
                "obsctl bucket create obs://reports",
                "obsctl bucket create obs://secure --sse kms",
                "obsctl bucket create obs://archive --storage-class cold --sse kms --kms-key-id my-app-key",
            ]))

        @Argument(help: ArgumentHelp("The bucket: obs://NAME or NAME.", valueName: "bucket")) var bucket: String
        @Option(help: "Region of the bucket.") var location: String?
        @Option(help: "Default storage class: standard, warm, cold or deep-archive.")
        var storageClass: StorageClassArgument = .standard
        @Option(
            help: ArgumentHelp(
                "Default encryption for new objects: kms (SSE-KMS) or obs (SSE-OBS).",
                valueName: "kms|obs"),
            completion: .list(BucketSSEArgument.allValueStrings), transform: BucketSSEArgument.parse)
        var sse: BucketSSEArgument?
        @Option(
            help: ArgumentHelp(
                "KMS key for the default (id, URN or alias); omitted means obs/default.",
                valueName: "id"),
            completion: .kmsKey)
        var kmsKeyId: String?
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let name = try parseBucket(bucket)
            let encryption = try ctx.resolvingKMSKey(SSERules.bucketDefault(mode: sse?.mode, kmsKeyID: kmsKeyId))
            let location = self.location ?? ctx.storage.defaultLocation
            let info = try await ctx.storage.createBucket(
                CreateBucketRequest(
                    name: name, location: location, storageClass: storageClass.storageClass,
                    encryption: encryption))
            Renderer(ctx.output).render(Created(info: info))
        }

        /// A *bucket*; in text a report line with its location and default encryption.
        struct Created: CommandResult {
            let info: BucketInfo

            func encode(to encoder: Encoder) throws { try BucketShape(info).encode(to: encoder) }

            var text: [TextLine] {
                [
                    .report(
                        "created obs://\(info.name) (location \(info.location), default encryption "
                            + "\(TextShape.encryption(info.encryption)))")
                ]
            }
        }
    }
}
