import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct Presign: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a URL that allows one GET or PUT of an object without credentials, until it expires.",
            discussion: Manual.discussion([
                "The URL is signed offline with your credentials: nothing is sent, and the object need not exist for a "
                    + "PUT URL. Whoever holds the URL can use it until it expires, so hand it on as you would a password. "
                    + "SigV4 URLs last at most 7 days. A request with the URL must still send the SSE-C headers of an "
                    + "SSE-C object; a PUT through it gets the bucket's default encryption. Needs a remote endpoint: the "
                    + "embedded local backend serves no HTTP.",
            ], examples: [
                "obsctl presign obs://reports/2026/q1.pdf --expires 1h",
                "obsctl presign obs://inbox/upload.bin --method put --expires 10m --output json",
                "curl -T upload.bin \"$(obsctl presign obs://inbox/upload.bin --method put)\"",
            ]))

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY.", valueName: "object"), completion: .obsObject) var object: String
        @Option(help: ArgumentHelp("How long the URL is valid: seconds, or a number with s, m, h or d.", valueName: "duration"))
        var expires = "15m"
        @Option(help: "The request the URL allows.") var method: PresignMethod = .get
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(object)
            let key = try url.objectKey()
            let seconds = try Self.seconds(expires)
            guard let signer = ctx.storage as? PresignedURLs else {
                throw OBSError.invalidArgument("presign needs a remote endpoint (--endpoint, --region or a profile): the embedded local backend serves no HTTP")
            }
            let link = try signer.presignedURL(method: method.rawValue.uppercased(), bucket: url.bucket, key: key, expiresIn: seconds)
            if ctx.output.isJSON {
                ctx.output.json(["url": link, "method": method.rawValue.uppercased(), "object": "obs://\(url.bucket)/\(key)",
                                 "expires": JSONShape.time(Date().addingTimeInterval(Double(seconds)))])
            } else {
                ctx.output.line(link)
            }
        }

        /// `--expires`: whole seconds, or a number with s, m, h or d.
        static func seconds(_ text: String) throws -> Int {
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            var digits = text.lowercased(), factor = 1
            if let u = digits.last, let f = units[u] { factor = f; digits.removeLast() }
            guard let n = Int(digits), n > 0, n <= Int(Int32.max) / factor else {
                throw OBSError.invalidArgument("--expires '\(text)' is not a duration such as 900, 15m, 12h or 7d")
            }
            return n * factor
        }
    }
}

enum PresignMethod: String, ExpressibleByArgument, CaseIterable { case get, put }
