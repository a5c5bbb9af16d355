import Foundation
import OBSCore
import OBSTransfer

/// What a command's plan left out and reported: local names no key can hold, keys that are no safe local path,
/// damaged objects of a listing. Each is an error line when found, an NDJSON failure record, and an entry of the
/// `failures` of whatever JSON document the command ends with (its summary, its dry run, or the failure that stopped
/// it), first and in the order found, so a script reading the JSON sees every item the run did not carry out. One
/// per command (`CommandContext.skips`). `@unchecked Sendable`: `list` is touched only under `lock`.
final class Skips: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [(item: String, error: OBSError)] = []

    var items: [(item: String, error: OBSError)] { lock.withLock { list } }
    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }

    func add(_ ctx: CommandContext, _ item: String, _ error: OBSError) {
        lock.withLock { list.append((item, error)) }
        Transfers.reportFailure(error, item: nil)  // the message names the item
        Renderer(ctx.output).event(FailureShape(item, error).record)
    }

    /// What a walk below `dir` passed over: the files it could not reach (`LocalTree.PassedOver.isUnreachable`)
    /// that `filter` takes are skips; the rest (no regular files) is returned for the caller's notes.
    func unreachable(
        _ ctx: CommandContext, _ passed: [LocalTree.PassedOver], below dir: String, filter: Filter
    ) -> [LocalTree.PassedOver] {
        for p in passed where p.isUnreachable && filter.includes(unnamable: p.path, below: dir) {
            add(
                ctx, p.path,
                OBSError.localIO(
                    "cannot read \(p.path): \(p.what); move it to a shorter path; skipped", errno: ENAMETOOLONG))
        }
        return passed.filter { !$0.isUnreachable }
    }

    /// A local file whose name is not UTF-8.
    func invalidName(_ ctx: CommandContext, _ path: String) {
        add(
            ctx, path,
            Self.usage(
                "file name \(path) is not valid UTF-8, so it cannot become an object key; rename the file; skipped"))
    }

    /// A local file whose key would be no object key (`reason`: longer than OBS allows).
    func unkeyable(_ ctx: CommandContext, _ path: String, _ reason: OBSError) {
        add(
            ctx, path,
            Self.usage("file \(path) cannot become an object key: \(reason.message); shorten its path; skipped"))
    }

    /// An object whose key is no safe relative path below `directory`.
    func unsafeKey(_ ctx: CommandContext, _ key: String, of bucket: BucketName, below directory: String) {
        // The planner's one safety check, asked again to say which reason applies.
        let why =
            KeyMapping.unsafePathReason(key)
            ?? "other objects lie under '\(key)/', so its name must be a directory there; "
            + "download it alone with 'obsctl download obs://\(bucket)/\(key) FILE'"
        add(
            ctx, "obs://\(bucket)/\(key)",
            Self.usage("object key '\(key)' cannot be written safely below \(directory) (\(why)); skipped"))
    }

    /// The steps of a download below `directory` that would write into the local store's own files (which lie
    /// below it: `ProtectedPaths`), left out and reported as unsafe keys are; the others.
    func storeWrites(_ ctx: CommandContext, _ steps: [PlanStep], of bucket: BucketName, below directory: String)
        -> [PlanStep]
    {
        let names = ctx.protectedPaths.names(below: directory)
        guard !names.isEmpty else { return steps }
        let below = LocalPath.join(directory, "")
        return steps.filter { step in
            guard case .file(let path)? = step.destination, let key = step.source.key,
                let name = KeyBytes.dropPrefix(path, below), ProtectedPaths.leadsInto(name, names)
            else { return true }
            add(
                ctx, "obs://\(bucket)/\(key.value)",
                Self.usage(
                    "object key '\(key.value)' would be written to \(path), in obsctl's local store, which this "
                        + "command works on; skipped"))
            return false
        }
    }

    /// A local refusal (no request was sent, so no code in the error line), exit 2 when alone.
    private static func usage(_ message: String) -> OBSError {
        OBSError(code: "InvalidArgument", message: message, httpStatus: 0, category: .usage)
    }

    /// Damaged objects of a listing of `bucket` (each error says how to remove it).
    func damaged(_ ctx: CommandContext, _ entries: [UnreadableObject], in bucket: BucketName) {
        for entry in entries { add(ctx, Self.item(entry, in: bucket), entry.error) }
    }

    /// How a damaged object is named among the failures: its URL, or its bucket's when even its key is lost.
    private static func item(_ entry: UnreadableObject, in bucket: BucketName) -> String {
        "obs://\(bucket)/" + (entry.key.map(\.value) ?? " (unknown key)")
    }

    /// The run's exit for the skips: with nothing else to do (`alone`), the skips' own code when they share one
    /// (2 for names and keys, 13 for damaged objects), else 8 (partial).
    func exitCode(alone: Bool) -> ObsctlExitCode? {
        guard let first = items.first else { return nil }
        let code = ObsctlExitCode(first.error.category)
        return alone && items.allSatisfy({ ObsctlExitCode($0.error.category) == code }) ? code : .partial
    }
}
