import ArgumentParser
import Foundation
import OBSCore

extension Obsctl.Multipart {
    struct ListUploads: ObsctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the multipart uploads in progress in a bucket, or under a prefix: initiated, upload id, "
                + "object.")

        @Argument(help: ArgumentHelp("obs://BUCKET[/PREFIX].", valueName: "location"), completion: .obsObject)
        var location: String
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(location)
            let uploads = try await ctx.storage.listMultipartUploads(bucket: url.bucket, prefix: url.path)
            Renderer(ctx.output).render(Listed(location: url, uploads: uploads))
        }

        /// `{"bucket","prefix","uploads":[upload...]}`; ndjson an `upload` record each; text one line per upload:
        /// initiated, upload id, object (or a note that there are none).
        struct Listed: CommandResult {
            let location: OBSURL
            let uploads: [MultipartUploadInfo]

            private enum CodingKeys: String, CodingKey { case bucket, prefix, uploads }

            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(location.bucket.value, forKey: .bucket)
                try container.encode(location.path, forKey: .prefix)
                try container.encode(uploads.map(UploadShape.init), forKey: .uploads)
            }

            var records: [Record]? { uploads.map { Record("upload", UploadShape($0)) } }

            var text: [TextLine] {
                if uploads.isEmpty { return [.note("no multipart uploads in progress under \(location)")] }
                return uploads.map { u in
                    let initiated =
                        u.initiated.map(JSONShape.time)
                        ?? "-".padding(
                            toLength: 20, withPad: " ",
                            startingAt: 0)
                    return .data("\(initiated)  \(u.uploadID)  obs://\(u.bucket)/\(u.key)")
                }
            }
        }
    }
}
