import Foundation
import OBSCore
import OBSCrypto
import OBSXML

/// Multipart uploads: Initiate (with the KMS/OBS SSE headers, the only place they go), parts (each with the SSE-C
/// headers and its checksum header), Complete. Any failure aborts the upload, so nothing is left billing.
extension RemoteBackend {
    struct UploadedParts {
        var etags: [(number: Int, etag: String)]
        var size: Int64
        /// Each part's CRC-32C, listed again in Complete when the upload was initiated with that algorithm.
        var crc32c: [Int: String] = [:]
    }

    /// Called right before each Initiate; the registration it returns is given the action that aborts the upload
    /// once Initiate answered, and is ended when the upload is over (completed, aborted, or never created). Before,
    /// not after: an interruption while Initiate is in flight then knows to wait for its answer and abort what it
    /// created. The CLI sets it once, at start-up, so that its SIGINT handler leaves no parts billing.
    public static var multipartUploadStarting: MultipartUploadHook? {
        get { uploadHook.value }
        set { uploadHook.value = newValue }
    }
    private static let uploadHook = Locked<MultipartUploadHook?>(nil)

    /// Uploads `file` in parts, up to `parallelism` at a time (`inParallel`), each runner with its own connection.
    /// `partHeaders`: each part's checksum header, from the pass that computed the whole file's CRC-32C (none with
    /// `integrity.partTrailers`: each part's CRC-32C is then its trailer).
    func multipartUpload(
        _ request: PutObjectRequest, initiateHeaders: [(String, String)], integrity: UploadIntegrity,
        file: RewindableFileSource, plan: MultipartPlan,
        partHeaders: [Int: (name: String, value: String)]
    ) async throws -> HTTPResponse {
        // Part trailers: no pass before the send binds the bytes, so the file's state is taken before Initiate.
        let before = integrity.partTrailers ? try file.contentState() : nil
        return try await runBlocking { backend in
            try backend.withUpload(request, initiateHeaders: initiateHeaders + integrity.initiateHeaders) { uploadID in
                try backend.uploadFileParts(
                    request, uploadID: uploadID, integrity: integrity, file: file, plan: plan,
                    partHeaders: partHeaders, unchangedSince: before)
            }
        }
    }

    /// Uploads a stream of unknown length (stdin) in parts read one after another; `first` holds bytes already
    /// read. Memory stays at one part.
    func multipartUpload(
        _ request: PutObjectRequest, initiateHeaders: [(String, String)], integrity: UploadIntegrity,
        stream: ByteSource, first: ReadAhead
    ) async throws -> HTTPResponse {
        try await runBlocking { backend in
            try backend.withUpload(request, initiateHeaders: initiateHeaders + integrity.initiateHeaders) { uploadID in
                try backend.uploadStreamParts(
                    request, uploadID: uploadID, integrity: integrity, stream: stream, first: first)
            }
        }
    }

    /// A server-side copy in parts (UploadPart-Copy), up to `transfer.parallelism` at a time. With the COPY directive
    /// the source's content type and metadata (user and header) go on Initiate, as CopyObject would keep them.
    func multipartCopy(_ request: CopyObjectRequest, source: ObjectInfo, checksum: [(String, String)]) async throws {
        var dst = request.destination
        if !request.replaceMetadata {
            dst.contentType = source.contentType
            dst.userMetadata = source.userMetadata
            dst.headerMetadata = source.headerMetadata
        }
        var headers = sseHeaders(dst.sse) + objectHeaders(dst) + checksum
        // A source with no recorded CRC-32C (a stdin upload, another tool's object): the copy declares CRC-32C and
        // lists the value the server states for each copied range, so that it keeps a composite CRC-32C that
        // downloads check. Without one, SeaweedFS gives the copy a multipart ETag that is not the MD5 of its parts'
        // MD5s, and a good download of it was called damaged.
        let listCRCs = checksum.isEmpty && !configuration.speaksOBS
        if listCRCs { headers.append(("x-amz-checksum-algorithm", "CRC32C")) }
        let plan = try MultipartPlan(objectSize: source.size, partSize: dst.transfer.partSize)
        let initiateHeaders = headers
        _ = try await runBlocking { backend in
            try backend.withUpload(dst, initiateHeaders: initiateHeaders) { uploadID in
                try backend.copyParts(
                    request, destination: dst, uploadID: uploadID, plan: plan, sourceETag: source.etag,
                    listCRCs: listCRCs)
            }
        }
    }

    /// Every range is pinned to the source's ETag (copy-source-if-match): a source overwritten meanwhile fails the
    /// copy (412, exit 10) instead of mixing two versions.
    private func copyParts(
        _ request: CopyObjectRequest, destination dst: PutObjectRequest, uploadID: String, plan: MultipartPlan,
        sourceETag: String, listCRCs: Bool
    ) throws -> UploadedParts {
        let state = try inParallel(parts: plan.partCount, transfer: dst.transfer) {
            [self] n, transport, state in
            let (offset, length) = plan.range(ofPart: n)
            var headers = copySourceHeaders(request.source) + customerKeyHeaders(dst.sse.customerKey, prefix: "")
            headers.append(("\(configuration.headerPrefix)copy-source-range", "bytes=\(offset)-\(offset + length - 1)"))
            if !sourceETag.isEmpty {
                // ETags are kept unquoted; the header wants the quotes.
                headers.append(("\(configuration.headerPrefix)copy-source-if-match", "\"\(sourceETag)\""))
            }
            let op = Operation(
                method: "PUT", bucket: dst.bucket, key: dst.key,
                query: [("partNumber", String(n)), ("uploadId", uploadID)],
                headers: headers, customerKey: dst.sse.customerKey ?? request.source.customerKey,
                sseIntent: dst.sse?.mode)
            let response = try performBlocking(op, sink: nil, transport: transport)
            let result = try OBSXMLParser.copyResult(response.body)
            state.done(n, etag: result.etag, crc32c: listCRCs ? result.crc32c : nil)
        }
        return UploadedParts(etags: state.etags, size: plan.objectSize, crc32c: state.crc32c)
    }

    /// Runs `part(n, transport, queue)` for parts 1...count, at most `transfer.parallelism` at once, each runner with
    /// a connection of its own (blocking libcurl never runs on Swift's cooperative pool). This thread runs parts
    /// itself; the others are threads started as parts are claimed, while parts remain and, with a run's budget
    /// (`transfer.requests`), only on its spare requests: so a file among many moves one part at a time, and one left
    /// alone at the end of a run takes the requests the finished files gave back. The first failure stops new parts
    /// and is thrown once every runner has ended.
    func inParallel(
        parts count: Int, transfer: TransferOptions, _ part: @escaping (Int, HTTPTransport, PartQueue) throws -> Void
    ) throws -> PartQueue {
        let queue = PartQueue(count: count)
        let helpers = PartHelpers(limit: min(transfer.parallelism, count) - 1, budget: transfer.requests)
        let work = UncheckedBox(part)
        // A runner offers a helper the parts left after the one it just claimed (another may still take the last).
        func run(_ worker: @escaping () -> Void) {
            do {
                try transports.with { transport in
                    while let n = queue.next() {
                        if queue.hasUnclaimed { helpers.offer(worker) }
                        try work.value(n, transport, queue)
                    }
                }
            } catch { queue.fail(error) }
        }
        func helper() { run(helper) }
        run(helper)
        helpers.waitForAll()
        if let e = queue.error { throw e }
        return queue
    }

    private func withUpload(
        _ request: PutObjectRequest, initiateHeaders: [(String, String)],
        _ parts: (String) throws -> UploadedParts
    ) throws -> HTTPResponse {
        let op = {
            (method: String, query: [(String, String?)], headers: [(String, String)], body: HTTPRequest.Body, md5: Bool)
            in
            // Every request of an SSE-KMS upload carries its intent (the loopback rule, a repeated server error).
            Operation(
                method: method, bucket: request.bucket, key: request.key, query: query, headers: headers, body: body,
                contentMD5: md5, customerKey: request.sse.customerKey, sseIntent: request.sse?.mode)
        }
        let registration = Self.multipartUploadStarting?()
        defer { registration?.ended() }
        let initiated = try serialised {
            try performBlocking(
                op("POST", [("uploads", nil)], initiateHeaders, .empty, false), sink: nil, transport: $0)
        }
        let uploadID = try OBSXMLParser.initiateMultipartUpload(initiated.body)
        let abortOperation = UncheckedBox(op("DELETE", [("uploadId", uploadID)], [], .empty, false))
        let unaborted = "multipart upload \(uploadID) of obs://\(request.bucket)/\(request.key)"
        let goOn = registration?.initiated { [self] in
            do {
                _ = try performBlocking(
                    abortOperation.value, sink: nil, transport: try CurlTransport(options: configuration.transport),
                    cleanup: true)
                return .aborted
            } catch let e as OBSError where e.code == "NoSuchUpload" {
                return .gone  // completed meanwhile, or aborted by the upload's own failure
            } catch { return .failed(unaborted) }
        }
        // An interruption is under way and aborts this upload: no part is sent to it.
        if goOn == false { throw OBSError.interrupted }
        do {
            let uploaded = try parts(uploadID)
            let body = OBSXMLBody.completeMultipartUpload(parts: uploaded.etags, crc32c: uploaded.crc32c)
            var response: HTTPResponse
            // An SSE-C upload's Complete carries the key again (S3 documents the headers there): a server that
            // seals the finished object under the data key the customer key wraps (obsctl serve) needs it.
            let keyHeaders = customerKeyHeaders(request.sse.customerKey, prefix: "")
            let completeHeaders = [("Content-Type", "application/xml")] + keyHeaders
            do {
                response = try serialised {
                    try performBlocking(
                        op("POST", [("uploadId", uploadID)], completeHeaders, .bytes(body), false), sink: nil,
                        transport: $0)
                }
                _ = try OBSXMLParser.completeMultipartUpload(response.body)
            } catch let e as OBSError where e.code == "NoSuchUpload" {
                // A Complete that succeeded but whose answer was lost is retried, and the retry finds the upload
                // gone (S3, OBS). The object says whether it was written: its ETag is the one these parts make.
                guard
                    let head = try? serialised({
                        try performBlocking(
                            op("HEAD", [], customerKeyHeaders(request.sse.customerKey, prefix: ""), .empty, false),
                            sink: nil, transport: $0)
                    }),
                    let expected = Self.multipartETag(uploaded.etags.map(\.etag)),
                    head.header("etag").map(ETags.bare) == expected
                else { throw e }
                response = head
            }
            response.headers.append((name: "content-length", value: String(uploaded.size)))
            return response
        } catch {
            do { _ = try serialised { try performBlocking(abortOperation.value, sink: nil, transport: $0) } } catch let
                e as OBSError where e.code == "NoSuchUpload" || e == .interrupted
            {
                // Gone already: an interruption's cleanup aborted it, which is what this abort was for. Or not sent
                // again after an interruption, whose cleanup aborts it and reports what it could not.
            } catch {
                warn(
                    "could not abort \(unaborted) (\(error)); its parts stay stored until it is aborted: obsctl "
                        + "multipart abort obs://\(request.bucket)/\(request.key) --upload-id \(uploadID)"
                )
            }
            throw error
        }
    }

    /// The ETag S3 and OBS give a completed multipart upload: hex MD5 of the parts' binary MD5s, "-", part count.
    /// nil when a part ETag is not an MD5.
    static func multipartETag(_ partETags: [String]) -> String? {
        var joined: [UInt8] = []
        for etag in partETags {
            guard let hex = ETagChecksum.md5(etag), let bytes = Hex.decode(hex) else { return nil }
            joined += bytes
        }
        return Hex.encode(Digest.md5(joined)) + "-\(partETags.count)"
    }

    private func partOperation(
        _ request: PutObjectRequest, uploadID: String, number: Int, body: HTTPRequest.Body,
        checksumHeaders: [(String, String)]
    ) -> Operation {
        Operation(
            method: "PUT", bucket: request.bucket, key: request.key,
            query: [("partNumber", String(number)), ("uploadId", uploadID)],
            headers: customerKeyHeaders(request.sse.customerKey, prefix: "") + checksumHeaders, body: body,
            customerKey: request.sse.customerKey, sseIntent: request.sse?.mode)
    }

    private func uploadFileParts(
        _ request: PutObjectRequest, uploadID: String, integrity: UploadIntegrity, file: RewindableFileSource,
        plan: MultipartPlan,
        partHeaders: [Int: (name: String, value: String)], unchangedSince before: FileContentState?
    ) throws -> UploadedParts {
        let fileBox = UncheckedBox(file)
        let state = try inParallel(parts: plan.partCount, transfer: request.transfer) {
            [self] n, transport, state in
            let (offset, length) = plan.range(ofPart: n)
            let part = fileBox.value.range(offset: offset, length: length)
            let headers: [(String, String)], body: HTTPRequest.Body, crc32c: () -> String?
            if integrity.partTrailers {
                let encoded = ChecksumTrailerBody(part)
                headers = ChecksumTrailerBody.headers(decodedLength: length)
                body = .stream(encoded, length: encoded.length)
                crc32c = { encoded.checksum }
            } else {
                let prepared = integrity.prepare(part, header: partHeaders[n])
                (headers, body, crc32c) = (prepared.headers, prepared.body, { prepared.crc32c })
            }
            let response = try performBlocking(
                partOperation(request, uploadID: uploadID, number: n, body: body, checksumHeaders: headers),
                sink: nil, transport: transport)
            guard let etag = response.header("etag") else {
                throw OBSError(
                    code: "InvalidPart", message: "part \(n) was answered without an ETag", httpStatus: response.status,
                    category: .general)
            }
            state.done(n, etag: etag, crc32c: crc32c())
        }
        // Without a pass before the send (part trailers), a file written to meanwhile would be stored as a mix of
        // old and new bytes under checksums that match them: the file must be as it was when the upload began.
        if let before, try fileBox.value.contentState() != before { throw OBSError.fileChanged(fileBox.value.path) }
        return UploadedParts(etags: state.etags, size: plan.objectSize, crc32c: state.crc32c)
    }

    private func uploadStreamParts(
        _ request: PutObjectRequest, uploadID: String, integrity: UploadIntegrity, stream: ByteSource,
        first: ReadAhead
    ) throws -> UploadedParts {
        let partSize = Self.streamPartSize(request.transfer)
        // The bytes read ahead (at most one part and a byte) are the first part, cut in place, not copied.
        var head = first.take()
        var pending = head.count > partSize ? Array(head[partSize...]) : []
        head.removeLast(head.count - min(head.count, partSize))
        var firstPart: [UInt8]? = head
        head = []
        var etags: [(Int, String)] = []
        var crcs: [Int: String] = [:]
        var total: Int64 = 0
        var n = 0
        while true {
            // Each part is read into an array of its own, sent and dropped: memory stays at one part.
            let part: [UInt8], ended: Bool
            if let whole = firstPart, whole.count == partSize {
                (part, ended) = (whole, false)
            } else {
                (part, ended) = try Self.read(upTo: partSize, after: (firstPart ?? pending)[...], from: stream)
                pending = []
            }
            firstPart = nil
            if part.isEmpty && n > 0 { break }
            n += 1
            guard Int64(n) <= MultipartPlan.maxParts else {
                throw OBSError.invalidArgument(
                    "the stream needs more than 10,000 parts of \(partSize) bytes; pass a larger --part-size")
            }
            let checksum = integrity.header(for: part)
            let response = try serialised {
                try performBlocking(
                    partOperation(
                        request, uploadID: uploadID, number: n, body: .bytes(part),
                        checksumHeaders: checksum.map { [$0] } ?? []),
                    sink: nil, transport: $0)
            }
            guard let etag = response.header("etag") else {
                throw OBSError(
                    code: "InvalidPart", message: "part \(n) was answered without an ETag", httpStatus: response.status,
                    category: .general)
            }
            etags.append((n, etag))
            crcs[n] = checksum?.name == UploadIntegrity.crc32cHeader ? checksum?.value : nil
            total += Int64(part.count)
            if ended && pending.isEmpty { break }
        }
        return UploadedParts(etags: etags, size: total, crc32c: crcs)
    }
}

/// Part numbers handed out to workers, their ETags, and the first failure (after which no new part starts).
/// `@unchecked Sendable`: every field is read and written under `lock`.
final class PartQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextPart = 1
    private let count: Int
    private var results: [Int: String] = [:]
    private var checksums: [Int: String] = [:]
    private(set) var error: Error?

    init(count: Int) { self.count = count }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard error == nil, nextPart <= count else { return nil }
        defer { nextPart += 1 }
        return nextPart
    }
    /// Parts not yet claimed, and no failure.
    var hasUnclaimed: Bool { lock.withLock { error == nil && nextPart <= count } }
    func done(_ n: Int, etag: String, crc32c: String? = nil) {
        lock.lock()
        results[n] = etag
        checksums[n] = crc32c
        lock.unlock()
    }
    func fail(_ e: Error) {
        lock.lock()
        if error == nil { error = e }
        lock.unlock()
    }
    var crc32c: [Int: String] {
        lock.lock()
        defer { lock.unlock() }
        return checksums
    }
    var etags: [(number: Int, etag: String)] {
        lock.lock()
        defer { lock.unlock() }
        return results.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// The threads that run parts beside the one that called `inParallel`: at most `limit`, each taking one of the
/// budget's spare requests for as long as it runs.
final class PartHelpers: @unchecked Sendable {  // `started` and `limit` only under `lock`
    private let lock = NSLock()
    private let group = DispatchGroup()
    private var started = 0
    private var limit: Int
    private let budget: RequestBudget?
    private let startThread: (@escaping () -> Void) -> Int32

    /// `startThread` returns 0 or the errno of a thread that could not start (`DetachedThread.start`; tests pass one
    /// that fails, as a process at its thread limit sees).
    init(
        limit: Int, budget: RequestBudget?,
        startThread: @escaping (@escaping () -> Void) -> Int32 = DetachedThread.start
    ) {
        self.limit = max(0, limit)
        self.budget = budget
        self.startThread = startThread
    }

    /// Starts `worker` on a thread of its own if the limit and the budget leave room.
    func offer(_ worker: @escaping () -> Void) {
        let room = lock.withLock {
            guard started < limit, budget?.take() ?? true else { return false }
            started += 1
            return true
        }
        guard room else { return }
        group.enter()
        let e = startThread { [self] in
            worker()
            budget?.giveBack()
            group.leave()
        }
        if e != 0 {
            // At a thread limit: no more helpers for these parts; those running share them.
            budget?.giveBack()
            lock.withLock {
                started -= 1
                limit = started
            }
            group.leave()
        }
    }

    func waitForAll() { group.wait() }
}

// MARK: Uploads in progress

extension RemoteBackend {
    public func listMultipartUploads(bucket: BucketName, prefix: String) async throws -> [MultipartUploadInfo] {
        try await listMultipartUploads(bucket: bucket, prefix: prefix, pageSize: 1000)
    }

    /// Every page of `GET /?uploads`, `pageSize` uploads a request, sorted by key (byte order), then by start, then
    /// by upload id: servers differ in their order (SeaweedFS sorts by upload id).
    func listMultipartUploads(bucket: BucketName, prefix: String, pageSize: Int) async throws -> [MultipartUploadInfo] {
        var all: [MultipartUploadInfo] = []
        var keyMarker: String? = nil
        var idMarker: String? = nil
        while true {
            var query: [(String, String?)] = [("uploads", nil), ("prefix", prefix), ("max-uploads", String(pageSize))]
            if let keyMarker { query.append(("key-marker", keyMarker)) }
            if let idMarker { query.append(("upload-id-marker", idMarker)) }
            let page = try OBSXMLParser.listMultipartUploads(
                try await perform(Operation(method: "GET", bucket: bucket, query: query)).body)
            all += page.uploads.map {
                MultipartUploadInfo(bucket: bucket, key: $0.key, uploadID: $0.uploadID, initiated: $0.initiated)
            }
            guard page.isTruncated else {
                return all.sorted { a, b in
                    if !KeyBytes.equal(a.key, b.key) { return ByteKey(a.key) < ByteKey(b.key) }
                    if a.initiated != b.initiated {
                        return (a.initiated ?? .distantPast) < (b.initiated ?? .distantPast)
                    }
                    return ByteKey(a.uploadID) < ByteKey(b.uploadID)
                }
            }
            guard page.nextKeyMarker != keyMarker || page.nextUploadIDMarker != idMarker else {
                throw OBSError(
                    code: "MalformedXML",
                    message:
                        "the server's list of multipart uploads in obs://\(bucket) does not advance past "
                        + (keyMarker ?? ""),
                    httpStatus: 0, category: .general)
            }
            keyMarker = page.nextKeyMarker
            idMarker = page.nextUploadIDMarker
        }
    }

    public func abortMultipartUpload(bucket: BucketName, key: ObjectKey, uploadID: String) async throws {
        _ = try await perform(Operation(method: "DELETE", bucket: bucket, key: key, query: [("uploadId", uploadID)]))
    }
}

/// Called right before each Initiate (`RemoteBackend.multipartUploadStarting`).
public typealias MultipartUploadHook = @Sendable () -> MultipartUploadRegistration

/// A multipart upload, registered before its Initiate was sent, for an interruption to abort.
public struct MultipartUploadRegistration: Sendable {
    /// Given, once Initiate answered, the action that aborts the upload on a connection of its own. Returns false
    /// when an interruption is under way: the upload then sends no part (the interruption aborts it).
    public let initiated: @Sendable (_ abort: @escaping @Sendable () -> MultipartAbortOutcome) -> Bool
    /// Called when the upload is over: completed, aborted, or never created (Initiate failed).
    public let ended: @Sendable () -> Void

    public init(
        initiated: @escaping @Sendable (_ abort: @escaping @Sendable () -> MultipartAbortOutcome) -> Bool,
        ended: @escaping @Sendable () -> Void
    ) {
        self.initiated = initiated
        self.ended = ended
    }
}

/// What aborting an upload in flight came to.
public enum MultipartAbortOutcome: Sendable {
    case aborted
    /// Not there: completed, or aborted by its own failure, before the abort.
    case gone
    /// Not aborted: what is left (to report).
    case failed(String)
}

/// Bytes read ahead of a stream's upload, handed to the one upload that takes them (`take`), so that nothing else
/// keeps them alive: the upload's memory stays at one part. `@unchecked Sendable`: set by its creator, then taken
/// once by the upload it was handed to, never touched by two threads.
final class ReadAhead: @unchecked Sendable {
    private(set) var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }
}
