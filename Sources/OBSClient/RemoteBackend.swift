import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import OBSXML

/// The storage protocol against OBS or an S3-compatible endpoint: each operation is one signed HTTP exchange
/// over libcurl (a few are two). The header vocabulary follows the signature: `x-obs-*` for OBS, `x-amz-*`
/// for AWS V2/V4.
public final class RemoteBackend: ObjectStorage, @unchecked Sendable {
    public let configuration: RemoteConfiguration
    let transport: HTTPTransport
    /// Warnings the user must see whatever --quiet says (parts left stored, for example).
    let warn: @Sendable (String) -> Void
    /// Advisories about what the user explicitly chose (SSE over plain HTTP to loopback): --quiet hides them.
    let advise: @Sendable (String) -> Void
    /// Receives the redacted dump of every exchange with `--debug`; nil otherwise.
    private let debugLog: DebugLog?
    /// A connection per request in flight (requests run on their own threads, never on Swift's cooperative pool).
    private let transports: TransportPool
    private let clockLock = NSLock()
    private var clockOffsetValue: TimeInterval = 0
    var clockOffset: TimeInterval {
        get { clockLock.lock(); defer { clockLock.unlock() }; return clockOffsetValue }
        set { clockLock.lock(); clockOffsetValue = newValue; clockLock.unlock() }
    }
    /// Buckets' default encryption as last read; concurrent uploads read and fill it, under `clockLock`.
    private var defaultsCacheValue: [String: BucketEncryption?] = [:]
    private var defaultsCache: [String: BucketEncryption?] {
        get { clockLock.lock(); defer { clockLock.unlock() }; return defaultsCacheValue }
        set { clockLock.lock(); defaultsCacheValue = newValue; clockLock.unlock() }
    }
    /// Set once an answer of the server has confirmed SSE-KMS: its 500s are then ordinary, not a sign that it
    /// lacks a KMS.
    private var kmsAcceptedValue = false
    var kmsAccepted: Bool {
        get { clockLock.lock(); defer { clockLock.unlock() }; return kmsAcceptedValue }
        set { clockLock.lock(); kmsAcceptedValue = newValue; clockLock.unlock() }
    }

    public var displayName: String { "\(configuration.scheme)://\(configuration.host)" + (configuration.port.map { ":\($0)" } ?? "") }
    public var defaultLocation: String { configuration.region }

    /// `debug` receives a redacted dump of every exchange (`--debug`).
    public init(configuration: RemoteConfiguration, transport: HTTPTransport? = nil, warn: @escaping @Sendable (String) -> Void,
                advise: (@Sendable (String) -> Void)? = nil, debug: DebugLog? = nil) throws {
        self.configuration = configuration
        self.transport = try transport ?? CurlTransport(options: configuration.transport)
        let options = configuration.transport
        transports = TransportPool(first: self.transport,
                                   make: transport == nil ? { try CurlTransport(options: options) } : nil)
        self.warn = warn
        self.advise = advise ?? warn
        self.debugLog = debug
    }

    // MARK: Buckets

    public func createBucket(_ request: CreateBucketRequest) async throws -> BucketInfo {
        try checkTransportSecurity(mode: request.encryption?.mode, what: "bucket create obs://\(request.name)")
        var headers: [(String, String)] = []
        let p = configuration.headerPrefix
        if configuration.isOBSDialect {
            headers.append(("x-obs-storage-class", request.storageClass.rawValue))
            // OBS takes the default encryption in CreateBucket itself, so an encrypted bucket is never half-made.
            if let e = request.encryption {
                headers.append(("x-obs-server-side-encryption", e.mode == .kms ? "kms" : "obs"))
                if let id = e.kmsKeyID { headers.append(("x-obs-server-side-encryption-kms-key-id", id)) }
            }
        } else if request.storageClass != .standard {
            headers.append(("\(p)storage-class", request.storageClass.rawValue))
        }
        var body: HTTPRequest.Body = .empty
        if !(configuration.signature != .obs && request.location == "us-east-1") && !request.location.isEmpty {
            body = .bytes(OBSXMLBody.createBucketConfiguration(location: request.location, dialect: dialect))
            headers.append(("Content-Type", "application/xml"))
        }
        _ = try await perform(Operation(method: "PUT", bucket: request.name, headers: headers, body: body,
                                        sseIntent: request.encryption?.mode))
        if !configuration.isOBSDialect, let e = request.encryption {
            // The S3 API has no encryption header on CreateBucket: set it next, and remove the bucket if that fails.
            do { try await putBucketEncryption(request.name, e) } catch {
                try? await deleteBucket(request.name)
                throw error
            }
        }
        return BucketInfo(name: request.name, location: request.location, storageClass: request.storageClass, created: Date(),
                          encryption: request.encryption)
    }

    public func listBuckets() async throws -> [BucketInfo] {
        let headers = configuration.isOBSDialect ? [("x-obs-location", "true")] : []
        let response = try await perform(Operation(method: "GET", headers: headers))
        var out: [BucketInfo] = []
        for b in try OBSXMLParser.listBuckets(response.body) {
            guard let name = try? BucketName(b.name) else { continue }
            let encryption = try? await bucketEncryption(name)
            let location = try await bucketLocation(name, listed: b.location)
            out.append(BucketInfo(name: name, location: location, storageClass: .standard, created: b.creationDate ?? Date(timeIntervalSince1970: 0),
                                  encryption: encryption ?? nil))
        }
        return out
    }

    /// The region a bucket is in, as `bucket create` reports it: S3 gives "" (or nothing) for us-east-1.
    private func bucketLocation(_ bucket: BucketName, listed: String?) async throws -> String {
        if let listed, !listed.isEmpty { return listed }
        guard let response = try? await perform(Operation(method: "GET", bucket: bucket, query: [("location", nil)])),
              let location = try? OBSXMLParser.location(response.body) else { return configuration.region }
        return location.isEmpty ? "us-east-1" : location
    }

    public func listBucketNames() async throws -> [BucketName] {
        let response = try await perform(Operation(method: "GET"))
        return try OBSXMLParser.listBuckets(response.body).compactMap { try? BucketName($0.name) }
    }

    public func bucketInfo(_ bucket: BucketName) async throws -> BucketInfo {
        let response = try await perform(Operation(method: "HEAD", bucket: bucket))
        let location = response.header("x-obs-bucket-location") ?? response.header("x-amz-bucket-region") ?? configuration.region
        let storageClass = response.header("x-obs-storage-class").flatMap(StorageClass.init(rawValue:)) ?? .standard
        return BucketInfo(name: bucket, location: location, storageClass: storageClass, created: Date(timeIntervalSince1970: 0),
                          encryption: try await bucketEncryption(bucket))
    }

    /// Refuses a bucket that holds an object or a multipart upload in progress before the DELETE: some servers
    /// (SeaweedFS) delete a non-empty bucket with everything in it. The server's own check still covers an object
    /// written between this look and the DELETE, where it has one.
    public func deleteBucket(_ bucket: BucketName) async throws {
        try await checkEmpty(bucket)
        _ = try await perform(Operation(method: "DELETE", bucket: bucket))
    }

    func checkEmpty(_ bucket: BucketName) async throws {
        if try await !listObjects(bucket: bucket, prefix: "", delimiter: nil, marker: nil, maxKeys: 1).objects.isEmpty {
            throw OBSError.bucketNotEmpty(bucket.value)
        }
        let query: [(String, String?)] = [("uploads", nil), ("max-uploads", "1")]
        let listing = try await perform(Operation(method: "GET", bucket: bucket, query: query))
        if !(try OBSXMLParser.listMultipartUploads(listing.body).uploads.isEmpty) {
            throw OBSError.uploadsInProgress(bucket.value)
        }
    }

    public func bucketEncryption(_ bucket: BucketName) async throws -> BucketEncryption? {
        do {
            let response = try await perform(Operation(method: "GET", bucket: bucket, query: [("encryption", nil)]))
            let e = try OBSXMLParser.bucketEncryption(response.body)
            defaultsCache[bucket.value] = .some(e)
            return e
        } catch let e as OBSError where e.httpStatus == 404 && e.code != "NoSuchBucket" {
            // NoSuchEncryptionConfiguration (OBS) or ServerSideEncryptionConfigurationNotFoundError (S3): "none".
            defaultsCache[bucket.value] = .some(nil)
            return nil
        }
    }

    public func setBucketEncryption(_ bucket: BucketName, _ encryption: BucketEncryption?) async throws {
        defaultsCache[bucket.value] = nil
        guard let encryption else {
            _ = try await perform(Operation(method: "DELETE", bucket: bucket, query: [("encryption", nil)]))
            return
        }
        try checkTransportSecurity(mode: encryption.mode, what: "the default encryption of obs://\(bucket)")
        try await putBucketEncryption(bucket, encryption)
    }

    private func putBucketEncryption(_ bucket: BucketName, _ encryption: BucketEncryption) async throws {
        let body = OBSXMLBody.bucketEncryption(encryption, dialect: dialect)
        _ = try await perform(Operation(method: "PUT", bucket: bucket, query: [("encryption", nil)],
                                        headers: [("Content-Type", "application/xml")], body: .bytes(body), contentMD5: true,
                                        sseIntent: encryption.mode))
    }

    // MARK: Objects

    public func putObject(_ request: PutObjectRequest, body: ByteSource) async throws -> ObjectInfo {
        do { return try await putObjectOnce(request, body: body) }
        catch let e as OBSError where request.sse == nil { throw await kmsDefaultFailure(e, bucket: request.bucket) }
    }

    /// A write without --sse into a bucket whose default is SSE-KMS, failed with a server error to every attempt:
    /// said as the KMS problem it likely is (SeaweedFS answers InternalError), not as "try again later".
    func kmsDefaultFailure(_ error: OBSError, bucket: BucketName) async -> OBSError {
        guard error.httpStatus >= 500, error.httpStatus != 503, error.category == .transient,
              let d = try? await bucketEncryption(bucket), d.mode == .kms else { return error }
        return OBSError(code: error.code,
                        message: "the server answered \(error.code) (HTTP \(error.httpStatus)) to every attempt to write " +
                            "into obs://\(bucket), " +
                            "whose default encryption is SSE-KMS: it may not support SSE-KMS; turn the default off with " +
                            "'obsctl bucket encryption disable obs://\(bucket)' or use an endpoint with a KMS",
                        httpStatus: error.httpStatus, category: .kms, requestID: error.requestID, resource: error.resource)
    }

    private func putObjectOnce(_ request: PutObjectRequest, body: ByteSource) async throws -> ObjectInfo {
        try request.validateHeaders()
        try checkTransportSecurity(request.sse, what: "upload to obs://\(request.bucket)/\(request.key)")
        var headers = sseHeaders(request.sse) + metadataHeaders(request.userMetadata)
        headers.append(("Content-Type", request.contentType))
        let integrity = try UploadIntegrity(request.transfer.checksum, configuration: configuration)
        let p = configuration.headerPrefix
        // Above 5 GB a single PUT is refused: multipart then, whatever --multipart-threshold says.
        let threshold = min(request.transfer.multipartThreshold, Self.maxSinglePut)
        let response: HTTPResponse
        var length: Int64? = nil
        if let file = body as? RewindableFileSource {
            length = file.length
            if file.length > threshold {
                let plan = try MultipartPlan(objectSize: file.length, partSize: request.transfer.partSize)
                let sums = try integrity.scan(file, plan: plan)
                let record = UploadIntegrity.metadata(sums.whole, prefix: p)
                response = try await multipartUpload(request, initiateHeaders: headers + record, integrity: integrity,
                                                     file: file, plan: plan, partHeaders: sums.parts)
            } else {
                let sums = try integrity.scan(file, plan: nil)
                let prepared = integrity.prepare(file, header: sums.parts[1])
                response = try await perform(Operation(method: "PUT", bucket: request.bucket, key: request.key,
                                                       headers: headers + UploadIntegrity.metadata(sums.whole, prefix: p)
                                                           + prepared.headers,
                                                       body: prepared.body, customerKey: request.sse.customerKey))
            }
        } else {
            // A stream of unknown length (stdin): up to the threshold it is one PUT with a known length and MD5;
            // beyond it, a multipart upload reading one part at a time (its whole checksum is known too late to be
            // recorded: each part is checked by the server, and downloads by what the server offers).
            let first = try Self.readUpTo(Int(min(threshold, Self.maxSinglePut)) + 1, from: body)
            if first.count <= threshold {
                length = Int64(first.count)
                if let h = integrity.header(for: first) { headers.append(h) }
                headers += UploadIntegrity.metadata(CRC32C.checksum(first).base64, prefix: p)
                response = try await perform(Operation(method: "PUT", bucket: request.bucket, key: request.key, headers: headers,
                                                       body: .bytes(first), customerKey: request.sse.customerKey))
            } else {
                response = try await multipartUpload(request, initiateHeaders: headers, integrity: integrity, stream: body, first: first)
            }
        }
        let expected = try await expectedMode(request.bucket, request.sse)
        var info = objectInfo(request.bucket, request.key, response, customerKey: request.sse.customerKey)
        if response.header("etag") == nil || (info.sseMode == .unencrypted && expected != .unencrypted) {
            // CompleteMultipartUpload answers may carry no SSE headers (SeaweedFS): ask the object itself.
            let head = try await headObject(GetObjectRequest(bucket: request.bucket, key: request.key, customerKey: request.sse.customerKey))
            info.sseMode = head.sseMode; info.kmsKeyID = head.kmsKeyID; info.kmsKeyURN = head.kmsKeyURN
            info.customerKeyMD5 = head.customerKeyMD5; info.etag = head.etag
        }
        info.size = length ?? info.size
        info.contentType = request.contentType
        info.userMetadata = request.userMetadata
        info.sseOrigin = request.sse == nil && expected != SSEMode.unencrypted ? .bucketDefault : .request
        try verifyEncryption(info, expected: expected)
        return info
    }

    public func headObject(_ request: GetObjectRequest) async throws -> ObjectInfo {
        let response = try await headResponse(request)
        return objectInfo(request.bucket, request.key, response, customerKey: request.customerKey)
    }

    func headResponse(_ request: GetObjectRequest) async throws -> HTTPResponse {
        try checkTransportSecurity(request.customerKey.map { .customer($0) }, what: "stat of obs://\(request.bucket)/\(request.key)")
        return try await perform(Operation(method: "HEAD", bucket: request.bucket, key: request.key,
                                           headers: customerKeyHeaders(request.customerKey, prefix: ""), customerKey: request.customerKey))
    }

    /// The whole-content CRC-32C obsctl recorded when it wrote the object, if it did.
    func recordedChecksum(_ r: HTTPResponse) -> String? {
        r.header(configuration.headerPrefix + "meta-" + UploadIntegrity.contentChecksumMetadata)
    }

    /// CopyObject, server side; a source larger than the multipart threshold (and always one over CopyObject's
    /// 5 GB limit) is copied as a multipart upload of UploadPart-Copy ranges.
    public func copyObject(_ request: CopyObjectRequest) async throws -> ObjectInfo {
        do { return try await copyObjectOnce(request) }
        catch let e as OBSError where request.destination.sse == nil {
            throw await kmsDefaultFailure(e, bucket: request.destination.bucket)
        }
    }

    private func copyObjectOnce(_ request: CopyObjectRequest) async throws -> ObjectInfo {
        let dst = request.destination, src = request.source
        try dst.validateHeaders()
        try checkTransportSecurity(dst.sse, what: "copy to obs://\(dst.bucket)/\(dst.key)")
        try checkTransportSecurity(src.customerKey.map { .customer($0) }, what: "copy from obs://\(src.bucket)/\(src.key)")
        let sourceHead = try await headResponse(src)
        let source = objectInfo(src.bucket, src.key, sourceHead, customerKey: src.customerKey)
        // The same plaintext: its recorded checksum goes along (COPY keeps it; REPLACE and a multipart copy must
        // state it again).
        let checksum = UploadIntegrity.metadata(recordedChecksum(sourceHead), prefix: configuration.headerPrefix)
        if source.size > min(dst.transfer.multipartThreshold, Self.maxSinglePut) {
            try await multipartCopy(request, source: source, checksum: checksum)
        } else {
            var headers = sseHeaders(dst.sse) + copySourceHeaders(src)
            headers.append(("\(configuration.headerPrefix)metadata-directive", request.replaceMetadata ? "REPLACE" : "COPY"))
            // The source must still be the one whose checksum goes along (as for the ranges of a multipart copy):
            // one overwritten meanwhile fails the copy (412, exit 10) instead of carrying a stale checksum.
            if !source.etag.isEmpty {
                headers.append(("\(configuration.headerPrefix)copy-source-if-match", "\"\(source.etag)\""))
            }
            if request.replaceMetadata {
                headers.append(("Content-Type", dst.contentType))
                headers += metadataHeaders(dst.userMetadata) + checksum
            }
            let response = try await perform(Operation(method: "PUT", bucket: dst.bucket, key: dst.key, headers: headers,
                                                       customerKey: dst.sse.customerKey ?? src.customerKey))
            _ = try OBSXMLParser.copyResult(response.body)
        }
        let expected = try await expectedMode(dst.bucket, dst.sse)
        var info = try await headObject(GetObjectRequest(bucket: dst.bucket, key: dst.key, customerKey: dst.sse.customerKey))
        info.sseOrigin = dst.sse == nil && expected != SSEMode.unencrypted ? .bucketDefault : .request
        try verifyEncryption(info, expected: expected)
        return info
    }

    public func deleteObject(bucket: BucketName, key: ObjectKey) async throws {
        // S3 answers 204 for a missing key; say "not found" as the local backend does.
        do { _ = try await headObject(GetObjectRequest(bucket: bucket, key: key)) }
        catch let e as OBSError where e.category == .notFound { throw e }
        catch {}  // an SSE-C object answers HEAD without its key with 400: it exists
        _ = try await perform(Operation(method: "DELETE", bucket: bucket, key: key))
    }

    /// POST ?delete, 1000 keys a request (Content-MD5 is mandatory), quiet mode: the answer lists failures only.
    public func deleteObjects(bucket: BucketName, keys: [ObjectKey]) async throws -> [(key: ObjectKey, error: OBSError)] {
        var failed: [(key: ObjectKey, error: OBSError)] = []
        var start = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(start + 1000, keys.count)])
            start += batch.count
            let body = OBSXMLBody.deleteObjects(keys: batch.map(\.value), quiet: true)
            let response = try await perform(Operation(method: "POST", bucket: bucket, query: [("delete", nil)],
                                                       headers: [("Content-Type", "application/xml")], body: .bytes(body), contentMD5: true))
            for e in try OBSXMLParser.deleteResult(response.body).errors {
                guard let key = try? ObjectKey(e.key) else { continue }
                failed.append((key, OBSError(code: e.code, message: "cannot delete obs://\(bucket)/\(e.key): \(e.message)", httpStatus: 200,
                                             category: e.code == "AccessDenied" ? .accessDenied : .general)))
            }
        }
        return failed
    }

    public func listObjects(bucket: BucketName, prefix: String, delimiter: String?, marker: String?, maxKeys: Int) async throws -> ObjectListing {
        var query: [(String, String?)] = [("prefix", prefix), ("max-keys", String(maxKeys)), ("encoding-type", "url")]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let marker { query.append(("marker", marker)) }
        let response = try await perform(Operation(method: "GET", bucket: bucket, query: query))
        let page = try OBSXMLParser.listObjects(response.body)
        let objects = try page.objects.map { o in
            ObjectInfo(bucket: bucket, key: try ObjectKey(o.key), size: o.size, etag: ETagChecksum.unquoted(o.etag), contentType: "",
                       lastModified: o.lastModified ?? Date(timeIntervalSince1970: 0), userMetadata: [:], sseMode: nil, sseOrigin: nil)
        }
        return ObjectListing(objects: objects, commonPrefixes: page.commonPrefixes, nextMarker: page.isTruncated ? page.nextMarker : nil)
    }

    // MARK: SSE vocabulary

    static let maxSinglePut: Int64 = 5 << 30

    private var dialect: XMLDialect { configuration.isOBSDialect ? .obs : .aws }

    func sseHeaders(_ sse: SSERequest?) -> [(String, String)] {
        let p = configuration.headerPrefix
        switch sse {
        case nil, .unencrypted?: return []
        case .obs?: return [("\(p)server-side-encryption", "AES256")]
        case .kms(let id)?:
            var h = [("\(p)server-side-encryption", configuration.isOBSDialect ? "kms" : "aws:kms")]
            if let id {
                h.append((configuration.isOBSDialect ? "x-obs-server-side-encryption-kms-key-id" : "x-amz-server-side-encryption-aws-kms-key-id", id))
            }
            return h
        case .customer(let k)?: return customerKeyHeaders(k, prefix: "")
        }
    }

    /// SSE-C headers (also repeated on every UploadPart, as OBS requires; KMS/OBS headers go on Initiate only).
    func customerKeyHeaders(_ key: CustomerKey?, prefix: String) -> [(String, String)] {
        guard let key else { return [] }
        let p = configuration.headerPrefix + prefix + "server-side-encryption-customer-"
        return [(p + "algorithm", CustomerKey.algorithm), (p + "key", Base64.encode(key.key.copyBytes())), (p + "key-MD5", key.keyMD5)]
    }

    /// The copy source and its SSE-C key, for CopyObject and UploadPart-Copy.
    func copySourceHeaders(_ src: GetObjectRequest) -> [(String, String)] {
        [("\(configuration.headerPrefix)copy-source", "/\(src.bucket)/\(URIEncoding.encodeObjectKey(src.key.value))")]
            + customerKeyHeaders(src.customerKey, prefix: "copy-source-")
    }

    func metadataHeaders(_ metadata: [String: String]) -> [(String, String)] {
        metadata.sorted { $0.key < $1.key }.map { ("\(configuration.headerPrefix)meta-\($0.key)", $0.value) }
    }

    /// OBS requires HTTPS for SSE-KMS and SSE-C. Over plain HTTP they may go only to a loopback address, where only
    /// a local test server can listen: refused here, before anything is sent, unless every address the host
    /// resolves to is loopback; and each such request is checked again on the address it actually connects to
    /// (`HTTPRequest.loopbackOnly`), so a name that resolves elsewhere at send time gets nothing either.
    func checkTransportSecurity(_ sse: SSERequest?, what: String) throws {
        try checkTransportSecurity(mode: sse?.mode, what: what)
    }

    func checkTransportSecurity(mode: SSEMode?, what: String) throws {
        guard configuration.scheme == "http", let mode, mode == .kms || mode == .c else { return }
        let host = configuration.host
        guard let other = LoopbackAddress.firstNonLoopback(host) else {
            advise("\(mode.displayName) over plain HTTP to loopback \(host): allowed for local testing only")
            return
        }
        let why = other.isEmpty ? "\(host) does not resolve" : other == host ? "\(host) is not a loopback address"
            : "\(host) resolves to \(other), not a loopback address"
        throw OBSError(code: "InsecureTransport",
                       message: "\(what) uses \(mode.displayName), which OBS accepts only over HTTPS, and \(why); " +
                           "use an https:// endpoint",
                       httpStatus: 0, category: .usage)
    }

    /// The SSE mode a request asks for by its headers (SSE-C key headers, an SSE-KMS header), else `op.sseIntent`.
    static func sseIntent(_ op: Operation) -> SSEMode? {
        for (name, value) in op.headers {
            let n = name.lowercased()
            guard n.hasPrefix("x-amz-") || n.hasPrefix("x-obs-") else { continue }
            if n.contains("server-side-encryption-customer-") { return .c }
            if n.hasSuffix("server-side-encryption") && (value == "kms" || value == "aws:kms") { return .kms }
            if n.contains("kms-key-id") { return .kms }
        }
        return op.sseIntent
    }

    /// What the server should report after a write: the requested mode, else the bucket default, else none.
    private func expectedMode(_ bucket: BucketName, _ sse: SSERequest?) async throws -> SSEMode {
        if let sse { return sse.mode }
        if let cached = defaultsCache[bucket.value] { return cached?.mode ?? SSEMode.unencrypted }
        let d = (try? await bucketEncryption(bucket)) ?? nil
        return d?.mode ?? SSEMode.unencrypted
    }

    /// The post-write check: a server that silently ignored the encryption request is an error, not a success.
    private func verifyEncryption(_ info: ObjectInfo, expected: SSEMode) throws {
        let actual = info.sseMode ?? SSEMode.unencrypted
        guard actual != expected else { return }
        throw OBSError(code: "EncryptionMismatch",
                       message: "obs://\(info.bucket)/\(info.key) was stored with \(actual.displayName) encryption, not \(expected.displayName) as asked; the server did not apply it",
                       httpStatus: 0, category: .encryptionMismatch)
    }

    func objectInfo(_ bucket: BucketName, _ key: ObjectKey, _ r: HTTPResponse, customerKey: CustomerKey?) -> ObjectInfo {
        let p = configuration.headerPrefix
        var metadata: [String: String] = [:]
        for (name, value) in r.headers where name.hasPrefix(p + "meta-") { metadata[String(name.dropFirst(p.count + 5))] = value }
        metadata[UploadIntegrity.contentChecksumMetadata] = nil  // obsctl's own record, not the user's
        let sse = r.header(p + "server-side-encryption")
        let mode: SSEMode
        if r.header(p + "server-side-encryption-customer-algorithm") != nil { mode = .c }
        else if sse == "kms" || sse == "aws:kms" { mode = .kms }
        else if sse == "AES256" { mode = .obs }
        else { mode = .unencrypted }
        let keyHeader = r.header("x-obs-server-side-encryption-kms-key-id") ?? r.header("x-amz-server-side-encryption-aws-kms-key-id")
        let keyID = keyHeader.map { k in k.range(of: "key/").map { String(k[$0.upperBound...]) } ?? k }
        // A resumed download answers 206 with Content-Range "bytes a-b/total": the object's size is the total.
        let total = r.header("content-range").flatMap { $0.split(separator: "/").last }.flatMap { Int64($0) }
        return ObjectInfo(bucket: bucket, key: key, size: total ?? Int64(r.header("content-length") ?? "") ?? 0,
                          etag: ETagChecksum.unquoted(r.header("etag") ?? ""), contentType: r.header("content-type") ?? "",
                          lastModified: r.header("last-modified").flatMap(HTTPDate.parse) ?? Date(timeIntervalSince1970: 0),
                          userMetadata: metadata, sseMode: mode, sseOrigin: nil, kmsKeyID: keyID, kmsKeyURN: keyHeader,
                          customerKeyMD5: mode == .c ? (r.header(p + "server-side-encryption-customer-key-md5") ?? customerKey?.keyMD5) : nil)
    }

    static func readUpTo(_ limit: Int, from source: ByteSource) throws -> [UInt8] {
        var out = [UInt8](), buffer = [UInt8](repeating: 0, count: 1 << 20)
        while out.count < limit {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min($0.count, limit - out.count)])) }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    /// Runs `body` with a connection of its own for as long as it runs.
    func serialised<R>(_ body: (HTTPTransport) throws -> R) throws -> R {
        try transports.withTransport(body)
    }

    // MARK: Requests

    struct Operation: @unchecked Sendable {
        init(method: String, bucket: BucketName? = nil, key: ObjectKey? = nil, query: [(String, String?)] = [], headers: [(String, String)] = [],
             body: HTTPRequest.Body = .empty, contentMD5: Bool = false, customerKey: CustomerKey? = nil,
             range: ClosedRange<Int64>? = nil, ifMatch: String? = nil, sseIntent: SSEMode? = nil) {
            self.method = method; self.bucket = bucket; self.key = key; self.query = query; self.headers = headers; self.body = body
            self.contentMD5 = contentMD5; self.customerKey = customerKey; self.range = range; self.ifMatch = ifMatch
            self.sseIntent = sseIntent
        }
        var method: String
        var bucket: BucketName? = nil
        var key: ObjectKey? = nil
        var query: [(String, String?)] = []
        var headers: [(String, String)] = []
        var body: HTTPRequest.Body = .empty
        var contentMD5 = false
        var customerKey: CustomerKey? = nil
        /// A GET of these bytes only (Range); a broken one resumes after what it delivered.
        var range: ClosedRange<Int64>? = nil
        /// The object must still be this version (If-Match), as for the ranges of one parallel download.
        var ifMatch: String? = nil
        /// SSE-KMS or SSE-C intent the headers do not show (a bucket's encryption in the body, a bucket to be made
        /// encrypted): the request then obeys the plain-HTTP loopback rule too.
        var sseIntent: SSEMode? = nil
    }

    func httpRequest(_ op: Operation) -> HTTPRequest {
        var host = configuration.host, path = "/"
        if let b = op.bucket {
            let encodedKey = op.key.map { URIEncoding.encodeObjectKey($0.value) } ?? ""
            switch configuration.addressing {
            case .virtual: host = "\(b.value).\(configuration.host)"; path = "/" + encodedKey
            case .path: path = "/\(b.value)" + (op.key == nil ? "" : "/" + encodedKey)
            }
        }
        var request = HTTPRequest(method: op.method, scheme: configuration.scheme, host: host, port: configuration.port, path: path,
                                  query: op.query.map { (name: $0.0, value: $0.1) }, headers: [], body: op.body)
        request.headers.append((name: "Host", value: request.hostHeader))
        if let intent = Self.sseIntent(op), intent == .kms || intent == .c {
            request.loopbackOnly = configuration.scheme == "http"
        }
        request.headers += op.headers.map { (name: $0.0, value: $0.1) }
        if op.contentMD5, case .bytes(let b) = op.body { request.headers.append((name: "Content-MD5", value: Base64.encode(Digest.md5(b)))) }
        return request
    }

    func signingScope(_ bucket: BucketName?) -> SigningScope {
        SigningScope(bucket: bucket?.value, virtualHosted: configuration.addressing == .virtual, region: configuration.region)
    }

    private func signed(_ request: HTTPRequest, bucket: BucketName?) -> HTTPRequest {
        let signable = SignableRequest(method: request.method, path: request.path, query: request.query, headers: request.headers)
        let out = RequestSigner.sign(signable, version: configuration.signature, scope: signingScope(bucket), credentials: configuration.credentials,
                                     date: Date().addingTimeInterval(clockOffset))
        var r = request
        r.headers = out.headers
        return r
    }

    /// Runs one operation on a dedicated thread (blocking libcurl never runs on the cooperative pool).
    func perform(_ op: Operation, sink: ByteSink? = nil) async throws -> HTTPResponse {
        try await runBlocking { backend in
            try backend.serialised { try backend.performBlocking(op, sink: sink, transport: $0) }
        }
    }

    /// Runs `body` on a dedicated thread and resumes the caller with its result: blocking libcurl calls never
    /// occupy Swift's cooperative pool (two threads on this machine).
    func runBlocking<R>(_ body: @escaping (RemoteBackend) throws -> R) async throws -> R {
        let job = BlockingJob(backend: self, body: body)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            job.continuation = continuation
            Thread { job.run() }.start()
        }
        return try job.result!.get()
    }

    func performBlocking(_ op: Operation, sink: ByteSink?, transport: HTTPTransport) throws -> HTTPResponse {
        let counting = sink.map(CountingSink.init)
        var skewRetried = false
        var attempt = 0
        var resumeETag: String? = nil
        var kmsFailure = RepeatedKMSFailure()
        while true {
            var current = op
            let delivered = counting?.count ?? 0
            // A broken download resumes where it stopped, and only if the object is still the same one.
            let etag = op.ifMatch ?? (delivered > 0 ? resumeETag : nil)
            if op.range != nil || (delivered > 0 && etag != nil) {
                let start = (op.range?.lowerBound ?? 0) + delivered
                current.headers.append(("Range", "bytes=\(start)-" + (op.range.map { String($0.upperBound) } ?? "")))
            }
            if let etag { current.headers.append(("If-Match", etag)) }
            let request = signed(httpRequest(current), bucket: op.bucket)
            let replayable = isReplayable(op.body) && (delivered == 0 || etag != nil)
            let canRetry = attempt < configuration.retries && replayable
            do {
                debugLog?.write(DebugDump.request(request))
                let response = try transport.send(request, responseSink: counting)
                debugLog?.write(DebugDump.response(response))
                if (200..<300).contains(response.status) {
                    let prefix = configuration.headerPrefix
                    if RepeatedKMSFailure.confirmsKMS(response, prefix: prefix) { kmsAccepted = true }
                    return response
                }
                let error = RemoteErrors.map(response, op: op, configuration: configuration)
                if error.code == "RequestTimeTooSkewed", !skewRetried, replayable,
                   let serverDate = response.header("date").flatMap(HTTPDate.parse) {
                    clockOffset = serverDate.timeIntervalSinceNow
                    skewRetried = true
                    try rewind(op.body)
                    continue
                }
                if !kmsAccepted, let unsupported = kmsFailure.repeated(error, op: op) { throw unsupported }
                // Damaged in transit (the checksum header caught it) is as transient as a 5xx: send it again.
                if (response.status >= 500 && response.status != 501 || response.status == 429 || error.category == .integrity) && canRetry {
                    attempt += 1; backoff(attempt); try rewind(op.body); continue
                }
                throw error
            } catch let e as TransportError {
                if op.method == "GET", resumeETag == nil, (counting?.count ?? 0) > 0,
                   let etag = e.partialResponseHeaders.last(where: { $0.name == "etag" })?.value {
                    resumeETag = etag
                }
                let replayable = isReplayable(op.body) && ((counting?.count ?? 0) == 0 || resumeETag != nil || op.ifMatch != nil)
                let canRetry = attempt < configuration.retries && replayable
                if let address = e.refusedAddress {
                    let mode = Self.sseIntent(op)?.displayName ?? "SSE"
                    let connected = address.isEmpty ? "an address libcurl cannot report (\(e.message))"
                        : "\(address), not a loopback address"
                    throw OBSError(code: "InsecureTransport",
                                   message: "refused to send a request with \(mode) over plain HTTP: \(configuration.host) " +
                                       "connected to \(connected); use an https:// endpoint", httpStatus: 0, category: .usage)
                }
                if e.isTLSVerification {
                    throw OBSError(code: "TLSError", message: "TLS connection to \(configuration.host) failed: \(e.message); for a private CA pass --ca-bundle FILE",
                                   httpStatus: 0, category: .configuration)
                }
                if e.retryable && canRetry { attempt += 1; backoff(attempt); try rewind(op.body); continue }
                throw OBSError(code: "NetworkError", message: "cannot complete the request to \(configuration.host): \(e.message)" +
                               (attempt > 0 ? " (after \(attempt) retries)" : ""), httpStatus: 0, category: .transient)
            }
        }
    }

    private func isReplayable(_ body: HTTPRequest.Body) -> Bool {
        switch body {
        case .empty, .bytes: return true
        case .stream(let s, _): return s is RewindableByteSource
        }
    }

    private func rewind(_ body: HTTPRequest.Body) throws {
        if case .stream(let s, _) = body, let r = s as? RewindableByteSource { try r.rewind() }
    }

    /// Capped exponential backoff with full jitter: up to 0.2 s, 0.4 s, 0.8 s ... at most 10 s.
    private func backoff(_ attempt: Int) {
        let cap = min(10.0, 0.2 * pow(2.0, Double(attempt - 1)))
        Thread.sleep(forTimeInterval: Double.random(in: cap / 2...cap))
    }
}

/// A 500 that comes back the same for a request of an SSE-KMS write is not transient: the server may not support
/// SSE-KMS at all (SeaweedFS answers InternalError, and accepts an SSE-KMS Initiate but fails every part). Said after
/// the second identical answer instead of retrying on, but only for status 500 and only until the server has
/// confirmed SSE-KMS on an answer (the SSE header says kms): then a 500 on part 537 of a real upload is retried.
struct RepeatedKMSFailure {
    private var last: String?

    /// A successful answer that states SSE-KMS: the server does have a KMS.
    static func confirmsKMS(_ r: HTTPResponse, prefix: String) -> Bool {
        let v = r.header(prefix + "server-side-encryption")
        return v == "kms" || v == "aws:kms"
    }

    mutating func repeated(_ error: OBSError, op: RemoteBackend.Operation) -> OBSError? {
        guard error.httpStatus == 500, RemoteBackend.sseIntent(op) == .kms else { return nil }
        let message = error.requestID.map { error.message.replacingOccurrences(of: $0, with: "") } ?? error.message
        let signature = "\(error.httpStatus) \(error.code) \(message)"
        defer { last = signature }
        guard signature == last else { return nil }
        return OBSError(code: error.code,
                        message: "the server answered \(error.code) (HTTP \(error.httpStatus)) twice to a request "
                            + "with SSE-KMS: it may not support SSE-KMS; use --sse obs or no --sse, or an endpoint "
                            + "with a KMS",
                        httpStatus: error.httpStatus, category: .kms, requestID: error.requestID, resource: error.resource)
    }
}

struct UncheckedBox<T>: @unchecked Sendable { let value: T; init(_ v: T) { value = v } }

/// One blocking call handed to its own thread; the caller's task waits on the continuation. (A continuation that
/// returned the generic result directly corrupted memory under Swift 6.3 in this code; this form is plain.)
final class BlockingJob<R>: @unchecked Sendable {
    let backend: RemoteBackend
    let body: (RemoteBackend) throws -> R
    var continuation: CheckedContinuation<Void, Never>?
    var result: Result<R, Error>?

    init(backend: RemoteBackend, body: @escaping (RemoteBackend) throws -> R) { self.backend = backend; self.body = body }

    func run() {
        result = Result { try body(backend) }
        continuation!.resume()
    }
}

/// Counts what reached the caller's sink, so a failed download is retried only when nothing was written yet.
final class CountingSink: ByteSink, ResponseHeadObserver {
    let inner: ByteSink
    private(set) var count: Int64 = 0
    init(_ inner: ByteSink) { self.inner = inner }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try inner.write(bytes); count += Int64(bytes.count) }
    func responseBegins(status: Int, headers: [(name: String, value: String)]) {
        (inner as? ResponseHeadObserver)?.responseBegins(status: status, headers: headers)
    }
}

extension Optional where Wrapped == SSERequest {
    var customerKey: CustomerKey? { if case .customer(let k)? = self { return k }; return nil }
}

enum HTTPDate {
    static func parse(_ s: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: s)
    }
}
