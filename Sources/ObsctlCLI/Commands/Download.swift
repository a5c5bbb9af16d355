import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct Download: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download objects to files (or stdout), decrypting and verifying them.",
            discussion: Manual.discussion([
                "A file is written under a temporary name and renamed only after every byte has verified: a failed "
                    + "download leaves no file behind. '-' writes to stdout. With --recursive every object under the prefix "
                    + "is written below PATH; keys that would escape PATH ('..', empty segments, absolute) are refused.",
            ], examples: [
                "obsctl download obs://secure/2026/report.pdf ./report.pdf",
                "obsctl download obs://vault/db.dump - --sse-c-key-file key.bin > db.dump",
                "obsctl download obs://web/ ./site --recursive",
            ]))

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY, or obs://BUCKET/PREFIX with --recursive.", valueName: "source"), completion: .obsObject)
        var source: String
        @Argument(help: ArgumentHelp("Local file or directory, or - for stdout.", valueName: "path"), completion: .file())
        var path: String
        @Flag(name: [.short, .long], help: "Download every object under the prefix.") var recursive = false
        @OptionGroup var customerKey: CustomerKeyOptions
        @OptionGroup var tuning: DownloadTuningOptions
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            try await Self.download(ctx, source: try OBSURL(source), path: path, recursive: recursive, customerKey: try customerKey.load(),
                                    transfer: try tuning.options())
        }

        /// `removeSources` (mv): each object is deleted once its file is written, verified and renamed into place.
        static func download(_ ctx: CommandContext, source src: OBSURL, path: String, recursive: Bool, customerKey: CustomerKey?,
                             transfer: TransferOptions = TransferOptions(), removeSources: Bool = false) async throws {
            struct Item { var key: ObjectKey; var target: String; var size: Int64? = nil }
            var items: [Item] = []
            var damaged = 0
            if recursive {
                guard path != "-" else { throw OBSError.invalidArgument("--recursive cannot write to stdout; name a directory") }
                let prefix = Transfers.directoryPrefix(src.path)
                let listing = try await ctx.storage.listAllObjects(bucket: src.bucket, prefix: prefix)
                Listings.report(listing.unreadable)
                damaged = listing.unreadable.count
                for o in listing.objects {
                    if o.key.value.hasSuffix("/") && o.size == 0 { continue }  // a console "folder" marker
                    guard let rel = Transfers.safeRelativePath(key: o.key.value, prefix: prefix) else {
                        Transfers.reportUnsafeKey(o.key.value, below: path)
                        items.append(Item(key: o.key, target: ""))
                        continue
                    }
                    items.append(Item(key: o.key, target: LocalPath.join(path, rel), size: o.size))
                }
                if items.isEmpty && damaged == 0 { ctx.output.note("no objects under obs://\(src.bucket)/\(prefix)") }
            } else {
                let key = try src.objectKey()
                var target = path
                if path != "-" && (path.hasSuffix("/") || Transfers.isDirectory(path)) {
                    let name = Transfers.baseName(key.value)
                    guard Transfers.safeRelativePath(key: name, prefix: "") != nil, !key.value.hasSuffix("/") else {
                        let folder = key.value.hasSuffix("/")
                            ? " (a folder: pass --recursive (-r) to download what is under it)" : ""
                        throw OBSError.invalidArgument("object key '\(key)' has no usable file name\(folder); "
                                                       + "name the destination file")
                    }
                    target = LocalPath.join(path, name)
                }
                // The bar shows an ETA only with the size; a HEAD asks for it, only when a bar is drawn.
                var size: Int64? = nil
                if ctx.progressStyle == .bar {
                    size = try? await ctx.storage.headObject(GetObjectRequest(bucket: src.bucket, key: key, customerKey: customerKey)).size
                }
                items = [Item(key: key, target: target, size: size)]
            }
            let unsafe = items.filter { $0.target.isEmpty }.count, skipped = unsafe + damaged
            let downloads = items.filter { !$0.target.isEmpty }
            // Unsafe keys and damaged objects were reported above: with nothing else to do that is a usage problem
            // (or an integrity one), else a partial one.
            if skipped > 0 && downloads.isEmpty {
                throw CommandFailure(exitCode: unsafe == 0 ? .integrity : damaged == 0 ? .usage : .partial)
            }
            do {
                _ = try await Transfers.runAll(ctx, downloads, verb: "download", dataOnStdout: path == "-", size: { $0.size },
                                               describe: { "obs://\(src.bucket)/\($0.key)" }) { item, counter in
                    let request = GetObjectRequest(bucket: src.bucket, key: item.key, customerKey: customerKey, transfer: transfer)
                    let info: ObjectInfo
                    do { info = try await Transfers.download(ctx, request, to: item.target, counter: counter) }
                    catch {
                        if recursive { throw error }
                        throw await Transfers.prefixHint(ctx, error, src.bucket, item.key, verb: "download")
                    }
                    if removeSources { try await Transfers.removeObjectSource(ctx, request, etag: info.etag, movedTo: item.target) }
                    if !ctx.output.isJSON && item.target != "-" {
                        ctx.output.report("\(removeSources ? "move" : "download"): obs://\(src.bucket)/\(item.key) -> \(item.target) (\(Transfers.describe(info)))")
                    }
                    return Transfers.record(source: "obs://\(src.bucket)/\(item.key)", destination: item.target, info)
                }
            } catch let f as CommandFailure where skipped > 0 { _ = f; throw CommandFailure(exitCode: .partial) }
            if skipped > 0 { throw CommandFailure(exitCode: .partial) }
        }
    }

    struct Cat: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an object to stdout, decrypting and verifying it (the same as 'download OBJECT -').",
            discussion: Manual.discussion(examples: [
                "obsctl cat obs://docs/notes.txt",
                "obsctl cat obs://vault/db.dump --sse-c-key-file key.bin | pg_restore",
            ]))

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY.", valueName: "object"), completion: .obsObject)
        var object: String
        @OptionGroup var customerKey: CustomerKeyOptions
        @OptionGroup var tuning: DownloadTuningOptions
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            try await Download.download(ctx, source: try OBSURL(object), path: "-", recursive: false,
                                        customerKey: try customerKey.load(), transfer: try tuning.options())
        }
    }
}
