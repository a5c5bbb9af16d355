import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct Presign: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a URL that allows one GET or PUT of an object without credentials, until it expires.",
            discussion: Manual.discussion(
                [
                    "The URL is signed offline with your credentials: nothing is sent, and the object need not exist "
                        + "for a PUT URL. Whoever holds the URL can use it until it expires, so hand it on as you "
                        + "would a password. SigV4 URLs last at most 7 days. Only the method, the object and the time "
                        + "are signed: SSE-C objects cannot be read through such a URL (their key headers would have "
                        + "to be signed too), a PUT through it gets the bucket's default encryption, and with the OBS "
                        + "or V2 signature the PUT must send no Content-Type (curl -T sends none). Needs a remote "
                        + "endpoint: the embedded local backend serves no HTTP."
                ],
                examples: [
                    "obsctl presign obs://reports/2026/q1.pdf --expires 1h",
                    "obsctl presign obs://inbox/upload.bin --method put --expires 10m --output json",
                    "curl -T upload.bin \"$(obsctl presign obs://inbox/upload.bin --method put)\"",
                ]))

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY.", valueName: "object"), completion: .obsObject)
        var object: String
        @Option(
            parsing: .unconditional,
            help: ArgumentHelp(
                "How long the URL is valid: seconds, or a number with s, m, h or d.",
                valueName: "duration"))
        var expires = "15m"
        @Option(help: "The request the URL allows.") var method: PresignMethod = .get
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(object)
            let key = try url.objectKey()
            let seconds = try parseDuration(expires, option: "--expires")
            guard let signer = ctx.storage as? PresignedURLs else {
                throw OBSError.invalidArgument(
                    "presign needs a remote endpoint (--endpoint, --region or a "
                        + "profile): the embedded local backend serves no HTTP")
            }
            let link = try signer.presignedURL(
                method: method.rawValue.uppercased(), bucket: url.bucket, key: key,
                expiresIn: seconds)
            let expiry = JSONShape.time(Date().addingTimeInterval(Double(seconds)))
            Renderer(ctx.output).render(
                Presigned(
                    url: link, method: method.rawValue.uppercased(),
                    object: "obs://\(url.bucket)/\(key)", expires: expiry))
        }
    }
}

/// `{"url","method","object","expires"}`; in text the URL alone, for `curl "$(obsctl presign ...)"`.
struct Presigned: CommandResult {
    let url: String
    let method: String
    let object: String
    let expires: String

    var text: [TextLine] { [.data(url)] }
}

enum PresignMethod: String, ExpressibleByArgument, CaseIterable { case get, put }
