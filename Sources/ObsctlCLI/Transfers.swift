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

    // MARK: Running plan steps

    /// Runs the transfer steps of a plan through the engine (`TransferEngine.perform`, one code path for every
    /// direction), `ctx.jobs` at once: progress, a report line each (`upload: a -> obs://b/a (...)`, `move:` for
    /// mv), failures reported as they happen. `hint`: the verb of a single download or copy whose "no such key"
    /// may mean a folder (`prefixHint`).
    static func runSteps(_ ctx: CommandContext, _ steps: [PlanStep], _ options: StepOptions, hint: String? = nil)
        async throws -> Outcome
    {
        let engine = ctx.engine
        let dataOnStdout = steps.contains { $0.destination == .file("-") }
        let verb = steps.first?.operation.rawValue ?? "copy"
        return try await runEach(
            ctx, steps, verb: verb, dataOnStdout: dataOnStdout,
            size: { s in s.size ?? s.source.path.flatMap(TransferEngine.fileSize) },
            describe: { $0.source.description }
        ) { step, counter in
            let info: ObjectInfo
            do { info = try await engine.perform(step, options, counter: counter) } catch {
                guard let hint, case .object(let bucket, let key) = step.source else { throw error }
                throw await prefixHint(ctx, error, bucket, key, verb: hint)
            }
            let source = step.source.description, target = step.destination?.description ?? ""
            if !ctx.output.isJSON && target != "-" {
                let shown = options.move ? "move" : step.operation.rawValue
                ctx.output.report("\(shown): \(source) -> \(target) (\(describe(info)))")
            }
            return record(source: source, destination: target, info)
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

    /// Removes `locations` (objects of a bucket, or local files) through the engine, `ctx.jobs` at once. Lines and
    /// records come as items complete; the outcome keeps the input order.
    static func delete(_ ctx: CommandContext, _ locations: [Location]) async -> Deletions {
        var outcome = Deletions()
        let run = try? await ctx.engine.delete(locations, executor: TransferExecutor(jobs: ctx.jobs)) { event in
            switch event {
            case .deleted(let d):
                var record: [String: Any] = ["type": "deleted", "url": d.item]
                if let bucket = d.bucket, let key = d.key { record["bucket"] = bucket; record["key"] = key }
                outcome.deleted(ctx, d.item, record: record)
            case .failed(let f): outcome.failed(ctx, f.item, TransferEvent.Failed.obsError(f.error))
            default: break
            }
        }
        // Reported as they came; the summary lists them in input order.
        if let run {
            outcome.done = run.deleted
            outcome.failures = run.failures
        }
        return outcome
    }

    /// What `runEach` did: the records of the items that succeeded, and each failure with its item's description.
    struct Outcome {
        var done: [[String: Any]] = []
        var failures: [(item: String, error: OBSError)] = []
    }

    /// Runs `items`, `ctx.jobs` at once (`TransferExecutor`), reporting each failure as it happens and continuing
    /// with the rest: failures come back in the outcome, one item or many, so that `--output json` and `ndjson`
    /// report them in the same shape (`summarize`). `verb` and `size` feed the progress display; `body` gets the
    /// counter its bytes go to. `dataOnStdout`: the objects' bytes go to stdout, so JSON summaries and NDJSON
    /// records go to stderr instead. A single item's error line is the command's own error, without
    /// the item's name in front. Report lines, error lines and NDJSON records come in completion order; the
    /// outcome (and so the JSON summary) keeps the input order.
    private static func runEach<Item>(
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

/// Download temporaries registered with `Interrupts`, so SIGINT removes them.
struct InterruptTemps: TempFileRegistry {
    func create(_ path: String) -> Int32 { Interrupts.createTemp(path) }
    func release(_ path: String) { Interrupts.unregisterTemp(path) }
}

extension CommandContext {
    /// The transfer engine over this command's backend, its temporaries removed on SIGINT, `-` being stdout.
    var engine: TransferEngine {
        TransferEngine(
            storage: storage, isRemote: isRemote, temps: InterruptTemps(), standardOutput: { StandardOutputSink() })
    }
}
