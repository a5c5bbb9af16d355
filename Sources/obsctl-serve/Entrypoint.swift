import ObsctlCLI

/// obsctl-serve parses the same command line as obsctl (`serve ...`, exec'd by `obsctl serve`), with the server
/// plugged in: errors, exit codes and --help are obsctl's own.
@main
struct ServeEntrypoint {
    static func main() async {
        Obsctl.Serve.runServer = { settings in try await Listener.run(settings) }
        await ObsctlMain.run()
    }
}
