import Foundation
import OBSCore
import OBSTransfer

/// How `upload`, `download`, `cp`, `mv`, `sync` and `rm` run a plan through OBSTransfer's `TransferEngine` and
/// report it: progress, a line or record per item as it completes, errors, the summary and the exit code. What goes
/// where is the engine's `Planner`; how each item is moved is its `perform`.
enum Transfers {
    /// A recursive download's destination must be a directory or not exist yet: one error before any listing,
    /// not one per object. A file named with a trailing `/` (`file/`), or standing anywhere on the way
    /// (`file/new`), fails stat with ENOTDIR: the same error, in a dry run too, not one per object later.
    static func requireDirectoryDestination(_ path: String, _ how: String) throws {
        var st = stat()
        let notADirectory = stat(path, &st) == 0 ? (st.st_mode & S_IFMT) != S_IFDIR : errno == ENOTDIR
        guard !notADirectory else {
            throw OBSError.invalidArgument(
                "\(path) is not a directory; \(how) writes into a directory: name one, or a new path")
        }
    }

    /// The planned files must go somewhere: when not one of the directories they need new entries in (each file's
    /// directory, or the nearest one that exists) takes them, one error before any transfer, not one per file.
    /// When some do, the run goes ahead and the others fail file by file. Streams (a FIFO, a device) need none.
    static func requireWritableDestinations(_ steps: [PlanStep]) throws {
        var seen = Set<String>()
        var refused: (directory: String, errno: Int32)?
        for step in steps {
            guard case .file(let path)? = step.destination, path != "-" else { continue }
            var st = stat()
            if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG { continue }
            var directory = LocalPath.parent(path)
            while !directory.isEmpty && directory != "/" && lstat(directory, &st) != 0 {
                directory = LocalPath.parent(directory)
            }
            if directory.isEmpty { directory = "." }
            // A file in the way is the run's to report (it names what is there); only directories are asked here.
            guard seen.insert(directory).inserted, LocalTree.isDirectory(directory) else { continue }
            if access(directory, W_OK | X_OK) == 0 { return }
            if refused == nil { refused = (directory, errno) }
        }
        guard let refused else { return }
        throw OBSError.localIO(
            "cannot write into \(refused.directory) (\(OBSError.reason(refused.errno))); fix its permissions or name "
                + "another destination", errno: refused.errno)
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
        guard hasObjects || KeyBytes.hasSuffix(key.value, "/") else { return error }
        let what = hasObjects ? "objects lie under obs://\(bucket)/\(folder)" : "\(key) ends in '/', as folders do"
        let fix =
            verb.map { "pass --recursive (-r) to \($0) everything under it" }
            ?? "list it with 'obsctl ls obs://\(bucket)/\(folder)'"
        return OBSError(
            code: e.code, message: "obs://\(bucket)/\(key) is not an object, but \(what): \(fix)",
            httpStatus: e.httpStatus, category: e.category)
    }

    // MARK: Running plan steps

    /// What `runSteps` did: the transfers that succeeded, and each failure with its item's description.
    struct Outcome {
        var done: [TransferShape] = []
        var failures: [(item: String, error: OBSError)] = []
        /// The failure every other step would have repeated, which stopped new starts: the run's exit code.
        var stoppedBy: OBSError?
        /// The object's bytes went to stdout (`StandardStreams.isStandardOutput`), so results go to stderr.
        var dataOnStdout = false
    }

    /// The local key every write of the run encrypts under, checked once before any transfer: the one `--sse kms`
    /// names (remotely, `resolvingKMSKey` checked it), else the default of each bucket uploaded into (an upload
    /// names no method: the default applies to every file). An unusable key then fails the run with one error, as
    /// its dry run does, rather than once per transfer already started. Copies between objects keep their sources'
    /// encryption, known only per object: they are not checked here.
    private static func checkLocalKeyOnce(_ ctx: CommandContext, _ steps: [PlanStep], _ options: StepOptions)
        async throws
    {
        guard !ctx.isRemote else { return }
        if case .kms(let ref)? = options.sse, steps.contains(where: { $0.operation != .download }) {
            try ctx.localKMS.checkEncryptionKey(ref)
        }
        guard options.sse == nil else { return }
        var buckets: [BucketName] = []
        for case .object(let bucket, _)? in steps.filter({ $0.operation == .upload }).map(\.destination)
        where !buckets.contains(bucket) {
            buckets.append(bucket)
        }
        for bucket in buckets {
            guard let encryption = try? await ctx.storage.bucketEncryption(bucket) else { continue }
            try ctx.checkKeyForWrite(nil, bucketDefault: encryption, bucket: bucket)
        }
    }

    /// What every request of `steps` would be refused for, refused once before anything is sent (and by a dry run,
    /// as its run would be), not once per object: SSE-KMS or SSE-C over plain HTTP to another machine, whether the
    /// objects are written with it, read with an SSE-C key, or copied from an SSE-C source.
    static func checkSecureTransport(_ ctx: CommandContext, _ steps: [PlanStep], _ options: StepOptions) throws {
        let customerKey = options.customerKey ?? options.sourceCustomerKey
        guard let mode = options.sse?.mode ?? (customerKey != nil ? .c : nil) else { return }
        let remote = steps.lazy.flatMap { [$0.source, $0.destination].compactMap { $0 } }.first { $0.key != nil }
        guard case .object(let bucket, _)? = remote else { return }
        try ctx.storage.checkSecureTransport(for: mode, what: "a transfer with obs://\(bucket)")
    }

    /// Runs the transfer steps of a plan through the engine (`TransferEngine.perform`, one code path for every
    /// direction), `ctx.jobs` at once (`TransferExecutor`), continuing past failures. Each item is reported as it
    /// completes: a report line (`upload: a -> obs://b/a (...)`, `move:` for mv) or an NDJSON record, an error line
    /// for a failure (without the item's name when it is the only one); the outcome keeps the input order for the
    /// JSON summary (`summarize`). `hint`: the verb of a single download or copy whose "no such key" may mean a
    /// folder (`prefixHint`). A download to stdout sends records to stderr.
    static func runSteps(_ ctx: CommandContext, _ steps: [PlanStep], _ options: StepOptions, hint: String? = nil)
        async throws -> Outcome
    {
        let executor = TransferExecutor(jobs: ctx.jobs)
        let options = try executor.bounding(steps.isEmpty ? options : ctx.resolvingKMSKey(options))
        try checkSecureTransport(ctx, steps, options)
        try await checkLocalKeyOnce(ctx, steps, options)
        let engine = ctx.engine
        let renderer = Renderer(ctx.output)
        // Only a single download writes through what the user named (a device, a FIFO): a planned path is a file.
        // Asked before the download: once a file is renamed over the one stdout is, they are no longer one.
        let dataOnStdout =
            steps.count == 1 && (steps[0].destination?.path.map(StandardStreams.isStandardOutput) ?? false)
        let stream: StandardStreams.Stream = dataOnStdout ? .stderr : .stdout
        let sizes = steps.map { s in s.size ?? s.source.path.flatMap(TransferEngine.fileSize) }
        let names = steps.map(\.source.description)
        let total: Int64? = sizes.contains(where: { $0 == nil }) ? nil : sizes.reduce(0) { $0 + ($1 ?? 0) }
        let progress = Progress(
            style: ctx.progressStyle, verb: options.move ? .move : ProgressVerb(steps.first?.operation ?? .copy),
            files: steps.count,
            totalBytes: total, environment: ctx.environment)
        defer { progress.end() }
        let verb = { (step: PlanStep) in (options.move ? ProgressVerb.move : ProgressVerb(step.operation)).rawValue }
        // What the bodies share (storage, progress, interrupts) locks inside, so they may run at once.
        let context = SendableBox(ctx)
        let stop = StopFlag()
        // A remote key reference is already resolved where KMS can be asked (`resolvingKMSKey`); a local alias is
        // resolved here, to compare with the key id a failure names.
        let targetKey: String? = {
            guard case .kms(let ref?)? = options.sse else { return nil }
            return ctx.isRemote ? ref : (try? ctx.kmsKeyID(ref)) ?? ref
        }()
        defer { Interrupts.removeEmptyTreeDirectories() }  // once every step is over, however the run ends
        let run = try await executor.run(
            steps, describe: { $0.source.description }, size: { _ in nil },
            shouldStart: { !Interrupts.isInterrupting && !stop.isSet },
            events: { event in
                // Once SIGINT or SIGTERM came, what fails is what the cleanup cut (a part of an upload it aborted):
                // the interruption's own message says so, not one error per transfer.
                guard case .failed(let failed) = event, !Interrupts.isInterrupting else { return }
                let e = TransferEvent.Failed.obsError(failed.error)
                if e.code == StandardStreams.readerGoneCode { throw e }  // stdout's reader left: nothing more to say
                reportFailure(e, item: steps.count == 1 ? nil : failed.item)
                renderer.event(FailureShape(failed.item, e).record, to: stream)
            },
            completed: { index, result in
                guard case .success(let done) = result else { return }
                let step = steps[index], shape = done.value
                let line = "\(verb(step)): \(shape.source) -> \(shape.destination) (\(describe(done.info)))"
                renderer.event(shape.record, text: dataOnStdout ? [] : [.report(line)], to: stream)
            }
        ) { (work: TransferExecutor.Work<PlanStep>) -> Done in
            let step = work.item
            let file = progress.begin(step.source.description, size: sizes[work.index], counter: work.counter)
            do {
                let info: ObjectInfo
                do { info = try await engine.perform(step, options, counter: work.counter) } catch {
                    let error = Self.sourceKeyHint(error, step, options)
                    guard let hint, case .object(let bucket, let key) = step.source else { throw error }
                    throw await prefixHint(context.value, error, bucket, key, verb: hint)
                }
                progress.finish(file, bytes: info.size)
                let shape = TransferShape(
                    source: step.source.description, destination: step.destination?.description ?? "", info)
                return Done(value: shape, info: info)
            } catch {
                progress.finish(file, bytes: nil)
                // Here, as soon as the step fails, before its worker reports it and can claim another.
                let e = TransferEvent.Failed.obsError(error)
                if Self.failsEveryStep(e, step, options: options, targetKey: targetKey) { stop.set(because: e) }
                throw error
            }
        }
        progress.end()
        var outcome = Outcome()
        outcome.dataOnStdout = dataOnStdout
        var notStarted = 0
        outcome.stoppedBy = stop.stoppedBy
        for (i, slot) in run.results.enumerated() {
            switch slot {
            case .done(let done): outcome.done.append(done.value)
            case .failed(let error): outcome.failures.append((names[i], TransferEvent.Failed.obsError(error)))
            case .notStarted:
                notStarted += 1
                // Each file not started is a failure of the run's, so a script reading the JSON sees every one.
                guard let cause = outcome.stoppedBy, !Interrupts.isInterrupting else { continue }
                let failure = RunWideFailure.notStarted(cause)
                outcome.failures.append((names[i], failure))
                renderer.event(FailureShape(names[i], failure).record, to: stream)
            }
        }
        if stop.isSet && notStarted > 0 {
            ctx.output.note("\(notStarted) more not started: each would have failed the same way")
        }
        return outcome
    }

    /// The error line of one item's failure: the item named only when the run has several (`item` nil).
    static func reportFailure(_ e: OBSError, item: String?) {
        Output.errorLine("obsctl: error: " + (item.map { "\($0): " } ?? "") + Output.describe(e))
    }

    /// A failure every other step of the run would repeat: its bucket is not there, the server refuses the
    /// credentials or the clock (`RunWideFailure`), or an upload's KMS key (the target's, the same for every
    /// file) is refused. No new step starts after one; those in flight finish.
    /// A copy's KMS failure stops the run when it concerns the target's key (`ObjectEncryption.failureConcernsTarget`:
    /// `targetKey` named by the error, or a policy denying a new data key); one of the key a source was under
    /// concerns that object alone.
    static func failsEveryStep(_ e: OBSError, _ step: PlanStep, options: StepOptions, targetKey: String?) -> Bool {
        if RunWideFailure.failsEveryRequest(e) { return true }
        switch step.operation {
        case .upload: return e.category == .kms
        case .copy:
            guard case .kms? = options.sse else { return false }
            return ObjectEncryption.failureConcernsTarget(e, targetKey: targetKey, source: nil)
        default: return false
        }
    }

    /// A copy whose SSE-C source was read without its key: its key goes in `--source-sse-c-key-*` (the
    /// `--sse-c-key-*` options are the destination's). Any 400 SSE-C refusal of the source counts (the local store
    /// says InvalidRequest, a remote HEAD only its status), but only when no source key was given: with one, the
    /// refusal is of that key (a plain source, say) and stands as it is.
    static func sourceKeyHint(_ error: any Error, _ step: PlanStep, _ options: StepOptions) -> any Error {
        guard step.operation == .copy, options.sourceCustomerKey == nil,
            case .object(let bucket, let key) = step.source,
            let e = error as? OBSError, e.category == .customerKey, e.httpStatus == 400,
            e.resource == "\(bucket)/\(key)"
        else { return error }
        return OBSError.customerKeyRequired(
            bucket.value, key.value, options: "--source-sse-c-key-file FILE or --source-sse-c-key-env VAR")
    }

    /// A step's result as the executor hands it back. `@unchecked Sendable`: built once, then only read.
    private struct Done: @unchecked Sendable {
        let value: TransferShape
        let info: ObjectInfo
    }

    /// The JSON summary (`{"transfers","failures"}`, with sync --delete `deleted`), then `CommandFailure` if
    /// anything failed: exit 8 when something else succeeded (`succeeded`, beyond the transfers), else the
    /// failure's code; to stderr when the objects' bytes went to stdout (`Outcome.dataOnStdout`). What the plan
    /// left out (`ctx.skips`) comes first among the failures; with it the run is partial (exit 8), unless it was all
    /// there was and `skipsAlone` lets it give its own code (`Skips.exitCode`).
    static func summarize(
        _ ctx: CommandContext, _ outcome: Outcome, deleted: [String]? = nil,
        succeeded: Int = 0, nothingNote: String? = nil, skipsAlone: Bool = true
    ) throws {
        // The interruption exits (130, 143) with its own message once it has cleaned up; no summary of transfers
        // it cut short.
        if Interrupts.isInterrupting { Interrupts.finish(0) }
        let skips = ctx.skips
        let failures = skips.items + outcome.failures
        let summary = TransferSummary(
            transfers: outcome.done, failures: failures.map { FailureShape($0.item, $0.error) },
            deleted: deleted, nothingNote: nothingNote)
        Renderer(ctx.output).render(summary, to: outcome.dataOnStdout ? .stderr : .stdout)
        let done = outcome.done.count + succeeded
        if !failures.isEmpty && done + failures.count > 1 {
            ctx.output.note("\(done) succeeded, \(failures.count) failed")
        }
        // A failure that stopped the run is its exit code, whatever succeeded before it.
        if let stoppedBy = outcome.stoppedBy { throw CommandFailure(exitCode: ObsctlExitCode(stoppedBy.category)) }
        if let first = outcome.failures.first {
            throw skips.isEmpty ? failure(succeeded: done, first: first.error) : CommandFailure(exitCode: .partial)
        }
        if let code = skips.exitCode(alone: skipsAlone && done == 0) { throw CommandFailure(exitCode: code) }
    }

    /// Runs a transfer command's `body`. An OBSError it throws comes before any transfer was reported (a failed
    /// transfer is recorded, not thrown): with json or ndjson it is rendered as the command's one failure, the
    /// document (or record) a failed transfer gives, under `item`. Text output gets the plain error line.
    static func reportingFailure(
        _ ctx: CommandContext, item: String, doneKey: String = "transfers", _ body: () async throws -> Void
    ) async throws {
        do { try await body() } catch let e as OBSError
            where ctx.output.format != .text && e.code != StandardStreams.readerGoneCode
        {
            throw singleFailure(ctx, item, e, doneKey: doneKey)
        }
    }

    // MARK: Deleting several objects or files

    /// Deletions reported one by one as they are known (a `delete:` line, an NDJSON record, or an error line) and
    /// collected for the command's summary.
    struct Deletions {
        var done: [String] = []
        var failures: [(item: String, error: OBSError)] = []
        /// The failure every other batch would repeat, which stopped new ones: the run's exit code.
        var stoppedBy: OBSError?

        mutating func deleted(_ ctx: CommandContext, _ shape: DeletedShape) {
            done.append(shape.url)
            Renderer(ctx.output).event(shape.record, text: [.report("delete: \(shape.url)")])
        }

        mutating func failed(_ ctx: CommandContext, _ item: String, _ error: OBSError) {
            failures.append((item, error))
            Output.errorLine("obsctl: error: \(item): \(Output.describe(error))")
            Renderer(ctx.output).event(FailureShape(item, error).record)
        }
    }

    /// Removes `locations` (objects of a bucket, or local files) through the engine, `ctx.jobs` at once. Lines and
    /// records come as items complete; the outcome keeps the input order.
    static func delete(_ ctx: CommandContext, _ locations: [Location]) async -> Deletions {
        var outcome = Deletions()
        let run = try? await ctx.engine.delete(locations, executor: TransferExecutor(jobs: ctx.jobs)) { event in
            switch event {
            case .deleted(let d): outcome.deleted(ctx, DeletedShape(d))
            case .failed(let f): outcome.failed(ctx, f.item, TransferEvent.Failed.obsError(f.error))
            default: break
            }
        }
        // Reported as they came; the summary lists them in input order.
        if let run {
            outcome.done = run.deleted
            outcome.failures = run.failures
            outcome.stoppedBy = run.stoppedBy
            // As for transfers: a record each (no error line each), and one note.
            if let cause = run.stoppedBy, !run.notStarted.isEmpty {
                let failure = RunWideFailure.notStarted(cause), renderer = Renderer(ctx.output)
                for item in run.notStarted { renderer.event(FailureShape(item, failure).record) }
                ctx.output.note("\(run.notStarted.count) more not started: each would have failed the same way")
            }
        }
        return outcome
    }

    /// A single-item command (rm KEY, multipart abort --upload-id) that failed: with --output json the same
    /// `{"<done>": [], "failures": [...]}` document as its several-item form, with ndjson a failure record; then the
    /// error line and the failure's exit code. In text the error is returned for the caller to throw as it is.
    static func singleFailure(_ ctx: CommandContext, _ item: String, _ error: Error, doneKey: String) -> Error {
        guard ctx.output.format != .text, let e = error as? OBSError else { return error }
        Output.errorLine("obsctl: error: \(Output.describe(e))")
        let skipped = ctx.skips.items.map { FailureShape($0.item, $0.error) }
        Renderer(ctx.output).render(SingleFailure(doneKey: doneKey, failure: FailureShape(item, e), skipped: skipped))
        return CommandFailure(exitCode: ObsctlExitCode(e.category))
    }

    /// The exit of a command over several items that did not all succeed: 8 (partial) when some did, else the
    /// first failure's own code.
    static func failure(succeeded: Int, first: OBSError) -> CommandFailure {
        CommandFailure(exitCode: succeeded > 0 ? .partial : ObsctlExitCode(first.category))
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
    func makeDirectories(_ dir: String) throws -> [String] { try Interrupts.makeDirectories(dir) }
    func releaseDirectories(_ made: [String]) { Interrupts.unregisterDirectories(made) }
    func makeTreeDirectories(_ dir: String, below root: String) throws {
        try Interrupts.makeTreeDirectories(dir, below: root)
    }
}

extension CommandContext {
    /// The transfer engine over this command's backend, its temporaries removed on SIGINT, `-` being stdout.
    var engine: TransferEngine {
        TransferEngine(
            storage: storage, isRemote: isRemote, temps: InterruptTemps(), standardOutput: { StandardOutputSink() },
            protected: protectedPaths, written: writtenFiles, bucketDefaults: bucketDefaults)
    }
}

extension ProgressVerb {
    init(_ operation: PlanStep.Operation) {
        switch operation {
        case .upload: self = .upload
        case .download: self = .download
        case .copy: self = .copy
        case .delete: self = .delete
        }
    }
}
