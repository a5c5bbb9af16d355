import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer
#if canImport(Glibc)
import Glibc
#endif

extension Obsctl {
    struct Upload: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload files (or stdin) to OBS, optionally with server-side encryption.",
            discussion: Manual.discussion(
                [
                    "The destination obs://BUCKET/KEY names the object; obs://BUCKET/PREFIX/ (or several sources, or "
                        + "--recursive) puts each file under that prefix. '-' reads stdin."
                ],
                examples: [
                    "obsctl upload report.pdf obs://secure/2026/report.pdf --sse kms",
                    "obsctl upload ./site obs://web/ --recursive --sse obs",
                    "obsctl upload db.dump obs://vault/db.dump --sse c --sse-c-key-file key.bin",
                    "pg_dump db | obsctl upload - obs://vault/db.sql --sse kms --kms-key-id my-app-key",
                ]))

        @Argument(
            help: ArgumentHelp(
                "Local files or directories (or - for stdin), then the destination obs://BUCKET/KEY or "
                    + "obs://BUCKET/PREFIX/.",
                valueName: "path... destination"), completion: .pathOrObject)
        var arguments: [String] = []
        @Flag(name: [.short, .long], help: "Upload directories with everything below them.") var recursive = false
        @OptionGroup var sseOptions: SSEOptions
        @OptionGroup var customerKey: CustomerKeyOptions
        @OptionGroup var attributes: ObjectAttributeOptions
        @OptionGroup var tuning: TransferTuningOptions
        @OptionGroup var filters: FilterOptions
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions

        /// ArgumentParser allows no positional after a variadic one, so the destination is the last argument.
        var paths: [String] { Array(arguments.dropLast()) }
        var destination: String { arguments.last ?? "" }

        func validate() throws {
            guard arguments.count >= 2 else {
                throw ValidationError("name at least one local path and an obs:// destination")
            }
        }

        func run(_ ctx: CommandContext) async throws {
            try await Self.upload(
                ctx, paths: paths, to: try OBSURL(destination), recursive: recursive,
                options: try Transfers.UploadOptions(sseOptions, customerKey, attributes, tuning),
                filter: try filters.filter())
        }

        /// `removeSources` (mv): each file is removed once its object is written and verified. `dryRun`: the plan
        /// is shown and nothing is read or written.
        static func upload(
            _ ctx: CommandContext, paths: [String], to dest: OBSURL, recursive: Bool,
            options: Transfers.UploadOptions, filter: Filter = .all, removeSources: Bool = false,
            dryRun: Bool = false
        ) async throws {
            var invalid: [String] = []
            let plan = try Planner.upload(
                paths, to: dest, recursive: recursive, filter: filter,
                isDirectory: LocalTree.isDirectory,
                files: { try LocalTree.entries($0, invalidNames: &invalid) })
            invalid.forEach(Transfers.reportInvalidName)
            if !recursive { PlanReport.excludedSingle(ctx, plan) }
            let items = plan.steps.compactMap { s in
                s.asUpload.map { Item(source: $0.path, key: $0.key, size: s.size) }
            }
            if dryRun { return PlanReport.dryRun(ctx, plan.steps, verb: removeSources ? "move" : nil) }
            // Files skipped for their names: with nothing else to do a usage problem, else a partial failure.
            if !invalid.isEmpty && items.isEmpty { throw CommandFailure(exitCode: .usage) }
            do {
                _ = try await Transfers.runAll(
                    ctx, items, verb: "upload", size: { $0.size ?? fileSize($0.source) },
                    describe: { $0.source }
                ) { item, counter in
                    let before = removeSources ? try Transfers.FileSnapshot(item.source) : nil
                    let info = try await Transfers.upload(
                        ctx, from: item.source, to: dest.bucket, key: item.key,
                        options: options, counter: counter)
                    let target = "obs://\(dest.bucket)/\(item.key)"
                    if let before {
                        try Transfers.removeLocalSource(item.source, unchangedSince: before, movedTo: target)
                    }
                    if !ctx.output.isJSON {
                        let verb = removeSources ? "move" : "upload"
                        ctx.output.report("\(verb): \(item.source) -> \(target) (\(Transfers.describe(info)))")
                    }
                    return Transfers.record(source: item.source, destination: target, info)
                }
            } catch let f as CommandFailure where !invalid.isEmpty { _ = f; throw CommandFailure(exitCode: .partial) }
            if !invalid.isEmpty { throw CommandFailure(exitCode: .partial) }
        }

        struct Item { var source: String; var key: ObjectKey; var size: Int64? }

        /// The size of a regular file, for the progress display; nil for stdin, pipes and what cannot be read.
        static func fileSize(_ path: String) -> Int64? {
            guard path != "-" else { return nil }
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            return Int64(st.st_size)
        }
    }
}
