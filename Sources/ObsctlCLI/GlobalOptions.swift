import ArgumentParser
import OBSClient
import OBSSigner

extension SignatureVersion: ExpressibleByArgument {}
extension RemoteConfiguration.Addressing: ExpressibleByArgument {}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC "
                + "times) or ndjson (one JSON record per line and object)."))
    var output: OutputFormat = .text

    @Flag(
        name: [.short, .long],
        help: ArgumentHelp(
            "Print only errors and the data asked for: no progress, notes, or report lines such as "
                + "'upload: a -> obs://b/a'."))
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line "
                + "per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).",
            valueName: "mode"))
    var progress: ProgressMode?

    @Option(
        help: ArgumentHelp(
            "OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT; then AWS_ENDPOINT_URL, "
                + "~/.obsutilconfig, ~/.aws: see obsctl --help). None configured: the embedded local "
                + "backend.",
            valueName: "url"))
    var endpoint: String?

    @Option(
        help: ArgumentHelp(
            "Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets "
                + "only the region).",
            valueName: "region"))
    var region: String?

    @Option(
        help: ArgumentHelp(
            "Huawei KMS endpoint for 'kms' commands and --kms-key-id aliases (env OBSCTL_KMS_ENDPOINT, profile "
                + "kms_endpoint). Default: https://kms.REGION.myhuaweicloud.com. Alone it selects Huawei KMS.",
            valueName: "url"))
    var kmsEndpoint: String?

    @Option(
        help: ArgumentHelp(
            "Huawei Cloud project id for KMS (env OBSCTL_PROJECT_ID, profile project_id). Default: looked up "
                + "through IAM once and cached.",
            valueName: "id"))
    var projectId: String?

    @Option(
        help: ArgumentHelp(
            "IAM endpoint for the project id lookup (env OBSCTL_IAM_ENDPOINT, profile iam_endpoint). Default: "
                + "https://iam.REGION.myhuaweicloud.com.",
            valueName: "url"))
    var iamEndpoint: String?

    @Flag(
        help: ArgumentHelp(
            "Use the embedded local backend and its KMS, whatever endpoint the environment or profile configures."))
    var local = false

    @Option(
        help: ArgumentHelp("Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).", valueName: "name"),
        completion: .profile)
    var profile: String?

    @Option(help: "Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.")
    var signature: SignatureVersion?

    @Option(
        help: ArgumentHelp(
            "Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, "
                + "virtual otherwise."))
    var addressing: RemoteConfiguration.Addressing?

    @Option(
        help: ArgumentHelp(
            "PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).",
            valueName: "file"),
        completion: .file())
    var caBundle: String?

    @Flag(help: "Do not verify the endpoint's TLS certificate (prints a warning on every run).")
    var insecure = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Retries for 5xx, 429, timeouts and connection resets, 0 to 20 (default 4).",
            valueName: "n"),
        transform: { try Numbers.integer($0, Numbers.retries) })
    var retries: Int = 4

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Abort a transfer that moves no byte for this many seconds, 1 to 3600 "
                + "(default 30; it is retried).",
            valueName: "seconds"),
        transform: { try Numbers.integer($0, Numbers.timeoutSeconds) })
    var timeout: Int = 30

    @Flag(
        help: ArgumentHelp(
            "Print each HTTP request and response line and header on stderr, with credentials, "
                + "signatures, tokens and SSE-C keys redacted."))
    var debug = false
}
