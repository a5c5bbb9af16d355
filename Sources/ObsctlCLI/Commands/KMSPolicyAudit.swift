import ArgumentParser
import Foundation
import OBSCore
import OBSLocalBackend

// `obsctl kms policy show` and `obsctl kms audit verify`: what the local KMS allows, and whether its audit log is
// intact. Both read the local store only.

extension Obsctl.KMS {
    /// The local KMS behind the context: policy and audit log are the embedded KMS's, whatever the endpoint.
    static func localKMS(_ ctx: CommandContext) throws -> LocalKMS { ctx.localKMS }

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the kms:* policy of the local KMS.",
            discussion: Manual.discussion(
                [
                    "The policy is the JSON file kms/policy.json under the local root, for example "
                        + "{\"allow\": [\"kms:*\"], \"deny\": [\"kms:dek:create\"], \"mode\": \"obs-doc\"}. Without "
                        + "the file every action is allowed. A deny wins over an allow; an entry is an action name "
                        + "or a prefix ending in *. The keys are allow, deny and mode (per-step, the default, or "
                        + "obs-doc: all five documented actions for every SSE-KMS upload and download). An unknown "
                        + "key or action is refused (exit 12) rather than ignored."
                ], examples: ["obsctl kms policy show", "obsctl kms policy show --output json"]),
            subcommands: [Show.self])
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the local KMS audit log.",
            discussion: Manual.discussion(
                [
                    "Every KMS operation appends one line to kms/audit.log under the local root before it "
                        + "takes effect; each line carries a sequence number and a MAC chained to the previous line "
                        + "under a key derived from the root key. 'verify' checks the chain: an edited, inserted, "
                        + "removed or reordered line, or a log cut before the last recorded key change, is exit 13 "
                        + "naming the line."
                ], examples: ["obsctl kms audit verify", "obsctl kms audit verify --output json"]),
            subcommands: [Verify.self])
    }
}

extension Obsctl.KMS.Policy {
    struct Show: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the policy in force, where it comes from, and which kms:* actions it allows.",
            discussion: Manual.discussion(examples: ["obsctl kms policy show", "obsctl kms policy show --output json"]))
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Renderer(ctx.output).render(Shown(try Obsctl.KMS.localKMS(ctx).policyInForce()))
        }

        /// `{"source":"file" or "default","path","mode","allow" (null: all),"deny","actions":{ACTION:"allow" or
        /// "deny"}}`; in text the policy's fields, then one line per action with its verdict.
        struct Shown: CommandResult {
            let source: String
            let path: String
            let mode: String
            @Nullable var allow: [String]?
            let deny: [String]
            let actions: [String: String]
            private let effective: [(action: String, allowed: Bool)]

            private enum CodingKeys: String, CodingKey { case source, path, mode, allow, deny, actions }

            init(_ p: KMSPolicyInForce) {
                source = p.fromFile ? "file" : "default"
                path = p.path
                mode = p.policy.mode
                allow = p.policy.allow
                deny = p.policy.deny
                effective = KMSAction.allCases.map { ($0.rawValue, p.policy.permits($0)) }
                actions = Dictionary(uniqueKeysWithValues: effective.map { ($0.action, $0.allowed ? "allow" : "deny") })
            }

            var text: [TextLine] {
                let origin = source == "file" ? path : "built-in default: every action allowed (no file at \(path))"
                let allowed = allow.map { $0.isEmpty ? "(nothing)" : $0.joined(separator: " ") } ?? "(all)"
                let denied = deny.isEmpty ? "(none)" : deny.joined(separator: " ")
                let fields = TextLine.fields(
                    [("source", origin), ("mode", mode), ("allow", allowed), ("deny", denied)],
                    width: 9)
                return fields
                    + effective.map { action, allowed in
                        .data(
                            action.padding(toLength: 16, withPad: " ", startingAt: 0) + "  "
                                + (allowed ? "allowed" : "denied"))
                    }
            }
        }
    }
}

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
