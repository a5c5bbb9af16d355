import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

extension Obsctl.Bucket.Encryption {
    struct Apply: ObsctlCommand, RunsConcurrently {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt in place every object that is not encrypted as asked (default: the bucket's).",
            discussion: Manual.discussion(
                [
                    "Each object is copied onto itself on the server with the new encryption (multipart above "
                        + "--multipart-threshold, at most 5G), keeping its content type and metadata; no byte passes "
                        + "through this machine. Each copy is pinned to the ETag read, so an object written meanwhile "
                        + "is skipped and reported, never overwritten. Objects already right are skipped: running "
                        + "it again after a crash or Ctrl-C goes on where it stopped. On OBS each converted object "
                        + "costs one COPY request (parts for large ones) and its Last-Modified changes.",
                    "Exit 5 before any copy when the KMS key is unusable, 8 when an object was skipped or failed.",
                ],
                examples: [
                    "obsctl bucket encryption apply obs://secure --dry-run",
                    "obsctl bucket encryption apply obs://secure --sse kms --kms-key-id my-app-key",
                    "obsctl bucket encryption apply obs://vault/old/ --sse obs --source-sse-c-key-file old.key",
                ]))
        @Argument(
            help: ArgumentHelp("The bucket, optionally with a prefix: obs://BUCKET[/PREFIX].", valueName: "target"),
            completion: .obsBucket)
        var target: String
        @Option(
            help: ArgumentHelp(
                "The encryption to apply: kms (SSE-KMS), obs (SSE-OBS) or c (SSE-C, with --sse-c-key-*). "
                    + "Default: the bucket's default encryption.", valueName: "kms|obs|c"))
        var sse: SSEModeArgument?
        @Option(
            help: ArgumentHelp("KMS key for --sse kms (id, URN or alias); omitted means obs/default.", valueName: "id"),
            completion: .kmsKey)
        var kmsKeyId: String?
        @Flag(help: "Print the plan (objects and bytes that would change, per current encryption); change nothing.")
        var dryRun = false
        @OptionGroup var customerKey: CustomerKeyOptions
        @OptionGroup var sourceCustomerKey: SourceCustomerKeyOptions
        @OptionGroup var filter: FilterOptions
        @OptionGroup var tuning: TransferTuningOptions
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let where_ = try EncryptionTarget(target)
            let request = try ctx.resolvingKMSKey(await targetRequest(ctx, where_.bucket))
            // What every copy would be refused for is refused once, before the listing, in a dry run too.
            try ctx.storage.checkSecureTransport(
                for: request.mode, what: "bucket encryption apply obs://\(where_.bucket)")
            let goal = try KMSPreflight.check(request, ctx)
            let sourceKey = try sourceCustomerKey.load()
            let (objects, unlisted) = try await ctx.storage.listForEncryption(
                bucket: where_.bucket, prefix: where_.prefix, filter: try filter.filter())
            let renderer = Renderer(ctx.output)
            var result = ApplyResult(bucket: where_.bucket, prefix: where_.prefix, target: goal, dryRun: dryRun)
            for u in unlisted {
                result.fail(u.key.map { "obs://\(where_.bucket)/\($0)" } ?? "obs://\(where_.bucket)", u.error, renderer)
            }
            // The target's own SSE-C key too: an object already under it is then seen to be right.
            var keys = [sourceKey].compactMap { $0 }
            if case .customer(let k) = request { keys.append(k) }
            let applier = Applier(
                storage: SendableBox(ctx.storage), bucket: where_.bucket, sse: request, goal: goal,
                customerKeys: keys, sourceKey: sourceKey, dryRun: dryRun, transfer: try tuning.options(),
                overwriteHook: ctx.environment[Applier.overwriteHookVariable])
            try await applier.run(ctx, objects, into: &result, renderer)
            // A dry run that plans a conversion fails as its run would at the first copy (exit 5).
            if dryRun && result.plan.convert.objects > 0 { try KMSPreflight.checkDataKeys(request, ctx) }
            renderer.render(result)
            // A plan that skips objects is still a plan; a run that left some unconverted is partial.
            if !result.failures.isEmpty || !dryRun && !result.skipped.isEmpty {
                throw CommandFailure(exitCode: .partial)
            }
        }

        /// `--sse`/`--kms-key-id`/`--sse-c-key-*`, else the bucket's default; an error when neither says anything.
        private func targetRequest(_ ctx: CommandContext, _ bucket: BucketName) async throws -> SSERequest {
            if let r = try SSERules.request(mode: sse?.mode, kmsKeyID: kmsKeyId, customerKey: try customerKey.load()) {
                return r
            }
            guard let d = try await ctx.storage.bucketEncryption(bucket) else {
                throw OBSError.invalidArgument(
                    "bucket '\(bucket)' has no default encryption, so there is nothing to apply; give --sse kms|obs "
                        + "(or enable a default with 'obsctl bucket encryption enable obs://\(bucket) --sse kms')")
            }
            return d.asRequest
        }
    }
}

/// The check made before the first copy: the target KMS key exists, is enabled and may be used. The local KMS is
/// asked directly; Huawei KMS, when it can be asked, has checked the key already (`CommandContext.kmsKeyForWrite`);
/// otherwise a remote endpoint's KMS answers only through a copy, so there the first copy runs alone and any KMS or
/// permission failure stops the run (`FirstCopyGate`).
enum KMSPreflight {
    /// The requirement objects must meet, its KMS key resolved to the id objects report.
    static func check(_ request: SSERequest, _ ctx: CommandContext) throws -> EncryptionRequirement {
        guard case .kms(let ref?) = request, !ctx.isRemote else { return EncryptionRequirement(request) }
        let key = try ctx.keyManagement.describeKey(ref)
        guard key.state == .enabled else {
            throw OBSError(
                code: "KMS.DisabledException",
                message: "KMS key \(ref) is \(key.state.displayName), so no object can be encrypted with it; nothing "
                    + "was changed. "
                    + (key.state == .disabled
                        ? "Enable it with 'obsctl kms key enable \(ref)'"
                        : "Choose another key with --kms-key-id"),
                httpStatus: 400, category: .kms, resource: key.keyID)
        }
        return .kms(keyID: key.keyID)
    }

    /// A dry run's check of what making a data key under the target would meet (the policy's kms:dek:create,
    /// obs/default's creation), none made, for a plan with a conversion: the run meets it at its first copy, which
    /// names its object (`FirstCopyGate`).
    static func checkDataKeys(_ request: SSERequest, _ ctx: CommandContext) throws {
        guard case .kms(let ref) = request, !ctx.isRemote else { return }
        try ctx.localKMS.checkEncryptionKey(ref)
    }
}

/// What `apply` did with one object: read its encryption (one HEAD, more for SSE-C), decided, and copied it onto
/// itself when it had to change.
enum ApplyOutcome: Sendable {
    /// The HEAD failed: the object was neither decided nor copied.
    case unreadable(OBSError)
    /// `size` and `mode` as its HEAD read them (a small value per object: a run over millions keeps one each).
    /// `copy` is nil when no copy was tried: the object was right or skipped, the run was a dry run, or it stopped.
    case decided(size: Int64, mode: SSEMode, ApplyDecision, copy: CopyResult?)

    enum CopyResult: Sendable {
        case converted
        /// The object changed since its HEAD (the copy's ETag precondition failed): skipped, never overwritten.
        case changed(OBSError)
        /// `stopsTheRun`: every other copy would fail the same way (`Applier.stopsTheRun`).
        case failed(OBSError, stopsTheRun: Bool)
    }
}

/// The objects of `apply`, `--jobs` at a time, each read, decided and (when it must change) copied as one item: a
/// copy follows its own HEAD at once (the ETag it is pinned to is a round trip old, not a whole walk old), and the
/// copies of a large bucket start with its first object rather than after the last HEAD. The first copy runs
/// alone (`FirstCopyGate`). A KMS or access-denied failure stops new copies at once (they would all fail the same
/// way); an object changed since it was read is skipped.
struct Applier: Sendable {
    /// Test hook: the key named here is overwritten with new bytes just before its copy, as a concurrent writer
    /// would, to prove the copy is then skipped and the new bytes kept.
    static let overwriteHookVariable = "OBSCTL_TEST_APPLY_OVERWRITE_KEY"

    let storage: SendableBox<ObjectStorage>  // its backends lock inside
    let bucket: BucketName
    let sse: SSERequest
    let goal: EncryptionRequirement
    /// The keys an SSE-C object is asked with, to learn which opens it.
    let customerKeys: [CustomerKey]
    let sourceKey: CustomerKey?
    let dryRun: Bool
    let transfer: TransferOptions
    let overwriteHook: String?

    func run(
        _ ctx: CommandContext, _ objects: [ObjectInfo], into result: inout ApplyResult, _ renderer: Renderer
    ) async throws {
        let stop = StopFlag()
        let gate = FirstCopyGate()
        let progress = Progress(
            style: ctx.progressStyle, verb: dryRun ? .inspect : .reEncrypt, files: objects.count,
            totalBytes: objects.reduce(0) { $0 + $1.size }, environment: ctx.environment)
        defer { progress.end() }
        var fatal: OBSError?
        // Each object is reported as it completes (a line, an ndjson record); the JSON document lists them in
        // the listing's order, sorted below.
        func settle(_ index: Int, _ slot: Result<ApplyOutcome, any Error>) {
            let name = "obs://\(bucket)/\(objects[index].key)"
            switch slot {
            case .success(.unreadable(let e)): result.fail(name, e, renderer)
            case .success(.decided(let size, let mode, let decision, let copy)):
                result.plan.add(decision, mode: mode, size: size)
                if let reason = decision.skipReason { result.skip(name, reason, renderer) }
                switch copy {
                case .converted?: result.converted(name, size: size, from: mode, renderer)
                case .changed(let e)?: result.skip(name, e.message, renderer)
                case .failed(let e, let stops)?:
                    result.fail(name, e, renderer)
                    // The first of these gives the command its exit code (5 for a KMS failure), not exit 8.
                    if stops && fatal == nil { fatal = e }
                case nil: break
                }
            case .failure(let error): result.fail(name, TransferEvent.Failed.obsError(error), renderer)
            }
        }
        let executor = TransferExecutor(jobs: ctx.jobs)
        let transfer = executor.bounding(transfer)
        _ = try await executor.run(
            objects, describe: { $0.key.value }, shouldStart: { !Interrupts.isInterrupting && !stop.isSet },
            completed: settle
        ) { work -> ApplyOutcome in
            let file = progress.begin(work.item.key.value, size: work.item.size, counter: work.counter)
            let outcome = await apply(work.item, transfer, gate: gate, stop: stop)
            switch outcome {
            case .unreadable, .decided(_, _, _, .failed?): progress.finish(file, bytes: nil)
            case .decided(let size, _, _, let copy):
                // A line for each object the verb names: every one on a dry run, each converted one otherwise.
                if case .converted? = copy {
                    progress.finish(file, bytes: size)
                } else if dryRun {
                    progress.finish(file, bytes: size)
                } else {
                    progress.pass(file, bytes: size)
                }
            }
            return outcome
        }
        result.sortItems(
            by: Dictionary(objects.enumerated().map { (ByteKey("obs://\(bucket)/\($1.key)"), $0) }) { a, _ in a })
        if let fatal {
            renderer.render(result)
            throw CommandFailure(exitCode: ObsctlExitCode(fatal.category))
        }
    }

    /// Whether `e`, one object's failed copy, would fail every other copy too: an access failure, or a KMS
    /// failure of the target's key (disabled, denied). A KMS failure of the object's own key (its source, when
    /// the target needs no KMS or names another key) concerns that object alone.
    func stopsTheRun(_ e: OBSError, source: ObjectEncryption) -> Bool {
        if e.category == .accessDenied { return true }
        guard case .kms(let targetKey) = goal else { return false }
        return ObjectEncryption.failureConcernsTarget(e, targetKey: targetKey, source: source)
    }

    /// Reads `object`'s encryption, decides, and copies it when it must change and the run may still copy.
    private func apply(
        _ object: ObjectInfo, _ transfer: TransferOptions, gate: FirstCopyGate, stop: StopFlag
    ) async -> ApplyOutcome {
        let seen = await InspectedObject.inspect(storage.value, object, customerKeys: customerKeys)
        guard let e = seen.encryption else { return .unreadable(seen.error ?? .localIO("not inspected")) }
        let decision = ApplyDecision(e, target: goal, sourceKeyMD5: sourceKey?.keyMD5)
        guard decision == .convert, !dryRun else { return .decided(size: seen.size, mode: e.mode, decision, copy: nil) }
        let turn = await gate.enter()
        guard turn != .stopped, !stop.isSet, !Interrupts.isInterrupting else {
            if turn == .probe { gate.settle(stopsTheRun: true) }
            return .decided(size: seen.size, mode: e.mode, decision, copy: nil)
        }
        let copy = await copy(seen, source: e, transfer)
        if case .failed(_, stopsTheRun: true) = copy { stop.set() }
        if turn == .probe { gate.settle(stopsTheRun: stop.isSet) }
        return .decided(size: seen.size, mode: e.mode, decision, copy: copy)
    }

    /// `transfer`: the run's, bounded by its requests in flight (`TransferExecutor.bounding`).
    private func copy(_ object: InspectedObject, source: ObjectEncryption, _ transfer: TransferOptions) async
        -> ApplyOutcome.CopyResult
    {
        let key = object.key
        do {
            if overwriteHook == key.value {
                _ = try await storage.value.putObject(
                    PutObjectRequest(bucket: bucket, key: key, sse: nil),
                    body: BufferSource(Array("overwritten".utf8)))
            }
            // REPLACE with what the HEAD read rather than COPY: some servers (SeaweedFS) refuse a COPY-directive copy
            // onto itself as "changing nothing" even when its encryption changes; AWS's CLI does the same. That HEAD
            // also stands for the copy's own read of the source: the copy is pinned to its ETag.
            // A HEAD names no class for STANDARD, and a copy naming none gets the bucket's class: so name it.
            var destination = PutObjectRequest(
                bucket: bucket, key: key, sse: sse, contentType: object.contentType,
                userMetadata: object.userMetadata, transfer: transfer,
                storageClass: object.info.map { $0.storageClass ?? StorageClass.standard.rawValue })
            destination.headerMetadata = object.info?.headerMetadata ?? [:]  // Content-Encoding and the like
            let request = CopyObjectRequest(
                source: GetObjectRequest(bucket: bucket, key: key, customerKey: source.mode == .c ? sourceKey : nil),
                destination: destination, replaceMetadata: true, sourceIfMatch: object.etag, sourceInfo: object.info)
            _ = try await storage.value.copyObject(request)
            return .converted
        } catch let e as OBSError where e.httpStatus == 412 {
            return .changed(e)
        } catch {
            let e = TransferEvent.Failed.obsError(error)
            return .failed(e, stopsTheRun: stopsTheRun(e, source: source))
        }
    }
}

/// Lets one copy run before all others. On a remote endpoint whose KMS obsctl cannot ask, only a copy shows whether
/// the target key and the permissions work: the first copy tries alone, so a KMS or access-denied failure costs one
/// request rather than one per object. Items that reach their copy meanwhile wait here (their HEADs go on).
final class FirstCopyGate: @unchecked Sendable {  // `state` is touched only under `lock`
    enum Turn { case probe, proceed, stopped }

    private enum State {
        case unclaimed
        case probing(waiting: [CheckedContinuation<Turn, Never>])
        case settled(Turn)
    }

    private let lock = NSLock()
    private var state = State.unclaimed

    /// `.probe`: the caller copies first and then must call `settle`; `.proceed`: copy; `.stopped`: copy nothing.
    func enter() async -> Turn {
        await withCheckedContinuation { (waiter: CheckedContinuation<Turn, Never>) in
            lock.lock()
            switch state {
            case .unclaimed:
                state = .probing(waiting: [])
                lock.unlock()
                waiter.resume(returning: .probe)
            case .probing(let waiting):
                state = .probing(waiting: waiting + [waiter])
                lock.unlock()
            case .settled(let turn):
                lock.unlock()
                waiter.resume(returning: turn)
            }
        }
    }

    /// The probe's copy is done: the waiting copies (and all later ones) go ahead, or none does.
    func settle(stopsTheRun: Bool) {
        let turn: Turn = stopsTheRun ? .stopped : .proceed
        lock.lock()
        guard case .probing(let waiting) = state else { lock.unlock(); return }
        state = .settled(turn)
        lock.unlock()
        for waiter in waiting { waiter.resume(returning: turn) }
    }
}

/// What apply did: `{"bucket","prefix","target","dry_run","plan":{"convert","convert_by_mode","already_right",
/// "skipped"},"converted","skipped","failures"}`. With ndjson each converted object, skip and failure went out as
/// it happened (`reencrypted`, `skipped`, `failure` records) and this comes last as `summary`.
struct ApplyResult: CommandResult {
    let bucket: BucketName
    let prefix: String
    let target: EncryptionRequirement
    let dryRun: Bool
    var plan = ApplyPlan()
    var done = Tally()
    var skipped: [TransferEvent.Skipped] = []
    var failures: [FailureShape] = []

    init(bucket: BucketName, prefix: String, target: EncryptionRequirement, dryRun: Bool) {
        self.bucket = bucket; self.prefix = prefix; self.target = target; self.dryRun = dryRun
    }

    /// One converted object: `{"type":"reencrypted","item","size","from"}`.
    struct Converted: Encodable {
        let item: String
        let size: Int64
        let from: String
    }

    mutating func converted(_ name: String, size: Int64, from mode: SSEMode, _ renderer: Renderer) {
        done.add(size)
        renderer.event(
            Record("reencrypted", Converted(item: name, size: size, from: mode.rawValue)),
            text: [.report("re-encrypted \(name): \(mode.displayName) -> \(target)")])
    }

    mutating func skip(_ name: String, _ reason: String, _ renderer: Renderer) {
        let s = TransferEvent.Skipped(item: name, reason: reason)
        skipped.append(s)
        renderer.event(Record("skipped", s))
        renderer.output.warn("skipped \(name): \(reason)")
    }

    /// Skips and failures in the order of `position` (an item's place in the listing; items it lacks, such as
    /// entries the listing could not read, first), whatever order they completed in.
    mutating func sortItems(by position: [ByteKey: Int]) {
        func place(_ item: String) -> Int { position[ByteKey(item)] ?? -1 }
        skipped = skipped.enumerated().sorted { (place($0.1.item), $0.0) < (place($1.1.item), $1.0) }.map(\.1)
        failures = failures.enumerated().sorted { (place($0.1.item), $0.0) < (place($1.1.item), $1.0) }.map(\.1)
    }

    mutating func fail(_ name: String, _ e: OBSError, _ renderer: Renderer) {
        Output.errorLine("obsctl: error: \(name): " + Output.describe(e))
        let f = FailureShape(name, e)
        failures.append(f)
        renderer.event(f.record)
    }

    private enum CodingKeys: String, CodingKey {
        case bucket, prefix, target, dryRun = "dry_run", plan, converted, skipped, failures
    }

    private enum PlanKeys: String, CodingKey {
        case convert, convertByMode = "convert_by_mode", alreadyRight = "already_right", skipped
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(bucket.value, forKey: .bucket)
        try c.encode(prefix, forKey: .prefix)
        try c.encode(RequirementShape(target), forKey: .target)
        try c.encode(dryRun, forKey: .dryRun)
        var p = c.nestedContainer(keyedBy: PlanKeys.self, forKey: .plan)
        try p.encode(plan.convert, forKey: .convert)
        try p.encode(
            plan.modes.map { ModeTallyShape(mode: $0.mode.rawValue, objects: $0.tally.objects, bytes: $0.tally.bytes) },
            forKey: .convertByMode)
        try p.encode(plan.alreadyRight, forKey: .alreadyRight)
        try p.encode(plan.skipped, forKey: .skipped)
        try c.encode(done, forKey: .converted)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(failures, forKey: .failures)
    }

    var records: [Record]? { [Record("summary", self)] }

    var text: [TextLine] {
        let place = "obs://\(bucket)/\(prefix)"
        if dryRun {
            var lines: [TextLine] = [.data("plan for \(place): \(plan.convert.text) to re-encrypt as \(target)")]
            lines.append(.table(plan.modes.map { ["  from " + $0.mode.displayName, $0.tally.text] }))
            lines.append(.data("already \(target): \(plan.alreadyRight.text); skipped: \(plan.skipped.text)"))
            return lines
        }
        return [
            .report(
                "\(place): re-encrypted \(done.text) as \(target); already right \(plan.alreadyRight.text); "
                    + "skipped \(skipped.count), failed \(failures.count)")
        ]
    }
}
