import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct Move: ObsctlCommand, TransferCommand {
        static let configuration = CommandConfiguration(
            commandName: "mv",
            abstract: "Move between local paths and OBS, or between objects: cp, then the source is removed.",
            discussion: Manual.discussion(
                [
                    "Each source is removed only after its copy is written and verified (and matches --expect-sse), "
                        + "and only if it did not change meanwhile (a file's size, time and inode; an object's ETag): "
                        + "a failure leaves the source where it was. Moving a directory with --recursive removes its "
                        + "files and leaves the emptied directories. '-' (stdin or stdout) cannot be moved, and an "
                        + "object cannot be moved onto itself."
                ],
                examples: [
                    "obsctl mv report.pdf obs://secure/2026/report.pdf --sse kms",
                    "obsctl mv obs://inbox/2026/ obs://archive/2026/ --recursive --sse obs",
                    "obsctl mv obs://outbox/batch.csv ./batch.csv",
                ]))

        @OptionGroup var transfer: TransferArguments
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions
        var failureItem: String { transfer.source }

        func run(_ ctx: CommandContext) async throws {
            guard transfer.source != "-" && transfer.destination != "-" else {
                throw OBSError.invalidArgument("mv cannot move stdin or stdout ('-'); use cp")
            }
            try await transfer.run(ctx, move: true)
        }
    }
}
