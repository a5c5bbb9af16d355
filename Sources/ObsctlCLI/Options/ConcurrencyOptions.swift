import ArgumentParser
import OBSTransfer

/// `--jobs`: how many files (or batches of 1,000 deletions) a recursive command handles at once. Each file may
/// itself move `--parallel` parts or ranges at once, so at most jobs × parallel requests are in flight.
struct ConcurrencyOptions: ParsableArguments {
    /// Measured with 500 files of 4-12 KiB against SeaweedFS behind a proxy adding 10 ms each way: 1 job took 18.7 s
    /// up and 22.1 s down, 16 jobs 5.1 s and 6.3 s, 64 jobs 4.4 s and 5.5 s. Past 16 the gain is small (the server
    /// becomes the limit) while each job holds a connection, a thread and about 2 MiB more memory.
    static let defaultJobs = 16

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Files transferred (or batches of 1000 deleted) at once, 1 to 256 "
                + "(default \(defaultJobs)). Each large file also moves --parallel parts at once.",
            valueName: "n"),
        transform: { try Numbers.integer($0, TransferExecutor.jobRange) })
    var jobs: Int = defaultJobs
}

/// A command that takes `--jobs`: its value reaches the command's context (`CommandContext.jobs`).
protocol RunsConcurrently {
    var concurrency: ConcurrencyOptions { get }
}

extension Obsctl.Upload: RunsConcurrently {}
extension Obsctl.Download: RunsConcurrently {}
extension Obsctl.Copy: RunsConcurrently {}
extension Obsctl.Move: RunsConcurrently {}
extension Obsctl.Sync: RunsConcurrently {}
extension Obsctl.Remove: RunsConcurrently {}
