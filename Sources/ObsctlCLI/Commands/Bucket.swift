import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct Bucket: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and delete buckets; show and toggle their default encryption.",
            discussion: Manual.discussion(examples: [
                "obsctl bucket create obs://secure --sse kms",
                "obsctl bucket list",
                "obsctl bucket encryption show obs://secure",
                "obsctl bucket delete obs://scratch --force",
            ]),
            subcommands: [Create.self, List.self, Delete.self, Encryption.self])
    }
}

typealias Bucket = Obsctl.Bucket

extension Obsctl.Bucket {
    struct Create: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a bucket, optionally with default encryption set in the same step.",
            discussion: Manual.discussion(examples: [
                "obsctl bucket create obs://reports",
                "obsctl bucket create obs://secure --sse kms",
                "obsctl bucket create obs://archive --storage-class cold --sse kms --kms-key-id my-app-key",
            ]))

        @Argument(help: ArgumentHelp("The bucket: obs://NAME or NAME.", valueName: "bucket")) var bucket: String
        @Option(help: "Region of the bucket.") var location: String?
        @Option(help: "Default storage class: standard, warm or cold.")
        var storageClass: StorageClassArgument = .standard
        @Option(
            help: ArgumentHelp(
                "Default encryption for new objects: kms (SSE-KMS) or obs (SSE-OBS).",
                valueName: "kms|obs"),
            completion: .list(BucketSSEArgument.allValueStrings), transform: BucketSSEArgument.parse)
        var sse: BucketSSEArgument?
        @Option(
            help: ArgumentHelp(
                "KMS key for the default (id, URN or alias); omitted means obs/default.",
                valueName: "id"),
            completion: .kmsKey)
        var kmsKeyId: String?
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let name = try parseBucket(bucket)
            let encryption = try ctx.resolvingKMSKey(SSERules.bucketDefault(mode: sse?.mode, kmsKeyID: kmsKeyId))
            let location = self.location ?? ctx.storage.defaultLocation
            let info = try await ctx.storage.createBucket(
                CreateBucketRequest(
                    name: name, location: location, storageClass: storageClass.storageClass,
                    encryption: encryption))
            Renderer(ctx.output).render(Created(info: info))
        }

        /// A *bucket*; in text a report line with its location and default encryption.
        struct Created: CommandResult {
            let info: BucketInfo

            func encode(to encoder: Encoder) throws { try BucketShape(info).encode(to: encoder) }

            var text: [TextLine] {
                [
                    .report(
                        "created obs://\(info.name) (location \(info.location), default encryption "
                            + "\(TextShape.encryption(info.encryption)))")
                ]
            }
        }
    }

    struct List: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "List buckets with their location, storage class and default encryption.",
            discussion: Manual.discussion(examples: ["obsctl bucket list", "obsctl bucket list --output json"]))
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            // A bucket whose record cannot be read is reported (naming the file and the fix) and makes the exit
            // 13 at the end, after every readable bucket is listed.
            let listing = try await ctx.storage.bucketListing()
            Listings.report(errors: listing.unreadable.map(\.error))
            Renderer(ctx.output).render(Listed(backend: ctx.isRemote ? "remote" : "local", buckets: listing.buckets))
            if !listing.unreadable.isEmpty { throw CommandFailure(exitCode: .integrity) }
        }

        /// `{"backend":"local" or "remote","buckets":[bucket...]}`; ndjson a `bucket` record each; text a table:
        /// created, location, storage class, default encryption, bucket.
        struct Listed: CommandResult {
            let backend: String
            let buckets: [BucketInfo]

            private enum CodingKeys: String, CodingKey { case backend, buckets }

            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(backend, forKey: .backend)
                try container.encode(buckets.map(BucketShape.init), forKey: .buckets)
            }

            var records: [Record]? { buckets.map { Record("bucket", BucketShape($0)) } }

            var text: [TextLine] {
                [
                    .table(
                        buckets.map { b in
                            [
                                JSONShape.time(b.created), b.location, b.storageClass.rawValue.lowercased(),
                                TextShape.encryption(b.encryption), "obs://\(b.name)",
                            ]
                        }, endsWithStore: true)
                ]
            }
        }
    }

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
