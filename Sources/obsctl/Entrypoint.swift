import ObsctlCLI

// An explicit async entry point: a top-level `await` in main.swift makes ArgumentParser pick the synchronous main.
@main
struct Entrypoint {
    static func main() async { await ObsctlMain.run() }
}
