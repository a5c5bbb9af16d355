import ArgumentParser
import Foundation
import OBSCore
import OBSLocalBackend

extension Obsctl.KMS {
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
}
