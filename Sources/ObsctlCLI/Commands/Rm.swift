import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

extension Obsctl {
    struct Remove: ObsctlCommand, TransferCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Delete an object, or every object under a prefix with --recursive.",
            discussion: Manual.discussion(examples: [
                "obsctl rm obs://docs/old.txt", "obsctl rm obs://docs/2024/ --recursive",
            ]))

        @Argument(
            help: ArgumentHelp("obs://BUCKET/KEY, or obs://BUCKET[/PREFIX] with --recursive.", valueName: "object"),
            completion: .obsObject) var object: String
        @Flag(name: [.short, .long], help: "Delete every object under the prefix.") var recursive = false
        @Flag(help: "Print what would be deleted; change nothing.") var dryRun = false
        @OptionGroup var filters: FilterOptions
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions
        var failureItem: String { object }
        var doneKey: String { "deleted" }

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(object)
            let filter = try filters.filter()
            guard recursive else {
                let plan = try Planner.remove(url, recursive: false, filter: filter)
                do { try await PlanReport.excludedSingle(ctx, plan) } catch {
                    throw Transfers.singleFailure(ctx, url.description, error, doneKey: "deleted")
                }
                if dryRun { return try await PlanReport.dryRun(ctx, plan.steps, named: true, hint: "delete") }
                guard let key = plan.steps.first?.source.key else {
                    // Left out by the filters (noted above): JSON still gets its document, empty.
                    return Renderer(ctx.output).render(DeletionSummary(deleted: [], failures: [], nothingNote: nil))
                }
                do { try await ctx.storage.deleteObject(bucket: url.bucket, key: key) } catch {
                    let hinted = await Transfers.prefixHint(ctx, error, url.bucket, key, verb: "delete")
                    throw Transfers.singleFailure(ctx, "obs://\(url.bucket)/\(key.value)", hinted, doneKey: "deleted")
                }
                let deleted = DeletedShape(url.bucket, key)
                Renderer(ctx.output).event(deleted.record, text: [.report("delete: \(deleted.url)")])
                Renderer(ctx.output).render(DeletionSummary(deleted: [deleted.url], failures: [], nothingNote: nil))
                return
            }
            // Damaged objects whose key is known are deleted like the others (deleting needs no readable metadata).
            let prefix = KeyMapping.directoryPrefix(url.path)
            let listing = try await ctx.storage.listAllObjects(bucket: url.bucket, prefix: prefix)
            let plan = try Planner.remove(
                url, recursive: true, filter: filter,
                keys: listing.objects.map(\.key) + listing.unreadable.compactMap(\.key))
            let keyless = listing.unreadable.filter { $0.key == nil }
            let filtered = plan.excluded.isEmpty ? "" : " that --include/--exclude take"
            if dryRun {
                if plan.steps.isEmpty && keyless.isEmpty {
                    ctx.output.note("nothing to delete under \(url)" + filtered)
                }
                // Damaged objects whose key is lost are failures of the run (exit 8, or 13 alone).
                let skips = ctx.skips
                skips.damaged(ctx, keyless, in: url.bucket)
                return try await PlanReport.dryRun(ctx, plan.steps)
            }
            let keys = plan.steps.compactMap(\.source.key)
            try await Self.deleteAll(
                ctx, bucket: url.bucket, keys: keys, keyless: keyless,
                nothingNote: "nothing to delete under \(url)" + filtered)
        }

        /// Batch delete with a per-key report; exit 8 when some keys failed, the failure's code when all did or when
        /// it stopped the run (`Deletions.stoppedBy`), whatever was deleted before.
        /// `keyless`: damaged objects whose key is lost, which no delete can name: skips (`ctx.skips`), reported
        /// first and listed first among the failures, as the dry run lists them.
        static func deleteAll(
            _ ctx: CommandContext, bucket: BucketName, keys: [ObjectKey],
            keyless: [UnreadableObject] = [], nothingNote: String? = nil
        ) async throws {
            ctx.skips.damaged(ctx, keyless, in: bucket)
            let outcome = await Transfers.delete(ctx, keys.map { .object(bucket, $0) })
            let skips = ctx.skips.items
            let failures = (skips + outcome.failures).map { FailureShape($0.item, $0.error) }
            let nothing = keys.isEmpty && keyless.isEmpty ? nothingNote : nil
            Renderer(ctx.output).render(
                DeletionSummary(deleted: outcome.done, failures: failures, nothingNote: nothing))
            if let cause = outcome.stoppedBy { throw CommandFailure(exitCode: ObsctlExitCode(cause.category)) }
            if let first = outcome.failures.first {
                throw skips.isEmpty
                    ? Transfers.failure(succeeded: outcome.done.count, first: first.error)
                    : CommandFailure(exitCode: .partial)
            }
            if let code = ctx.skips.exitCode(alone: outcome.done.isEmpty) { throw CommandFailure(exitCode: code) }
        }
    }
}
