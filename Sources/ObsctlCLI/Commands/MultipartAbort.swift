import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

extension Obsctl.Multipart {
    struct AbortUploads: ObsctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "abort",
            abstract: "Abort multipart uploads, deleting their parts: one by its upload id, or --all under a location.",
            discussion: Manual.discussion(examples: [
                "obsctl multipart abort obs://backups/db.dump --upload-id 0000018A2B3C4D5E",
                "obsctl multipart abort obs://backups/nightly/ --all --older-than 24h",
            ]))

        @Argument(
            help: ArgumentHelp(
                "obs://BUCKET/KEY with --upload-id; with --all obs://BUCKET, a folder or a key.",
                valueName: "location"),
            completion: .obsObject)
        var location: String
        @Option(help: ArgumentHelp("The upload to abort (from 'multipart list').", valueName: "id"))
        var uploadId: String?
        @Flag(
            help: ArgumentHelp(
                "Abort every upload in progress under the location: the bucket, a folder "
                    + "(obs://b/dir takes dir/..., not dirt.tar) or one key."))
        var all = false
        @Option(
            parsing: .unconditional,
            help: ArgumentHelp(
                "With --all: only uploads begun longer ago than this "
                    + "(seconds, or a number with s, m, h or d).",
                valueName: "duration")) var olderThan: String?
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(location)
            guard all != (uploadId != nil) else {
                throw OBSError.invalidArgument(
                    "name one upload with --upload-id ID, or abort every upload under "
                        + "\(url) with --all")
            }
            if olderThan != nil && !all { throw OBSError.invalidArgument("--older-than goes with --all") }
            let renderer = Renderer(ctx.output)
            if let uploadId {
                // One named upload: its failure is the command's error, as for any single operation.
                let key = try url.objectKey()
                let upload = MultipartUploadInfo(bucket: url.bucket, key: key.value, uploadID: uploadId, initiated: nil)
                do {
                    try await ctx.storage.abortMultipartUpload(bucket: url.bucket, key: key, uploadID: uploadId)
                } catch {
                    throw Transfers.singleFailure(ctx, "obs://\(url.bucket)/\(upload.key)", error, doneKey: "aborted")
                }
                renderer.event(Self.record(upload), text: [Self.reportLine(upload)])
                return renderer.render(Aborted(aborted: [upload], failures: [], nothingNote: nil))
            }
            let cutoff = try olderThan.map {
                Date().addingTimeInterval(-Double(try parseDuration($0, option: "--older-than")))
            }
            // The location is a key or a folder: obs://b/dir takes dir and dir/..., never dirt.tar (as rm
            // --recursive).
            let folder = KeyMapping.directoryPrefix(url.path)
            let uploads = try await ctx.storage.listMultipartUploads(bucket: url.bucket, prefix: url.path).filter { u in
                // An upload whose start the server did not say is never taken for an old one.
                (KeyBytes.equal(u.key, url.path) || KeyBytes.hasPrefix(u.key, folder))
                    && (cutoff.map { c in u.initiated.map { $0 < c } ?? false } ?? true)
            }
            var aborted: [MultipartUploadInfo] = [], failures: [FailureShape] = [], firstError: OBSError?
            for u in uploads {
                do {
                    try await ctx.storage.abortMultipartUpload(
                        bucket: u.bucket, key: try ObjectKey(u.key),
                        uploadID: u.uploadID)
                    aborted.append(u)
                    renderer.event(Self.record(u), text: [Self.reportLine(u)])
                } catch let e as OBSError where e.code == "NoSuchUpload" {
                    // Completed or aborted by someone else since the listing: gone, as asked.
                    ctx.output.note(
                        "obs://\(u.bucket)/\(u.key) (upload \(u.uploadID)) was already completed or "
                            + "aborted")
                } catch let e as OBSError {
                    let failure = FailureShape("obs://\(u.bucket)/\(u.key)", e)
                    failures.append(failure)
                    firstError = firstError ?? e
                    Output.errorLine(
                        "obsctl: error: obs://\(u.bucket)/\(u.key) (upload \(u.uploadID)): "
                            + Output.describe(e))
                    renderer.event(failure.record)
                }
            }
            let none =
                "no multipart uploads to abort under \(url)"
                + (olderThan.map { " begun more than \($0) ago" } ?? "")
            renderer.render(Aborted(aborted: aborted, failures: failures, nothingNote: uploads.isEmpty ? none : nil))
            if let firstError { throw Transfers.failure(succeeded: aborted.count, first: firstError) }
        }

        /// `{"aborted":[upload...],"failures":[...]}`; each abort and failure went out as it happened
        /// (`Renderer.event`), so ndjson adds nothing and text only says when there was nothing to abort.
        struct Aborted: CommandResult {
            let aborted: [MultipartUploadInfo]
            let failures: [FailureShape]
            let nothingNote: String?

            private enum CodingKeys: String, CodingKey { case aborted, failures }

            func encode(to encoder: Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(aborted.map(UploadShape.init), forKey: .aborted)
                try container.encode(failures, forKey: .failures)
            }

            var records: [Record]? { [] }
            var text: [TextLine] { nothingNote.map { [.note($0)] } ?? [] }
        }

        static func record(_ u: MultipartUploadInfo) -> Record { Record("aborted", UploadShape(u)) }
        static func reportLine(_ u: MultipartUploadInfo) -> TextLine {
            .report("abort: obs://\(u.bucket)/\(u.key) (upload \(u.uploadID))")
        }
    }
}
