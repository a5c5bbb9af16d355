import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

extension Obsctl {
    struct Remove: ObsctlCommand {
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

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(object)
            let filter = try filters.filter()
            guard recursive else {
                let plan = try Planner.remove(url, recursive: false, filter: filter)
                PlanReport.excludedSingle(ctx, plan)
                if dryRun { return PlanReport.dryRun(ctx, plan.steps) }
                guard let key = plan.steps.first?.source.key else { return }
                do { try await ctx.storage.deleteObject(bucket: url.bucket, key: key) } catch {
                    let hinted = await Transfers.prefixHint(ctx, error, url.bucket, key, verb: "delete")
                    throw Transfers.singleFailure(ctx, "obs://\(url.bucket)/\(key.value)", hinted, doneKey: "deleted")
                }
                if ctx.output.isNDJSON {
                    ctx.output.record(Self.deletedRecord(url.bucket, key))
                } else if ctx.output.isJSON {
                    ctx.output.json(
                        ["deleted": ["obs://\(url.bucket)/\(key.value)"], "failures": [[String: String]]()]
                            as [String: Any])
                } else {
                    ctx.output.report("delete: obs://\(url.bucket)/\(key)")
                }
                return
            }
            // Damaged objects whose key is known are deleted like the others (deleting needs no readable metadata).
            let prefix = KeyMapping.directoryPrefix(url.path)
            let listing = try await ctx.storage.listAllObjects(bucket: url.bucket, prefix: prefix)
            let plan = try Planner.remove(
                url, recursive: true, filter: filter,
                keys: listing.objects.map(\.key) + listing.unreadable.compactMap(\.key))
            let keyless = listing.unreadable.filter { $0.key == nil }
            if dryRun { return PlanReport.dryRun(ctx, plan.steps) }
            let keys = plan.steps.compactMap(\.source.key)
            try await Self.deleteAll(ctx, bucket: url.bucket, keys: keys, keyless: keyless)
            if keys.isEmpty && !ctx.output.isJSON {
                let filtered = plan.excluded.isEmpty ? "" : " that --include/--exclude take"
                ctx.output.note("nothing to delete under \(url)" + filtered)
            }
        }

        /// `{"type":"deleted","bucket","key","url"}`, one NDJSON line per deleted object.
        static func deletedRecord(_ bucket: BucketName, _ key: ObjectKey) -> [String: Any] {
            ["type": "deleted", "bucket": bucket.value, "key": key.value, "url": "obs://\(bucket)/\(key.value)"]
        }

        /// Batch delete with a per-key report; exit 8 when some keys failed, the failure's code when all did.
        /// `keyless`: damaged objects whose key is lost, which no delete can name: each is one failure.
        static func deleteAll(
            _ ctx: CommandContext, bucket: BucketName, keys: [ObjectKey],
            keyless: [UnreadableObject] = []
        ) async throws {
            var outcome = await Transfers.delete(ctx, keys.map { .object(bucket, $0) })
            for k in keyless { outcome.failed(ctx, "obs://\(bucket)/ (unknown key)", k.error) }
            if ctx.output.isJSON && !ctx.output.isNDJSON {
                ctx.output.json(
                    ["deleted": outcome.done, "failures": Transfers.failureEntries(outcome.failures)] as [String: Any])
            }
            if let first = outcome.failures.first {
                throw Transfers.failure(succeeded: outcome.done.count, first: first.error)
            }
        }
    }
}
