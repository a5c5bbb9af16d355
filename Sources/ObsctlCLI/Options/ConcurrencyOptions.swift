import ArgumentParser
import OBSCore
import OBSTransfer

/// `--jobs`: how many files (or batches of 1,000 deletions) a recursive command handles at once, and the bound on its
/// requests in flight: a large file's parts or ranges beyond the first (up to `--parallel`) run only on requests no
/// file holds (`RequestBudget`), so requests, connections and receive blocks stay within one bound.
struct ConcurrencyOptions: ParsableArguments {
    /// Measured on a release build, 2,000 files of 4-12 KiB, SeaweedFS behind a proxy adding 10 ms each way
    /// (`bench/many-files.sh` set-up; `upload -r` / `download -r --jobs N`, 2 runs each, s5cmd alongside on a
    /// loaded 2-core machine): up 16: 14.3-18.1 s, 32: 14.9-15.1 s, 64: 12.3-13.4 s, 128: 11.6-13.4 s (s5cmd
    /// 14.5-15.5 s); CPU alike; peak RSS 50, 52, 56, 62 MiB. Past 64 the server is the limit while every job holds
    /// a connection and a thread (about 170 KiB), and 128 comes near the 64 MiB memory target.
    static let defaultJobs = 64

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Files transferred (or batches of 1000 deleted) at once, 1 to 256 (default \(defaultJobs)); also the "
                + "most requests in flight, the parts of large files included.",
            valueName: "n"),
        transform: { try Numbers.integer($0, TransferExecutor.jobRange) })
    var jobs: Int = defaultJobs
}

extension ConcurrencyOptions {
    /// Descriptors a file in flight may hold (a connection and libcurl's socket pair, the file, the store's
    /// temporary and locks), and those the process keeps besides. The soft limit is raised to the hard one at start
    /// (`OpenFileLimit.raise`), so only a low hard limit (a container's) lowers --jobs: then a note says so, rather
    /// than files failing one by one with EMFILE.
    static let descriptorsPerJob = 8
    static let descriptorsKept = 32

    /// `jobs`, or fewer when the open-file limit would not hold them.
    func jobs(within limit: Int, note: (String) -> Void) -> Int {
        let fitting = max(1, (limit - Self.descriptorsKept) / Self.descriptorsPerJob)
        guard jobs > fitting else { return jobs }
        note(
            "--jobs \(jobs) lowered to \(fitting): the open-file limit (ulimit -n) is \(limit), and each file in "
                + "flight may hold \(Self.descriptorsPerJob) descriptors")
        return fitting
    }
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
