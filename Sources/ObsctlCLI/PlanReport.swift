import OBSCore
import OBSTransfer

/// How commands show a plan they do not carry out (--dry-run), and what the filters left out.
enum PlanReport {
    /// `--dry-run`: the plan as a result (`DryRun`). `verb` names every transfer instead of its operation (mv:
    /// "move"). A step whose source the run would not find, or could not read, is a failure, as in the run:
    /// `TransferEngine.checkSource` opens each local file and, with `named` (sources the user typed, not listed
    /// ones), sends a HEAD for each object, so the exit code is the one the run would have. `hint`: as for
    /// `Transfers.runSteps`.
    static func dryRun(
        _ ctx: CommandContext, _ steps: [PlanStep], verb: String? = nil, options: StepOptions = StepOptions(),
        named: Bool = false, hint: String? = nil
    ) async throws {
        var planned: [PlanStep] = []
        var failures: [(item: String, error: OBSError)] = []
        for step in steps {
            do { try await ctx.engine.checkSource(step, options, objects: named) } catch {
                var error = Transfers.sourceKeyHint(error, step)
                if let hint, case .object(let bucket, let key) = step.source {
                    error = await Transfers.prefixHint(ctx, error, bucket, key, verb: hint)
                }
                let e = TransferEvent.Failed.obsError(error)
                Output.stderr("obsctl: error: " + (steps.count == 1 ? "" : "\(step.source): ") + Output.describe(e))
                failures.append((step.source.description, e))
                // A missing bucket fails every step alike: one error, as the run gives.
                if Transfers.failsEveryStep(e, step, targetKey: nil) { break }
                continue
            }
            planned.append(step)
        }
        Renderer(ctx.output).render(DryRun(planned, verb: verb, failures: failures.map { FailureShape($0, $1) }))
        if let first = failures.first { throw Transfers.failure(succeeded: planned.count, first: first.error) }
    }

    /// A command over one source whose filters leave it out says so (exit 0), rather than doing nothing silently.
    static func excludedSingle(_ ctx: CommandContext, _ plan: Plan) {
        for name in plan.excluded { ctx.output.note("skipped \(name): excluded by --include/--exclude") }
    }
}
