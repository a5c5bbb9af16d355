import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct List: ObsctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List buckets, or the objects and prefixes in a bucket.",
            discussion: Manual.discussion([
                "Text columns: last modified (UTC), size in bytes, encryption, key. Prefixes show as PRE.",
            ], examples: [
                "obsctl ls",
                "obsctl ls obs://secure/2026/",
                "obsctl ls obs://secure --recursive --output json",
            ]))

        @Argument(help: ArgumentHelp("obs://BUCKET[/PREFIX]; omitted lists buckets.", valueName: "location"), completion: .obsObject) var location: String?
        @Flag(name: [.short, .long], help: "List every object under the prefix instead of rolling up at '/'.") var recursive = false
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            guard let location else {
                var list = Obsctl.Bucket.List(); list.global = global
                return try await list.run(ctx)
            }
            let url = try OBSURL(location)
            var objects: [ObjectInfo] = [], prefixes: [String] = [], marker: String? = nil, unreadable = 0
            // Damaged entries are reported as they come and make the exit 13 at the end, after everything readable.
            repeat {
                let page = try await ctx.storage.listObjects(bucket: url.bucket, prefix: url.path, delimiter: recursive ? nil : "/",
                                                             marker: marker, maxKeys: 1000)
                marker = page.nextMarker
                Listings.report(page.unreadable)
                unreadable += page.unreadable.count
                if ctx.output.isNDJSON {
                    // One record per line as each page arrives: a listing of millions of keys never waits or piles up.
                    for p in page.commonPrefixes { ctx.output.record(["type": "prefix", "bucket": url.bucket.value, "prefix": p]) }
                    for o in page.objects { ctx.output.record(JSONShape.object(o).merging(["type": "object"]) { a, _ in a }) }
                    continue
                }
                objects += page.objects; prefixes += page.commonPrefixes
            } while marker != nil && !StandardStreams.stdoutFailed  // nobody reads on: stop listing
            if ctx.output.isNDJSON { if unreadable > 0 { throw CommandFailure(exitCode: .integrity) }; return }
            if ctx.output.isJSON {
                ctx.output.json(["bucket": url.bucket.value, "prefix": url.path, "objects": objects.map(JSONShape.object), "prefixes": prefixes])
                if unreadable > 0 { throw CommandFailure(exitCode: .integrity) }
                return
            }
            for p in prefixes { ctx.output.line("\(String(repeating: " ", count: 20))  \("PRE".padding(toLength: 12, withPad: " ", startingAt: 0))  \(" ".padding(toLength: 7, withPad: " ", startingAt: 0))  \(p)") }
            for o in objects {
                let size = String(o.size)
                ctx.output.line("\(JSONShape.time(o.lastModified))  \(String(repeating: " ", count: max(0, 12 - size.count)) + size)  \(TextShape.sse(o).padding(toLength: 7, withPad: " ", startingAt: 0))  \(o.key)")
            }
            if unreadable > 0 { throw CommandFailure(exitCode: .integrity) }
        }
    }

    struct Stat: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an object's size, type, ETag, metadata and encryption (mode, KMS key, SSE-C key MD5, origin).",
            discussion: Manual.discussion([
                "An SSE-C object needs its key here too; a wrong key is refused, so stat can check a key before a "
                    + "large download.",
            ], examples: [
                "obsctl stat obs://secure/2026/report.pdf",
                "obsctl stat obs://vault/db.dump --sse-c-key-file key.bin --output json",
            ]))

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY.", valueName: "object"), completion: .obsObject) var object: String
        @OptionGroup var customerKey: CustomerKeyOptions
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(object)
            let key = try url.objectKey()
            let request = GetObjectRequest(bucket: url.bucket, key: key, customerKey: try customerKey.load())
            let info: ObjectInfo
            do { info = try await ctx.storage.headObject(request) }
            catch { throw await Transfers.prefixHint(ctx, error, url.bucket, key, verb: nil) }
            if ctx.output.isJSON { ctx.output.json(JSONShape.object(info)); return }
            var lines = [("object", "obs://\(info.bucket)/\(info.key)"), ("size", "\(info.size)"), ("content-type", info.contentType),
                         ("etag", info.etag), ("last-modified", JSONShape.time(info.lastModified)),
                         ("encryption", TextShape.sse(info))]
            if let origin = info.sseOrigin { lines.append(("encryption-origin", origin == .bucketDefault ? "bucket default" : "request")) }
            if let id = info.kmsKeyID { lines.append(("kms-key-id", id)) }
            if let urn = info.kmsKeyURN { lines.append(("kms-key-urn", urn)) }
            if let md5 = info.customerKeyMD5 { lines.append(("sse-c-key-md5", md5)) }
            for (k, v) in info.userMetadata.sorted(by: { $0.key < $1.key }) { lines.append(("metadata." + k, v)) }
            for (k, v) in lines { ctx.output.line("\(k + ":")\(String(repeating: " ", count: max(1, 19 - k.count)))\(v)") }
        }
    }

    struct Remove: ObsctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Delete an object, or every object under a prefix with --recursive.",
            discussion: Manual.discussion(examples: ["obsctl rm obs://docs/old.txt", "obsctl rm obs://docs/2024/ --recursive"]))

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY, or obs://BUCKET[/PREFIX] with --recursive.", valueName: "object"), completion: .obsObject) var object: String
        @Flag(name: [.short, .long], help: "Delete every object under the prefix.") var recursive = false
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(object)
            guard recursive else {
                let key = try url.objectKey()
                do { try await ctx.storage.deleteObject(bucket: url.bucket, key: key) }
                catch {
                    let hinted = await Transfers.prefixHint(ctx, error, url.bucket, key, verb: "delete")
                    throw Transfers.singleFailure(ctx, "obs://\(url.bucket)/\(key.value)", hinted, doneKey: "deleted")
                }
                if ctx.output.isNDJSON { ctx.output.record(Self.deletedRecord(url.bucket, key)) }
                else if ctx.output.isJSON { ctx.output.json(["deleted": ["obs://\(url.bucket)/\(key.value)"], "failures": [[String: String]]()] as [String: Any]) }
                else { ctx.output.report("delete: obs://\(url.bucket)/\(key)") }
                return
            }
            // A prefix means a folder: `rm obs://b/dir --recursive` must not touch obs://b/dirt.tar.
            // Damaged objects whose key is known are deleted like the others (deleting needs no readable metadata).
            let prefix = Transfers.directoryPrefix(url.path)
            let listing = try await ctx.storage.listAllObjects(bucket: url.bucket, prefix: prefix)
            let keys = listing.objects.map(\.key) + listing.unreadable.compactMap(\.key)
            let keyless = listing.unreadable.filter { $0.key == nil }
            try await Self.deleteAll(ctx, bucket: url.bucket, keys: keys, keyless: keyless)
            if keys.isEmpty && !ctx.output.isJSON { ctx.output.note("nothing to delete under \(url)") }
        }

        /// `{"type":"deleted","bucket","key","url"}`, one NDJSON line per deleted object.
        static func deletedRecord(_ bucket: BucketName, _ key: ObjectKey) -> [String: Any] {
            ["type": "deleted", "bucket": bucket.value, "key": key.value, "url": "obs://\(bucket)/\(key.value)"]
        }

        /// Batch delete with a per-key report; exit 8 when some keys failed, the failure's code when all did.
        /// `keyless`: damaged objects whose key is lost, which no delete can name: each is one failure.
        static func deleteAll(_ ctx: CommandContext, bucket: BucketName, keys: [ObjectKey],
                              keyless: [UnreadableObject] = []) async throws {
            var outcome = await Transfers.deleteObjects(ctx, bucket, keys: keys)
            for k in keyless { outcome.failed(ctx, "obs://\(bucket)/ (unknown key)", k.error) }
            if ctx.output.isJSON && !ctx.output.isNDJSON {
                ctx.output.json(["deleted": outcome.done, "failures": Transfers.failureEntries(outcome.failures)] as [String: Any])
            }
            if let first = outcome.failures.first { throw Transfers.failure(succeeded: outcome.done.count, first: first.error) }
        }
    }
}
