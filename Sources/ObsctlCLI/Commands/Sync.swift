import ArgumentParser
import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

extension Obsctl {
    struct Sync: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a prefix or directory hold what another holds: copy what is missing, of another size, or newer.",
            discussion: Manual.discussion([
                "A directory to obs://BUCKET[/PREFIX] uploads, obs:// to a directory downloads, obs:// to obs:// copies "
                    + "server side; everything below the source is taken. A file or object is transferred when the "
                    + "destination has none under its name, or one of another size, or (unless --size-only) an older one. "
                    + "Sizes and times are compared, never ETags, which are no checksum for encrypted or multipart "
                    + "objects. Downloaded files get the object's time, so the next run skips them.",
                "--delete then removes what the destination holds and the source does not (files, never directories), "
                    + "and only when every transfer succeeded. --dry-run prints the plan and changes nothing.",
            ], examples: [
                "obsctl sync ./site obs://web/ --delete --sse obs",
                "obsctl sync obs://backups/db/ ./restore --sse-c-key-file key.bin",
                "obsctl sync obs://reports/2026/ obs://archive/2026/ --dry-run",
            ]))

        @Argument(help: ArgumentHelp("Source: a local directory or obs://BUCKET[/PREFIX].", valueName: "source"), completion: .pathOrObject)
        var source: String
        @Argument(help: ArgumentHelp("Destination: a local directory or obs://BUCKET[/PREFIX].", valueName: "destination"), completion: .pathOrObject)
        var destination: String
        @Flag(help: "Remove from the destination what the source does not hold (after every transfer succeeded).") var delete = false
        @Flag(help: "Print what would be transferred and removed; change nothing.") var dryRun = false
        @Flag(help: "Compare sizes only, not times.") var sizeOnly = false
        @OptionGroup var settings: TransferSettings
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions

        /// One side's entries by relative name: size and modification time.
        typealias Listing = [String: (size: Int64, modified: Date)]

        func run(_ ctx: CommandContext) async throws {
            switch (OBSURL.isOBSURL(source), OBSURL.isOBSURL(destination)) {
            case (false, false):
                throw OBSError.invalidArgument("neither '\(source)' nor '\(destination)' is an obs:// address; use rsync(1) for local directories")
            case (false, true): try await upload(ctx, to: try OBSURL(destination))
            case (true, false): try await download(ctx, from: try OBSURL(source))
            case (true, true): try await copy(ctx, from: try OBSURL(source), to: try OBSURL(destination))
            }
        }

        /// What to transfer: names the destination lacks, holds at another size or (unless --size-only) older.
        /// Times are compared in whole seconds, as servers keep them: a file written in the second of its upload
        /// is not newer than its object.
        /// An empty source with --delete is refused: more likely an unmounted disk or a wrong path than a wish to
        /// empty the destination (which `rm --recursive` says plainly).
        func plan(_ from: Listing, _ to: Listing) throws -> (transfer: [String], remove: [String]) {
            let seconds = { (d: Date) in d.timeIntervalSince1970.rounded(.down) }
            let transfer = from.keys.sorted().filter { name in
                guard let there = to[name], let here = from[name] else { return true }
                return there.size != here.size || (!sizeOnly && seconds(here.modified) > seconds(there.modified))
            }
            let remove = delete ? to.keys.filter { from[$0] == nil }.sorted() : []
            if from.isEmpty && !remove.isEmpty {
                throw OBSError.invalidArgument("\(source) holds nothing, so --delete would remove all \(remove.count) under \(destination); "
                                               + "check the source, or empty the destination with rm --recursive")
            }
            return (transfer, remove)
        }

        // MARK: The three directions

        private func upload(_ ctx: CommandContext, to dest: OBSURL) async throws {
            guard Transfers.isDirectory(source) else { throw OBSError.invalidArgument("\(source) is not a directory; sync takes a directory (cp takes a file)") }
            let options = try settings.forUpload()
            let prefix = Transfers.directoryPrefix(dest.path)
            var invalid: [String] = []
            let local = try Self.localListing(source, invalidNames: &invalid)
            invalid.forEach(Transfers.reportInvalidName)
            let listed = try await Self.objectListing(ctx, dest.bucket, prefix)
            let remote = listed.objects   // keys no file can have stay
            let (transfer, remove) = try plan(local, remote)
            let target = { (name: String) in "obs://\(dest.bucket)/\(prefix)\(name)" }
            if dryRun { return report(ctx, transfer.map { ("upload", LocalPath.join(source, $0), target($0)) }, remove.map(target)) }
            let ok = try await transferAll(ctx, transfer, verb: "upload", size: { local[$0]?.size }, describe: { LocalPath.join(source, $0) }) { name, counter in
                let info = try await Transfers.upload(ctx, from: LocalPath.join(source, name), to: dest.bucket, key: try ObjectKey(prefix + name),
                                                      options: options, counter: counter)
                return ("upload: \(LocalPath.join(source, name)) -> \(target(name)) (\(Transfers.describe(info)))",
                        Transfers.record(source: LocalPath.join(source, name), destination: target(name), info))
            }
            try await finish(ctx, ok, skipped: listed.damaged + invalid.count) {
                await Transfers.deleteObjects(ctx, dest.bucket, keys: try remove.map { try ObjectKey(prefix + $0) })
            }
        }

        private func download(_ ctx: CommandContext, from src: OBSURL) async throws {
            let (key, options) = try settings.forDownload()
            guard !FileManager.default.fileExists(atPath: destination) || Transfers.isDirectory(destination) else {
                throw OBSError.invalidArgument("\(destination) is not a directory; sync writes into a directory")
            }
            let prefix = Transfers.directoryPrefix(src.path)
            let remote = try await Self.objectListing(ctx, src.bucket, prefix)
            for key in remote.unsafe { Transfers.reportUnsafeKey(key, below: destination) }
            var unnamable: [String] = []  // not UTF-8: no object can have that name, so --delete never sees them
            let local = Transfers.isDirectory(destination)
                ? try Self.localListing(destination, invalidNames: &unnamable) : [:]
            let (transfer, remove) = try plan(remote.objects, local)
            let object = { (name: String) in "obs://\(src.bucket)/\(prefix)\(name)" }
            if dryRun { return report(ctx, transfer.map { ("download", object($0), LocalPath.join(destination, $0)) }, remove.map { LocalPath.join(destination, $0) }) }
            let ok = try await transferAll(ctx, transfer, verb: "download", size: { remote.objects[$0]?.size }, describe: object) { name, counter in
                let path = LocalPath.join(destination, name)
                let info = try await Transfers.download(ctx, GetObjectRequest(bucket: src.bucket, key: try ObjectKey(prefix + name), customerKey: key, transfer: options),
                                                        to: path, counter: counter)
                Self.setModified(path, info.lastModified)  // the next run then finds it as new as the object
                return ("download: \(object(name)) -> \(path) (\(Transfers.describe(info)))", Transfers.record(source: object(name), destination: path, info))
            }
            let skipped = remote.unsafe.count + remote.damaged
            try await finish(ctx, ok, skipped: skipped, sourceIncomplete: remote.damaged > 0) {
                var outcome = Transfers.Deletions()
                for name in remove {
                    let path = LocalPath.join(destination, name)
                    if unlink(path) == 0 { outcome.deleted(ctx, path, record: ["type": "deleted", "url": path]) }
                    else { outcome.failed(ctx, path, OBSError.localIO("cannot remove \(path): \(String(cString: strerror(errno)))")) }
                }
                return outcome
            }
        }

        private func copy(_ ctx: CommandContext, from src: OBSURL, to dst: OBSURL) async throws {
            let from = Transfers.directoryPrefix(src.path), to = Transfers.directoryPrefix(dst.path)
            guard src.bucket != dst.bucket || from != to else { throw OBSError.invalidArgument("cannot sync obs://\(src.bucket)/\(from) with itself") }
            try Transfers.refuseNestedPrefixes(src, from, dst, to)
            let sourceListing = try await Self.objectListing(ctx, src.bucket, from, asLocalPaths: false)
            let sourceObjects = sourceListing.objects
            let destinationListing = try await Self.objectListing(ctx, dst.bucket, to, asLocalPaths: false)
            let (transfer, remove) = try plan(sourceObjects, destinationListing.objects)
            let copies = try settings.forCopy()
            let name = { (bucket: BucketName, prefix: String, rel: String) in "obs://\(bucket)/\(prefix)\(rel)" }
            if dryRun { return report(ctx, transfer.map { ("copy", name(src.bucket, from, $0), name(dst.bucket, to, $0)) }, remove.map { name(dst.bucket, to, $0) }) }
            let ok = try await transferAll(ctx, transfer, verb: "copy", size: { sourceObjects[$0]?.size }, describe: { name(src.bucket, from, $0) }) { rel, _ in
                let info = try await copies.copy(ctx, copies.request(from: src.bucket, try ObjectKey(from + rel), to: dst.bucket, try ObjectKey(to + rel)))
                let a = name(src.bucket, from, rel), b = name(dst.bucket, to, rel)
                return ("copy: \(a) -> \(b) (\(Transfers.describe(info)))", Transfers.record(source: a, destination: b, info))
            }
            let damaged = sourceListing.damaged + destinationListing.damaged
            try await finish(ctx, ok, skipped: damaged, sourceIncomplete: sourceListing.damaged > 0) {
                await Transfers.deleteObjects(ctx, dst.bucket, keys: try remove.map { try ObjectKey(to + $0) })
            }
        }

        // MARK: Shared steps

        /// Runs the transfers through `Transfers.runEach` (progress, a report line each, failures reported as they
        /// happen); `body` returns the report line and the record.
        private func transferAll(_ ctx: CommandContext, _ names: [String], verb: String, size: @escaping (String) -> Int64?,
                                 describe: @escaping (String) -> String,
                                 _ body: @escaping (String, TransferCounter) async throws -> (String, [String: Any])) async throws -> Transfers.Outcome {
            let outcome = try await Transfers.runEach(ctx, names, verb: verb, size: size, describe: describe) { name, counter in
                let (line, record) = try await body(name, counter)
                if !ctx.output.isJSON { ctx.output.report(line) }
                return record
            }
            return outcome
        }

        /// Removals (--delete) run only when every transfer succeeded; then one summary for both, and the failure, if
        /// any. `skipped`: objects left out as unsafe local paths, which make the run partial (exit 8), as download
        /// --recursive does; so do damaged objects in a listing. `sourceIncomplete`: the source listing left damaged
        /// objects out, so the destination's copies of them must not be taken for extra ones.
        private func finish(_ ctx: CommandContext, _ transfers: Transfers.Outcome, skipped: Int = 0,
                            sourceIncomplete: Bool = false,
                            removals: () async throws -> Transfers.Deletions) async throws {
            var removed = Transfers.Deletions()
            if delete {
                if sourceIncomplete {
                    ctx.output.note("nothing was removed from \(destination): the source holds objects that cannot "
                                    + "be read")
                }
                else if transfers.failures.isEmpty { removed = try await removals() }
                else { ctx.output.note("nothing was removed from \(destination): not every transfer succeeded") }
            }
            if transfers.done.isEmpty && transfers.failures.isEmpty && removed.done.isEmpty && removed.failures.isEmpty && !ctx.output.isJSON {
                ctx.output.note("nothing to do: \(destination) is up to date with \(source)")
            }
            let all = Transfers.Outcome(done: transfers.done, failures: transfers.failures + removed.failures)
            try Transfers.summarize(ctx, all, extra: delete ? ["deleted": removed.done] : [:], succeeded: removed.done.count)
            if skipped > 0 { throw CommandFailure(exitCode: .partial) }
        }

        private func report(_ ctx: CommandContext, _ transfers: [(String, String, String)], _ removals: [String]) {
            if ctx.output.isNDJSON {
                for (op, a, b) in transfers { ctx.output.record(["type": "planned", "operation": op, "source": a, "destination": b]) }
                for r in removals { ctx.output.record(["type": "planned", "operation": "delete", "url": r]) }
                return
            }
            if ctx.output.isJSON {
                ctx.output.json(["dry_run": true, "transfers": transfers.map { ["operation": $0.0, "source": $0.1, "destination": $0.2] },
                                 "deletions": removals] as [String: Any])
                return
            }
            for (op, a, b) in transfers { ctx.output.line("(dry run) \(op): \(a) -> \(b)") }
            for r in removals { ctx.output.line("(dry run) delete: \(r)") }
        }

        // MARK: Listings

        /// Regular files below `dir`, by path relative to it.
        static func localListing(_ dir: String, invalidNames: inout [String]) throws -> Listing {
            var out: Listing = [:]
            for rel in try Transfers.filesBelow(dir, invalidNames: &invalidNames) {
                var st = stat()
                guard stat(LocalPath.join(dir, rel), &st) == 0 else { continue }
                out[rel] = (Int64(st.st_size), Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9))
            }
            return out
        }

        /// Objects below `prefix`, by key relative to it. For a local side (`asLocalPaths`), console folder markers
        /// are left out, and so are keys that are no safe relative path (empty, '.' or '..' segments): those come
        /// back in `unsafe`. Between prefixes every key is taken.
        static func objectListing(_ ctx: CommandContext, _ bucket: BucketName, _ prefix: String,
                                  asLocalPaths: Bool = true) async throws
            -> (objects: Listing, unsafe: [String], damaged: Int) {
            var out: Listing = [:], unsafe: [String] = []
            let listing = try await ctx.storage.listAllObjects(bucket: bucket, prefix: prefix)
            Listings.report(listing.unreadable)  // and counted as skipped
            for o in listing.objects {
                guard asLocalPaths else { out[String(o.key.value.dropFirst(prefix.count))] = (o.size, o.lastModified); continue }
                if o.key.value.hasSuffix("/") && o.size == 0 { continue }
                guard let rel = Transfers.safeRelativePath(key: o.key.value, prefix: prefix) else { unsafe.append(o.key.value); continue }
                out[rel] = (o.size, o.lastModified)
            }
            return (out, unsafe, listing.unreadable.count)
        }

        /// Gives a downloaded file its object's time, unless the server sent none (the listing's 1970 fallback).
        static func setModified(_ path: String, _ date: Date) {
            guard date.timeIntervalSince1970 > 0 else { return }
            try? FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
        }
    }
}
