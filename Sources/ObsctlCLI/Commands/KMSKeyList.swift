import ArgumentParser
import Foundation
import OBSCore

extension Obsctl.KMS.Key {
    struct List: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "List master keys with their states.",
            discussion: Manual.discussion(examples: ["obsctl kms key list", "obsctl kms key list --output json"]))
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Renderer(ctx.output).render(Obsctl.KMS.Key.Listed(keys: try ctx.keyManagement.listKeys()))
        }
    }

    /// `{"keys":[key...]}`; ndjson a `key` record each; text one line per key: id, state, alias.
    struct Listed: CommandResult {
        let keys: [KMSKeyInfo]

        private enum CodingKeys: String, CodingKey { case keys }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(keys.map(KeyShape.init), forKey: .keys)
        }

        var records: [Record]? { keys.map { Record("key", KeyShape($0)) } }

        var text: [TextLine] {
            keys.map { k in
                .data(
                    "\(k.keyID)  \(k.state.displayName.padding(toLength: 16, withPad: " ", startingAt: 0))  "
                        + "\(k.alias ?? "-")")
            }
        }
    }
}
