import Foundation
import OBSCore
import OBSTime

/// The mapping between request/response headers and the storage model, in both dialects: OBS-signed requests
/// read and get `x-obs-*`, S3-signed ones `x-amz-*` (a request may use either prefix; the answer uses its own).
enum S3Headers {
    /// A request header under the dialect's prefix, else under the other one.
    static func value(_ call: S3Call, _ suffix: String) -> String? {
        let other: ServeDialect = call.dialect == .obs ? .s3 : .obs
        return call.request.header(call.dialect.headerPrefix + suffix)
            ?? call.request.header(other.headerPrefix + suffix)
    }

    /// The SSE an upload asks for (nil: the bucket default applies). Only one method per request.
    static func sseRequest(_ call: S3Call) throws -> SSERequest? {
        let algorithm = value(call, "server-side-encryption")
        let keyID =
            call.request.header("x-obs-server-side-encryption-kms-key-id")
            ?? call.request.header("x-amz-server-side-encryption-aws-kms-key-id")
        let customer = try customerKey(call, prefix: "server-side-encryption-customer-")
        var mode: SSEMode?
        switch algorithm {
        case nil: mode = nil
        case "kms"?, "aws:kms"?: mode = .kms
        case "AES256"?: mode = .obs
        case let other?:
            throw S3Failure.invalidArgument(
                "server-side-encryption '\(other)' is not kms, aws:kms or AES256; send one of them")
        }
        if customer != nil, mode != nil {
            throw S3Failure.invalidArgument(
                "only one encryption method per request: server-side-encryption cannot be combined with an SSE-C key")
        }
        if keyID != nil, mode != .kms {
            throw S3Failure.invalidArgument("a KMS key id needs server-side-encryption kms (aws:kms)")
        }
        return try SSERules.request(mode: mode, kmsKeyID: keyID, customerKey: customer)
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
            throw S3Failure(e.code, e.message, status: 400)
        }
    }

    /// `x-*-meta-*` headers, names lower-cased without the prefix. The checksum obsctl's remote client records
    /// (`obsctl-crc32c`) is left out: the embedded store reserves that name and verifies its bytes itself.
    static func userMetadata(_ call: S3Call) -> [String: String] {
        var meta: [String: String] = [:]
        for (name, value) in call.request.headers {
            let n = name.lowercased()
            for p in ["x-obs-meta-", "x-amz-meta-"] where n.hasPrefix(p) && n.count > p.count {
                let key = String(n.dropFirst(p.count))
                if key != HeaderValues.contentChecksumKey { meta[key] = value }
            }
        }
        return meta
    }

    static func contentType(_ call: S3Call) -> String {
        call.request.header("Content-Type") ?? "application/octet-stream"
    }

    /// The SSE answer headers for an object, as OBS (`kms`, key URN) or S3 (`aws:kms`) gives them.
    static func sseHeaders(_ info: ObjectInfo, _ dialect: ServeDialect) -> [(name: String, value: String)] {
        let p = dialect.headerPrefix
        switch info.sseMode {
        case .kms?:
            var h = [(p + "server-side-encryption", dialect == .obs ? "kms" : "aws:kms")]
            if let urn = info.kmsKeyURN ?? info.kmsKeyID {
                h.append(
                    (
                        dialect == .obs
                            ? p + "server-side-encryption-kms-key-id"
                            : p
                                + "server-side-encryption-aws-kms-key-id", urn
                    ))
            }
            return h
        case .obs?: return [(p + "server-side-encryption", "AES256")]
        case .c?:
            var h = [(p + "server-side-encryption-customer-algorithm", CustomerKey.algorithm)]
            if let md5 = info.customerKeyMD5 { h.append((p + "server-side-encryption-customer-key-MD5", md5)) }
            return h
        default: return []
        }
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
        return h + sseHeaders(info, dialect)
    }

    static func quoted(_ etag: String) -> String { "\"\(etag)\"" }

    /// An ETag from a header or XML: quotes and spaces dropped.
    static func bareETag(_ text: String) -> String {
        text.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
    }
}
