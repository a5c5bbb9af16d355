import ArgumentParser

extension Obsctl {
    struct Multipart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List and abort multipart uploads in progress (the console's fragments).",
            discussion: Manual.discussion(
                [
                    "A multipart upload that was neither completed nor aborted keeps its parts stored, and billed, "
                        + "though they are no object. obsctl aborts its own failed uploads; killed processes, lost "
                        + "connections and other tools leave them behind. The embedded local backend keeps them too, "
                        + "their parts stored encrypted as they arrived."
                ],
                examples: [
                    "obsctl multipart list obs://backups",
                    "obsctl multipart abort obs://backups/db.dump --upload-id 0000018A2B3C4D5E",
                    "obsctl multipart abort obs://backups --all --older-than 7d",
                ]),
            subcommands: [ListUploads.self, AbortUploads.self])
    }
}
