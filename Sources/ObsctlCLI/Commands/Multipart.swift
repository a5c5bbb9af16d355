import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

extension Obsctl {
    struct Multipart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List and abort multipart uploads in progress (the console's fragments).",
            discussion: Manual.discussion([
                "A multipart upload that was neither completed nor aborted keeps its parts stored, and billed, though "
                    + "they are no object. obsctl aborts its own failed uploads; killed processes, lost connections and "
                    + "other tools leave them behind. The embedded local backend writes every object whole and never has any.",
            ], examples: [
                "obsctl multipart list obs://backups",
                "obsctl multipart abort obs://backups/db.dump --upload-id 0000018A2B3C4D5E",
                "obsctl multipart abort obs://backups --all --older-than 7d",
            ]),
            subcommands: [ListUploads.self, AbortUploads.self])
    }
}

extension Obsctl.Multipart {
    struct ListUploads: ObsctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the multipart uploads in progress in a bucket, or under a prefix: initiated, upload id, object.")

        @Argument(help: ArgumentHelp("obs://BUCKET[/PREFIX].", valueName: "location"), completion: .obsObject) var location: String
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(location)
            let uploads = try await ctx.storage.listMultipartUploads(bucket: url.bucket, prefix: url.path)
            if ctx.output.isNDJSON {
                for u in uploads { ctx.output.record(Self.record(u).merging(["type": "upload"]) { a, _ in a }) }
            } else if ctx.output.isJSON {
                ctx.output.json(["bucket": url.bucket.value, "prefix": url.path, "uploads": uploads.map(Self.record)] as [String: Any])
            } else {
                for u in uploads {
                    ctx.output.line("\(u.initiated.map(JSONShape.time) ?? "-".padding(toLength: 20, withPad: " ", startingAt: 0))  \(u.uploadID)  obs://\(u.bucket)/\(u.key)")
                }
                if uploads.isEmpty { ctx.output.note("no multipart uploads in progress under \(url)") }
            }
        }

        static func record(_ u: MultipartUploadInfo) -> [String: Any] {
            ["bucket": u.bucket.value, "key": u.key, "upload_id": u.uploadID, "url": "obs://\(u.bucket)/\(u.key)",
             "initiated": u.initiated.map(JSONShape.time) ?? NSNull()]
        }
    }

    struct AbortUploads: ObsctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "abort",
            abstract: "Abort multipart uploads, deleting their parts: one by its upload id, or --all under a location.",
            discussion: Manual.discussion(examples: [
                "obsctl multipart abort obs://backups/db.dump --upload-id 0000018A2B3C4D5E",
                "obsctl multipart abort obs://backups/nightly/ --all --older-than 24h",
            ]))

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY with --upload-id; with --all obs://BUCKET, a folder or a key.", valueName: "location"),
                  completion: .obsObject) var location: String
        @Option(help: ArgumentHelp("The upload to abort (from 'multipart list').", valueName: "id")) var uploadId: String?
        @Flag(help: "Abort every upload in progress under the location: the bucket, a folder (obs://b/dir takes dir/..., not dirt.tar) or one key.")
        var all = false
        @Option(parsing: .unconditional,
                help: ArgumentHelp("With --all: only uploads begun longer ago than this "
                                   + "(seconds, or a number with s, m, h or d).",
                                   valueName: "duration")) var olderThan: String?
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(location)
            guard all != (uploadId != nil) else {
                throw OBSError.invalidArgument("name one upload with --upload-id ID, or abort every upload under \(url) with --all")
            }
            if olderThan != nil && !all { throw OBSError.invalidArgument("--older-than goes with --all") }
            if let uploadId {
                // One named upload: its failure is the command's error, as for any single operation.
                let upload = MultipartUploadInfo(bucket: url.bucket, key: try url.objectKey().value, uploadID: uploadId, initiated: nil)
                do {
                    try await ctx.storage.abortMultipartUpload(bucket: url.bucket, key: try url.objectKey(), uploadID: uploadId)
                } catch { throw Transfers.singleFailure(ctx, "obs://\(url.bucket)/\(upload.key)", error, doneKey: "aborted") }
                if ctx.output.isNDJSON { ctx.output.record(Self.abortedRecord(upload)) }
                else if ctx.output.isJSON { ctx.output.json(["aborted": [ListUploads.record(upload)], "failures": [[String: Any]]()] as [String: Any]) }
                else { ctx.output.report(Self.reportLine(upload)) }
                return
            }
            let cutoff = try olderThan.map { Date().addingTimeInterval(-Double(try parseDuration($0, option: "--older-than"))) }
            // The location is a key or a folder: obs://b/dir takes dir and dir/..., never dirt.tar (as rm --recursive).
            let folder = KeyMapping.directoryPrefix(url.path)
            let uploads = try await ctx.storage.listMultipartUploads(bucket: url.bucket, prefix: url.path).filter { u in
                // An upload whose start the server did not say is never taken for an old one.
                (u.key == url.path || u.key.hasPrefix(folder)) && (cutoff.map { c in u.initiated.map { $0 < c } ?? false } ?? true)
            }
            var aborted: [MultipartUploadInfo] = [], failures: [(item: String, error: OBSError)] = []
            for u in uploads {
                do {
                    try await ctx.storage.abortMultipartUpload(bucket: u.bucket, key: try ObjectKey(u.key), uploadID: u.uploadID)
                    aborted.append(u)
                    if ctx.output.isNDJSON { ctx.output.record(Self.abortedRecord(u)) }
                    else if !ctx.output.isJSON { ctx.output.report(Self.reportLine(u)) }
                } catch let e as OBSError where e.code == "NoSuchUpload" {
                    // Completed or aborted by someone else since the listing: gone, as asked.
                    ctx.output.note("obs://\(u.bucket)/\(u.key) (upload \(u.uploadID)) was already completed or aborted")
                } catch let e as OBSError {
                    failures.append(("obs://\(u.bucket)/\(u.key)", e))
                    Output.stderr("obsctl: error: obs://\(u.bucket)/\(u.key) (upload \(u.uploadID)): \(Output.describe(e))")
                    if ctx.output.isNDJSON { ctx.output.record(Transfers.failureRecord("obs://\(u.bucket)/\(u.key)", e)) }
                }
            }
            if ctx.output.isJSON && !ctx.output.isNDJSON {
                ctx.output.json(["aborted": aborted.map(ListUploads.record), "failures": Transfers.failureEntries(failures)] as [String: Any])
            }
            if uploads.isEmpty && !ctx.output.isJSON {
                ctx.output.note("no multipart uploads to abort under \(url)" + (olderThan.map { " begun more than \($0) ago" } ?? ""))
            }
            if let first = failures.first { throw Transfers.failure(succeeded: aborted.count, first: first.error) }
        }

        static func abortedRecord(_ u: MultipartUploadInfo) -> [String: Any] { ListUploads.record(u).merging(["type": "aborted"]) { a, _ in a } }
        static func reportLine(_ u: MultipartUploadInfo) -> String { "abort: obs://\(u.bucket)/\(u.key) (upload \(u.uploadID))" }
    }
}
