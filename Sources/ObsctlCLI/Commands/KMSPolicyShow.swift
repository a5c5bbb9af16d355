import ArgumentParser
import Foundation
import OBSCore
import OBSLocalBackend

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
