import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import OBSXML

/// Multipart operations over the backend's `MultipartUploads`: initiate, upload part (and part copy), list parts,
/// complete, abort. Part rules (InvalidPart, InvalidPartOrder, EntityTooSmall) are the backend's.
extension S3Service {
    func initiateUpload(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        try S3Headers.refuseUnkeptFeatures(call)
        let sse = try S3Headers.sseRequest(call)
        var request = PutObjectRequest(
            bucket: bucket, key: key, sse: sse, contentType: S3Headers.contentType(call),
            userMetadata: try S3Headers.userMetadata(call), storageClass: try S3Headers.storageClass(call))
        request.headerMetadata = S3Headers.headerMetadata(call)
        let checksumAlgorithm = try Self.checksumAlgorithm(call)
        let checksumType = try Self.checksumType(call, algorithm: checksumAlgorithm)
        request.checksumAlgorithm = checksumAlgorithm
        request.checksumType = checksumType == "FULL_OBJECT" ? checksumType : nil
        if sse == nil { try await requireSecureTransport(call, forStored: { try await bucketDefault(bucket) }) }
        let upload = try await backend.initiateMultipartUpload(request)
        var response = Self.xml(
            ServerXML.initiateMultipartUpload(
                bucket: bucket.value, key: key.value, uploadID: upload.uploadID,
                urlEncoded: try Self.urlEncoding(call), dialect: call.dialect.xml))
        // What the parts will be stored under: a bucket default included, and the KMS key resolved.
        for (name, value) in S3Headers.sseHeaders(
            mode: upload.sseMode ?? sse?.mode, kmsKey: upload.kmsKeyURN ?? sse?.kmsKeyID,
            customerKeyMD5: sse?.customerKey?.keyMD5, call.dialect)
        {
            response.setHeader(name, value)
        }
        if let checksumAlgorithm { response.setHeader("x-amz-checksum-algorithm", checksumAlgorithm) }
        if let checksumType { response.setHeader("x-amz-checksum-type", checksumType) }
        return response
    }

    /// S3's `x-amz-checksum-type` at Initiate, with the algorithm: `FULL_OBJECT` (the object's checksum is its whole
    /// bytes', for the CRCs only) or `COMPOSITE` (a checksum of the parts' checksums, for all but CRC-64/NVME);
    /// absent, CRC-64/NVME's is FULL_OBJECT and the others' COMPOSITE. nil without an algorithm.
    static func checksumType(_ call: S3Call, algorithm: String?) throws -> String? {
        let given = call.request.header("x-amz-checksum-type")?.trimmingCharacters(in: .whitespaces).uppercased()
        guard let algorithm else {
            if given == nil { return nil }
            throw S3Failure(
                "InvalidRequest",
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
                status: 400)
        }
        let type = given ?? PartChecksum.defaultType(of: algorithm)
        guard type == "FULL_OBJECT" || type == "COMPOSITE" else {
            throw S3Failure("InvalidRequest", "Value for x-amz-checksum-type header is invalid.", status: 400)
        }
        let fits = type == "FULL_OBJECT" ? !["SHA1", "SHA256"].contains(algorithm) : algorithm != "CRC64NVME"
        guard fits else {
            throw S3Failure(
                "InvalidRequest",
                "The \(type) checksum type cannot be used with the \(algorithm.lowercased()) checksum algorithm.",
                status: 400)
        }
        return type
    }

    /// S3's `x-amz-checksum-algorithm` at Initiate: the parts' checksums will be of that algorithm (a part declaring
    /// another is refused; Complete must list each part's). Echoed as S3 does; an unknown one is S3's 400.
    static func checksumAlgorithm(_ call: S3Call) throws -> String? {
        guard let text = call.request.header("x-amz-checksum-algorithm") else { return nil }
        let name = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard PartChecksum.algorithms.contains(name) else {
            throw S3Failure(
                "InvalidRequest",
                "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
                    + "[\(PartChecksum.algorithms.joined(separator: ", "))]", status: 400)
        }
        return name
    }

    func uploadPart(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, uploadID: String) async throws
        -> ServerResponse
    {
        guard let text = call.request.query("partNumber"), let number = Int(text), (1...10000).contains(number) else {
            throw S3Failure.invalidArgument("Part number must be an integer between 1 and 10000, inclusive")
        }
        let target = try uploadTarget(call, bucket, key, uploadID)
        try await requireSecureTransport(call, forStored: { try await backend.uploadEncryption(target) })
        if let source = S3Headers.value(call, "copy-source") {
            return try await uploadPartCopy(call, target, number, source: source)
        }
        let part = try await backend.uploadPart(target, partNumber: number, body: try CheckedBody.upload(call))
        var response = ServerResponse(status: 200, headers: [("ETag", S3Headers.quoted(part.etag))])
        partSSEHeaders(&response, part, target, call.dialect)
        if let checksum = part.checksum {
            response.setHeader("x-amz-checksum-" + checksum.algorithm.lowercased(), checksum.value)
        }
        return response
    }

    /// UploadPart-Copy: the source's bytes (all, or `copy-source-range: bytes=a-b`) become the part. The source
    /// is opened once: its conditions and range are checked against the object whose bytes are then read.
    private func uploadPartCopy(_ call: S3Call, _ target: MultipartUploadTarget, _ number: Int, source: String)
        async throws -> ServerResponse
    {
        let (sourceBucket, sourceKey) = try Self.copySource(source)
        let sourceRequest = GetObjectRequest(
            bucket: sourceBucket, key: sourceKey,
            customerKey: try S3Headers.customerKey(call, prefix: "copy-source-server-side-encryption-customer-"))
        let spec = S3Headers.value(call, "copy-source-range")
        let backend = self.backend
        let body = try await BlockingPool.shared.run { [self] in
            try backend.openRange(sourceRequest) { info in
                try requireSecureTransport(call, for: info.sseMode)  // an SSE-KMS source, as CopyObject's
                try checkCopySourceConditions(call, info)
                return try spec.map { try Self.copySourceRange($0, size: info.size) }
            }.0
        }
        let part = try await backend.uploadPart(target, partNumber: number, body: body)
        var response = Self.xml(
            ServerXML.copyPart(
                etag: part.etag, lastModified: part.lastModified, checksum: part.checksum, dialect: call.dialect.xml))
        partSSEHeaders(&response, part, target, call.dialect)
        return response
    }

    /// `bytes=a-b` (decimal digits only) with a <= b < size, as a..<b+1; anything else is refused.
    static func copySourceRange(_ spec: String, size: Int64) throws -> Range<Int64> {
        let ends =
            spec.hasPrefix("bytes=") ? spec.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false) : []
        guard ends.count == 2, ends.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }),
            let a = Int64(ends[0]), let b = Int64(ends[1]), a <= b, b < size
        else {
            throw S3Failure(
                "InvalidArgument",
                "The x-amz-copy-source-range value must be of the form bytes=first-last where "
                    + "first and last are the zero-based offsets of the first and last bytes to copy",
                status: 400)
        }
        return a..<b + 1
    }

    func listParts(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, uploadID: String) async throws
        -> ServerResponse
    {
        let r = call.request
        let marker =
            try r.query("part-number-marker").map {
                guard let n = Int($0), n >= 0 else {
                    throw S3Failure.invalidArgument("part-number-marker must be a number")
                }
                return n
            } ?? 0
        let maxParts = try Self.maxCount(r.query("max-parts"), name: "max-parts")
        let listing = try await backend.partsListing(try uploadTarget(call, bucket, key, uploadID))
        let after = listing.parts.filter { $0.partNumber > marker }
        let parts = Array(after.prefix(maxParts))
        var page = PartListResponse(
            bucket: bucket.value, key: key.value, uploadID: uploadID,
            owner: XMLOwner(id: call.identity?.accessKeyID ?? ""),
            storageClass: S3Headers.storageClassName(listing.storageClass ?? "STANDARD", call.dialect),
            partNumberMarker: marker,
            // An empty page (max-parts=0) has no next marker to page on: it is not truncated, as max-keys=0 is not.
            nextPartNumberMarker: parts.last?.partNumber, maxParts: maxParts,
            isTruncated: maxParts > 0 && after.count > parts.count,
            parts: parts, urlEncoded: try Self.urlEncoding(call))
        page.checksumAlgorithm = listing.checksumAlgorithm
        page.checksumType = listing.checksumType
        return Self.xml(ServerXML.listParts(page, dialect: call.dialect.xml))
    }

    func completeUpload(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, uploadID: String) async throws
        -> ServerResponse
    {
        // An x-amz-checksum-* header on Complete is the whole object's (S3's FULL_OBJECT type), not the XML's: the
        // store checks it against the one its parts' CRCs give, or refuses it.
        let body = try await readCheckedBody(call, limit: ServerXMLReader.maxCompleteBytes, flexible: false)
        let parts = try ServerXMLReader.completeMultipartUpload(body)
        var target = try uploadTarget(call, bucket, key, uploadID)
        target.precondition = try Self.writePrecondition(call)
        // OBS takes parts from 100 KB (its SDKs' uploadFile splits at 100 KiB and up); S3 from 5 MiB.
        target.minimumPartSize = call.dialect == .obs ? PartSizeMinimum.obs : PartSizeMinimum.s3
        if let declared = call.request.header(call.dialect.headerPrefix + "mp-object-size") {
            guard declared.utf8.allSatisfy({ (48...57).contains($0) }), let size = Int64(declared) else {
                throw S3Failure.invalidArgument("\(call.dialect.headerPrefix)mp-object-size must be a whole number")
            }
            target.expectedSize = size
        }
        let checksums = Dictionary(
            parts.map { p in (p.number, p.checksums.map { PartChecksum(algorithm: $0.key, value: $0.value) }) },
            uniquingKeysWith: { first, _ in first })
        let info = try await backend.completeMultipartUpload(
            target, parts: parts.map { (partNumber: $0.number, etag: ETags.bare($0.etag)) },
            checksums: checksums, objectChecksum: try Self.fullObjectChecksum(call))
        let host = call.request.header("Host") ?? "localhost"
        let scheme = call.request.isTLS ? "https" : "http"
        var response = Self.xml(
            ServerXML.completeMultipartUpload(
                // A URL: the key percent-encoded, as S3 gives it.
                location: "\(scheme)://\(host)/\(call.route.virtualHosted ? "" : bucket.value + "/")"
                    + URIEncoding.encodeObjectKey(key.value),
                bucket: bucket.value, key: key.value,
                etag: info.etag, urlEncoded: try Self.urlEncoding(call), dialect: call.dialect.xml))
        for (name, value) in S3Headers.sseHeaders(info, call.dialect) { response.setHeader(name, value) }
        return response
    }

    /// The one `x-amz-checksum-<algorithm>` header of a Complete, if any; more than one is S3's 400.
    static func fullObjectChecksum(_ call: S3Call) throws -> PartChecksum? {
        let given = FlexibleChecksum.Algorithm.allCases.compactMap { a in
            call.request.header(a.headerName).map { PartChecksum(algorithm: a.displayName, value: $0) }
        }
        guard given.count <= 1 else {
            throw S3Failure(
                "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
                status: 400)
        }
        return given.first
    }

    func abortUpload(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, uploadID: String) async throws
        -> ServerResponse
    {
        // An abort's conditions (S3's on the initiation time, HTTP's) are not checked: refused, never dropped.
        let conditions =
            ["If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"]
            + ["\(call.dialect.headerPrefix)if-match-initiated-time"]
        if let name = conditions.first(where: { call.request.header($0) != nil }) {
            throw S3Failure.unimplementedHeader(name, "an abort takes no condition")
        }
        try await backend.abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
        return ServerResponse(status: 204)
    }

    private func uploadTarget(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, _ uploadID: String) throws
        -> MultipartUploadTarget
    {
        MultipartUploadTarget(
            bucket: bucket, key: key, uploadID: uploadID,
            customerKey: try S3Headers.customerKey(call, prefix: "server-side-encryption-customer-"))
    }

    /// UploadPart and UploadPart-Copy answer the encryption the part is stored under, as S3 and OBS do.
    private func partSSEHeaders(
        _ response: inout ServerResponse, _ part: UploadedPart, _ target: MultipartUploadTarget,
        _ dialect: ServeDialect
    ) {
        let mode = target.customerKey != nil ? .c : part.sseMode
        for (name, value) in S3Headers.sseHeaders(
            mode: mode, kmsKey: part.kmsKeyURN, customerKeyMD5: target.customerKey?.keyMD5, dialect)
        {
            response.setHeader(name, value)
        }
    }
}
