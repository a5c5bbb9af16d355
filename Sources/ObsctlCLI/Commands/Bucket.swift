import ArgumentParser

extension Obsctl {
    struct Bucket: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and delete buckets; show and toggle their default encryption.",
            discussion: Manual.discussion(examples: [
                "obsctl bucket create obs://secure --sse kms",
                "obsctl bucket list",
                "obsctl bucket encryption show obs://secure",
                "obsctl bucket delete obs://scratch --force",
            ]),
            subcommands: [Create.self, List.self, Delete.self, Encryption.self])
    }
}

typealias Bucket = Obsctl.Bucket
