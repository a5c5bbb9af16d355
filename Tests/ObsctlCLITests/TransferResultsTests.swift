import Foundation
import OBSCore
import OBSTransfer
import Testing
@testable import ObsctlCLI

/// The results of the transfer and config commands as typed values, rendered in process: each format from one
/// value, with the field names README.md's output table documents.
@Suite("transfer and config results")
struct TransferResultsTests {
    typealias R = RendererTests

    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try R.parse($0) }
    }

    @Test("a transfer summary: json {transfers, failures[, deleted]}; text and ndjson add nothing")
    func summary() throws {
        let transfer = TransferShape(source: "a.txt", destination: "obs://bkt/dir/a.txt", try R.object())
        let failure = FailureShape("b.txt", OBSError.localIO("cannot read b.txt"))
        let summary = TransferSummary(transfers: [transfer], failures: [failure], deleted: nil)
        let (json, j) = R.renderer(.json)
        json.render(summary)
        let doc = try R.parse(Substring(j.stdout))
        #expect(Set(doc.keys) == ["transfers", "failures"], "no deleted without sync --delete: \(doc.keys)")
        let entry = try #require((doc["transfers"] as? [[String: Any]])?.first)
        #expect(Set(entry.keys) == ["source", "destination", "size", "object"])
        #expect(entry["size"] as? Int == 12 && (entry["object"] as? [String: Any])?["key"] as? String == "dir/a.txt")
        let failed = try #require((doc["failures"] as? [[String: Any]])?.first)
        #expect(Set(failed.keys) == ["item", "code", "message", "exit_code"], "no type in the summary's failures")
        #expect(failed["exit_code"] as? Int == 1)

        let (withDeleted, d) = R.renderer(.json)
        withDeleted.render(TransferSummary(transfers: [], failures: [], deleted: ["obs://bkt/x"]))
        #expect(try R.parse(Substring(d.stdout))["deleted"] as? [String] == ["obs://bkt/x"])

        for format in [OutputFormat.text, .ndjson] {
            let (r, out) = R.renderer(format)
            r.render(summary)
            #expect(out.stdout.isEmpty && out.stderr.isEmpty, "\(format): the items went out as they completed")
        }
    }

    @Test("items as they complete: a transfer record, deleted records for objects and files, report lines")
    func events() throws {
        let (nd, n) = R.renderer(.ndjson)
        let transfer = TransferShape(source: "a.txt", destination: "obs://bkt/dir/a.txt", try R.object())
        nd.event(transfer.record, text: [.report("upload: a.txt -> obs://bkt/dir/a.txt")])
        nd.event(DeletedShape(try BucketName("bkt"), try ObjectKey("k")).record)
        nd.event(DeletedShape(TransferEvent.Deleted(item: "dir/f.txt")).record)
        let records = try Self.lines(n.stdout)
        #expect(records.count == 3)
        #expect(Set(records[0].keys) == ["type", "source", "destination", "size", "object"])
        #expect(records[0]["type"] as? String == "transfer")
        #expect(
            Set(records[1].keys) == ["type", "bucket", "key", "url"] && records[1]["url"] as? String == "obs://bkt/k")
        #expect(Set(records[2].keys) == ["type", "url"] && records[2]["url"] as? String == "dir/f.txt")

        let (text, t) = R.renderer(.text, local: true)
        text.event(transfer.record, text: [.report("upload: a.txt -> obs://bkt/dir/a.txt")])
        #expect(t.stdout == "upload: a.txt -> obs://bkt/dir/a.txt (local store)\n")
        let (json, j) = R.renderer(.json)
        json.event(transfer.record, text: [.report("upload")])
        #expect(j.stdout.isEmpty, "json waits for the summary")
    }

    @Test("a dry run: text lines, one json document, planned records")
    func dryRun() throws {
        let steps = [
            PlanStep(.upload, .file("a.txt"), .object(try BucketName("bkt"), try ObjectKey("a.txt"))),
            PlanStep(.delete, .object(try BucketName("bkt"), try ObjectKey("old")), nil),
        ]
        let (text, t) = R.renderer(.text, quiet: true)
        text.render(DryRun(steps, verb: "move"))
        #expect(t.stdout == "(dry run) move: a.txt -> obs://bkt/a.txt\n(dry run) delete: obs://bkt/old\n")
        let (json, j) = R.renderer(.json)
        json.render(DryRun(steps, verb: nil))
        let doc = try R.parse(Substring(j.stdout))
        #expect(doc["dry_run"] as? Bool == true && doc["deletions"] as? [String] == ["obs://bkt/old"])
        let planned = try #require((doc["transfers"] as? [[String: String]])?.first)
        #expect(planned == ["operation": "upload", "source": "a.txt", "destination": "obs://bkt/a.txt"])
        let (nd, n) = R.renderer(.ndjson)
        nd.render(DryRun(steps, verb: nil))
        let records = try Self.lines(n.stdout)
        #expect(records.map { $0["type"] as? String } == ["planned", "planned"])
        #expect(records[1]["operation"] as? String == "delete" && records[1]["url"] as? String == "obs://bkt/old")
    }

    @Test("a single item's failure has its several-item shape: {\"<done>\": [], \"failures\": [...]}")
    func singleFailure() throws {
        let failure = SingleFailure(
            doneKey: "deleted", failure: FailureShape("obs://bkt/k", OBSError.invalidArgument("no")))
        let (json, j) = R.renderer(.json)
        json.render(failure)
        let doc = try R.parse(Substring(j.stdout))
        #expect(Set(doc.keys) == ["deleted", "failures"] && (doc["deleted"] as? [Any])?.isEmpty == true)
        let (nd, n) = R.renderer(.ndjson)
        nd.render(failure)
        let records = try Self.lines(n.stdout)
        #expect(records.count == 1 && records[0]["type"] as? String == "failure")
        #expect(records[0]["exit_code"] as? Int == 2)
    }

    @Test("config list: [NAME] and key = value lines sorted; json {path, profiles}")
    func configList() throws {
        let listed = Obsctl.Config.List.Listed(
            path: "/c", profiles: ["prod": ["region": "r", "endpoint": "e"], "default": [:]])
        let (text, t) = R.renderer(.text, quiet: true)
        text.render(listed)
        #expect(t.stdout == "[default]\n[prod]\nendpoint = e\nregion = r\n")
        let (json, j) = R.renderer(.ndjson)
        json.render(listed)
        #expect(j.stdout == #"{"path":"/c","profiles":{"default":{},"prod":{"endpoint":"e","region":"r"}}}"# + "\n")
    }
}
