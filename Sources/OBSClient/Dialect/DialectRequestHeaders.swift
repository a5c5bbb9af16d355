import OBSCore
import OBSCrypto
import OBSSigner
import OBSXML

/// The OBS/S3 dialect, model to request: SSE, SSE-C, copy-source and metadata headers, in the header vocabulary
/// the signature implies (`x-obs-*` for OBS, `x-amz-*` for AWS V2/V4).
extension RemoteBackend {
    var xmlDialect: XMLDialect { configuration.isOBSDialect ? .obs : .aws }

    func sseHeaders(_ sse: SSERequest?) -> [(String, String)] {
        let p = configuration.headerPrefix
        switch sse {
        case nil, .unencrypted?: return []
        case .obs?: return [("\(p)server-side-encryption", "AES256")]
        case .kms(let id)?:
            var h = [
                ("\(p)server-side-encryption", SSEHeaders.algorithm(.kms, obsDialect: configuration.isOBSDialect)!)
            ]
            if let id { h.append((configuration.isOBSDialect ? SSEHeaders.obsKMSKeyID : SSEHeaders.awsKMSKeyID, id)) }
            return h
        case .customer(let k)?: return customerKeyHeaders(k, prefix: "")
        }
    }

    /// SSE-C headers (also repeated on every UploadPart, as OBS requires; KMS/OBS headers go on Initiate only).
    func customerKeyHeaders(_ key: CustomerKey?, prefix: String) -> [(String, String)] {
        guard let key else { return [] }
        let p = configuration.headerPrefix + prefix + "server-side-encryption-customer-"
        return [
            (p + "algorithm", CustomerKey.algorithm), (p + "key", Base64.encode(key.key.copyBytes())),
            (p + "key-MD5", key.keyMD5),
        ]
    }

    /// The copy source and its SSE-C key, for CopyObject and UploadPart-Copy.
    func copySourceHeaders(_ src: GetObjectRequest) -> [(String, String)] {
        [("\(configuration.headerPrefix)copy-source", "/\(src.bucket)/\(URIEncoding.encodeObjectKey(src.key.value))")]
            + customerKeyHeaders(src.customerKey, prefix: "copy-source-")
    }

    func metadataHeaders(_ metadata: [String: String]) -> [(String, String)] {
        metadata.sorted { $0.key < $1.key }.map { ("\(configuration.headerPrefix)meta-\($0.key)", $0.value) }
    }

    /// What a new object is described by: user metadata, content type, the standard headers stored with it and,
    /// when one is asked for, storage class (PUT, Initiate, and a copy that replaces the metadata).
    func objectHeaders(_ request: PutObjectRequest) -> [(String, String)] {
        var headers = metadataHeaders(request.userMetadata)
        headers.append(("Content-Type", request.contentType))
        headers += request.headerMetadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let storageClass = request.storageClass {
            headers.append(("\(configuration.headerPrefix)storage-class", storageClass))
        }
        return headers
    }

    /// The SSE mode a request asks for by its headers (SSE-C key headers, an SSE-KMS header), else `op.sseIntent`.
    static func sseIntent(_ op: Operation) -> SSEMode? {
        SSEHeaders.intent(op.headers.map { (name: $0.0, value: $0.1) }) ?? op.sseIntent
    }
}

extension Optional where Wrapped == SSERequest {
    var customerKey: CustomerKey? { self?.customerKey }
}
