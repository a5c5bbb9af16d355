import ArgumentParser
import OBSCore

extension Obsctl.Bucket {
    struct Delete: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a bucket. With --force, delete every object in it first.",
            discussion: Manual.discussion(examples: [
                "obsctl bucket delete obs://scratch",
                "obsctl bucket delete obs://scratch --force",
            ]))
        @Argument(help: ArgumentHelp("The bucket: obs://NAME or NAME.", valueName: "bucket"), completion: .obsBucket)
        var bucket: String
        @Flag(help: "Delete every object in the bucket first.") var force = false
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let name = try parseBucket(bucket)
            var deleted = 0, aborted = 0
            if force {
                let listing = try await ctx.storage.listAllObjects(bucket: name, prefix: "")
                let keys = listing.objects.map(\.key) + listing.unreadable.compactMap(\.key)  // damaged ones too
                let failed = try await ctx.storage.deleteObjects(bucket: name, keys: keys)
                if let first = failed.first { throw first.error }
                deleted = keys.count
                if let keyless = listing.unreadable.first(where: { $0.key == nil }) { throw keyless.error }
                // "Everything" includes unfinished multipart uploads (their parts are stored and billed), as with
                // mc rb --force and rclone purge; aws s3 rb --force leaves them and then fails.
                for u in try await ctx.storage.listMultipartUploads(bucket: name, prefix: "") {
                    try await ctx.storage.abortMultipartUpload(
                        bucket: name, key: try ObjectKey(u.key),
                        uploadID: u.uploadID)
                    aborted += 1
                }
            }
            do { try await ctx.storage.deleteBucket(name) } catch let e as OBSError
                where force && (e.code == "BucketNotEmpty" || e.code == "MultipartUploadsInProgress")
            {
                throw Self.refilled(
                    name, e,
                    what: e.code == "BucketNotEmpty"
                        ? "objects were added to"
                        : "multipart uploads were started in")
            }
            Renderer(ctx.output).render(
                Deleted(
                    bucket: name.value, objectsDeleted: deleted, uploadsAborted: aborted,
                    forced: force))
        }

        /// `{"bucket","deleted":true,"objects_deleted","uploads_aborted"}`; in text a report line.
        struct Deleted: CommandResult {
            let bucket: String
            let deleted = true
            let objectsDeleted: Int
            let uploadsAborted: Int
            let forced: Bool

            private enum CodingKeys: String, CodingKey {
                case bucket, deleted, objectsDeleted = "objects_deleted", uploadsAborted = "uploads_aborted"
            }

            var text: [TextLine] {
                let uploads = uploadsAborted > 0 ? " and aborted \(uploadsAborted) multipart upload(s)" : ""
                let emptied = forced ? " and \(objectsDeleted) object(s)" + uploads : ""
                return [.report("deleted obs://\(bucket)" + emptied)]
            }
        }

        /// The bucket was emptied, yet is not empty: something wrote to it meanwhile. "Pass --force" would be
        /// wrong.
        static func refilled(_ name: BucketName, _ e: OBSError, what: String) -> OBSError {
            OBSError(
                code: e.code,
                message: "\(what) bucket '\(name)' while it was being emptied; "
                    + "stop what writes to it, then run 'obsctl bucket delete obs://\(name) --force' again",
                httpStatus: e.httpStatus, category: e.category, requestID: e.requestID, resource: e.resource)
        }
    }
}
