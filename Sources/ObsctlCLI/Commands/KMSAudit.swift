import ArgumentParser
import Foundation
import OBSCore
import OBSLocalBackend

extension Obsctl.KMS {
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
