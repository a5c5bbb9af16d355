import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct Copy: ObsctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "cp",
            abstract: "Copy between local paths and OBS, or between objects (which can change their encryption).",
            discussion: Manual.discussion([
                "Local to obs:// is an upload, obs:// to local a download, obs:// to obs:// a copy. For a copy, "
                    + "--sse and --sse-c-key-* describe the destination and --source-sse-c-key-* the source; copying an "
                    + "object onto itself with new options re-encrypts it (for example to rotate an SSE-C key).",
            ], examples: [
                "obsctl cp notes.txt obs://docs/notes.txt --sse kms",
                "obsctl cp obs://docs/notes.txt ./notes.txt",
                "obsctl cp obs://docs/notes.txt obs://archive/notes.txt --sse obs",
                "obsctl cp obs://vault/a obs://vault/a --source-sse-c-key-file old.key --sse-c-key-file new.key",
            ]))

        @OptionGroup var transfer: TransferArguments
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws { try await transfer.run(ctx, removeSources: false) }
    }

    struct Move: ObsctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "mv",
            abstract: "Move between local paths and OBS, or between objects: cp, then the source is removed.",
            discussion: Manual.discussion([
                "Each source is removed only after its copy is written and verified (and matches --expect-sse), and "
                    + "only if it did not change meanwhile (a file's size, time and inode; an object's ETag): a failure "
                    + "leaves the source where it was. Moving a directory with --recursive removes its files and "
                    + "leaves the emptied directories. '-' (stdin or stdout) cannot be moved, and an object cannot be "
                    + "moved onto itself.",
            ], examples: [
                "obsctl mv report.pdf obs://secure/2026/report.pdf --sse kms",
                "obsctl mv obs://inbox/2026/ obs://archive/2026/ --recursive --sse obs",
                "obsctl mv obs://outbox/batch.csv ./batch.csv",
            ]))

        @OptionGroup var transfer: TransferArguments
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            guard transfer.source != "-" && transfer.destination != "-" else {
                throw OBSError.invalidArgument("mv cannot move stdin or stdout ('-'); use cp")
            }
            try await transfer.run(ctx, removeSources: true)
        }
    }
}

/// What cp and mv take: a source, a destination, and the options of the upload, download or copy they become.
struct TransferArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("Source: a local path, - for stdin, or obs://BUCKET/KEY.", valueName: "source"), completion: .pathOrObject)
    var source: String
    @Argument(help: ArgumentHelp("Destination: a local path, - for stdout, or obs://BUCKET/KEY.", valueName: "destination"), completion: .pathOrObject)
    var destination: String
    @Flag(name: [.short, .long], help: "Take directories or prefixes with everything below them.") var recursive = false
    @OptionGroup var settings: TransferSettings

    /// `removeSources` (mv): each source is removed once its copy is written and verified, never before.
    func run(_ ctx: CommandContext, removeSources: Bool) async throws {
        switch (OBSURL.isOBSURL(source), OBSURL.isOBSURL(destination)) {
        case (false, false):
            throw OBSError.invalidArgument("neither '\(source)' nor '\(destination)' is an obs:// address; use cp(1) for local copies")
        case (false, true):
            try await Obsctl.Upload.upload(ctx, paths: [source], to: try OBSURL(destination), recursive: recursive, options: try settings.forUpload(),
                                           removeSources: removeSources)
        case (true, false):
            let (key, transfer) = try settings.forDownload()
            try await Obsctl.Download.download(ctx, source: try OBSURL(source), path: destination, recursive: recursive, customerKey: key,
                                               transfer: transfer, removeSources: removeSources)
        case (true, true):
            try await copyObjects(ctx, from: try OBSURL(source), to: try OBSURL(destination), removeSources: removeSources)
        }
    }

    private func copyObjects(_ ctx: CommandContext, from src: OBSURL, to dst: OBSURL, removeSources: Bool) async throws {
        let copies = try settings.forCopy()
        var pairs: [(ObjectKey, ObjectKey)] = []
        var sizes: [String: Int64] = [:]
        var damaged = 0
        if recursive {
            let prefix = Transfers.directoryPrefix(src.path), target = Transfers.directoryPrefix(dst.path)
            try Transfers.refuseNestedPrefixes(src, prefix, dst, target)
            let listing = try await ctx.storage.listAllObjects(bucket: src.bucket, prefix: prefix)
            Listings.report(listing.unreadable)
            damaged = listing.unreadable.count
            for o in listing.objects {
                sizes[o.key.value] = o.size
                pairs.append((o.key, try ObjectKey(target + o.key.value.dropFirst(prefix.count))))
            }
        } else {
            let key = try src.objectKey()
            let target = dst.path.isEmpty || dst.path.hasSuffix("/") ? try ObjectKey(dst.path + Transfers.baseName(key.value)) : try dst.objectKey()
            pairs = [(key, target)]
        }
        if removeSources && src.bucket == dst.bucket, let same = pairs.first(where: { $0.0 == $0.1 }) {
            throw OBSError.invalidArgument("cannot move obs://\(src.bucket)/\(same.0) onto itself; to change its encryption in place use cp")
        }
        if damaged > 0 && pairs.isEmpty { throw Listings.failure(unreadable: damaged, succeeded: 0) }
        do {
            _ = try await Transfers.runAll(ctx, pairs, verb: "copy", size: { sizes[$0.0.value] },
                                           describe: { "obs://\(src.bucket)/\($0.0)" }) { pair, _ in
                let request = copies.request(from: src.bucket, pair.0, to: dst.bucket, pair.1)
                // A move deletes the source only if it is still the version it was before the copy.
                let sourceETag: String?, info: ObjectInfo
                do {
                    sourceETag = removeSources ? try await ctx.storage.headObject(request.source).etag : nil
                    info = try await copies.copy(ctx, request)
                } catch {
                    throw recursive ? error : await Transfers.prefixHint(ctx, error, src.bucket, pair.0, verb: "copy")
                }
                let from = "obs://\(src.bucket)/\(pair.0)", to = "obs://\(dst.bucket)/\(pair.1)"
                if let sourceETag {
                    try await Transfers.removeObjectSource(ctx, request.source, etag: sourceETag, movedTo: to)
                }
                if !ctx.output.isJSON {
                    let verb = removeSources ? "move" : "copy"
                    ctx.output.report("\(verb): \(from) -> \(to) (\(Transfers.describe(info)))")
                }
                return Transfers.record(source: from, destination: to, info)
            }
        } catch let f as CommandFailure where damaged > 0 { _ = f; throw CommandFailure(exitCode: .partial) }
        if damaged > 0 { throw Listings.failure(unreadable: damaged, succeeded: pairs.count) }
    }
}
