import ArgumentParser
import OBSCore
import OBSTransfer

/// What cp and mv take: a source, a destination, and the options of the upload, download or copy they become.
struct TransferArguments: ParsableArguments {
    @Argument(
        help: ArgumentHelp("Source: a local path, - for stdin, or obs://BUCKET/KEY.", valueName: "source"),
        completion: .pathOrObject)
    var source: String
    @Argument(
        help: ArgumentHelp("Destination: a local path, - for stdout, or obs://BUCKET/KEY.", valueName: "destination"),
        completion: .pathOrObject)
    var destination: String
    @Flag(name: [.short, .long], help: "Take directories or prefixes with everything below them.") var recursive = false
    @Flag(help: "Print what would be copied or moved; change nothing.") var dryRun = false
    @OptionGroup var filters: FilterOptions
    @OptionGroup var settings: TransferSettings

    /// `move` (mv): each source is removed once its copy is written and verified, never before.
    func run(_ ctx: CommandContext, move: Bool) async throws {
        let filter = try filters.filter()
        switch (OBSURL.isOBSURL(source), OBSURL.isOBSURL(destination)) {
        case (false, false):
            throw OBSError.invalidArgument(
                "neither '\(source)' nor '\(destination)' is an obs:// address; use cp(1) for local copies")
        case (false, true):
            var options = try settings.forUpload()
            options.move = move
            try await Obsctl.Upload.upload(
                ctx, paths: [source], to: try OBSURL(destination), recursive: recursive, options: options,
                filter: filter, dryRun: dryRun)
        case (true, false):
            var options = try settings.forDownload()
            options.move = move
            try await Obsctl.Download.download(
                ctx, source: try OBSURL(source), path: destination, recursive: recursive, options: options,
                filter: filter, dryRun: dryRun)
        case (true, true):
            var options = try settings.forCopy()
            options.move = move
            try await copyObjects(ctx, from: try OBSURL(source), to: try OBSURL(destination), filter, options)
        }
    }

    private func copyObjects(
        _ ctx: CommandContext, from src: OBSURL, to dst: OBSURL, _ filter: Filter, _ options: StepOptions
    ) async throws {
        var listing: [ListedObject] = []
        let skips = ctx.skips
        if recursive {
            let prefix = KeyMapping.directoryPrefix(src.path)
            // Refused before the listing: a nested copy is wrong whatever the prefix holds.
            try KeyMapping.refuseNestedPrefixes(src, prefix, dst, KeyMapping.directoryPrefix(dst.path))
            let listed = try await ctx.storage.listAllObjects(bucket: src.bucket, prefix: prefix)
            skips.damaged(ctx, Planner.unreadable(listed.unreadable, below: prefix, filter: filter), in: src.bucket)
            listing = listed.objects.map(ListedObject.init)
        }
        let plan = try Planner.copy(
            src, to: dst, recursive: recursive, filter: filter, listing: listing, isMove: options.move,
            changes: options.sse != nil || options.changesAttributes)
        if !recursive { try await PlanReport.excludedSingle(ctx, plan) }
        if recursive && plan.steps.isEmpty && skips.isEmpty {
            ctx.output.note(
                "no objects under obs://\(src.bucket)/\(KeyMapping.directoryPrefix(src.path))"
                    + (plan.excluded.isEmpty ? "" : " that --include/--exclude take"))
        }
        if dryRun {
            return try await PlanReport.dryRun(
                ctx, plan.steps, verb: options.move ? "move" : nil, options: options, named: !recursive,
                hint: recursive ? nil : options.move ? "move" : "copy")
        }
        let outcome = try await Transfers.runSteps(
            ctx, plan.steps, options, hint: recursive ? nil : options.move ? "move" : "copy")
        try Transfers.summarize(ctx, outcome)
    }
}
