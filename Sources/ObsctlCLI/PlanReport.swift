import OBSCore
import OBSTransfer

/// How commands show a plan they do not carry out (--dry-run), and what the filters left out.
enum PlanReport {
    /// `--dry-run`: text `(dry run) upload: a -> b` and `(dry run) delete: x`; JSON
    /// `{"dry_run":true,"transfers":[{"operation","source","destination"}],"deletions":[...]}`; NDJSON one
    /// `{"type":"planned",...}` record a step. `verb` names every transfer instead of its operation (mv: "move").
    static func dryRun(_ ctx: CommandContext, _ steps: [PlanStep], verb: String? = nil) {
        let transfers = steps.compactMap { s in
            s.destination.map { (verb ?? s.operation.rawValue, "\(s.source)", "\($0)") }
        }
        let removals = steps.filter { $0.destination == nil }.map { "\($0.source)" }
        if ctx.output.isNDJSON {
            for (op, a, b) in transfers {
                ctx.output.record(["type": "planned", "operation": op, "source": a, "destination": b])
            }
            for r in removals { ctx.output.record(["type": "planned", "operation": "delete", "url": r]) }
            return
        }
        if ctx.output.isJSON {
            ctx.output.json(
                [
                    "dry_run": true,
                    "transfers": transfers.map { ["operation": $0.0, "source": $0.1, "destination": $0.2] },
                    "deletions": removals,
                ] as [String: Any])
            return
        }
        for (op, a, b) in transfers { ctx.output.line("(dry run) \(op): \(a) -> \(b)") }
        for r in removals { ctx.output.line("(dry run) delete: \(r)") }
    }

    /// A command over one source whose filters leave it out says so (exit 0), rather than doing nothing silently.
    static func excludedSingle(_ ctx: CommandContext, _ plan: Plan) {
        for name in plan.excluded { ctx.output.note("skipped \(name): excluded by --include/--exclude") }
    }
}
