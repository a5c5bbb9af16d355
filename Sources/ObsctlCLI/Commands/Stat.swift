import ArgumentParser
import Foundation
import OBSCore

extension Obsctl {
    struct Stat: ObsctlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an object's size, type, ETag, metadata and encryption (mode, KMS key, SSE-C key MD5, "
                + "origin).",
            discussion: Manual.discussion(
                [
                    "An SSE-C object needs its key here too; a wrong key is refused, so stat can check a key before a "
                        + "large download."
                ],
                examples: [
                    "obsctl stat obs://secure/2026/report.pdf",
                    "obsctl stat obs://vault/db.dump --sse-c-key-file key.bin --output json",
                ]))

        @Argument(help: ArgumentHelp("obs://BUCKET/KEY.", valueName: "object"), completion: .obsObject)
        var object: String
        @OptionGroup var customerKey: CustomerKeyOptions
        @OptionGroup var global: GlobalOptions

        func run(_ ctx: CommandContext) async throws {
            let url = try OBSURL(object)
            let key = try url.objectKey()
            let request = GetObjectRequest(bucket: url.bucket, key: key, customerKey: try customerKey.load())
            let info: ObjectInfo
            do { info = try await ctx.storage.headObject(request) } catch {
                throw await Transfers.prefixHint(ctx, error, url.bucket, key, verb: nil)
            }
            Renderer(ctx.output).render(ObjectStat(info: info, kmsKeyAlias: ctx.kmsAliases().alias(for: info)))
        }
    }
}

/// `stat`: an *object*; in text one `name: value` line per field, metadata as `metadata.NAME`.
struct ObjectStat: CommandResult {
    let info: ObjectInfo
    /// The KMS key's alias, when KMS could tell it.
    var kmsKeyAlias: String? = nil

    func encode(to encoder: Encoder) throws { try ObjectShape(info, kmsKeyAlias: kmsKeyAlias).encode(to: encoder) }

    var text: [TextLine] {
        var fields = [
            ("object", "obs://\(info.bucket)/\(info.key)"), ("size", "\(info.size)"),
            ("content-type", info.contentType), ("etag", info.etag),
            ("last-modified", JSONShape.time(info.lastModified)), ("encryption", TextShape.sse(info)),
        ]
        if let origin = info.sseOrigin {
            fields.append(("encryption-origin", origin == .bucketDefault ? "bucket default" : "request"))
        }
        if let id = info.kmsKeyID { fields.append(("kms-key-id", id)) }
        if let alias = kmsKeyAlias { fields.append(("kms-key-alias", alias)) }
        if let urn = info.kmsKeyURN { fields.append(("kms-key-urn", urn)) }
        if let md5 = info.customerKeyMD5 { fields.append(("sse-c-key-md5", md5)) }
        for (k, v) in info.headerMetadata.sorted(by: { $0.key < $1.key }) { fields.append((k.lowercased(), v)) }
        for (k, v) in info.userMetadata.sorted(by: { $0.key < $1.key }) { fields.append(("metadata." + k, v)) }
        return TextLine.fields(fields, width: 19)
    }
}
