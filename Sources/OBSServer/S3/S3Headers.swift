import Foundation
import OBSCore
import OBSTime
import OBSXML

/// The mapping between request/response headers and the storage model, in both dialects: OBS-signed requests
/// read and get `x-obs-*`, S3-signed ones `x-amz-*`, as Huawei's SDKs switch them with the signature.
///
/// A header under the other prefix is never read: no signature covers it (OBS's and AWS V2's sign their own
/// prefix; SigV4 requires only `x-amz-*` signed), so an `x-obs-copy-source` added to a presigned PUT would have
/// turned it into a copy of any object.
enum S3Headers {
    /// A request header under the dialect's prefix.
    static func value(_ call: S3Call, _ suffix: String) -> String? {
        call.request.header(call.dialect.headerPrefix + suffix)
    }

    /// The SSE an upload asks for (nil: the bucket default applies). Only one method per request.
    static func sseRequest(_ call: S3Call) throws -> SSERequest? {
        let (mode, keyID) = try requestedMode(call)
        let customer = try customerKey(call, prefix: "server-side-encryption-customer-")
        // Checked here in the API's words; SSERules below words the same rules for the CLI's options.
        if customer != nil, mode != nil {
            throw S3Failure.invalidArgument(
                "only one encryption method per request: server-side-encryption cannot be combined with an SSE-C key")
        }
        return try SSERules.request(mode: mode, kmsKeyID: keyID, customerKey: customer)
    }

    /// A bucket default named at creation (`server-side-encryption` and its key id, as `bucket create --sse`
    /// sends them), under the request's prefix.
    static func bucketDefault(_ call: S3Call) throws -> BucketEncryption? {
        // OBS's CreateBucket names SSE-OBS `obs` (its object requests name it AES256), as obsctl sends it.
        if call.dialect == .obs, value(call, "server-side-encryption") == "obs" {
            guard call.request.header(SSEHeaders.obsKMSKeyID) == nil else {
                throw S3Failure.invalidArgument("a KMS key id needs server-side-encryption kms")
            }
            return try SSERules.bucketDefault(mode: .obs, kmsKeyID: nil)
        }
        let (mode, keyID) = try requestedMode(call)
        return try SSERules.bucketDefault(mode: mode, kmsKeyID: keyID)
    }

    /// `server-side-encryption` (the request's prefix) as a mode, and the KMS key id (its dialect's header); a key id
    /// without SSE-KMS is refused.
    static func requestedMode(_ call: S3Call) throws -> (mode: SSEMode?, keyID: String?) {
        let keyID = call.request.header(call.dialect == .obs ? SSEHeaders.obsKMSKeyID : SSEHeaders.awsKMSKeyID)
        var mode: SSEMode?
        if let algorithm = value(call, "server-side-encryption") {
            guard let m = SSEHeaders.mode(algorithm: algorithm) else {
                throw S3Failure.invalidArgument(
                    "server-side-encryption '\(algorithm)' is not kms, aws:kms or AES256; send one of them")
            }
            mode = m
        }
        if keyID != nil, mode != .kms {
            throw S3Failure.invalidArgument("a KMS key id needs server-side-encryption kms (aws:kms)")
        }
        return (mode, keyID)
    }

    /// An SSE-C key from `<prefix>algorithm`, `<prefix>key`, `<prefix>key-MD5`: all three or none.
    static func customerKey(_ call: S3Call, prefix: String) throws -> CustomerKey? {
        let algorithm = value(call, prefix + "algorithm")
        let key = value(call, prefix + "key")
        let md5 = value(call, prefix + "key-MD5")
        if algorithm == nil && key == nil && md5 == nil { return nil }
        guard let algorithm, let key, let md5 else {
            throw S3Failure.invalidArgument(
                "SSE-C needs all of \(call.dialect.headerPrefix)\(prefix){algorithm,key,key-MD5}")
        }
        do { return try CustomerKey(algorithm: algorithm, keyBase64: key, keyMD5: md5) } catch let e as OBSError {
            throw S3Failure(e.code, S3ErrorText.withoutAdvice(e.message), status: 400)
        }
    }

    /// The dialect's `x-*-meta-*` headers, names lower-cased without the prefix. The checksum obsctl's remote client
    /// records (`obsctl-crc32c`) is left out: the embedded store reserves that name and verifies its bytes itself.
    static func userMetadata(_ call: S3Call) throws -> [String: String] {
        var meta: [String: String] = [:]
        for (name, value) in call.request.headers {
            let n = name.lowercased()
            let p = call.dialect.headerPrefix + "meta-"
            if n.hasPrefix(p) && n.count > p.count {
                let key = String(n.dropFirst(p.count))
                if key != HeaderValues.contentChecksumKey { meta[key] = value }
            }
        }
        // S3 allows 2 KB of user metadata (names and values, in UTF-8); OBS 8 KB.
        let limit = call.dialect == .s3 ? 2 << 10 : 8 << 10
        let size = meta.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard size <= limit else {
            throw S3Failure(
                "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size", status: 400,
                extra: [("Size", String(size)), ("MaxSizeAllowed", String(limit))])
        }
        return meta
    }

    /// The storage class a write asks for (either dialect's names; nil: the bucket's). Kept and answered; the
    /// store has one tier, so an archive class is not made to need a restore before a GET.
    static func storageClass(_ call: S3Call) throws -> String? {
        guard let name = value(call, "storage-class") else { return nil }
        guard knownStorageClasses.contains(name) else {
            throw S3Failure("InvalidStorageClass", "The storage class you specified is not valid", status: 400)
        }
        return name
    }

    /// A stored class in the answer's dialect: OBS's WARM and COLD are S3's STANDARD_IA and GLACIER, and the other
    /// way round, as OBS answers each API in its own names.
    static func storageClassName(_ stored: String, _ dialect: ServeDialect) -> String {
        switch (stored, dialect) {
        case ("WARM", .s3): return "STANDARD_IA"
        case ("COLD", .s3): return "GLACIER"
        case ("STANDARD_IA", .obs): return "WARM"
        case ("GLACIER", .obs): return "COLD"
        default: return stored
        }
    }

    /// A listing's entry for an object, its class in the dialect's names.
    static func listed(_ info: ObjectInfo, _ dialect: ServeDialect) -> ListedObject {
        var entry = ListedObject(info)
        entry.storageClass = entry.storageClass.map { storageClassName($0, dialect) }
        return entry
    }

    /// S3's storage classes and OBS's (STANDARD, WARM, COLD, DEEP_ARCHIVE).
    static let knownStorageClasses: Set<String> = [
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
        "GLACIER_IR", "DEEP_ARCHIVE", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE", "WARM", "COLD",
    ]

    /// Write headers for features the store does not keep (object tags, website redirects, object lock, ACLs other
    /// than the owner's own, appends at an offset): refused with S3's 501, as their subresources are (OBS's append is
    /// `?append`, refused in the dispatch), rather than accepted and dropped: a dropped append offset overwrites.
    /// Values that ask for nothing beyond what the store does pass: a private ACL (the owner's is the only one) and
    /// copying the source's tags (there are none).
    static func refuseUnkeptFeatures(_ call: S3Call) throws {
        let unkept = [
            "tagging", "website-redirect-location", "object-lock-mode", "object-lock-retain-until-date",
            "object-lock-legal-hold", "expires", "server-side-encryption-context", "write-offset-bytes",
        ]
        for suffix in unkept where value(call, suffix) != nil { throw unkeptFeature(call, suffix) }
        if let bucketKey = value(call, "server-side-encryption-bucket-key-enabled") {
            switch bucketKey.trimmingSpaces().lowercased() {
            case "false": break
            case "true": throw unkeptFeature(call, "server-side-encryption-bucket-key-enabled")
            default:
                throw S3Failure.invalidArgument(
                    "\(call.dialect.headerPrefix)server-side-encryption-bucket-key-enabled must be true or false")
            }
        }
        if let directive = value(call, "tagging-directive"), directive.uppercased() != "COPY" {
            throw unkeptFeature(call, "tagging-directive")
        }
        try refuseACLs(call)
    }

    /// CreateBucket: object lock and ACLs, as `refuseUnkeptFeatures`.
    static func refuseUnkeptBucketFeatures(_ call: S3Call) throws {
        if let lock = value(call, "bucket-object-lock-enabled"), lock.lowercased() == "true" {
            throw unkeptFeature(call, "bucket-object-lock-enabled")
        }
        try refuseACLs(call)
    }

    private static func refuseACLs(_ call: S3Call) throws {
        if let acl = value(call, "acl"), !["private", "bucket-owner-full-control"].contains(acl.lowercased()) {
            throw unkeptFeature(call, "acl")
        }
        for grant in ["grant-read", "grant-write", "grant-read-acp", "grant-write-acp", "grant-full-control"]
        where value(call, grant) != nil {
            throw unkeptFeature(call, grant)
        }
    }

    private static func unkeptFeature(_ call: S3Call, _ suffix: String) -> S3Failure {
        S3Failure.unimplementedHeader(call.dialect.headerPrefix + suffix)
    }

    /// The standard headers a write stores with the object (`HeaderMetadata`).
    static func headerMetadata(_ call: S3Call) -> [String: String] { HeaderMetadata.from(call.request.headers) }

    static func contentType(_ call: S3Call) -> String {
        call.request.header("Content-Type") ?? "application/octet-stream"
    }

    /// The SSE answer headers for an object, as OBS (`kms`, key URN) or S3 (`aws:kms`) gives them.
    static func sseHeaders(_ info: ObjectInfo, _ dialect: ServeDialect) -> [(name: String, value: String)] {
        sseHeaders(
            mode: info.sseMode, kmsKey: info.kmsKeyURN ?? info.kmsKeyID, customerKeyMD5: info.customerKeyMD5, dialect)
    }

    /// The same for what an upload will get (InitiateMultipartUpload answers before there is an object).
    static func sseHeaders(
        mode: SSEMode?, kmsKey: String?, customerKeyMD5: String?, _ dialect: ServeDialect
    ) -> [(name: String, value: String)] {
        let p = dialect.headerPrefix
        guard let mode else { return [] }
        if mode == .c {
            var h = [(p + "server-side-encryption-customer-algorithm", CustomerKey.algorithm)]
            if let md5 = customerKeyMD5 { h.append((p + "server-side-encryption-customer-key-MD5", md5)) }
            return h
        }
        guard let algorithm = SSEHeaders.algorithm(mode, obsDialect: dialect == .obs) else { return [] }
        var h = [(p + "server-side-encryption", algorithm)]
        if mode == .kms, let kmsKey {
            h.append((dialect == .obs ? SSEHeaders.obsKMSKeyID : SSEHeaders.awsKMSKeyID, kmsKey))
        }
        return h
    }

    /// Everything GET and HEAD answer about an object except the length.
    static func objectHeaders(_ info: ObjectInfo, _ dialect: ServeDialect) -> [(name: String, value: String)] {
        var h: [(name: String, value: String)] = [
            ("ETag", quoted(info.etag)), ("Last-Modified", Timestamps.rfc1123(info.lastModified)),
            ("Content-Type", info.contentType), ("Accept-Ranges", "bytes"),
        ]
        for (k, v) in info.userMetadata.sorted(by: { $0.key < $1.key }) {
            h.append((dialect.headerPrefix + "meta-" + k, v))
        }
        h += info.headerMetadata.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) }
        // Left out for STANDARD, as S3 and OBS do.
        if let storageClass = info.storageClass {
            h.append((dialect.headerPrefix + "storage-class", storageClassName(storageClass, dialect)))
        }
        return h + sseHeaders(info, dialect)
    }

    static func quoted(_ etag: String) -> String { "\"\(etag)\"" }

}
