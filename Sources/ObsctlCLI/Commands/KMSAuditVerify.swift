import ArgumentParser
import Foundation
import OBSCore
import OBSLocalBackend

extension Obsctl.KMS.Audit {
    struct Verify: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the audit log's MAC chain: exit 0 when intact, 13 naming the first bad line.",
            discussion: Manual.discussion(examples: [
                "obsctl kms audit verify",
                "obsctl kms audit verify --output json",
            ]))
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            let v = try Obsctl.KMS.localKMS(ctx).verifyAuditLog()
            Renderer(ctx.output).render(Verified(path: v.path, lines: v.lines, unverifiedPrefix: v.unverifiedPrefix))
        }

        /// `{"path","lines","unverified_prefix","intact":true}` (a broken chain is an error, exit 13); in text one
        /// line.
        struct Verified: CommandResult {
            let path: String
            let lines: Int
            /// Lines written before the log was chained, which nothing can verify.
            let unverifiedPrefix: Int
            let intact = true

            private enum CodingKeys: String, CodingKey {
                case path, lines, unverifiedPrefix = "unverified_prefix", intact
            }

            var text: [TextLine] {
                let legacy =
                    unverifiedPrefix > 0
                    ? " (the first \(unverifiedPrefix) predate the chain and "
                        + "are unverified)" : ""
                return [.data("audit log \(path): \(lines) lines, chain intact\(legacy)")]
            }
        }
    }
}
