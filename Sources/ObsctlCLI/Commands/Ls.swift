import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct List: ObsctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List buckets, or the objects and prefixes in a bucket.",
            discussion: Manual.discussion(
                [
                    "Text columns: last modified (UTC), size in bytes, encryption, key. Prefixes show as PRE."
                ],
                examples: [
                    "obsctl ls",
                    "obsctl ls obs://secure/2026/",
                    "obsctl ls obs://secure --recursive --output json",
                ]))

        @Argument(
            help: ArgumentHelp("obs://BUCKET[/PREFIX]; omitted lists buckets.", valueName: "location"),
            completion: .obsObject)
        var location: String?
        @Flag(name: [.short, .long], help: "List every object under the prefix instead of rolling up at '/'.")
        var recursive = false
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            guard let location else {
                var list = Obsctl.Bucket.List()
                list.global = global
                return try await list.run(ctx)
            }
            let url = try OBSURL(location)
            let renderer = Renderer(ctx.output)
            // With ndjson each page goes out as it arrives: a listing of millions of keys never waits or piles up.
            var prefixes = renderer.stream("prefix") { (p: String) in PrefixShape(bucket: url.bucket.value, prefix: p) }
            // The KMS key's alias beside its id where the key is shown (JSON, NDJSON): each key asked once.
            let aliases = ctx.output.format == .text ? nil : ctx.kmsAliases()
            var objects = renderer.stream("object") { (o: ObjectInfo) in
                ObjectShape(o, kmsKeyAlias: aliases?.alias(for: o))
            }
            var marker: String? = nil, unreadable = 0
            // Damaged entries are reported as they come and make the exit 13 at the end, after everything readable.
            repeat {
                let page = try await ctx.storage.listObjects(
                    bucket: url.bucket, prefix: url.path,
                    delimiter: recursive ? nil : "/", marker: marker,
                    maxKeys: 1000)
                marker = page.nextMarker
                Listings.report(page.unreadable)
                unreadable += page.unreadable.count
                prefixes.append(contentsOf: page.commonPrefixes)
                objects.append(contentsOf: page.objects)
            } while marker != nil && !StandardStreams.stdoutFailed  // nobody reads on: stop listing
            renderer.render(
                ObjectList(
                    bucket: url.bucket.value, prefix: url.path, objects: objects.items,
                    prefixes: prefixes.items, kmsKeyAlias: { aliases?.alias(for: $0) }))
            if unreadable > 0 { throw CommandFailure(exitCode: .integrity) }
        }
    }
}

/// A `prefix` record of `ls --output ndjson`.
struct PrefixShape: Encodable {
    let bucket: String
    let prefix: String
}

/// `ls obs://b/p/`: `{"bucket","prefix","objects":[object...],"prefixes":[...]}`; in text one row per prefix
/// (PRE), then one per object: last modified, size, encryption, key.
struct ObjectList: CommandResult {
    let bucket: String
    let prefix: String
    let objects: [ObjectInfo]
    let prefixes: [String]
    /// The alias of an object's KMS key (`KMSAliases`), nil when not known.
    var kmsKeyAlias: (ObjectInfo) -> String? = { _ in nil }

    private enum CodingKeys: String, CodingKey { case bucket, prefix, objects, prefixes }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bucket, forKey: .bucket)
        try container.encode(prefix, forKey: .prefix)
        try container.encode(objects.map { ObjectShape($0, kmsKeyAlias: kmsKeyAlias($0)) }, forKey: .objects)
        try container.encode(prefixes, forKey: .prefixes)
    }

    /// The items went out one by one as the listing ran (`Renderer.stream`).
    var records: [Record]? { [] }

    var text: [TextLine] {
        let prefixRows = prefixes.map { p in
            "\(String(repeating: " ", count: 20))  \("PRE".padding(toLength: 12, withPad: " ", startingAt: 0))  "
                + "\(String(repeating: " ", count: 7))  \(p)"
        }
        let objectRows = objects.map { o in
            let size = String(o.size)
            return "\(JSONShape.time(o.lastModified))  \(String(repeating: " ", count: max(0, 12 - size.count)))"
                + "\(size)  \(TextShape.sse(o).padding(toLength: 7, withPad: " ", startingAt: 0))  \(o.key)"
        }
        return (prefixRows + objectRows).map(TextLine.data)
    }
}
