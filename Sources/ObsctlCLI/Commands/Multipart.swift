import ArgumentParser
import Foundation
import OBSCore

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

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY with --upload-id; obs://BUCKET[/PREFIX] with --all.", valueName: "location"),
                  completion: .obsObject) var location: String
        @Option(help: ArgumentHelp("The upload to abort (from 'multipart list').", valueName: "id")) var uploadId: String?
        @Flag(help: "Abort every upload in progress under the location.") var all = false
        @Option(help: ArgumentHelp("With --all: only uploads begun longer ago than this (seconds, or a number with s, m, h or d).",
                                   valueName: "duration")) var olderThan: String?
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(location)
            guard all != (uploadId != nil) else {
                throw OBSError.invalidArgument("name one upload with --upload-id ID, or abort every upload under \(url) with --all")
            }
            if olderThan != nil && !all { throw OBSError.invalidArgument("--older-than goes with --all") }
            let uploads: [MultipartUploadInfo]
            if let uploadId {
                uploads = [MultipartUploadInfo(bucket: url.bucket, key: try url.objectKey().value, uploadID: uploadId, initiated: nil)]
            } else {
                let cutoff = try olderThan.map { Date().addingTimeInterval(-Double(try parseDuration($0, option: "--older-than"))) }
                // An upload whose start the server did not say is never taken for an old one.
                uploads = try await ctx.storage.listMultipartUploads(bucket: url.bucket, prefix: url.path).filter { u in
                    cutoff.map { c in u.initiated.map { $0 < c } ?? false } ?? true
                }
            }
            var aborted: [MultipartUploadInfo] = [], failures: [(MultipartUploadInfo, OBSError)] = []
            for u in uploads {
                do {
                    try await ctx.storage.abortMultipartUpload(bucket: u.bucket, key: try ObjectKey(u.key), uploadID: u.uploadID)
                    aborted.append(u)
                    if ctx.output.isNDJSON { ctx.output.record(ListUploads.record(u).merging(["type": "aborted"]) { a, _ in a }) }
                    else if !ctx.output.isJSON { ctx.output.report("abort: obs://\(u.bucket)/\(u.key) (upload \(u.uploadID))") }
                } catch let e as OBSError {
                    failures.append((u, e))
                    if uploadId == nil { Output.stderr("obsctl: error: obs://\(u.bucket)/\(u.key) (upload \(u.uploadID)): \(Output.describe(e))") }
                    if ctx.output.isNDJSON { ctx.output.record(Transfers.failureRecord("obs://\(u.bucket)/\(u.key)", e)) }
                }
            }
            if ctx.output.isJSON && !ctx.output.isNDJSON {
                let failed: [[String: Any]] = failures.map { Transfers.failureRecord("obs://\($0.0.bucket)/\($0.0.key)", $0.1).filter { $0.key != "type" } }
                ctx.output.json(["aborted": aborted.map(ListUploads.record), "failures": failed] as [String: Any])
            }
            if uploads.isEmpty && !ctx.output.isJSON {
                ctx.output.note("no multipart uploads to abort under \(url)" + (olderThan.map { " begun more than \($0) ago" } ?? ""))
            }
            if let (_, first) = failures.first {
                // One named upload: its error is the command's, as for any single operation.
                if uploadId != nil { throw first }
                throw CommandFailure(exitCode: aborted.isEmpty ? ObsctlExitCode(first.category) : .partial)
            }
        }
    }
}
