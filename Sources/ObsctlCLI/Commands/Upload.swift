import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

extension Obsctl {
    struct Upload: ObsctlCommand, TransferCommand {
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
        var failureItem: String { paths.first ?? "" }

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
                options: try StepOptions.upload(sseOptions, customerKey, attributes, tuning),
                filter: try filters.filter())
        }

        /// `options.move` (mv): each file is removed once its object is written and verified. `dryRun`: the plan
        /// is shown and nothing is read or written.
        static func upload(
            _ ctx: CommandContext, paths: [String], to dest: OBSURL, recursive: Bool,
            options: StepOptions, filter: Filter = .all, dryRun: Bool = false
        ) async throws {
            try refuseEmptyPaths(paths)
            for path in paths { try ctx.protectedPaths.refuseInside(path) }
            var invalid: [String] = [], passedOver: [(dir: String, passed: [LocalTree.PassedOver])] = []
            let plan = try Planner.upload(
                paths, to: dest, recursive: recursive, filter: filter,
                isDirectory: LocalTree.isDirectory,
                files: { dir in
                    var unnamable: [String] = [], passed: [LocalTree.PassedOver] = []
                    let entries = try LocalTree.entries(
                        dir, invalidNames: &unnamable, notFiles: &passed, followLinks: !options.move,
                        protected: ctx.protectedPaths, filter: filter)
                    invalid += unnamable.filter { filter.includes(unnamable: $0, below: dir) }
                    passedOver.append((dir, passed))
                    return entries
                })
            let skips = ctx.skips
            for path in invalid { skips.invalidName(ctx, path) }
            let notFiles = passedOver.flatMap { skips.unreachable(ctx, $0.passed, below: $0.dir, filter: filter) }
            for (path, reason) in plan.unkeyable { skips.unkeyable(ctx, path, reason) }
            for passed in notFiles { ctx.output.note("not \(options.move ? "moved" : "uploaded"): \(passed)") }
            if !recursive { try await PlanReport.excludedSingle(ctx, plan) }
            if dryRun {
                return try await PlanReport.dryRun(
                    ctx, plan.steps, verb: options.move ? "move" : nil, options: options)
            }
            try Transfers.summarize(ctx, try await Transfers.runSteps(ctx, plan.steps, options))
        }
    }
}
