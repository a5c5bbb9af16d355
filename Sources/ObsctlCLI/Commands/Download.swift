import ArgumentParser
import OBSCore
import OBSTransfer

extension Obsctl {
    struct Download: ObsctlCommand, TransferCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download objects to files (or stdout), decrypting and verifying them.",
            discussion: Manual.discussion(
                [
                    "A file is written under a temporary name and renamed only after every byte has verified: a failed "
                        + "download leaves no file behind. '-' writes to stdout. With --recursive every object under "
                        + "the prefix is written below PATH; keys that would escape PATH ('..', empty segments, "
                        + "absolute) are refused."
                ],
                examples: [
                    "obsctl download obs://secure/2026/report.pdf ./report.pdf",
                    "obsctl download obs://vault/db.dump - --sse-c-key-file key.bin > db.dump",
                    "obsctl download obs://web/ ./site --recursive",
                ]))

        @Argument(
            help: ArgumentHelp("obs://BUCKET/KEY, or obs://BUCKET/PREFIX with --recursive.", valueName: "source"),
            completion: .obsObject)
        var source: String
        @Argument(
            help: ArgumentHelp("Local file or directory, or - for stdout.", valueName: "path"), completion: .file())
        var path: String
        @Flag(name: [.short, .long], help: "Download every object under the prefix.") var recursive = false
        @OptionGroup var customerKey: CustomerKeyOptions
        @OptionGroup var tuning: DownloadTuningOptions
        @OptionGroup var filters: FilterOptions
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions
        var failureItem: String { source }

        func run(_ ctx: CommandContext) async throws {
            try await Self.download(
                ctx, source: try OBSURL(source), path: path, recursive: recursive,
                options: StepOptions(customerKey: try customerKey.load(), transfer: try tuning.options()),
                filter: try filters.filter())
        }

        /// `options.move` (mv): each object is deleted once its file is written, verified and renamed into
        /// place. `dryRun`: the plan is shown and nothing is read or written. Each file gets its object's time, as
        /// aws s3 and rclone give it, so that a sync of the files back finds them unchanged.
        static func download(
            _ ctx: CommandContext, source src: OBSURL, path: String, recursive: Bool,
            options: StepOptions, filter: Filter = .all, dryRun: Bool = false
        ) async throws {
            try refuseEmptyPaths([path])
            try ctx.protectedPaths.refuseInside(path)
            var listing: [ListedObject] = []
            let skips = ctx.skips
            let prefix = KeyMapping.directoryPrefix(src.path)
            if recursive {
                guard path != "-" else {
                    throw OBSError.invalidArgument("--recursive cannot write to stdout; name a directory")
                }
                try Transfers.requireDirectoryDestination(path, "--recursive")
                let listed = try await ctx.storage.listAllObjects(bucket: src.bucket, prefix: prefix)
                skips.damaged(ctx, Planner.unreadable(listed.unreadable, below: prefix, filter: filter), in: src.bucket)
                listing = listed.objects.map(ListedObject.init)
            }
            var plan = try Planner.download(
                src, to: path, recursive: recursive, filter: filter, listing: listing,
                pathIsDirectory: path != "-" && LocalTree.isDirectory(path))
            var options = options
            options.keepModificationTime = true
            // Only the path typed is followed (a link, a device): not one planned below it.
            options.destinationNamedByUser =
                !recursive && plan.steps.count == 1 && plan.steps[0].destination == .file(path)
            if recursive { options.localRoot = path }
            for key in plan.unsafeKeys { skips.unsafeKey(ctx, key, of: src.bucket, below: path) }
            if recursive { plan.steps = skips.storeWrites(ctx, plan.steps, of: src.bucket, below: path) }
            if !recursive { try await PlanReport.excludedSingle(ctx, plan) }
            try Transfers.requireWritableDestinations(plan.steps)
            if recursive && plan.steps.isEmpty && skips.isEmpty {
                ctx.output.note(
                    "no objects under obs://\(src.bucket)/\(prefix)"
                        + (plan.excluded.isEmpty ? "" : " that --include/--exclude take"))
            }
            if dryRun {
                return try await PlanReport.dryRun(
                    ctx, plan.steps, verb: options.move ? "move" : nil, options: options, named: !recursive,
                    hint: recursive ? nil : options.move ? "move" : "download")
            }
            // The bar shows an ETA only with the size; a HEAD asks for it, only when a bar is drawn.
            if !recursive, ctx.progressStyle == .bar, let key = plan.steps.first?.source.key {
                let request = GetObjectRequest(bucket: src.bucket, key: key, customerKey: options.customerKey)
                plan.steps[0].size = try? await ctx.storage.headObject(request).size
            }
            let outcome = try await Transfers.runSteps(
                ctx, plan.steps, options, hint: recursive ? nil : options.move ? "move" : "download")
            try Transfers.summarize(ctx, outcome)
        }
    }
}
