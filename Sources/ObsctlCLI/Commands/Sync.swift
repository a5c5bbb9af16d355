import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

extension Obsctl {
    struct Sync: ObsctlCommand, TransferCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Make a prefix or directory hold what another holds: copy what is missing, of another size, or newer.",
            discussion: Manual.discussion(
                [
                    "A directory to obs://BUCKET[/PREFIX] uploads, obs:// to a directory downloads, obs:// to obs:// "
                        + "copies server side; everything below the source is taken. A file or object is transferred "
                        + "when the destination has none under its name, or one of another size, or (unless "
                        + "--size-only) an older one. Sizes and times are compared, never ETags, which are no checksum "
                        + "for encrypted or multipart objects. Downloaded files get the object's time, so the next run "
                        + "skips them.",
                    "--delete then removes what the destination holds and the source does not (files, never "
                        + "directories), and only when every transfer succeeded. --dry-run prints the plan and changes "
                        + "nothing.",
                ],
                examples: [
                    "obsctl sync ./site obs://web/ --delete --sse obs",
                    "obsctl sync obs://backups/db/ ./restore --sse-c-key-file key.bin",
                    "obsctl sync obs://reports/2026/ obs://archive/2026/ --dry-run",
                ]))

        @Argument(
            help: ArgumentHelp("Source: a local directory or obs://BUCKET[/PREFIX].", valueName: "source"),
            completion: .pathOrObject)
        var source: String
        @Argument(
            help: ArgumentHelp("Destination: a local directory or obs://BUCKET[/PREFIX].", valueName: "destination"),
            completion: .pathOrObject)
        var destination: String
        @Flag(help: "Remove from the destination what the source does not hold (after every transfer succeeded).")
        var delete = false
        @Flag(help: "Print what would be transferred and removed; change nothing.") var dryRun = false
        @Flag(help: "Compare sizes only, not times.") var sizeOnly = false
        @OptionGroup var filters: FilterOptions
        @OptionGroup var settings: TransferSettings
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions
        var failureItem: String { source }

        func run(_ ctx: CommandContext) async throws {
            try refuseEmptyPaths([source, destination])
            for path in [source, destination] where !OBSURL.isOBSURL(path) {
                try ctx.protectedPaths.refuseInside(path)
            }
            let sides: Sides
            switch (OBSURL.isOBSURL(source), OBSURL.isOBSURL(destination)) {
            case (false, false):
                throw OBSError.invalidArgument(
                    "neither '\(source)' nor '\(destination)' is an obs:// address; use rsync(1) for local directories")
            case (false, true): sides = try await uploadSides(ctx, to: try OBSURL(destination))
            case (true, false): sides = try await downloadSides(ctx, from: try OBSURL(source))
            case (true, true): sides = try await copySides(ctx, from: try OBSURL(source), to: try OBSURL(destination))
            }
            // The comparison, whatever the direction; then one path for transfers and removals.
            var rules = SyncRules(sizeOnly: sizeOnly, delete: delete, filter: try filters.filter())
            (rules.kept, rules.keptExactly) = (sides.passedOver, sides.shadowed)
            var steps = try Planner.sync(from: sides.from, sides.here, to: sides.to, sides.there, rules: rules)
            if case (.remote(let url), .local(let dir)) = (sides.from, sides.to) {
                steps = ctx.skips.storeWrites(ctx, steps, of: url.bucket, below: dir)
            }
            let options = try sides.options()
            try Transfers.requireWritableDestinations(steps)
            if dryRun {
                return try await PlanReport.dryRun(
                    ctx, steps, options: options,
                    removals: .afterTransfers(destination: destination, sourceIncomplete: sides.sourceIncomplete),
                    skipsAlone: false)
            }
            let transfers = steps.filter { $0.operation != .delete }
            let removals = steps.filter { $0.operation == .delete }.map(\.source)
            let outcome = try await Transfers.runSteps(ctx, transfers, options)
            try await finish(ctx, outcome, sourceIncomplete: sides.sourceIncomplete) {
                await Transfers.delete(ctx, removals)
            }
        }

        /// Both sides of a sync as entries by name, what was skipped listing them, and the transfers' options.
        private struct Sides {
            var from: Endpoint, here: [Entry], to: Endpoint, there: [Entry]
            /// The source listing left damaged objects out, so the destination's copies are not extra ones.
            var sourceIncomplete = false
            /// Names the source holds but passed over (links to directories, special files; keys no safe local path
            /// can have): no deletion under them.
            var passedOver: [String] = []
            /// Keys no file can have beside the keys under them ("x" beside "x/y"): no deletion of that one name.
            var shadowed: [String] = []
            var options: () throws -> StepOptions
        }

        // MARK: The sides of each direction

        private func uploadSides(_ ctx: CommandContext, to dest: OBSURL) async throws -> Sides {
            guard LocalTree.isDirectory(source) else {
                guard FileManager.default.fileExists(atPath: source) else {
                    throw OBSError(
                        code: "NotFound", message: "local directory \(source) does not exist; check the path",
                        httpStatus: 0, category: .notFound)
                }
                throw OBSError.invalidArgument("\(source) is not a directory; sync takes a directory (cp takes a file)")
            }
            let options = try settings.forUpload()
            let prefix = KeyMapping.directoryPrefix(dest.path)
            var invalid: [String] = []
            var notFiles: [LocalTree.PassedOver] = []
            let filter = try filters.filter()
            let walked = try LocalTree.entries(
                source, invalidNames: &invalid, notFiles: &notFiles, protected: ctx.protectedPaths, filter: filter)
            for path in invalid where filter.includes(unnamable: path, below: source) {
                ctx.skips.invalidName(ctx, path)
            }
            let (local, unkeyable) = Planner.splitUnkeyable(walked, below: prefix, filter: filter)
            for (name, reason) in unkeyable {
                ctx.skips.unkeyable(ctx, LocalPath.join(source, name), reason)
            }
            let kept = delete ? "; what lies under its name in the bucket is kept" : ""
            for passed in ctx.skips.unreachable(ctx, notFiles, below: source, filter: filter) {
                ctx.output.note("not uploaded: \(passed)\(kept)")
            }
            let listed = try await objectListing(ctx, dest.bucket, prefix)  // keys no file can have stay
            var sides = Sides(
                from: .local(source), here: local, to: .remote(OBSURL(bucket: dest.bucket, path: prefix)),
                there: listed.entries, options: { options })
            sides.passedOver = notFiles.map(\.name)
            return sides
        }

        private func downloadSides(_ ctx: CommandContext, from src: OBSURL) async throws -> Sides {
            var options = try settings.forDownload()
            options.keepModificationTime = true  // the next run then finds each file as new as its object
            options.localRoot = destination
            try Transfers.requireDirectoryDestination(destination, "sync")
            let prefix = KeyMapping.directoryPrefix(src.path)
            var remote = try await objectListing(ctx, src.bucket, prefix)
            let files = Planner.splitShadowed(remote.entries)
            remote.entries = files.kept
            let sourceIncomplete = !ctx.skips.isEmpty  // damaged objects left out of the listing
            for key in remote.unsafe + files.shadowed.map({ prefix + $0.name }) {
                ctx.skips.unsafeKey(ctx, key, of: src.bucket, below: destination)
            }
            var unnamable: [String] = []  // not UTF-8: no object can have that name, so --delete never sees them
            var passed: [LocalTree.PassedOver] = []
            let filter = try filters.filter()
            let local =
                LocalTree.isDirectory(destination)
                ? try LocalTree.entries(
                    destination, invalidNames: &unnamable, notFiles: &passed, protected: ctx.protectedPaths,
                    filter: filter) : []
            // Files too deep to reach can be neither compared nor deleted: said, as on the way up (exit 8).
            _ = ctx.skips.unreachable(ctx, passed, below: destination, filter: filter)
            var sides = Sides(
                from: .remote(OBSURL(bucket: src.bucket, path: prefix)), here: remote.entries,
                to: .local(destination), there: local, sourceIncomplete: sourceIncomplete,
                options: { options })
            // The source holds these names, though no file is written for them: --delete keeps what has them.
            sides.passedOver = remote.unsafe.compactMap { KeyBytes.dropPrefix($0, prefix) }
            sides.shadowed = files.shadowed.map(\.name)
            return sides
        }

        private func copySides(_ ctx: CommandContext, from src: OBSURL, to dst: OBSURL) async throws -> Sides {
            let from = KeyMapping.directoryPrefix(src.path), to = KeyMapping.directoryPrefix(dst.path)
            guard src.bucket != dst.bucket || !KeyBytes.equal(from, to) else {
                throw OBSError.invalidArgument("cannot sync obs://\(src.bucket)/\(from) with itself")
            }
            try KeyMapping.refuseNestedPrefixes(src, from, dst, to)
            let sourceListing = try await objectListing(ctx, src.bucket, from, asLocalPaths: false)
            let sourceIncomplete = !ctx.skips.isEmpty  // damaged objects left out of the source's listing
            let destinationListing = try await objectListing(ctx, dst.bucket, to, asLocalPaths: false)
            return Sides(
                from: .remote(OBSURL(bucket: src.bucket, path: from)), here: sourceListing.entries,
                to: .remote(OBSURL(bucket: dst.bucket, path: to)), there: destinationListing.entries,
                sourceIncomplete: sourceIncomplete, options: { try settings.forCopy() })
        }

        // MARK: Shared steps

        /// Removals (--delete) run only when every transfer succeeded; then one summary for both, and the failure, if
        /// any. What the plan left out (`ctx.skips`: unnamable files, unsafe local paths, damaged objects in a
        /// listing) is listed among the failures and makes the run partial (exit 8), even with nothing else to do.
        /// `sourceIncomplete`: the source listing left damaged objects out, so the destination's copies of them must
        /// not be taken for extra ones.
        private func finish(
            _ ctx: CommandContext, _ transfers: Transfers.Outcome,
            sourceIncomplete: Bool = false,
            removals: () async throws -> Transfers.Deletions
        ) async throws {
            var removed = Transfers.Deletions()
            if delete {
                if sourceIncomplete {
                    ctx.output.note(
                        "nothing was removed from \(destination): the source holds objects that cannot "
                            + "be read")
                } else if transfers.failures.isEmpty {
                    removed = try await removals()
                } else {
                    ctx.output.note("nothing was removed from \(destination): not every transfer succeeded")
                }
            }
            var all = transfers
            all.failures += removed.failures
            // A failure that stopped the transfers or the deletions is the run's exit code.
            all.stoppedBy = all.stoppedBy ?? removed.stoppedBy
            let nothing = all.done.isEmpty && all.failures.isEmpty && removed.done.isEmpty && ctx.skips.isEmpty
            try Transfers.summarize(
                ctx, all, deleted: delete ? removed.done : nil, succeeded: removed.done.count,
                nothingNote: nothing ? "nothing to do: \(destination) is up to date with \(source)" : nil,
                skipsAlone: false)
        }

        // MARK: Listings

        /// Objects below `prefix` as entries relative to it (`Planner.entries`), the filters applied; damaged
        /// entries the filters take are reported (`ctx.skips`).
        private func objectListing(
            _ ctx: CommandContext, _ bucket: BucketName, _ prefix: String,
            asLocalPaths: Bool = true
        ) async throws
            -> (entries: [Entry], unsafe: [String])
        {
            let filter = try filters.filter()
            let listing = try await ctx.storage.listAllObjects(bucket: bucket, prefix: prefix)
            ctx.skips.damaged(ctx, Planner.unreadable(listing.unreadable, below: prefix, filter: filter), in: bucket)
            let found = Planner.entries(
                listing.objects.map(ListedObject.init), below: prefix,
                asLocalPaths: asLocalPaths, filter: filter)
            return (found.entries, found.unsafe)
        }
    }
}
