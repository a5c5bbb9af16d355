import ArgumentParser
import OBSCore

extension Obsctl.Bucket {
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
                                JSONShape.time(b.created), b.location, StorageClassArgument(b.storageClass).rawValue,
                                TextShape.encryption(b.encryption), "obs://\(b.name)",
                            ]
                        }, endsWithStore: true)
                ]
            }
        }
    }
}
