import OBSCore
import OBSTransfer

// The results of the commands that move or remove many items (upload, download, cp, mv, sync, rm), as README.md's
// output section names them. Each item goes out as it completes (`Renderer.event`: a report line, or an NDJSON
// record); the summary at the end is the JSON document.

/// A transfer that succeeded: `{"source","destination","size","object"}` (type `transfer` in NDJSON).
struct TransferShape: Encodable {
    let source: String
    let destination: String
    let size: Int64
    let object: ObjectShape

    init(source: String, destination: String, _ info: ObjectInfo) {
        self.source = source
        self.destination = destination
        size = info.size
        object = ObjectShape(info)
    }

    var record: Record { Record("transfer", self) }
}

/// A removed object, `{"bucket","key","url"}`, or file, `{"url"}` (type `deleted` in NDJSON).
struct DeletedShape: Encodable {
    let url: String
    let bucket: String?
    let key: String?

    init(_ event: TransferEvent.Deleted) {
        url = event.item
        bucket = event.bucket
        key = event.key
    }

    init(_ bucket: BucketName, _ key: ObjectKey) {
        url = "obs://\(bucket)/\(key.value)"
        self.bucket = bucket.value
        self.key = key.value
    }

    var record: Record { Record("deleted", self) }
}

/// The JSON summary of transfers: `{"transfers":[...],"failures":[...]}`, and with sync --delete `"deleted"`.
/// Text and NDJSON add nothing: each item was reported as it completed.
struct TransferSummary: CommandResult {
    let transfers: [TransferShape]
    let failures: [FailureShape]
    let deleted: [String]?
    /// Said in text when nothing was to be done (sync of an unchanged tree).
    var nothingNote: String? = nil

    enum CodingKeys: String, CodingKey { case transfers, failures, deleted }

    var text: [TextLine] { nothingNote.map { [.note($0)] } ?? [] }
    var records: [Record]? { [] }
}

/// The JSON summary of deletions (rm): `{"deleted":[url...],"failures":[...]}`; items went out as they completed.
struct DeletionSummary: CommandResult {
    let deleted: [String]
    let failures: [FailureShape]
    /// Said in text when there was nothing to delete.
    let nothingNote: String?

    enum CodingKeys: String, CodingKey { case deleted, failures }

    var text: [TextLine] { nothingNote.map { [.note($0)] } ?? [] }
    var records: [Record]? { [] }
}

/// A single-item command (rm KEY, multipart abort --upload-id) that failed, in the shape of its several-item
/// form: `{"<done>":[],"failures":[...]}`, or one failure record in NDJSON. Text: nothing (the error line says it).
struct SingleFailure: CommandResult {
    let doneKey: String
    let failure: FailureShape
    /// What the plan left out before the failure (`Skips`): listed first; their records went out already.
    var skipped: [FailureShape] = []

    var text: [TextLine] { [] }
    var records: [Record]? { [failure.record] }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode([String](), forKey: Key(stringValue: doneKey))
        try container.encode(skipped + [failure], forKey: Key(stringValue: "failures"))
    }
}

/// `--dry-run`: text `(dry run) upload: a -> b` and `(dry run) delete: x`; JSON
/// `{"dry_run":true,"transfers":[{"operation","source","destination"}],"deletions":[...],"failures":[...]}`;
/// NDJSON one `{"type":"planned",...}` record a step, one `failure` record a source the run would not find.
struct DryRun: CommandResult {
    struct Transfer: Encodable { let operation: String, source: String, destination: String }
    struct Deletion: Encodable {
        var operation = "delete"
        let url: String
    }

    let dryRun = true
    let transfers: [Transfer]
    let deletions: [String]
    let failures: [FailureShape]
    /// The first failures, whose NDJSON records went out when they were found (`Skips`).
    private var recordedEarlier = 0

    enum CodingKeys: String, CodingKey { case dryRun = "dry_run", transfers, deletions, failures }

    /// `verb` names every transfer instead of its operation (mv: "move").
    init(_ steps: [PlanStep], verb: String?, failures: [FailureShape] = [], recordedEarlier: Int = 0) {
        self.failures = failures
        self.recordedEarlier = recordedEarlier
        transfers = steps.compactMap { s in
            s.destination.map {
                Transfer(operation: verb ?? s.operation.rawValue, source: "\(s.source)", destination: "\($0)")
            }
        }
        deletions = steps.filter { $0.destination == nil }.map { "\($0.source)" }
    }

    var text: [TextLine] {
        transfers.map { .data("(dry run) \($0.operation): \($0.source) -> \($0.destination)") }
            + deletions.map { .data("(dry run) delete: \($0)") }
    }

    var records: [Record]? {
        transfers.map { Record("planned", $0) } + deletions.map { Record("planned", Deletion(url: $0)) }
            + failures.dropFirst(recordedEarlier).map(\.record)
    }
}
