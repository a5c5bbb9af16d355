import Foundation
import OBSCore
import OBSTransfer

/// How commands show a plan they do not carry out (--dry-run), and what the filters left out.
enum PlanReport {
    /// `--dry-run`: the plan as a result (`DryRun`). `verb` names every transfer instead of its operation (mv:
    /// "move"). A step whose source the run would not find, or could not read, is a failure, as in the run:
    /// `TransferEngine.checkSource` opens each local file and checks each object read (remotely only with `named`:
    /// sources the user typed, not listed ones), so the exit code is the one the run would have. `hint`: as for
    /// `Transfers.runSteps`. `removals`: when the plan's deletions would happen. What the planner left out and
    /// reported (`ctx.skips`: unnamable files, unsafe keys, damaged objects) is listed among the failures, with the
    /// run's exit code, as `Transfers.summarize` does (`skipsAlone` as there).
    static func dryRun(
        _ ctx: CommandContext, _ steps: [PlanStep], verb: String? = nil, options: StepOptions = StepOptions(),
        named: Bool = false, hint: String? = nil, removals: Removals = .always, skipsAlone: Bool = true
    ) async throws {
        try Transfers.checkSecureTransport(ctx, steps, options)
        let skips = ctx.skips
        var planned: [PlanStep] = []
        var failures: [(item: String, error: OBSError)] = []
        // A bucket written into, or deleted from, that is not there fails every step: one error, as in the run. Only
        // NoSuchBucket counts: a HEAD the run never sends may be refused where the run's own requests are not.
        var buckets: [BucketName] = []
        for step in steps {
            switch (step.source, step.destination) {
            case (_, .object(let bucket, _)?), (.object(let bucket, _), nil):
                if !buckets.contains(bucket) { buckets.append(bucket) }
            default: break
            }
        }
        func failEveryStep(_ item: String, _ e: OBSError) throws -> Never {
            Transfers.reportFailure(e, item: nil)
            render(ctx, [], verb: verb, failures: [(item, e)])
            // As the run: every step fails, whatever was left out besides; the error's code is the exit.
            throw CommandFailure(exitCode: ObsctlExitCode(e.category))
        }
        var defaults: [BucketName: BucketEncryption] = [:]
        for bucket in buckets {
            do { defaults[bucket] = try await ctx.storage.bucketInfo(bucket).encryption } catch let e as OBSError
                where e.code == "NoSuchBucket"
            {
                try failEveryStep("obs://\(bucket)", e)
            } catch {}
        }
        var transferFailed = false
        var defaulted: Set<PlanStep> = []  // writes that get their bucket's default encryption
        for step in steps {
            do {
                let source = try await ctx.engine.checkSource(step, options, objects: named)
                if TransferEngine.getsBucketDefault(step, options, source: source) { defaulted.insert(step) }
                // A copy keeps its source's SSE-KMS key, under which the run makes the copy's data key.
                if !ctx.isRemote, options.sse == nil, case .object? = step.destination, let source,
                    source.sseMode == .kms
                {
                    try ctx.localKMS.checkEncryptionKey(source.kmsKeyID)
                }
            } catch {
                var error = Transfers.sourceKeyHint(error, step, options)
                if let hint, case .object(let bucket, let key) = step.source {
                    error = await Transfers.prefixHint(ctx, error, bucket, key, verb: hint)
                }
                let e = TransferEvent.Failed.obsError(error)
                Transfers.reportFailure(e, item: steps.count == 1 ? nil : step.source.description)
                failures.append((step.source.description, e))
                transferFailed = transferFailed || step.destination != nil
                // A missing bucket fails every step alike: one error, as the run gives.
                if Transfers.failsEveryStep(e, step, options: options, targetKey: nil) { break }
                continue
            }
            planned.append(step)
        }
        // The key the planned writes would encrypt under (`--sse kms`; else the bucket's default for what gets it:
        // files, and copies of unencrypted objects, since a copy keeps its source's encryption): one disabled,
        // missing or not permitted fails the run (exit 5) once its sources are found, and so the dry run. When only
        // some writes get the default (a copy of objects stored both ways), only those fail, as in the run.
        for bucket in buckets {
            let writes = planned.filter { if case .object(bucket, _)? = $0.destination { true } else { false } }
            let getDefault = writes.filter(defaulted.contains)
            guard !writes.isEmpty, options.sse != nil || !getDefault.isEmpty else { continue }
            do {
                try ctx.checkKeyForWrite(
                    options.sse, bucketDefault: getDefault.isEmpty ? nil : defaults[bucket], bucket: bucket)
            } catch let e as OBSError {
                guard options.sse == nil && getDefault.count < writes.count else {
                    try failEveryStep("obs://\(bucket)", e)
                }
                for step in getDefault {
                    Transfers.reportFailure(e, item: step.source.description)
                    failures.append((step.source.description, e))
                }
                planned.removeAll(where: getDefault.contains)
                transferFailed = true
            }
        }
        if case .afterTransfers(let destination, let sourceIncomplete) = removals,
            planned.contains(where: { $0.destination == nil })
        {
            let why =
                sourceIncomplete
                ? "the source holds objects that cannot be read" : "not every transfer would succeed"
            // A deletion refused (its directory forbids it) holds back no other: the run deletes the rest.
            if sourceIncomplete || transferFailed {
                planned.removeAll { $0.destination == nil }
                ctx.output.note("nothing would be removed from \(destination): \(why)")
            }
        }
        render(ctx, planned, verb: verb, failures: failures)
        if let first = failures.first {
            throw !skips.isEmpty
                ? CommandFailure(exitCode: .partial) : Transfers.failure(succeeded: planned.count, first: first.error)
        }
        if let code = skips.exitCode(alone: skipsAlone && planned.isEmpty) { throw CommandFailure(exitCode: code) }
    }

    /// The dry run's document: what the plan left out (`ctx.skips`, whose records went out already) first among the
    /// failures.
    private static func render(
        _ ctx: CommandContext, _ planned: [PlanStep], verb: String?, failures: [(item: String, error: OBSError)]
    ) {
        let all = ctx.skips.items + failures
        Renderer(ctx.output).render(
            DryRun(planned, verb: verb, failures: all.map { FailureShape($0, $1) }, recordedEarlier: ctx.skips.count))
    }

    /// When a plan's deletions happen: always (rm), or, for sync --delete, only after every transfer succeeded and
    /// only when the source could be listed whole (`destination`: where, for the note that says otherwise).
    enum Removals {
        case always
        case afterTransfers(destination: String, sourceIncomplete: Bool)
    }

    /// A command over one source whose filters leave it out says so (exit 0), rather than doing nothing silently.
    /// A source is left out only once found, as aws looks a single source up before its filters: a typo in the name
    /// stays exit 3, which a script learns of (the NotFound is thrown, a local file's as its upload would throw it).
    static func excludedSingle(_ ctx: CommandContext, _ plan: Plan) async throws {
        for name in plan.excluded {
            if !OBSURL.isOBSURL(name) {
                var st = stat()
                if stat(name, &st) != 0 {
                    let e = errno
                    throw OBSError.localIO(TransferEngine.unreadableSource(name, e), errno: e)
                }
            } else if let url = try? OBSURL(name), let key = try? url.objectKey() {
                do {
                    _ = try await ctx.storage.headObject(GetObjectRequest(bucket: url.bucket, key: key))
                } catch let e as OBSError where e.category == .notFound {
                    throw e
                } catch {
                    // Found, but not to be read here (an SSE-C object, no key given): left out all the same.
                }
            }
            ctx.output.note("skipped \(name): excluded by --include/--exclude")
        }
    }
}
