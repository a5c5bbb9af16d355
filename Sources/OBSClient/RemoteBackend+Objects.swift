import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import OBSXML

/// Object operations: put (one PUT or multipart), head, copy, delete, list; and the post-write check that the
/// server applied the encryption asked for.
extension RemoteBackend {
    public func putObject(_ request: PutObjectRequest, body: ByteSource) async throws -> ObjectInfo {
        do { return try await putObjectOnce(request, body: body) } catch let e as OBSError where request.sse == nil {
            throw await kmsDefaultFailure(e, bucket: request.bucket)
        }
    }

    /// A write without --sse into a bucket whose default is SSE-KMS, failed with a server error to every attempt:
    /// said as the KMS problem it likely is (SeaweedFS answers InternalError), not as "try again later".
    func kmsDefaultFailure(_ error: OBSError, bucket: BucketName) async -> OBSError {
        guard error.httpStatus >= 500, error.httpStatus != 503, error.category == .transient,
            let d = try? await bucketEncryption(bucket), d.mode == .kms
        else { return error }
        return OBSError(
            code: error.code,
            message: "the server answered \(error.code) (HTTP \(error.httpStatus)) to every attempt to write "
                + "into obs://\(bucket), "
                + "whose default encryption is SSE-KMS: it may not support SSE-KMS; turn the default off with "
                + "'obsctl bucket encryption disable obs://\(bucket)' or use an endpoint with a KMS",
            httpStatus: error.httpStatus, category: .kms, requestID: error.requestID, resource: error.resource)
    }

    private func putObjectOnce(_ request: PutObjectRequest, body: ByteSource) async throws -> ObjectInfo {
        try request.validateHeaders()
        // Refused rather than dropped: a write the caller made conditional must not happen unconditionally.
        guard request.precondition == nil else {
            throw OBSError.invalidArgument("this client sends no conditional writes (If-None-Match, If-Match)")
        }
        try checkTransportSecurity(request.sse, what: "upload to obs://\(request.bucket)/\(request.key)")
        var headers = sseHeaders(request.sse) + objectHeaders(request)
        let integrity = try UploadIntegrity(request.transfer.checksum, configuration: configuration)
        let p = configuration.headerPrefix
        // Above 5 GB a single PUT is refused: multipart then, whatever --multipart-threshold says.
        let threshold = min(request.transfer.multipartThreshold, Self.maxSinglePut)
        let response: HTTPResponse
        var length: Int64? = nil
        let regularFile = body as? RewindableFileSource
        if let file = regularFile, file.length > min(threshold, Self.inMemoryPut) {
            length = file.length
            if file.length > threshold {
                let plan = try MultipartPlan(objectSize: file.length, partSize: request.transfer.partSize)
                // With part trailers, no pass before the send: the server's composite CRC-32C stands for the record.
                let sums = integrity.partTrailers ? nil : try integrity.scan(file, plan: plan)
                let record = UploadIntegrity.metadata(sums?.whole, prefix: p)
                response = try await multipartUpload(
                    request, initiateHeaders: headers + record, integrity: integrity,
                    file: file, plan: plan, partHeaders: sums?.parts ?? [:])
            } else {
                let sums = try integrity.scan(file, plan: nil)
                let prepared = integrity.prepare(file, header: sums.parts[1])
                response = try await perform(
                    Operation(
                        method: "PUT", bucket: request.bucket, key: request.key,
                        headers: headers + UploadIntegrity.metadata(sums.whole, prefix: p)
                            + prepared.headers,
                        body: prepared.body, customerKey: request.sse.customerKey))
            }
        } else {
            // A small file is read whole, once: its checksums and the body come from the same bytes, so nothing can
            // change between them, and the body leaves with the headers (`HTTPRequest.Body.bytes`).
            // A stream of unknown length (stdin): up to the threshold it is one PUT with a known length and MD5;
            // beyond it, a multipart upload reading one part at a time (its whole checksum is known too late to be
            // recorded: each part is checked by the server, and downloads by what the server offers).
            // A stream is held in memory up to one part at most, so a single PUT of it takes one part at most.
            let single =
                regularFile == nil ? min(Int(threshold), Self.streamPartSize(request.transfer)) : Int(threshold)
            let head = ReadAhead(try regularFile.map(Self.readWhole) ?? Self.readUpTo(single + 1, from: body))
            if head.bytes.count <= single {
                let first = head.take()
                length = Int64(first.count)
                if let h = integrity.header(for: first) { headers.append(h) }
                headers += UploadIntegrity.metadata(CRC32C.checksum(first).base64, prefix: p)
                response = try await perform(
                    Operation(
                        method: "PUT", bucket: request.bucket, key: request.key, headers: headers,
                        body: .bytes(first), customerKey: request.sse.customerKey))
            } else {
                response = try await multipartUpload(
                    request, initiateHeaders: headers, integrity: integrity, stream: body, first: head)
            }
        }
        let expected = await expectedMode(request.bucket, request.sse)
        var info = objectInfo(request.bucket, request.key, response, customerKey: request.sse.customerKey)
        if response.header("etag") == nil || (info.sseMode == .unencrypted && expected != .unencrypted) {
            // CompleteMultipartUpload answers may carry no SSE headers (SeaweedFS): ask the object itself.
            let head = try await headObject(
                GetObjectRequest(bucket: request.bucket, key: request.key, customerKey: request.sse.customerKey))
            info.sseMode = head.sseMode
            info.kmsKeyID = head.kmsKeyID
            info.kmsKeyURN = head.kmsKeyURN
            info.customerKeyMD5 = head.customerKeyMD5
            info.etag = head.etag
        }
        info.size = length ?? info.size
        info.contentType = request.contentType
        info.userMetadata = request.userMetadata
        info.sseOrigin = Self.origin(request.sse, expected: expected, stored: info)
        try verifyEncryption(info, expected: expected)
        return info
    }

    public func headObject(_ request: GetObjectRequest) async throws -> ObjectInfo {
        let response = try await headResponse(request)
        return objectInfo(request.bucket, request.key, response, customerKey: request.customerKey)
    }

    func headResponse(_ request: GetObjectRequest) async throws -> HTTPResponse {
        try checkTransportSecurity(
            request.customerKey.map { .customer($0) }, what: "stat of obs://\(request.bucket)/\(request.key)")
        do {
            return try await perform(
                Operation(
                    method: "HEAD", bucket: request.bucket, key: request.key,
                    headers: customerKeyHeaders(request.customerKey, prefix: ""), customerKey: request.customerKey))
        } catch let e as OBSError where e.category == .notFound && e.code != "NoSuchBucket" {
            // A HEAD's 404 has no body to say whether the key or the bucket is missing: the bucket is asked about,
            // on this error path only, so that stat and rm name a missing bucket as GET and PUT do.
            do { _ = try await perform(Operation(method: "HEAD", bucket: request.bucket)) } catch let b as OBSError
                where b.category == .notFound
            {
                throw OBSError.noSuchBucket(request.bucket.value)
            } catch {}
            throw e
        }
    }

    /// CopyObject, server side; a source larger than the multipart threshold (and always one over CopyObject's
    /// 5 GB limit) is copied as a multipart upload of UploadPart-Copy ranges.
    public func copyObject(_ request: CopyObjectRequest) async throws -> ObjectInfo {
        do { return try await copyObjectOnce(request) } catch let e as OBSError where request.destination.sse == nil {
            throw await kmsDefaultFailure(e, bucket: request.destination.bucket)
        }
    }

    private func copyObjectOnce(_ request: CopyObjectRequest) async throws -> ObjectInfo {
        let dst = request.destination
        let src = request.source
        try dst.validateHeaders()
        try checkTransportSecurity(dst.sse, what: "copy to obs://\(dst.bucket)/\(dst.key)")
        try checkTransportSecurity(
            src.customerKey.map { .customer($0) }, what: "copy from obs://\(src.bucket)/\(src.key)")
        let source = try await copySource(request)
        // The same plaintext: its recorded checksum goes along (COPY keeps it; REPLACE and a multipart copy must
        // state it again).
        let checksum = UploadIntegrity.metadata(source.recordedChecksum, prefix: configuration.headerPrefix)
        var copied: HTTPResponse?
        do {
            if !isSingleCopy(request, size: source.size) {
                try await multipartCopy(request, source: source, checksum: checksum)
            } else if learnsPinEnforcement(request, source: source) {
                copied = try await singleCopyLearningPin(request, source: source, checksum: checksum)
            } else {
                copied = try await singleCopy(request, source: source, checksum: checksum)
            }
        } catch let e as OBSError where e.httpStatus == 412 && !source.etag.isEmpty {
            // Only the copy-source-if-match pin asks a precondition of these requests.
            throw OBSError.sourceChanged(src.bucket.value, src.key.value)
        }
        let expected = await expectedMode(dst.bucket, dst.sse)
        var info: ObjectInfo
        if request.sourceInfo != nil, let copied, let stated = copyResultInfo(request, source: source, copied) {
            info = stated
        } else {
            info = try await headObject(
                GetObjectRequest(bucket: dst.bucket, key: dst.key, customerKey: dst.sse.customerKey))
        }
        info.sseOrigin = Self.origin(dst.sse, expected: expected, stored: info)
        try verifyEncryption(info, expected: expected)
        return info
    }

    private func isSingleCopy(_ request: CopyObjectRequest, size: Int64) -> Bool {
        size <= min(request.destination.transfer.multipartThreshold, Self.maxSinglePut)
    }

    /// The source as the caller's HEAD read it when it gave one pinned by `sourceIfMatch` and the server enforces
    /// the pin (it then refuses any other version, so a second HEAD would only cost a round trip): documented for
    /// OBS and S3, or seen on an earlier single copy (`singleCopyLearningPin`). Else this HEAD's, checked against
    /// the pin, so that only its round trip is left for a server that ignores the pin.
    private func copySource(_ request: CopyObjectRequest) async throws -> ObjectInfo {
        let src = request.source
        if let known = request.sourceInfo, let pin = request.sourceIfMatch, !pin.isEmpty, known.etag == pin,
            known.bucket == src.bucket, known.key == src.key,
            configuration.enforcesCopySourceConditions
                || shared.copyPinEnforced == true && isSingleCopy(request, size: known.size)
        {
            return known
        }
        let source = try await headObject(src)
        if let expected = request.sourceIfMatch, source.etag != expected {
            throw OBSError.sourceChanged(src.bucket.value, src.key.value)
        }
        return source
    }

    /// An ETag no object has (ETags are hex digits, a multipart one with "-N"): a copy pinned to it copies only
    /// where the server ignores the pin.
    static let unmatchablePin = "obsctl-pin-probe"

    /// Whether this copy is the one to learn on: the caller pinned it to its own HEAD (so knowing would save later
    /// copies a HEAD each), the server's enforcement is neither documented nor seen yet, and it is a single copy.
    private func learnsPinEnforcement(_ request: CopyObjectRequest, source: ObjectInfo) -> Bool {
        request.sourceInfo != nil && request.sourceIfMatch != nil && !source.etag.isEmpty
            && !configuration.enforcesCopySourceConditions && shared.copyPinEnforced == nil && shared.claimPinProbe()
    }

    /// The copy, sent first pinned to `unmatchablePin`. A server that enforces the pin answers 412 and copies
    /// nothing; that is noted, and the copy is sent again pinned to the source's ETag. A server that ignores the
    /// pin has just made the copy asked for, from the source its HEAD checked just before, as every copy there
    /// is made; that is noted too, and its answer is the copy's. One request more, once per client.
    private func singleCopyLearningPin(
        _ request: CopyObjectRequest, source: ObjectInfo, checksum: [(String, String)]
    ) async throws -> HTTPResponse {
        debugLog?.write("* does the server enforce copy-source-if-match? This copy is pinned to an ETag no object has")
        do {
            let answer = try await singleCopy(request, source: source, checksum: checksum, pin: Self.unmatchablePin)
            shared.copyPinEnforced = false
            return answer
        } catch let e as OBSError where e.httpStatus == 412 {
            shared.copyPinEnforced = true
            return try await singleCopy(request, source: source, checksum: checksum)
        } catch {
            // Refused for another reason: a KMS or access error (the copy as it would have been sent then fails
            // the same way), or a server that rejects the probe's ETag itself, which then counts as not enforcing.
            let answer = try await singleCopy(request, source: source, checksum: checksum)
            shared.copyPinEnforced = false
            return answer
        }
    }

    /// One CopyObject request, pinned to `pin` (default: the source's ETag); its answer (headers and
    /// CopyObjectResult) comes back.
    private func singleCopy(
        _ request: CopyObjectRequest, source: ObjectInfo, checksum: [(String, String)], pin: String? = nil
    ) async throws -> HTTPResponse {
        let dst = request.destination
        var headers = sseHeaders(dst.sse) + copySourceHeaders(request.source)
        let directive = request.replaceMetadata ? "REPLACE" : "COPY"
        headers.append(("\(configuration.headerPrefix)metadata-directive", directive))
        // The source must still be the one whose checksum goes along (as for the ranges of a multipart copy):
        // one overwritten meanwhile fails the copy (412, exit 10) instead of carrying a stale checksum.
        if let pin = pin ?? (source.etag.isEmpty ? nil : source.etag) {
            headers.append(("\(configuration.headerPrefix)copy-source-if-match", "\"\(pin)\""))
        }
        if request.replaceMetadata {
            headers += objectHeaders(dst) + checksum
        } else if let storageClass = dst.storageClass {
            headers.append(("\(configuration.headerPrefix)storage-class", storageClass))
        }
        let response = try await perform(
            Operation(
                method: "PUT", bucket: dst.bucket, key: dst.key, headers: headers,
                customerKey: dst.sse.customerKey ?? request.source.customerKey))
        _ = try OBSXMLParser.copyResult(response.body)
        return response
    }

    /// The copy as its answer states it, or nil when the answer does not state the encryption (then a HEAD must):
    /// S3 and OBS return the SSE headers (and the KMS key) on CopyObject. Size, type and metadata are the source's
    /// and the request's; ETag and Last-Modified are the CopyObjectResult's.
    private func copyResultInfo(_ request: CopyObjectRequest, source: ObjectInfo, _ r: HTTPResponse) -> ObjectInfo? {
        let p = configuration.headerPrefix
        guard
            r.header(p + "server-side-encryption") != nil
                || r.header(p + "server-side-encryption-customer-algorithm") != nil,
            let result = try? OBSXMLParser.copyResult(r.body)
        else { return nil }
        let dst = request.destination
        var info = objectInfo(dst.bucket, dst.key, r, customerKey: dst.sse.customerKey)
        info.size = source.size
        info.etag = ETagChecksum.unquoted(result.etag)
        info.lastModified = result.lastModified ?? info.lastModified
        info.contentType = request.replaceMetadata ? dst.contentType : source.contentType
        info.userMetadata = request.replaceMetadata ? dst.userMetadata : source.userMetadata
        info.headerMetadata = request.replaceMetadata ? dst.headerMetadata : source.headerMetadata
        info.recordedChecksum = source.recordedChecksum
        return info
    }

    public func deleteObject(bucket: BucketName, key: ObjectKey) async throws {
        // S3 answers 204 for a missing key; say "not found" as the local backend does.
        do { _ = try await headObject(GetObjectRequest(bucket: bucket, key: key)) } catch let e as OBSError
            where e.category == .notFound
        { throw e } catch {}  // an SSE-C object answers HEAD without its key with 400: it exists
        _ = try await perform(Operation(method: "DELETE", bucket: bucket, key: key))
    }

    /// POST ?delete, 1000 keys a request (Content-MD5 is mandatory), quiet mode: the answer lists failures only.
    public func deleteObjects(bucket: BucketName, keys: [ObjectKey]) async throws -> [(key: ObjectKey, error: OBSError)]
    {
        var failed: [(key: ObjectKey, error: OBSError)] = []
        // A key no XML 1.0 body can hold (a control character) would make the server refuse the whole batch: each
        // goes by a plain DELETE of its own, without deleteObject's HEAD: as in a batch, one already gone counts as
        // deleted. The rest go in batches.
        let alone = keys.filter { !OBSXMLBody.isWritable($0.value) }
        let keys = alone.isEmpty ? keys : keys.filter { OBSXMLBody.isWritable($0.value) }
        for key in alone {
            do { _ = try await perform(Operation(method: "DELETE", bucket: bucket, key: key)) } catch let e as OBSError
                where e.category != .notFound
            { failed.append((key, e)) }
        }
        var start = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(start + 1000, keys.count)])
            start += batch.count
            let body = OBSXMLBody.deleteObjects(keys: batch.map(\.value), quiet: true)
            let response = try await perform(
                Operation(
                    method: "POST", bucket: bucket, query: [("delete", nil)],
                    headers: [("Content-Type", "application/xml")], body: .bytes(body), contentMD5: true))
            for e in try OBSXMLParser.deleteResult(response.body).errors {
                guard let key = try? ObjectKey(e.key) else { continue }
                failed.append(
                    (
                        key,
                        OBSError(
                            code: e.code, message: "cannot delete obs://\(bucket)/\(e.key): \(e.message)",
                            httpStatus: 200,
                            category: e.code == "AccessDenied" ? .accessDenied : .general)
                    ))
            }
        }
        return failed
    }

    public func listObjects(bucket: BucketName, prefix: String, delimiter: String?, marker: String?, maxKeys: Int)
        async throws -> ObjectListing
    {
        var query: [(String, String?)] = [("prefix", prefix), ("max-keys", String(maxKeys)), ("encoding-type", "url")]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let marker { query.append(("marker", marker)) }
        let response = try await perform(Operation(method: "GET", bucket: bucket, query: query))
        let page = try OBSXMLParser.listObjects(response.body)
        let objects = try page.objects.map { o in
            ObjectInfo(
                bucket: bucket, key: try ObjectKey(o.key), size: o.size, etag: ETagChecksum.unquoted(o.etag),
                contentType: "",
                lastModified: o.lastModified ?? Date(timeIntervalSince1970: 0), userMetadata: [:], sseMode: nil,
                sseOrigin: nil)
        }
        return ObjectListing(
            objects: objects, commonPrefixes: page.commonPrefixes, nextMarker: page.isTruncated ? page.nextMarker : nil)
    }

    static let maxSinglePut: Int64 = 5 << 30

    /// What the server should report after a write: the requested mode, else the bucket default, else none. nil
    /// when the default cannot be read (a caller allowed to write but not to read the setting): then what the server
    /// reports is taken as it is, rather than a write encrypted by that default called a failure (exit 6).
    private func expectedMode(_ bucket: BucketName, _ sse: SSERequest?) async -> SSEMode? {
        if let sse { return sse.mode }
        if let cached = shared.bucketDefault(bucket.value) { return cached?.mode ?? SSEMode.unencrypted }
        if shared.isBucketDefaultUnreadable(bucket.value) { return nil }
        return try? await bucketEncryption(bucket)?.mode ?? SSEMode.unencrypted  // a failure is remembered
    }

    /// Whether the write's encryption came from the request or the bucket's default.
    private static func origin(_ sse: SSERequest?, expected: SSEMode?, stored: ObjectInfo) -> SSEOrigin {
        let mode = expected ?? stored.sseMode ?? SSEMode.unencrypted
        return sse == nil && mode != SSEMode.unencrypted ? .bucketDefault : .request
    }

    /// The post-write check: a server that silently ignored the encryption request is an error, not a success.
    private func verifyEncryption(_ info: ObjectInfo, expected: SSEMode?) throws {
        let actual = info.sseMode ?? SSEMode.unencrypted
        guard let expected, actual != expected else { return }
        throw OBSError(
            code: "EncryptionMismatch",
            message:
                "obs://\(info.bucket)/\(info.key) was stored with \(actual.displayName) encryption, not "
                + "\(expected.displayName) as asked; the server did not apply it",
            httpStatus: 0, category: .encryptionMismatch)
    }

    /// Files up to this size are uploaded from memory (`readWhole`): libcurl sends a body this small in the same
    /// write as the headers. `--jobs` of them at once hold at most 64 KiB each.
    static let inMemoryPut: Int64 = 64 << 10

    /// A regular file's bytes as it had them when opened (reads stop there, as for a larger file); a file cut
    /// meanwhile fails the read (SourceChanged), as the checksum pass of a larger file does.
    static func readWhole(_ file: RewindableFileSource) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: Int(file.length)) { buffer, count in
            count = 0
            while count < buffer.count {
                let n = try file.read(
                    into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count...])))
                if n == 0 { break }
                count += n
            }
        }
    }

    static func readUpTo(_ limit: Int, from source: ByteSource) throws -> [UInt8] {
        try read(upTo: limit, after: [], from: source).bytes
    }

    /// A new array holding `prefix`, then what `source` gives until the array holds `limit` bytes; `ended`: the
    /// source ended first. The array is made with room for `limit` bytes that is never written in advance, and
    /// read straight into: only the pages the bytes land in are touched (a short stream takes little memory
    /// whatever the part size), and nothing is copied as it grows.
    static func read(upTo limit: Int, after prefix: ArraySlice<UInt8>, from source: ByteSource) throws -> (
        bytes: [UInt8], ended: Bool
    ) {
        var ended = false
        let bytes = try [UInt8](unsafeUninitializedCapacity: max(limit, prefix.count)) { room, count in
            count = UnsafeMutableBufferPointer(rebasing: room[..<prefix.count]).initialize(from: prefix).1
            while count < limit {
                let got = try source.read(
                    into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: room[count..<limit])))
                if got == 0 {
                    ended = true
                    return
                }
                count += got
            }
        }
        return (bytes, ended)
    }

    /// The part size of a stream of unknown length (stdin): also the most of it held in memory at once, and so the
    /// most a single PUT of it takes (`--multipart-threshold` beyond it means parts).
    static func streamPartSize(_ transfer: TransferOptions) -> Int {
        Int(transfer.partSize ?? MultipartPlan.streamPartSize)
    }
}
