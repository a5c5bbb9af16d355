import OBSCore
import OBSTransfer

/// How commands show a plan they do not carry out (--dry-run), and what the filters left out.
enum PlanReport {
    /// `--dry-run`: the plan as a result (`DryRun`). `verb` names every transfer instead of its operation (mv:
    /// "move").
    static func dryRun(_ ctx: CommandContext, _ steps: [PlanStep], verb: String? = nil) {
        Renderer(ctx.output).render(DryRun(steps, verb: verb))
    }

    /// A command over one source whose filters leave it out says so (exit 0), rather than doing nothing silently.
    static func excludedSingle(_ ctx: CommandContext, _ plan: Plan) {
        for name in plan.excluded { ctx.output.note("skipped \(name): excluded by --include/--exclude") }
    }
}
