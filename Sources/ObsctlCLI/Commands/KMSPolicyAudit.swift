import ArgumentParser
import Foundation
import OBSCore
import OBSLocalBackend

// `obsctl kms policy show` and `obsctl kms audit verify`: what the local KMS allows, and whether its audit log is
// intact. Both read the local store only.

extension Obsctl.KMS {
    /// The local KMS behind the context (key management is always the embedded KMS, see `CommandContext`).
    static func localKMS(_ ctx: CommandContext) throws -> LocalKMS {
        guard let kms = ctx.keyManagement as? LocalKMS else {
            throw OBSError.configuration("no local KMS in this context")
        }
        return kms
    }

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the kms:* policy of the local KMS.",
            discussion: Manual.discussion([
                "The policy is the JSON file kms/policy.json under the local root, for example "
                    + "{\"allow\": [\"kms:*\"], \"deny\": [\"kms:dek:create\"], \"mode\": \"obs-doc\"}. Without "
                    + "the file every action is allowed. A deny wins over an allow; an entry is an action name "
                    + "or a prefix ending in *. The keys are allow, deny and mode (per-step, the default, or "
                    + "obs-doc: all five documented actions for every SSE-KMS upload and download). An unknown "
                    + "key or action is refused (exit 12) rather than ignored.",
            ], examples: ["obsctl kms policy show", "obsctl kms policy show --output json"]),
            subcommands: [Show.self])
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the local KMS audit log.",
            discussion: Manual.discussion([
                "Every KMS operation appends one line to kms/audit.log under the local root before it "
                    + "takes effect; each line carries a sequence number and a MAC chained to the previous line "
                    + "under a key derived from the root key. 'verify' checks the chain: an edited, inserted, "
                    + "removed or reordered line, or a log cut before the last recorded key change, is exit 13 "
                    + "naming the line.",
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
            Obsctl.KMS.noteLocalOnly(ctx)
            let p = try Obsctl.KMS.localKMS(ctx).policyInForce()
            let effective = KMSAction.allCases.map { ($0.rawValue, p.policy.permits($0)) }
            if ctx.output.isJSON {
                ctx.output.json([
                    "source": p.fromFile ? "file" : "default", "path": p.path, "mode": p.policy.mode,
                    "allow": p.policy.allow.map { $0 as Any } ?? NSNull(), "deny": p.policy.deny,
                    "actions": Dictionary(uniqueKeysWithValues: effective.map { ($0.0, $0.1 ? "allow" : "deny") }),
                ] as [String: Any])
                return
            }
            let source = p.fromFile ? p.path : "built-in default: every action allowed (no file at \(p.path))"
            var lines = [("source", source), ("mode", p.policy.mode)]
            let allow = p.policy.allow.map { $0.isEmpty ? "(nothing)" : $0.joined(separator: " ") } ?? "(all)"
            lines.append(("allow", allow))
            lines.append(("deny", p.policy.deny.isEmpty ? "(none)" : p.policy.deny.joined(separator: " ")))
            for (name, v) in lines {
                ctx.output.line("\(name + ":")\(String(repeating: " ", count: max(1, 9 - name.count)))\(v)")
            }
            for (action, allowed) in effective {
                ctx.output.line("\(action.padding(toLength: 16, withPad: " ", startingAt: 0))  "
                    + "\(allowed ? "allowed" : "denied")")
            }
        }
    }
}

extension Obsctl.KMS.Audit {
    struct Verify: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the audit log's MAC chain: exit 0 when intact, 13 naming the first bad line.",
            discussion: Manual.discussion(examples: ["obsctl kms audit verify",
                                                            "obsctl kms audit verify --output json"]))
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.noteLocalOnly(ctx)
            let v = try Obsctl.KMS.localKMS(ctx).verifyAuditLog()
            if ctx.output.isJSON {
                ctx.output.json(["path": v.path, "lines": v.lines, "unverified_prefix": v.unverifiedPrefix,
                    "intact": true] as [String: Any])
                return
            }
            let legacy = v.unverifiedPrefix > 0 ? " (the first \(v.unverifiedPrefix) predate the chain and "
                + "are unverified)" : ""
            ctx.output.line("audit log \(v.path): \(v.lines) lines, chain intact\(legacy)")
        }
    }
}
