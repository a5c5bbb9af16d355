import ArgumentParser

public struct Obsctl: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "obsctl",
        abstract: "Huawei Cloud OBS object storage from the command line, with server-side encryption (SSE-KMS, "
            + "SSE-OBS, SSE-C).",
        discussion: Manual.discussion(
            [
                "With no endpoint configured obsctl works on its embedded local backend, which implements OBS's "
                    + "buckets, objects and server-side encryption for real: AES-256-GCM envelope encryption and a "
                    + "local KMS with key states and kms:* permissions. Data lives under $OBSCTL_LOCAL_ROOT (default "
                    + "~/.local/share/obsctl); the root key comes from $OBSCTL_LOCAL_ROOT_KEY or the 0600 file "
                    + "~/.config/obsctl/local-root.key.",
                "A remote endpoint is used when one is configured: --endpoint URL, $OBSCTL_ENDPOINT, the profile's "
                    + "endpoint, or --region R; then other tools' settings: $OBS_ENDPOINT, $AWS_ENDPOINT_URL_S3, "
                    + "$AWS_ENDPOINT_URL, the AWS profile $AWS_PROFILE names, ~/.obsutilconfig, the AWS default "
                    + "profile. On the local store report lines end in '(local store)', and credentials set without an "
                    + "endpoint get a warning. s3:// means obs://. An empty variable counts as unset. Global options "
                    + "may stand before or after the command. Results go to stdout, everything meant for people to "
                    + "stderr; each error is one line, 'obsctl: error: ...'.",
            ],
            examples: [
                "obsctl bucket create obs://secure --sse kms",
                "obsctl upload report.pdf obs://secure/2026/report.pdf --sse kms",
                "obsctl ls obs://secure/2026/",
                "obsctl stat obs://secure/2026/report.pdf --output json",
                "obsctl download obs://secure/2026/report.pdf ./report.pdf",
                "obsctl --region cn-north-4 ls obs://reports/",
            ]),
        version: version,
        subcommands: [
            Bucket.self, Upload.self, Download.self, Cat.self, Copy.self, Move.self, Sync.self, List.self,
            Stat.self, Remove.self, Presign.self, Multipart.self, KMS.self, Config.self, Serve.self,
        ]
    )

    public init() {}
}
