import ArgumentParser
import OBSCore

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
            let encryption = try await ctx.storage.bucketEncryption(name)
            Renderer(ctx.output).render(Shown(bucket: name, encryption: encryption))
            if case .kms(let ref?)? = encryption, !ctx.isRemote { warnIfUnusable(ctx, name, ref) }
        }

        /// A local default whose key can no longer encrypt fails every upload that names no method: said here,
        /// where the user looks, when the policy lets the user describe keys (kms:cmk:get).
        private func warnIfUnusable(_ ctx: CommandContext, _ name: BucketName, _ ref: String) {
            guard let state = ctx.localKMS.stateIfDescribable(ref), state != .enabled else { return }
            let until =
                state == .deleted
                ? "until the default is changed" : "until the key is enabled again or the default is changed"
            ctx.output.warn(
                "the default's KMS key \(ref) is \(state.displayName): uploads to obs://\(name) that name no method "
                    + "fail \(until) ('obsctl bucket encryption enable obs://\(name) --sse obs', or --sse kms "
                    + "--kms-key-id KEY)")
        }
    }
}
