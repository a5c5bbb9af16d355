import Foundation
import OBSCore
import OBSCrypto
import OBSTransfer
#if canImport(Glibc)
import Glibc
#endif

/// Upload, download and copy of single objects, shared by `upload`, `download`, `cp`, `mv` and `sync`, so each
/// rule lives once (what goes where is OBSTransfer's `Planner`).
enum Transfers {
    // MARK: Reporting what a plan leaves out

    /// One error line for a local file whose name is not UTF-8 (it is skipped).
    static func reportInvalidName(_ path: String) {
        Output.stderr(
            "obsctl: error: file name \(path) is not valid UTF-8, so it cannot become an object key; "
                + "rename the file; skipped")
    }

    /// One error line for an object whose key is no safe relative path below a local directory (it is skipped).
    static func reportUnsafeKey(_ key: String, below directory: String) {
        Output.stderr(
            "obsctl: error: object key '\(key)' cannot be written safely below \(directory) "
                + "(empty, '.' or '..' segment); skipped")
    }

    static func guessContentType(_ path: String) -> String {
        let types = [
            "txt": "text/plain", "html": "text/html", "htm": "text/html", "css": "text/css", "csv": "text/csv",
            "json": "application/json", "xml": "application/xml", "js": "application/javascript",
            "pdf": "application/pdf",
            "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar", "png": "image/png",
            "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml",
            "md": "text/markdown",
            "mp4": "video/mp4", "wasm": "application/wasm", "yaml": "application/yaml", "yml": "application/yaml",
        ]
        let name = KeyMapping.baseName(path)
        let ext = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
        return types[ext] ?? "application/octet-stream"
    }

    // MARK: Single transfers

    struct UploadOptions {
        var sse: SSERequest?
        var contentType: String?
        var metadata: [String: String]
        var transfer = TransferOptions()
        /// --expect-sse: what the stored object must report.
        var expected: ExpectedSSE? = nil

        init(
            _ sse: SSEOptions, _ customerKey: CustomerKeyOptions, _ attributes: ObjectAttributeOptions,
            _ tuning: TransferTuningOptions
        ) throws {
            self.sse = try sse.request(customerKey: try customerKey.load())
            contentType = attributes.contentType
            metadata = try parseMetadata(attributes.metadata)
            transfer = try tuning.options()
            expected = sse.expectSse
        }
    }

    /// Uploads a local file (or stdin for `-`) to one object, streaming, then checks --expect-sse.
    static func upload(
        _ ctx: CommandContext, from path: String, to bucket: BucketName, key: ObjectKey, options: UploadOptions,
        counter: TransferCounter? = nil
    ) async throws -> ObjectInfo {
        let fd: Int32
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let e = errno
                throw OBSError(
                    code: "NotFound", message: "cannot read local file \(path): \(String(cString: strerror(e)))",
                    httpStatus: 0, category: e == ENOENT ? .notFound : .general)
            }
            var st = stat()
            fstat(fd, &st)
            if (st.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                throw OBSError.invalidArgument("\(path) is a directory; pass --recursive to upload its files")
            }
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        let request = PutObjectRequest(
            bucket: bucket, key: key, sse: options.sse,
            contentType: options.contentType ?? (path == "-" ? "application/octet-stream" : guessContentType(path)),
            userMetadata: options.metadata, transfer: options.transfer)
        let source = FileDescriptorSource.make(fd: fd, path: path == "-" ? "stdin" : path)
        source.counter = counter
        let info = try await ctx.storage.putObject(request, body: source)
        try options.expected?.check(info)
        return info
    }

    /// Downloads one object to `path` (stdout for `-`). A file is written to a temp file beside it and renamed only
    /// after every byte verified, so a failed download leaves no file and never a partial one.
    static func download(
        _ ctx: CommandContext, _ request: GetObjectRequest, to path: String, counter: TransferCounter? = nil
    ) async throws -> ObjectInfo {
        func counted(_ sink: ByteSink) -> ByteSink { counter.map { ProgressSink.counting(sink, $0) } ?? sink }
        if path == "-" { return try await ctx.storage.getObject(request, into: counted(StandardOutputSink())) }
        if LocalTree.isDirectory(path) {
            throw OBSError.invalidArgument(
                "\(path) is a directory; name a file, or end the path with / to download "
                    + "into it")
        }
        let dir = LocalPath.parent(path)
        if !dir.isEmpty {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw OBSError.localIO(
                    "cannot create directory \(dir): a file of that name is in the way, or it is not writable")
            }
        }
        DownloadTemps.sweep(dir)
        let tmp = DownloadTemps.name(for: path)
        // 0600 and locked while written (plaintext of encrypted objects); read back when a checksum is verified.
        let fd = Interrupts.createTemp(tmp)
        defer { Interrupts.unregisterTemp(tmp) }
        guard fd >= 0 else { throw OBSError.localIO("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        do {
            let info: ObjectInfo
            do {
                // The sink is released (its writer stopped) at the end of this scope, before fd is closed.
                // Local objects stream in order: straight to the disk (O_DIRECT). Remote ones may come as ranges.
                let sink = PipelinedFileSink(fd: fd, path: path, directIO: !ctx.isRemote)
                info = try await ctx.storage.getObject(request, into: counted(sink))
                try sink.finish()
            }
            // The finished file gets the mode of any file the user creates; only the temporary is private. The
            // fsync waits for the disk: on the blocking pool, never on one of the cooperative pool's two threads.
            try await BlockingPool.shared.run {
                fchmod(fd, DownloadTemps.defaultFileMode)
                guard fsync(fd) == 0 else {
                    throw OBSError.localIO("cannot fsync \(tmp): \(String(cString: strerror(errno)))")
                }
                guard rename(tmp, path) == 0 else {
                    throw OBSError.localIO("cannot rename \(tmp) to \(path): \(String(cString: strerror(errno)))")
                }
            }
            close(fd)
            return info
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
    }

    /// A "no such key" for a key that names a folder (it ends in '/', or objects lie under KEY/) becomes one that
    /// says so and names --recursive: `download obs://b/dir/ .` is a common first try. Other errors pass unchanged.
    /// `verb` nil: the command has no --recursive, and the hint is `obsctl ls`.
    static func prefixHint(
        _ ctx: CommandContext, _ error: Error, _ bucket: BucketName, _ key: ObjectKey,
        verb: String?
    ) async -> Error {
        guard let e = error as? OBSError, e.category == .notFound, e.code != "NoSuchBucket" else { return error }
        let folder = KeyMapping.directoryPrefix(key.value)
        let page = try? await ctx.storage.listObjects(
            bucket: bucket, prefix: folder, delimiter: nil, marker: nil,
            maxKeys: 1)
        let hasObjects = page.map { !$0.objects.isEmpty } ?? false
        guard hasObjects || key.value.hasSuffix("/") else { return error }
        let what = hasObjects ? "objects lie under obs://\(bucket)/\(folder)" : "\(key) ends in '/', as folders do"
        let fix =
            verb.map { "pass --recursive (-r) to \($0) everything under it" }
            ?? "list it with 'obsctl ls obs://\(bucket)/\(folder)'"
        return OBSError(
            code: e.code, message: "obs://\(bucket)/\(key) is not an object, but \(what): \(fix)",
            httpStatus: e.httpStatus, category: e.category)
    }

    // MARK: Moving (mv): the source goes only after its copy is written and verified

    /// What identifies a file's content for a move: the file is removed only if this is unchanged after the upload.
    struct FileSnapshot: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int, modifiedNanoseconds: Int

        /// The snapshot of a regular file (links followed); anything else cannot be moved.
        init(_ path: String) throws {
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw OBSError.localIO("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                throw OBSError.invalidArgument("\(path) is not a regular file; only files can be moved (use cp)")
            }
            device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
            modifiedSeconds = Int(st.st_mtim.tv_sec); modifiedNanoseconds = Int(st.st_mtim.tv_nsec)
        }
    }

    /// Removes the local file an upload came from, if it is still what was read: a file written to meanwhile (a
    /// growing log, an editor's save) is kept, and the move reported as failed. Nothing is lost either way.
    static func removeLocalSource(_ path: String, unchangedSince before: FileSnapshot, movedTo destination: String)
        throws
    {
        guard (try? FileSnapshot(path)) == before else {
            throw OBSError(
                code: "SourceChanged",
                message:
                    "\(path) changed while it was moved to \(destination); the object holds what was read, and the "
                    + "file is kept",
                httpStatus: 0, category: .conflict)
        }
        guard unlink(path) == 0 else {
            throw OBSError.localIO(
                "\(path) was copied to \(destination), but cannot be removed: \(String(cString: strerror(errno)))")
        }
    }

    /// Deletes the object a download or copy came from, if it is still the version that was read (`etag`): one
    /// written meanwhile is kept, and the move reported as failed.
    static func removeObjectSource(
        _ ctx: CommandContext, _ source: GetObjectRequest, etag: String, movedTo destination: String
    ) async throws {
        let name = "obs://\(source.bucket)/\(source.key)"
        let now = try await ctx.storage.headObject(source)
        guard now.etag == etag else {
            throw OBSError(
                code: "SourceChanged",
                message:
                    "\(name) changed while it was moved to \(destination); the copy holds the version read, and the "
                    + "object is kept",
                httpStatus: 0, category: .conflict)
        }
        do { try await ctx.storage.deleteObject(bucket: source.bucket, key: source.key) } catch let e as OBSError {
            throw OBSError(
                code: e.code, message: "\(name) was copied to \(destination), but cannot be deleted: \(e.message)",
                httpStatus: e.httpStatus, category: e.category)
        }
    }

    // MARK: Deleting several objects or files

    /// Deletions reported one by one as they are known (a `delete:` line, an NDJSON record, or an error line) and
    /// collected for the command's summary.
    struct Deletions {
        var done: [String] = []
        var failures: [(item: String, error: OBSError)] = []

        mutating func deleted(_ ctx: CommandContext, _ item: String, record: [String: Any]) {
            done.append(item)
            if ctx.output.isNDJSON {
                ctx.output.record(record)
            } else if !ctx.output.isJSON {
                ctx.output.report("delete: \(item)")
            }
        }

        mutating func failed(_ ctx: CommandContext, _ item: String, _ error: OBSError) {
            failures.append((item, error))
            Output.stderr("obsctl: error: \(item): \(Output.describe(error))")
            if ctx.output.isNDJSON { ctx.output.record(failureRecord(item, error)) }
        }
    }

    /// Deletes `keys` in batches of 1,000, `ctx.jobs` batches at once; a batch refused as a whole fails each of its
    /// keys. Lines and records come as batches complete; the outcome keeps the keys' order.
    static func deleteObjects(_ ctx: CommandContext, _ bucket: BucketName, keys: [ObjectKey]) async -> Deletions {
        var outcome = Deletions()
        let storage = SendableBox(ctx.storage)  // the backends lock what they share
        let batchSize = ctx.isRemote ? TransferExecutor.deleteBatchSize : localDeleteBatchSize
        let run = try? await TransferExecutor(jobs: ctx.jobs).deleteInBatches(
            bucket: bucket, keys: keys, batchSize: batchSize,
            events: { event in
                switch event {
                case .deleted(let d):
                    let record = Obsctl.Remove.deletedRecord(bucket, try ObjectKey(d.key ?? ""))
                    outcome.deleted(ctx, d.item, record: record)
                case .failed(let f): outcome.failed(ctx, f.item, TransferEvent.Failed.obsError(f.error))
                default: break
                }
            }
        ) { batch in try await storage.value.deleteObjects(bucket: bucket, keys: batch) }
        // Reported as they came; the summary lists them in the keys' order.
        if let run {
            outcome.done = run.deleted.map { "obs://\(bucket)/\($0)" }
            outcome.failures = run.failures.map { ("obs://\(bucket)/\($0.key)", $0.error) }
        }
        return outcome
    }

    /// The local backend deletes one key after another: smaller batches let --jobs spread them.
    static let localDeleteBatchSize = 100

    /// What `runEach` did: the records of the items that succeeded, and each failure with its item's description.
    struct Outcome {
        var done: [[String: Any]] = []
        var failures: [(item: String, error: OBSError)] = []
    }

    /// Runs `items`, `ctx.jobs` at once (`TransferExecutor`), reporting each failure as it happens and continuing
    /// with the rest. Returns the successful records; throws `CommandFailure` at the end if anything failed.
    /// `verb` and `size` feed the progress display; `body` gets the counter its bytes go to.
    /// `dataOnStdout`: the objects' bytes go to stdout, so JSON summaries and NDJSON records go to stderr instead.
    static func runAll<Item>(
        _ ctx: CommandContext, _ items: [Item], verb: String, dataOnStdout: Bool = false,
        size: (Item) -> Int64? = { _ in nil }, describe: (Item) -> String,
        _ body: @escaping (Item, TransferCounter) async throws -> [String: Any]
    )
        async throws -> [[String: Any]]
    {
        let outcome = try await runEach(
            ctx, items, verb: verb, dataOnStdout: dataOnStdout, size: size, describe: describe, body)
        try summarize(ctx, outcome, dataOnStdout: dataOnStdout)
        return outcome.done
    }

    /// `runAll` without the summary: failures come back in the outcome, one item or many, so that `--output json`
    /// and `ndjson` report them in the same shape. A single item's error line is the command's own error, without
    /// the item's name in front. Report lines, error lines and NDJSON records come in completion order; the
    /// outcome (and so the JSON summary) keeps the input order.
    static func runEach<Item>(
        _ ctx: CommandContext, _ items: [Item], verb: String, dataOnStdout: Bool = false,
        size: (Item) -> Int64? = { _ in nil }, describe: (Item) -> String,
        _ body: @escaping (Item, TransferCounter) async throws -> [String: Any]
    )
        async throws -> Outcome
    {
        let sizes = items.map(size), names = items.map(describe)
        let total: Int64? = sizes.contains(where: { $0 == nil }) ? nil : sizes.reduce(0) { $0 + ($1 ?? 0) }
        let progress = Progress(
            style: ctx.progressStyle, verb: verb, files: items.count, totalBytes: total, environment: ctx.environment)
        defer { progress.end() }
        // The command's state the bodies capture is only read once planning is done; what they share (storage,
        // output, progress, interrupts) locks inside. So the bodies may run at once.
        let work = SendableBox((items: items, body: body))
        let run = try await TransferExecutor(jobs: ctx.jobs).run(
            Array(items.indices), describe: { names[$0] }, size: { sizes[$0] },
            shouldStart: { !Interrupts.isInterrupting },
            events: { event in
                guard case .failed(let failed) = event else { return }
                let e = TransferEvent.Failed.obsError(failed.error)
                if e.code == StandardStreams.readerGoneCode { throw e }  // stdout's reader left: nothing more to say
                Output.stderr("obsctl: error: " + (items.count == 1 ? "" : "\(failed.item): ") + Output.describe(e))
                if ctx.output.isNDJSON { ctx.output.record(failureRecord(failed.item, e), toStderr: dataOnStdout) }
            },
            completed: { _, result in
                guard ctx.output.isNDJSON, case .success(let record) = result else { return }
                ctx.output.record(["type": "transfer"].merging(record.value) { a, _ in a }, toStderr: dataOnStdout)
            }
        ) { (item: TransferExecutor.Work<Int>) -> SendableBox<[String: Any]> in
            let file = progress.begin(names[item.index], size: sizes[item.index], counter: item.counter)
            do {
                let record = try await work.value.body(work.value.items[item.index], item.counter)
                progress.finish(file, bytes: (record["size"] as? Int64) ?? item.counter.value)
                return SendableBox(record)
            } catch {
                progress.finish(file, bytes: nil)
                throw error
            }
        }
        progress.end()
        var outcome = Outcome()
        for (i, slot) in run.results.enumerated() {
            switch slot {
            case .done(let record): outcome.done.append(record.value)
            case .failed(let error): outcome.failures.append((names[i], TransferEvent.Failed.obsError(error)))
            case .notStarted: break
            }
        }
        return outcome
    }

    /// The JSON summary (`{"transfers","failures"}` plus `extra`), then `CommandFailure` if anything failed: exit 8
    /// when something else succeeded (`succeeded`, beyond the transfers), else the failure's code.
    static func summarize(
        _ ctx: CommandContext, _ outcome: Outcome, dataOnStdout: Bool = false, extra: [String: Any] = [:],
        succeeded: Int = 0
    ) throws {
        if ctx.output.isJSON && !ctx.output.isNDJSON {
            let summary: [String: Any] = ["transfers": outcome.done, "failures": failureEntries(outcome.failures)]
                .merging(extra) { a, _ in a }
            if dataOnStdout { Output.stderr(Output.jsonText(summary)) } else { ctx.output.json(summary) }
        }
        if let first = outcome.failures.first {
            let total = outcome.done.count + succeeded + outcome.failures.count
            if total > 1 {
                ctx.output.note("\(outcome.done.count + succeeded) succeeded, \(outcome.failures.count) failed")
            }
            throw failure(succeeded: outcome.done.count + succeeded, first: first.error)
        }
    }

    /// A single-item command (rm KEY, multipart abort --upload-id) that failed: with --output json the same
    /// `{"<done>": [], "failures": [...]}` document as its several-item form, with ndjson a failure record; then the
    /// error line and the failure's exit code. In text the error is returned for the caller to throw as it is.
    static func singleFailure(_ ctx: CommandContext, _ item: String, _ error: Error, doneKey: String) -> Error {
        guard ctx.output.isJSON, let e = error as? OBSError else { return error }
        Output.stderr("obsctl: error: \(Output.describe(e))")
        if ctx.output.isNDJSON {
            ctx.output.record(failureRecord(item, e))
        } else {
            ctx.output.json([doneKey: [Any](), "failures": failureEntries([(item, e)])] as [String: Any])
        }
        return CommandFailure(exitCode: ObsctlExitCode(e.category))
    }

    /// The exit of a command over several items that did not all succeed: 8 (partial) when some did, else the
    /// first failure's own code.
    static func failure(succeeded: Int, first: OBSError) -> CommandFailure {
        CommandFailure(exitCode: succeeded > 0 ? .partial : ObsctlExitCode(first.category))
    }

    /// The `failures` of a JSON summary: failure records without their NDJSON `type`.
    static func failureEntries(_ failures: [(item: String, error: OBSError)]) -> [[String: Any]] {
        failures.map { failureRecord($0.item, $0.error).filter { $0.key != "type" } }
    }

    /// A failed item: `{"type":"failure","item","code","message","exit_code"}`.
    static func failureRecord(_ item: String, _ e: OBSError) -> [String: Any] {
        [
            "type": "failure", "item": item, "code": e.code, "message": e.message,
            "exit_code": Int(ObsctlExitCode(e.category).rawValue),
        ]
    }

    static func record(source: String, destination: String, _ info: ObjectInfo) -> [String: Any] {
        ["source": source, "destination": destination, "size": info.size, "object": JSONShape.object(info)]
    }

    static func describe(_ info: ObjectInfo) -> String {
        var s = "\(info.size) bytes, \(TextShape.sse(info))"
        if let id = info.kmsKeyID { s += " key \(id)" }
        if info.sseOrigin == .bucketDefault { s += " (bucket default)" }
        return s
    }
}
