import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct KMS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kms",
            abstract: "Manage KMS master keys, their states and deletion windows (Huawei KMS when a remote endpoint "
                + "or --kms-endpoint is configured, else the local KMS); the local KMS's policy and audit log.",
            discussion: Manual.discussion(examples: [
                "obsctl kms key create --alias my-app-key --description 'app data'",
                "obsctl kms key list",
            ]),
            subcommands: [Key.self, Policy.self, Audit.self])
    }
}

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
}

extension Obsctl.KMS.Key {
    struct Create: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a master key (AES-256).",
            discussion: Manual.discussion(examples: [
                "obsctl kms key create --alias my-app-key --description 'app data'",
                "obsctl kms key create --output json",
            ]))
        @Option(help: "Alias: 1-255 of a-z A-Z 0-9 : / _ -, not ending in /default.") var alias: String?
        @Option(help: "Free text, up to 255 bytes.") var description: String = ""
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.createKey(alias: alias, description: description))
        }
    }

    struct List: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "List master keys with their states.",
            discussion: Manual.discussion(examples: ["obsctl kms key list", "obsctl kms key list --output json"]))
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Renderer(ctx.output).render(Obsctl.KMS.Key.Listed(keys: try ctx.keyManagement.listKeys()))
        }
    }

    struct Describe: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one master key.",
            discussion: Manual.discussion(examples: [
                "obsctl kms key describe my-app-key",
                "obsctl kms key describe obs/default --output json",
            ]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.describeKey(key), changed: false)
        }
    }

    struct Enable: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled master key.",
            discussion: Manual.discussion(examples: ["obsctl kms key enable my-app-key"]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.enableKey(key))
        }
    }

    struct Disable: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a master key: uploads and downloads under it fail until it is enabled again.",
            discussion: Manual.discussion(examples: ["obsctl kms key disable my-app-key"]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.disableKey(key))
        }
    }

    struct ScheduleDeletion: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Schedule a master key for deletion in 7 to 1096 days. After that date its material is "
                + "destroyed and its objects are unrecoverable.",
            discussion: Manual.discussion(examples: ["obsctl kms key schedule-deletion my-app-key --days 30"]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @Option(
            parsing: .unconditional, help: "Days until deletion, 7 to 1096.",
            transform: { try Numbers.integer($0, Numbers.deletionDays) }) var days: Int
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.scheduleKeyDeletion(key, pendingDays: days))
        }
    }

    struct CancelDeletion: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a scheduled deletion. The key comes back disabled; enable it to use it.",
            discussion: Manual.discussion(examples: [
                "obsctl kms key cancel-deletion my-app-key",
                "obsctl kms key enable my-app-key",
            ]))
        @Argument(help: ArgumentHelp("Key id, URN or alias.", valueName: "key"), completion: .kmsKey) var key: String
        @OptionGroup var global: GlobalOptions
        func run(_ ctx: CommandContext) async throws {
            Obsctl.KMS.Key.report(ctx, try ctx.keyManagement.cancelKeyDeletion(key))
        }
    }
}
