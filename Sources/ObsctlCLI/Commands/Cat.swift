import ArgumentParser
import OBSCore
import OBSTransfer

extension Obsctl {
    struct Cat: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an object to stdout, decrypting and verifying it (the same as 'download OBJECT -').",
            discussion: Manual.discussion(examples: [
                "obsctl cat obs://docs/notes.txt",
                "obsctl cat obs://vault/db.dump --sse-c-key-file key.bin | pg_restore",
            ]))

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY.", valueName: "object"), completion: .obsObject)
        var object: String
        @OptionGroup var customerKey: CustomerKeyOptions
        @OptionGroup var tuning: DownloadTuningOptions
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            try await Download.download(
                ctx, source: try OBSURL(object), path: "-", recursive: false,
                options: StepOptions(customerKey: try customerKey.load(), transfer: try tuning.options()))
        }
    }
}
