import CLinuxSystem
import ObsctlCLI

/// obsctl-serve parses the same command line as obsctl (`serve ...`, exec'd by `obsctl serve`), with the server
/// plugged in: errors, exit codes and --help are obsctl's own.
///
/// A synchronous main, unlike obsctl's: its first act blocks SIGINT and SIGTERM before any other thread exists,
/// the command runs in a task, and the main thread itself waits for the signals (`SignalThread`). An async main
/// would hand the main thread to libdispatch, which parks it in sigsuspend with every signal unblocked.
@main
struct ServeEntrypoint {
    static func main() {
        SignalThread.blockInEveryThread()
        keepLargeBuffersOutOfTheHeap()
        // Nothing here may be isolated to the main actor, whose thread waits for signals and never runs its jobs: a
        // closure formed in main is, unless `@Sendable` (the server's return hung on it).
        Obsctl.Serve.runServer = { @Sendable settings in try await Listener.run(settings) }
        // Detached: no actor's. ObsctlMain.run ends the process (exit).
        Task.detached { await ObsctlMain.run(signalsTakenByCaller: true) }
        SignalThread.run()
    }

    /// Answers and bodies move in buffers of 256 KiB, allocated and freed on many threads. glibc raises its mmap
    /// threshold past the size of the first such buffer freed, and from then on takes them from per-thread heaps,
    /// which keep what is freed: 400 readers that stopped reading, each cut after the body timeout, left the server
    /// at 1.9 GB. A fixed threshold of 128 KiB gives every large buffer its own mapping, returned when freed (the
    /// same run stays under 370 MB, back to 72 MB at the end). The price: each such buffer is a fresh mapping,
    /// its pages faulted in, which costs GETs about 0.5 CPU-seconds per GiB more (measured with awscli, 1 GiB,
    /// release build); reusing the buffers would win it back.
    static func keepLargeBuffersOutOfTheHeap() {
        cs_fix_mmap_threshold(128 << 10)
    }
}
