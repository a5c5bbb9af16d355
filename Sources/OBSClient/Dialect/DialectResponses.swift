import Foundation
import OBSCore
import OBSTime

/// The OBS/S3 dialect, response to model: an object's description from the headers of a HEAD, GET or PUT answer.
extension RemoteBackend {
    func objectInfo(_ bucket: BucketName, _ key: ObjectKey, _ r: HTTPResponse, customerKey: CustomerKey?) -> ObjectInfo
    {
        let p = configuration.headerPrefix
        var metadata: [String: String] = [:], headerMetadata: [String: String] = [:]
        let metaPrefix = p + "meta-"
        for (name, value) in r.headers {
            if name.hasPrefix(metaPrefix) {
                metadata[String(name.dropFirst(metaPrefix.count))] = value
            } else if let canonical = HeaderMetadata.canonicalName(lowercased: name) {
                headerMetadata[canonical] = value
            }
        }
        // obsctl's own record, not the user's
        let recorded = metadata.removeValue(forKey: UploadIntegrity.contentChecksumMetadata)
        let sse = r.header(p + "server-side-encryption")
        let mode: SSEMode
        if r.header(p + "server-side-encryption-customer-algorithm") != nil {
            mode = .c
        } else {
            mode = sse.flatMap(SSEHeaders.mode(algorithm:)) ?? .unencrypted
        }
        let keyHeader = r.header(SSEHeaders.obsKMSKeyID) ?? r.header(SSEHeaders.awsKMSKeyID)
        let keyID = keyHeader.map { k in k.range(of: "key/").map { String(k[$0.upperBound...]) } ?? k }
        // A resumed download answers 206 with Content-Range "bytes a-b/total": the object's size is the total.
        // A write's answer (PUT, CompleteMultipartUpload) carries no Last-Modified on S3 or OBS: the object's time
        // is the answer's Date, the server's clock when it committed. Never 1970 for a server that sends either.
        let lastModified = (r.header("last-modified") ?? r.header("date")).flatMap(Timestamps.parseRFC1123)
        let total = r.header("content-range").flatMap { $0.split(separator: "/").last }.flatMap { Int64($0) }
        var info = ObjectInfo(
            bucket: bucket, key: key, size: total ?? Int64(r.header("content-length") ?? "") ?? 0,
            etag: ETagChecksum.unquoted(r.header("etag") ?? ""), contentType: r.header("content-type") ?? "",
            lastModified: lastModified ?? Date(timeIntervalSince1970: 0),
            userMetadata: metadata, sseMode: mode, sseOrigin: nil, kmsKeyID: keyID, kmsKeyURN: keyHeader,
            customerKeyMD5: mode == .c
                ? (r.header(p + "server-side-encryption-customer-key-md5") ?? customerKey?.keyMD5) : nil,
            recordedChecksum: recorded, storageClass: r.header(p + "storage-class"))
        info.headerMetadata = headerMetadata
        return info
    }

}
