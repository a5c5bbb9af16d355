import ArgumentParser
import OBSCore

/// How an SSE-C key is written down. `auto` takes 32 raw bytes as they are, else 64 hex characters, else base64.
enum KeyEncoding: String, ExpressibleByArgument, CaseIterable { case auto, raw, base64, hex }

/// SSE-C key options. Keys come only from a file or an environment variable, never from argv, where `ps` and CI
/// logs would show them.
struct CustomerKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("sse-c-key-file"),
        help: ArgumentHelp("File holding the SSE-C key: 32 raw bytes, 64 hex characters or base64.", valueName: "file"),
        completion: .file())
    var file: String?

    @Option(
        name: .customLong("sse-c-key-env"),
        help: ArgumentHelp("Environment variable holding the SSE-C key (hex or base64).", valueName: "var"))
    var environmentVariable: String?

    @Option(name: .customLong("sse-c-key-encoding"), help: "How the SSE-C key is encoded: auto, raw, base64 or hex.")
    var encoding: KeyEncoding = .auto

    func load() throws -> CustomerKey? {
        try CustomerKeyLoader.load(
            file: file, environmentVariable: environmentVariable, encoding: encoding, flag: "--sse-c-key")
    }
}

/// The SSE-C key of the source object of an obs-to-obs copy.
struct SourceCustomerKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("source-sse-c-key-file"),
        help: ArgumentHelp("File holding the source object's SSE-C key.", valueName: "file"), completion: .file())
    var file: String?

    @Option(
        name: .customLong("source-sse-c-key-env"),
        help: ArgumentHelp("Environment variable holding the source object's SSE-C key.", valueName: "var"))
    var environmentVariable: String?

    @Option(
        name: .customLong("source-sse-c-key-encoding"),
        help: "How the source SSE-C key is encoded: auto, raw, base64 or hex.")
    var encoding: KeyEncoding = .auto

    func load() throws -> CustomerKey? {
        try CustomerKeyLoader.load(
            file: file, environmentVariable: environmentVariable, encoding: encoding, flag: "--source-sse-c-key")
    }
}
