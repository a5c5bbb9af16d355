import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

extension Obsctl.Bucket.Encryption {
    struct Report: ObsctlCommand, RunsConcurrently {
        static let configuration = CommandConfiguration(
            abstract: "Count how the objects under a bucket or prefix are encrypted; gate on a requirement.",
            discussion: Manual.discussion(
                [
                    "Listings carry no encryption, so every object is read with one HEAD, --jobs at a time. Without "
                        + "--require the bucket's default encryption is the requirement (none: report only). Exit 6 "
                        + "when an object falls short of it, 8 when an object could not be read (the walk goes on)."
                ],
                examples: [
                    "obsctl bucket encryption report obs://secure",
                    "obsctl bucket encryption report obs://secure/logs/ --require kms --list",
                    "obsctl bucket encryption report obs://secure --require kms --kms-key-id my-app-key --quiet",
                ]))
        @Argument(
            help: ArgumentHelp("The bucket, optionally with a prefix: obs://BUCKET[/PREFIX].", valueName: "target"),
            completion: .obsBucket)
        var target: String
        @Option(
            help: ArgumentHelp(
                "Every object must be encrypted this way: none, obs, kms, c or any (any encryption); exit 6 if not. "
                    + "Default: the bucket's default encryption.", valueName: "mode"))
        var require: ExpectedSSE?
        @Option(
            help: ArgumentHelp(
                "With --require kms: the KMS key (id, URN or alias) objects must be under.",
                valueName: "id"),
            completion: .kmsKey)
        var kmsKeyId: String?
        @Flag(help: "List each object that falls short of the requirement.") var list = false
        @OptionGroup var concurrency: ConcurrencyOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if kmsKeyId != nil && require != .kms {
                throw ValidationError("--kms-key-id needs --require kms; drop it or add --require kms")
            }
        }

        func run(_ ctx: CommandContext) async throws {
            let where_ = try EncryptionTarget(target)
            let bucketDefault = try await ctx.storage.bucketEncryption(where_.bucket)
            let requirement: EncryptionRequirement?
            if let require {
                requirement = try where_.requirement(require, kmsKeyID: kmsKeyId, ctx)
            } else {
                requirement = bucketDefault.map(EncryptionRequirement.init)
            }
            let (objects, unlisted) = try await ctx.storage.listForEncryption(
                bucket: where_.bucket, prefix: where_.prefix, filter: .all)
            var summary = EncryptionSummary(requirement: requirement, bucketDefault: bucketDefault)
            var shortfall: [EncryptionRecord] = []
            var failures: [FailureShape] = []
            let renderer = Renderer(ctx.output)
            func failed(_ item: String, _ e: OBSError) {
                Output.errorLine("obsctl: error: \(item): " + Output.describe(e))
                failures.append(FailureShape(item, e))
                renderer.event(FailureShape(item, e).record)
            }
            for u in unlisted {
                summary.addUnreadable(size: 0)
                failed(u.key.map { "obs://\(where_.bucket)/\($0)" } ?? "obs://\(where_.bucket)", u.error)
            }
            let inspected = try await EncryptionTarget.inspectAll(ctx, objects, customerKeys: [])
            for (object, seen) in zip(objects, inspected) {
                let item = "obs://\(where_.bucket)/\(object.key)"
                guard let seen, let e = seen.encryption else {
                    summary.addUnreadable(size: object.size)
                    failed(item, seen?.error ?? .localIO("not inspected"))
                    continue
                }
                let meets = summary.add(e, size: seen.size)
                let record = EncryptionRecord(bucket: where_.bucket, seen, e, meets: requirement == nil ? nil : meets)
                renderer.event(Record("object", record))
                if !meets && list { shortfall.append(record) }
            }
            renderer.render(
                ReportResult(
                    bucket: where_.bucket, prefix: where_.prefix, summary: summary, listed: list ? shortfall : nil,
                    failures: failures))
            if !failures.isEmpty { throw CommandFailure(exitCode: .partial) }
            if summary.shortfall.objects > 0 {
                throw OBSError(
                    code: "EncryptionMismatch",
                    message: "\(summary.shortfall.objects) object(s) under \(where_) are not encrypted as required "
                        + "(\(requirement.map { "\($0)" } ?? "")); list them with --list"
                        + (requirement.flatMap { where_.applyCommand(meeting: $0, bucketDefault: bucketDefault) }
                            .map { ", convert them with '\($0)'" } ?? ""),
                    httpStatus: 0, category: .encryptionMismatch)
            }
        }
    }
}

/// `obs://BUCKET[/PREFIX]` of the two commands, and what they share: the requirement from the options and the
/// HEAD of every object, `--jobs` at a time.
struct EncryptionTarget: CustomStringConvertible {
    let bucket: BucketName
    let prefix: String

    init(_ text: String) throws {
        if OBSURL.isOBSURL(text) {
            let url = try OBSURL(text)
            (bucket, prefix) = (url.bucket, url.path)
        } else {
            (bucket, prefix) = (try BucketName(text), "")
        }
    }

    var description: String { "obs://\(bucket)/\(prefix)" }

    /// An alias is resolved to its key id with the local KMS (objects report ids); remote KMS keys are compared
    /// as given (id or URN).
    func requirement(_ mode: ExpectedSSE, kmsKeyID: String?, _ ctx: CommandContext) throws -> EncryptionRequirement {
        switch mode {
        case .none: return .unencrypted
        case .obs: return .obs
        case .c: return .customer(keyMD5: nil)
        case .any: return .any
        case .kms:
            guard let kmsKeyID else { return .kms(keyID: nil) }
            return .kms(keyID: try ctx.kmsKeyID(kmsKeyID))
        }
    }

    /// The `apply` command that converts what falls short of `requirement`; nil for "none", which a
    /// re-encryption cannot meet.
    func applyCommand(meeting requirement: EncryptionRequirement, bucketDefault: BucketEncryption?) -> String? {
        let apply = "obsctl bucket encryption apply \(self)"
        switch requirement {
        case .unencrypted: return nil
        case .obs: return apply + " --sse obs"
        case .kms(let keyID): return apply + " --sse kms" + (keyID.map { " --kms-key-id \($0)" } ?? "")
        case .customer: return apply + " --sse c --sse-c-key-file FILE"
        case .any: return bucketDefault == nil ? apply + " --sse kms" : apply  // the default: it is encryption
        }
    }

    /// HEADs every object, `ctx.jobs` at a time, with progress on a terminal. nil: never started (interrupted).
    static func inspectAll(_ ctx: CommandContext, _ objects: [ObjectInfo], customerKeys: [CustomerKey]) async throws
        -> [InspectedObject?]
    {
        let progress = Progress(
            style: ctx.progressStyle, verb: .inspect, files: objects.count, totalBytes: nil,
            environment: ctx.environment)
        defer { progress.end() }
        let storage = SendableBox(ctx.storage)
        let run = try await TransferExecutor(jobs: ctx.jobs).run(
            objects, describe: { $0.key.value }, shouldStart: { !Interrupts.isInterrupting }
        ) { work -> InspectedObject in
            let file = progress.begin(work.item.key.value, size: nil, counter: work.counter)
            defer { progress.finish(file, bytes: 0) }
            return await InspectedObject.inspect(storage.value, work.item, customerKeys: customerKeys)
        }
        return run.results.map { if case .done(let v) = $0 { v } else { nil } }
    }
}

/// One object of a report: `{"bucket","key","size","etag","sse":{"mode","kms_key_id","kms_key_urn",
/// "customer_key_md5"},"meets"}`, `meets` null when there is no requirement.
struct EncryptionRecord: Encodable {
    let bucket: String
    let key: String
    let size: Int64
    let etag: String
    let sse: ObjectShape.SSE
    @Nullable var meets: Bool?

    init(bucket: BucketName, _ o: InspectedObject, _ e: ObjectEncryption, meets: Bool?) {
        self.bucket = bucket.value
        key = o.key.value
        size = o.size
        etag = o.etag
        sse = ObjectShape.SSE(
            mode: e.mode.rawValue, origin: nil, kmsKeyID: e.kmsKeyID, kmsKeyURN: e.kmsKeyURN,
            customerKeyMD5: e.customerKeyMD5)
        self.meets = meets
    }

    var textRow: [String] { [key, SSEMode(rawValue: sse.mode ?? "")?.displayName ?? "?", sse.kmsKeyID ?? ""] }
}

/// `{"objects","bytes"}`.
typealias TallyShape = Tally

/// A count per mode: `{"mode","objects","bytes"}`; per KMS key: `{"kms_key_id","objects","bytes"}`.
struct ModeTallyShape: Encodable {
    let mode: String
    let objects: Int
    let bytes: Int64
}

struct KeyTallyShape: Encodable {
    let kmsKeyID: String
    let objects: Int
    let bytes: Int64
    enum CodingKeys: String, CodingKey { case kmsKeyID = "kms_key_id", objects, bytes }
}

/// What an encryption requirement is in JSON: `{"mode","kms_key_id","customer_key_md5"}`.
struct RequirementShape: Encodable {
    let mode: String
    @Nullable var kmsKeyID: String?
    @Nullable var customerKeyMD5: String?
    enum CodingKeys: String, CodingKey { case mode, kmsKeyID = "kms_key_id", customerKeyMD5 = "customer_key_md5" }

    init(_ r: EncryptionRequirement) {
        switch r {
        case .unencrypted: mode = "none"
        case .obs: mode = "obs"
        case .kms(let id): mode = "kms"; kmsKeyID = id
        case .customer(let md5): mode = "c"; customerKeyMD5 = md5
        case .any: mode = "any"
        }
    }
}

extension Tally {
    var text: String { "\(objects) object\(objects == 1 ? "" : "s"), \(Progress.bytes(bytes))" }
}

extension EncryptionSummary {
    var modeShapes: [ModeTallyShape] {
        modes.map { ModeTallyShape(mode: $0.mode.rawValue, objects: $0.tally.objects, bytes: $0.tally.bytes) }
    }
    var keyShapes: [KeyTallyShape] {
        kmsKeys.map { KeyTallyShape(kmsKeyID: $0.key, objects: $0.tally.objects, bytes: $0.tally.bytes) }
    }
}

/// The report: `{"bucket","prefix","bucket_default","requirement","total","modes","kms_keys",
/// "differing_from_default","shortfall","unreadable","objects","failures"}`. `objects` (those falling short) is
/// null without --list; with ndjson each object went out as an `object` record and this comes last as `summary`.
struct ReportResult: CommandResult {
    let bucket: BucketName
    let prefix: String
    let summary: EncryptionSummary
    let listed: [EncryptionRecord]?
    let failures: [FailureShape]

    private enum CodingKeys: String, CodingKey {
        case bucket, prefix, bucketDefault = "bucket_default", requirement, total, modes, kmsKeys = "kms_keys"
        case differingFromDefault = "differing_from_default", shortfall, unreadable, objects, failures
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(bucket.value, forKey: .bucket)
        try c.encode(prefix, forKey: .prefix)
        try c.encode(Nullable(wrappedValue: summary.bucketDefault.map(EncryptionShape.init)), forKey: .bucketDefault)
        try c.encode(Nullable(wrappedValue: summary.requirement.map(RequirementShape.init)), forKey: .requirement)
        try c.encode(summary.total, forKey: .total)
        try c.encode(summary.modeShapes, forKey: .modes)
        try c.encode(summary.keyShapes, forKey: .kmsKeys)
        try c.encode(summary.differingFromDefault, forKey: .differingFromDefault)
        try c.encode(summary.shortfall, forKey: .shortfall)
        try c.encode(summary.unreadable, forKey: .unreadable)
        try c.encode(Nullable(wrappedValue: listed), forKey: .objects)
        try c.encode(failures, forKey: .failures)
    }

    var records: [Record]? { [Record("summary", self)] }

    var text: [TextLine] {
        var lines: [TextLine] = [.data("obs://\(bucket)/\(prefix): \(summary.total.text)")]
        var rows: [[String]] = []
        for (mode, tally) in summary.modes {
            rows.append(["  " + mode.displayName, tally.text])
            if mode == .kms { rows += summary.kmsKeys.map { ["    key " + $0.key, $0.tally.text] } }
        }
        if summary.unreadable.objects > 0 { rows.append(["  unreadable", summary.unreadable.text]) }
        lines.append(.table(rows))
        let d = summary.bucketDefault
        lines.append(
            .data(
                "default encryption: \(TextShape.encryption(d))"
                    + (d == nil ? "" : "; \(summary.differingFromDefault.text) differ from it")))
        if let r = summary.requirement {
            lines.append(
                .data(
                    summary.shortfall.objects == 0
                        ? "requirement \(r): met by every object"
                        : "requirement \(r): \(summary.shortfall.text) fall short"))
        } else {
            lines.append(.data("requirement: none (no --require and no default encryption)"))
        }
        if let listed, !listed.isEmpty { lines.append(.table(listed.map(\.textRow))) }
        return lines
    }
}
