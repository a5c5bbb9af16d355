import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer
#if canImport(Glibc)
import Glibc
#endif

extension Obsctl {
    struct Sync: ObsctlCommand {
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

        func run(_ ctx: CommandContext) async throws {
            switch (OBSURL.isOBSURL(source), OBSURL.isOBSURL(destination)) {
            case (false, false):
                throw OBSError.invalidArgument(
                    "neither '\(source)' nor '\(destination)' is an obs:// address; use rsync(1) for local directories")
            case (false, true): try await upload(ctx, to: try OBSURL(destination))
            case (true, false): try await download(ctx, from: try OBSURL(source))
            case (true, true): try await copy(ctx, from: try OBSURL(source), to: try OBSURL(destination))
            }
        }

        /// The comparison (`Planner.sync`), with this command's source and destination as the user wrote them.
        private func plan(from: Endpoint, _ sourceEntries: [Entry], to: Endpoint, _ destinationEntries: [Entry])
            throws -> (transfers: [PlanStep], removals: [PlanStep])
        {
            let rules = SyncRules(sizeOnly: sizeOnly, delete: delete, filter: try filters.filter())
            let steps = try Planner.sync(from: from, sourceEntries, to: to, destinationEntries, rules: rules)
            return (steps.filter { $0.operation != .delete }, steps.filter { $0.operation == .delete })
        }

        // MARK: The three directions

        private func upload(_ ctx: CommandContext, to dest: OBSURL) async throws {
            guard LocalTree.isDirectory(source) else {
                throw OBSError.invalidArgument("\(source) is not a directory; sync takes a directory (cp takes a file)")
            }
            let options = try settings.forUpload()
            let prefix = KeyMapping.directoryPrefix(dest.path)
            var invalid: [String] = []
            let local = try LocalTree.entries(source, invalidNames: &invalid)
            invalid.forEach(Transfers.reportInvalidName)
            let listed = try await objectListing(ctx, dest.bucket, prefix)  // keys no file can have stay
            let remote = Endpoint.remote(OBSURL(bucket: dest.bucket, path: prefix))
            let (transfers, removals) = try plan(from: .local(source), local, to: remote, listed.entries)
            if dryRun { return PlanReport.dryRun(ctx, transfers + removals) }
            let items = transfers.compactMap { s in s.asUpload.map { (path: $0.path, key: $0.key, size: s.size) } }
            let ok = try await transferAll(
                ctx, items, verb: "upload", size: { $0.size },
                describe: { $0.path }
            ) { item, counter in
                let info = try await Transfers.upload(
                    ctx, from: item.path, to: dest.bucket, key: item.key,
                    options: options, counter: counter)
                let target = "obs://\(dest.bucket)/\(item.key)"
                return (
                    "upload: \(item.path) -> \(target) (\(Transfers.describe(info)))",
                    Transfers.record(source: item.path, destination: target, info)
                )
            }
            try await finish(ctx, ok, skipped: listed.damaged + invalid.count) {
                await Transfers.deleteObjects(ctx, dest.bucket, keys: removals.compactMap(\.source.key))
            }
        }

        private func download(_ ctx: CommandContext, from src: OBSURL) async throws {
            let (key, options) = try settings.forDownload()
            guard !FileManager.default.fileExists(atPath: destination) || LocalTree.isDirectory(destination) else {
                throw OBSError.invalidArgument("\(destination) is not a directory; sync writes into a directory")
            }
            let prefix = KeyMapping.directoryPrefix(src.path)
            let remote = try await objectListing(ctx, src.bucket, prefix)
            for key in remote.unsafe { Transfers.reportUnsafeKey(key, below: destination) }
            var unnamable: [String] = []  // not UTF-8: no object can have that name, so --delete never sees them
            let local =
                LocalTree.isDirectory(destination)
                ? try LocalTree.entries(destination, invalidNames: &unnamable) : []
            let (transfers, removals) = try plan(
                from: .remote(OBSURL(bucket: src.bucket, path: prefix)),
                remote.entries, to: .local(destination), local)
            if dryRun { return PlanReport.dryRun(ctx, transfers + removals) }
            let items = transfers.compactMap { s in s.asDownload.map { (key: $0.key, path: $0.path, size: s.size) } }
            let object = { (key: ObjectKey) in "obs://\(src.bucket)/\(key)" }
            let ok = try await transferAll(
                ctx, items, verb: "download", size: { $0.size },
                describe: { object($0.key) }
            ) { item, counter in
                let request = GetObjectRequest(bucket: src.bucket, key: item.key, customerKey: key, transfer: options)
                let info = try await Transfers.download(ctx, request, to: item.path, counter: counter)
                Self.setModified(item.path, info.lastModified)  // the next run then finds it as new as the object
                return (
                    "download: \(object(item.key)) -> \(item.path) (\(Transfers.describe(info)))",
                    Transfers.record(source: object(item.key), destination: item.path, info)
                )
            }
            let skipped = remote.unsafe.count + remote.damaged
            try await finish(ctx, ok, skipped: skipped, sourceIncomplete: remote.damaged > 0) {
                var outcome = Transfers.Deletions()
                for path in removals.compactMap(\.source.path) {
                    if unlink(path) == 0 {
                        outcome.deleted(ctx, path, record: ["type": "deleted", "url": path])
                    } else {
                        outcome.failed(
                            ctx, path, OBSError.localIO("cannot remove \(path): \(String(cString: strerror(errno)))"))
                    }
                }
                return outcome
            }
        }

        private func copy(_ ctx: CommandContext, from src: OBSURL, to dst: OBSURL) async throws {
            let from = KeyMapping.directoryPrefix(src.path), to = KeyMapping.directoryPrefix(dst.path)
            guard src.bucket != dst.bucket || from != to else {
                throw OBSError.invalidArgument("cannot sync obs://\(src.bucket)/\(from) with itself")
            }
            try KeyMapping.refuseNestedPrefixes(src, from, dst, to)
            let sourceListing = try await objectListing(ctx, src.bucket, from, asLocalPaths: false)
            let destinationListing = try await objectListing(ctx, dst.bucket, to, asLocalPaths: false)
            let (transfers, removals) = try plan(
                from: .remote(OBSURL(bucket: src.bucket, path: from)),
                sourceListing.entries,
                to: .remote(OBSURL(bucket: dst.bucket, path: to)),
                destinationListing.entries)
            let copies = try settings.forCopy()
            if dryRun { return PlanReport.dryRun(ctx, transfers + removals) }
            let items = transfers.compactMap { s in s.asCopy.map { (from: $0.from, to: $0.to, size: s.size) } }
            let name = { (bucket: BucketName, key: ObjectKey) in "obs://\(bucket)/\(key)" }
            let ok = try await transferAll(
                ctx, items, verb: "copy", size: { $0.size },
                describe: { name(src.bucket, $0.from) }
            ) { item, _ in
                let request = copies.request(from: src.bucket, item.from, to: dst.bucket, item.to)
                let info = try await copies.copy(ctx, request)
                let a = name(src.bucket, item.from), b = name(dst.bucket, item.to)
                return (
                    "copy: \(a) -> \(b) (\(Transfers.describe(info)))",
                    Transfers.record(source: a, destination: b, info)
                )
            }
            let damaged = sourceListing.damaged + destinationListing.damaged
            try await finish(ctx, ok, skipped: damaged, sourceIncomplete: sourceListing.damaged > 0) {
                await Transfers.deleteObjects(ctx, dst.bucket, keys: removals.compactMap(\.source.key))
            }
        }

        // MARK: Shared steps

        /// Runs the transfers through `Transfers.runEach` (progress, a report line each, failures reported as they
        /// happen); `body` returns the report line and the record.
        private func transferAll<Item>(
            _ ctx: CommandContext, _ items: [Item], verb: String,
            size: @escaping (Item) -> Int64?, describe: @escaping (Item) -> String,
            _ body:
                @escaping (Item, TransferCounter) async throws
                -> (String, [String: Any])
        ) async throws -> Transfers.Outcome {
            let outcome = try await Transfers.runEach(
                ctx, items, verb: verb, size: size,
                describe: describe
            ) { item, counter in
                let (line, record) = try await body(item, counter)
                if !ctx.output.isJSON { ctx.output.report(line) }
                return record
            }
            return outcome
        }

        /// Removals (--delete) run only when every transfer succeeded; then one summary for both, and the failure, if
        /// any. `skipped`: objects left out as unsafe local paths, which make the run partial (exit 8), as download
        /// --recursive does; so do damaged objects in a listing. `sourceIncomplete`: the source listing left damaged
        /// objects out, so the destination's copies of them must not be taken for extra ones.
        private func finish(
            _ ctx: CommandContext, _ transfers: Transfers.Outcome, skipped: Int = 0,
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
            if transfers.done.isEmpty && transfers.failures.isEmpty && removed.done.isEmpty && removed.failures.isEmpty
                && !ctx.output.isJSON
            {
                ctx.output.note("nothing to do: \(destination) is up to date with \(source)")
            }
            let all = Transfers.Outcome(done: transfers.done, failures: transfers.failures + removed.failures)
            try Transfers.summarize(
                ctx, all, extra: delete ? ["deleted": removed.done] : [:], succeeded: removed.done.count)
            if skipped > 0 { throw CommandFailure(exitCode: .partial) }
        }

        // MARK: Listings

        /// Objects below `prefix` as entries relative to it (`Planner.entries`), the filters applied; damaged
        /// entries the filters take are reported, and counted as skipped.
        private func objectListing(
            _ ctx: CommandContext, _ bucket: BucketName, _ prefix: String,
            asLocalPaths: Bool = true
        ) async throws
            -> (entries: [Entry], unsafe: [String], damaged: Int)
        {
            let filter = try filters.filter()
            let listing = try await ctx.storage.listAllObjects(bucket: bucket, prefix: prefix)
            let unreadable = Planner.unreadable(listing.unreadable, below: prefix, filter: filter)
            Listings.report(unreadable)
            let found = Planner.entries(
                listing.objects.map(ListedObject.init), below: prefix,
                asLocalPaths: asLocalPaths, filter: filter)
            return (found.entries, found.unsafe, unreadable.count)
        }

        /// Gives a downloaded file its object's time, unless the server sent none (the listing's 1970 fallback).
        static func setModified(_ path: String, _ date: Date) {
            guard date.timeIntervalSince1970 > 0 else { return }
            try? FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
        }
    }
}
