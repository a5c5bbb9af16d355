import ArgumentParser

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Output format on stdout: text or json (stable field names, sizes in bytes, RFC 3339 UTC times).")
    var output: OutputFormat = .text

    @Flag(name: [.short, .long], help: "Print nothing on stderr but errors.")
    var quiet = false
}
