import ObsctlCLI

// An explicit async entry point: a top-level `await` in main.swift makes ArgumentParser pick the synchronous main.
@main
struct Entrypoint {
    static func main() async {
        // `obsctl --version` answers before the command tree is built: it is what scripts call to probe for obsctl.
        if CommandLine.arguments.count == 2 && CommandLine.arguments[1] == "--version" {
            ObsctlMain.printVersion()
        }
        await ObsctlMain.run()
    }
}
