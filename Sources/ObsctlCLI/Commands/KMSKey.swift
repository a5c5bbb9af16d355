import ArgumentParser
import Foundation
import OBSCore

extension Obsctl.KMS {
    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list, describe, enable, disable and schedule deletion of KMS master keys.",
            discussion: Manual.discussion(
                [
                    "KEY is a key id (UUID), its URN <region>:<domain>:key/<id>, or an alias. The default key "
                        + "obs/default is created by the first SSE-KMS upload that names no key; it cannot be disabled "
                        + "or deleted."
                ],
                examples: [
                    "obsctl kms key create --alias my-app-key --description 'app data'",
                    "obsctl kms key describe my-app-key",
                    "obsctl kms key schedule-deletion my-app-key --days 30",
                ]),
            subcommands: [
                Create.self, List.self, Describe.self, Enable.self, Disable.self, ScheduleDeletion.self,
                CancelDeletion.self,
            ])

        /// `changed`: the command changed the key (create, enable, ...), so --quiet silences its text.
        static func report(_ ctx: CommandContext, _ k: KMSKeyInfo, changed: Bool = true) {
            Renderer(ctx.output).render(Shown(info: k, changed: changed))
        }

        /// A *key*; in text one `name: value` line per field.
        struct Shown: CommandResult {
            let info: KMSKeyInfo
            let changed: Bool

            func encode(to encoder: Encoder) throws { try KeyShape(info).encode(to: encoder) }

            var text: [TextLine] {
                let k = info
                var fields = [
                    ("key-id", k.keyID), ("urn", k.urn), ("alias", k.alias ?? "-"),
                    ("state", k.state.displayName), ("default-key", k.isDefaultKey ? "yes" : "no"),
                    ("created", JSONShape.time(k.created)),
                ]
                if !k.description.isEmpty { fields.append(("description", k.description)) }
                if let d = k.deletionDate { fields.append(("deletion-date", JSONShape.time(d))) }
                let lines = TextLine.fields(fields, width: 15)
                return changed ? lines.map { if case .data(let text) = $0 { .detail(text) } else { $0 } } : lines
            }
        }
    }
}

/// A `kms key` command that acts on the one key its KEY argument names.
protocol NamesOneKMSKey: ObsctlCommand {
    var key: String { get }
}

extension NamesOneKMSKey {
    /// A blank KEY, or one with a character no terminal shows as itself, is a typing mistake (exit 2), not a key
    /// the KMS lacks (exit 5).
    func validate() throws {
        if key.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError(
                "KEY is empty; name a key by its id, URN or alias (as 'obsctl kms key list' shows them)")
        }
        if !key.unicodeScalars.allSatisfy(HeaderValues.isShownAsIs) {
            throw ValidationError(
                "KEY '\(HeaderValues.printable(key))' holds a control or invisible character; name a key by id, URN "
                    + "or alias")
        }
    }
}
