import Foundation
import OBSCore
import OBSSigner
import OBSTime
import OBSXML

/// Object operations: put, get (ranges, conditions), head, delete, copy.
extension S3Service {
    /// How many bytes of an answer may wait for a slow client (the listener's queue; `OpenedRead` holds another
    /// buffer): a GET's memory, whatever the object's size.
    public static let responseQueueBytes = 256 << 10

    func putObject(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        try S3Headers.refuseUnkeptFeatures(call)
        if let source = S3Headers.value(call, "copy-source") {
            return try await copyObject(call, bucket, key, source: source)
        }
        var request = PutObjectRequest(
            bucket: bucket, key: key, sse: try S3Headers.sseRequest(call), contentType: S3Headers.contentType(call),
            userMetadata: try S3Headers.userMetadata(call), storageClass: try S3Headers.storageClass(call))
        request.precondition = try Self.writePrecondition(call)
        request.headerMetadata = S3Headers.headerMetadata(call)
        if request.sse == nil {
            try await requireSecureTransport(call, forStored: { try await bucketDefault(bucket) })
        }
        let body = try CheckedBody.upload(call)
        let info = try await backend.putObject(request, body: body)
        var headers: [(name: String, value: String)] = [("ETag", S3Headers.quoted(info.etag))]
        headers += S3Headers.sseHeaders(info, call.dialect)
        // The flexible checksum the body was checked against, as S3 answers it (an SDK may compare).
        if call.dialect == .s3, let checksum = body.verifiedChecksum {
            headers.append(("x-amz-checksum-" + checksum.algorithm.lowercased(), checksum.value))
        }
        return ServerResponse(status: 200, headers: headers)
    }

    /// S3's conditional writes on PutObject and CompleteMultipartUpload: `If-None-Match: *` (create only) or
    /// `If-Match: ETAG` (replace only that version), checked by the backend as it commits. S3 takes no other
    /// If-None-Match value, nor both at once.
    static func writePrecondition(_ call: S3Call) throws -> WritePrecondition? {
        let noneMatch = call.request.header("If-None-Match"), match = call.request.header("If-Match")
        switch (noneMatch, match) {
        case (nil, nil): return nil
        case (let value?, nil):
            guard value.trimmingCharacters(in: .whitespaces) == "*" else {
                throw S3Failure.unimplementedHeader("If-None-Match", "a write takes only If-None-Match: *")
            }
            return .absent
        case (nil, let etag?): return ifMatch(etag)
        case (_?, _?):
            throw S3Failure.invalidArgument("If-Match and If-None-Match cannot be given together on a write")
        }
    }

    /// `If-Match: ETAG` (that version only) or `*` (an object, whichever).
    static func ifMatch(_ header: String) -> WritePrecondition {
        let value = header.trimmingCharacters(in: .whitespaces)
        return value == "*" ? .present : .etag(ETags.bare(value))
    }

    /// S3's conditional delete: `If-Match` as on a write, checked by the backend as it deletes. The other
    /// conditions (S3's on the size and the modification time, HTTP's others) are not checked here: refused with
    /// 501, never dropped, which would delete what the client meant to keep.
    static func deletePrecondition(_ call: S3Call) throws -> WritePrecondition? {
        var unchecked = ["If-None-Match", "If-Modified-Since", "If-Unmodified-Since"]
        unchecked += ["if-match-size", "if-match-last-modified-time"].map { call.dialect.headerPrefix + $0 }
        if let name = unchecked.first(where: { call.request.header($0) != nil }) {
            throw S3Failure.unimplementedHeader(name, "a delete takes only If-Match")
        }
        return call.request.header("If-Match").map(ifMatch)
    }

    func headObject(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        let overrides = try Self.responseOverrides(call)
        let info = try await backend.headObject(try getRequest(call, bucket, key))
        if let answer = try conditionalAnswer(call, info) { return answer }
        var response = ServerResponse(status: 200, headers: S3Headers.objectHeaders(info, call.dialect))
        response.setHeader("Content-Length", String(info.size))
        // A Range is answered as GET would answer it (206 with its length, 416 past the end), as S3 does.
        let part = try Self.requestedPart(call, info)
        if let range = try part ?? Self.requestedRange(call, info) {
            response.status = 206
            response.setHeader("Content-Length", String(range.upperBound - range.lowerBound))
            response.headers += Self.contentRange(range, info) + (part == nil ? [] : Self.partCount(call, info))
        } else {
            response.headers += Self.checksum(call, info)
        }
        for (name, value) in overrides { response.setHeader(name, value) }
        return response
    }

    /// `?partNumber=N`: the bytes of the object's Nth part, numbered from 1 in order (how clients learn part sizes
    /// to check a composite checksum); part 1 of an object written whole is all of it. nil without the parameter.
    /// An empty part (a multipart upload's last part may be empty) is an empty range, answered as a part: 206, no
    /// bytes, the part count; never nil, which would answer the whole object as that part.
    static func requestedPart(_ call: S3Call, _ info: ObjectInfo) throws -> Range<Int64>? {
        guard let text = call.request.query("partNumber") else { return nil }
        guard let n = Int(text), (1...10_000).contains(n) else {
            throw S3Failure.invalidArgument("Part number must be an integer between 1 and 10000, inclusive")
        }
        guard call.request.header("Range") == nil else {
            throw S3Failure(
                "InvalidRequest", "Cannot specify both Range header and partNumber query parameter", status: 400)
        }
        let sizes = info.partSizes ?? [info.size]
        guard n <= sizes.count else {
            throw S3Failure("InvalidPartNumber", "The requested partnumber is not satisfiable", status: 416)
        }
        // An object written whole has one part, itself: an empty one is answered as the empty object (200).
        if info.partSizes == nil && info.size == 0 { return nil }
        let start = sizes[..<(n - 1)].reduce(0, +)
        return start..<(start + sizes[n - 1])
    }

    /// The Content-Range of a 206. None for an empty part: no byte range names zero bytes (`bytes */SIZE` is the
    /// form of a 416), so its answer says what it holds with Content-Length 0 and the part count alone.
    static func contentRange(_ range: Range<Int64>, _ info: ObjectInfo) -> [(name: String, value: String)] {
        guard !range.isEmpty else { return [] }
        return [("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(info.size)")]
    }

    /// The part count of an object made of parts, with a part's answer (`x-amz-mp-parts-count`, `x-obs-` in OBS's).
    static func partCount(_ call: S3Call, _ info: ObjectInfo) -> [(name: String, value: String)] {
        info.partSizes.map { [("\(call.dialect.headerPrefix)mp-parts-count", String($0.count))] } ?? []
    }

    /// With a whole object's answer in checksum mode (`x-amz-checksum-mode: ENABLED`, S3's dialect; OBS documents no
    /// such mode): the CRC-32C of all its bytes, multipart or not, which the store keeps, so a client checks a
    /// download end to end whatever the object's encryption. Ranges and parts get none, as on S3.
    static func checksum(_ call: S3Call, _ info: ObjectInfo) -> [(name: String, value: String)] {
        guard call.dialect == .s3, call.request.header("x-amz-checksum-mode")?.uppercased() == "ENABLED",
            let crc = info.contentCRC32C
        else { return [] }
        return [("x-amz-checksum-crc32c", crc), ("x-amz-checksum-type", "FULL_OBJECT")]
    }

    /// The answer headers a GET or HEAD asks to have replaced, by query parameters S3 and OBS both document
    /// (`response-content-disposition` in a presigned link makes a browser save the object under a name). A value
    /// that cannot be a header is refused before the object is read.
    static func responseOverrides(_ call: S3Call) throws -> [(name: String, value: String)] {
        let parameters = [
            ("response-content-type", "Content-Type"), ("response-content-language", "Content-Language"),
            ("response-expires", "Expires"), ("response-cache-control", "Cache-Control"),
            ("response-content-disposition", "Content-Disposition"),
            ("response-content-encoding", "Content-Encoding"),
        ]
        return try parameters.compactMap { parameter, header in
            guard let value = call.request.query(parameter) else { return nil }
            do { try HeaderValues.checkValue(value, parameter) } catch let e as OBSError {
                throw S3Failure.invalidArgument(e.message)
            }
            return (header, value)
        }
    }

    /// The object is opened first (data key unwrapped: a KMS or SSE-C refusal is an error answer, not a cut
    /// connection), then the headers are taken from it and its bytes streamed from the same open object.
    func getObject(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        let overrides = try Self.responseOverrides(call)
        let request = try getRequest(call, bucket, key)
        // A client that stops reading holds its answer's thread and buffers until the body timeout: GETs take a
        // slot of their own lane before they open anything, so many stalled readers hold back only other GETs,
        // and those waiting hold nothing but their connection. Released once the answer is written, or dropped.
        let slot = await BodySlots.downloads.take()
        let read = OpenedRead()
        try await BlockingPool.shared.run { [self] in
            let (source, info) = try backend.openRange(request) { info in
                try requireSecureTransport(call, for: info.sseMode)  // an SSE-KMS object's bytes: HTTPS only
                read.early = try conditionalAnswer(call, info)
                if read.early != nil { return 0..<0 }
                read.part = try Self.requestedPart(call, info)
                read.range = try read.part ?? Self.requestedRange(call, info)
                return read.range
            }
            read.source = source
            read.info = info
            if read.early == nil { try read.takeSmallAnswer() }
        }
        if let early = read.early {
            slot.release()
            return early
        }
        guard let info = read.info else { throw S3Failure("InternalError", "object not opened", status: 500) }
        var headers = S3Headers.objectHeaders(info, call.dialect)
        var status = 200
        var length = info.size
        if let range = read.range {
            status = 206
            length = range.upperBound - range.lowerBound
            headers += Self.contentRange(range, info)
            if read.part != nil { headers += Self.partCount(call, info) }
        } else {
            headers += Self.checksum(call, info)
        }
        headers.append(("Content-Length", String(length)))
        var response = ServerResponse(
            status: status, headers: headers,
            body: .stream(length: length) { sink in
                defer { slot.release() }
                if let whole = read.whole {
                    // Less than the sink's queue holds: this write never waits for the client.
                    if !whole.isEmpty { try whole.withUnsafeBytes { try sink.write($0) } }
                } else {
                    try await BlockingPool.shared.run { try read.pump(into: sink) }
                }
            })
        for (name, value) in overrides { response.setHeader(name, value) }
        return response
    }

    /// The `Range` header against the object: nil for the whole object (no header, one S3 ignores, or an If-Range
    /// that no longer holds).
    static func requestedRange(_ call: S3Call, _ info: ObjectInfo) throws -> Range<Int64>? {
        guard let spec = call.request.header("Range") else { return nil }
        if let validator = call.request.header("If-Range"), !ifRangeHolds(validator, info) { return nil }
        switch ByteRange.parse(spec, size: info.size) {
        case .ignore: return nil
        case .unsatisfiable:
            throw S3Failure(
                "InvalidRange", "The requested range is not satisfiable", status: 416,
                extra: [("RangeRequested", spec), ("ActualObjectSize", String(info.size))],
                headers: [("Content-Range", "bytes */\(info.size)")])  // RFC 9110 15.5.17, as S3 answers
        case .range(let r): return r
        }
    }

    func deleteObject(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        let precondition = try Self.deletePrecondition(call)
        do { try await backend.deleteObject(bucket: bucket, key: key, precondition: precondition) } catch let e
            as OBSError where e.code == "NoSuchKey" && precondition == nil
        {}  // S3 answers 204 for a key that is not there, 404 to a conditional delete
        return ServerResponse(status: 204)
    }

    func copyObject(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, source: String) async throws
        -> ServerResponse
    {
        let (sourceBucket, sourceKey) = try Self.copySource(source)
        let sourceRequest = GetObjectRequest(
            bucket: sourceBucket, key: sourceKey,
            customerKey: try S3Headers.customerKey(call, prefix: "copy-source-server-side-encryption-customer-"))
        let sourceInfo = try await backend.headObject(sourceRequest)
        try checkCopySourceConditions(call, sourceInfo)
        let directive = S3Headers.value(call, "metadata-directive")?.uppercased() ?? "COPY"
        guard directive == "COPY" || directive == "REPLACE" else {
            throw S3Failure.invalidArgument("metadata-directive '\(directive)' is not COPY or REPLACE")
        }
        let replace = directive == "REPLACE"
        var destination = PutObjectRequest(
            bucket: bucket, key: key, sse: try S3Headers.sseRequest(call),
            contentType: replace ? S3Headers.contentType(call) : sourceInfo.contentType,
            userMetadata: replace ? try S3Headers.userMetadata(call) : sourceInfo.userMetadata,
            storageClass: try S3Headers.storageClass(call))  // as on S3 and OBS, not the source's
        destination.headerMetadata = replace ? S3Headers.headerMetadata(call) : sourceInfo.headerMetadata
        destination.precondition = try Self.writePrecondition(call)  // the target's, checked at its commit
        try requireSecureTransport(call, for: sourceInfo.sseMode)
        if destination.sse == nil {
            try await requireSecureTransport(call, forStored: { try await bucketDefault(bucket) })
        }
        // A class named is a change too: copying onto itself is how a client changes an object's class.
        if sourceBucket == bucket && sourceKey == key && !replace && destination.sse == nil
            && destination.storageClass == nil
        {
            throw S3Failure(
                "InvalidRequest",
                "This copy request is illegal because it is trying to copy an object to itself without changing the "
                    + "object's metadata, storage class, website redirect location or encryption attributes.",
                status: 400)
        }
        let info = try await backend.copyObject(
            CopyObjectRequest(
                source: sourceRequest, destination: destination, replaceMetadata: replace,
                sourceIfMatch: sourceInfo.etag, sourceInfo: sourceInfo))
        var response = Self.xml(
            ServerXML.copyObject(etag: info.etag, lastModified: info.lastModified, dialect: call.dialect.xml))
        for (name, value) in S3Headers.sseHeaders(info, call.dialect) { response.setHeader(name, value) }
        return response
    }

    // MARK: Helpers

    func getRequest(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) throws -> GetObjectRequest {
        GetObjectRequest(
            bucket: bucket, key: key,
            customerKey: try S3Headers.customerKey(call, prefix: "server-side-encryption-customer-"))
    }

    /// `bucket/key` (leading `/` optional, key URL-encoded, `?versionId=` refused).
    static func copySource(_ header: String) throws -> (BucketName, ObjectKey) {
        var text = header.hasPrefix("/") ? String(header.dropFirst()) : header
        if text.lowercased().hasPrefix("%2f") { text = String(text.dropFirst(3)) }
        if let q = text.firstIndex(of: "?") {
            // Each object is its one version, `null`, as for GET: another id names none.
            guard text[q...].hasPrefix("?versionId=null") || text[q...] == "?" else {
                throw S3Failure("NoSuchVersion", "The specified version does not exist.", status: 404)
            }
            text = String(text[..<q])
        }
        // The bucket ends at the first '/', or at an encoded one before it: a value percent-encoded whole, as Go's
        // url.QueryEscape(bucket + "/" + key) in AWS's examples gives it (moto takes it too). No bucket name holds '%'.
        var separator = text.firstIndex(of: "/").map { $0..<text.index(after: $0) }
        if let encoded = text.range(of: "%2F", options: .caseInsensitive),
            encoded.lowerBound < separator?.lowerBound ?? text.endIndex
        {
            separator = encoded
        }
        guard let separator, separator.upperBound < text.endIndex else {
            throw S3Failure.invalidArgument("copy-source '\(header)' is not bucket/key")
        }
        let bucket = try BucketName(String(text[..<separator.lowerBound]))
        let encodedKey = text[separator.upperBound...]
        guard URIEncoding.decodesAsUTF8(encodedKey) else { throw S3Failure.invalidURI("the copy source's key") }
        let key = try ObjectKey(URIEncoding.decode(encodedKey))
        return (bucket, key)
    }

    /// GET and HEAD: a failed If-Match or If-Unmodified-Since is 412, a failed If-None-Match or If-Modified-Since
    /// is 304 with the object's ETag and Last-Modified.
    func conditionalAnswer(_ call: S3Call, _ info: ObjectInfo) throws -> ServerResponse? {
        let r = call.request
        let conditions = Preconditions(
            ifMatch: r.header("If-Match").map { ("If-Match", $0) },
            ifNoneMatch: r.header("If-None-Match").map { ("If-None-Match", $0) },
            ifModifiedSince: r.header("If-Modified-Since").map { ("If-Modified-Since", $0) },
            ifUnmodifiedSince: r.header("If-Unmodified-Since").map { ("If-Unmodified-Since", $0) })
        switch conditions.evaluate(info) {
        case .proceed: return nil
        case .failed(let condition): throw Self.preconditionFailed(condition)
        case .notModified:
            return ServerResponse(
                status: 304,
                headers: [
                    ("ETag", S3Headers.quoted(info.etag)), ("Last-Modified", Timestamps.rfc1123(info.lastModified)),
                ])
        }
    }

    /// Copies: the same rules over the `copy-source-if-*` headers, where every failure is 412.
    func checkCopySourceConditions(_ call: S3Call, _ info: ObjectInfo) throws {
        func named(_ suffix: String) -> (String, String)? {
            S3Headers.value(call, "copy-source-" + suffix).map { ("copy-source-" + suffix, $0) }
        }
        let conditions = Preconditions(
            ifMatch: named("if-match"), ifNoneMatch: named("if-none-match"),
            ifModifiedSince: named("if-modified-since"), ifUnmodifiedSince: named("if-unmodified-since"))
        switch conditions.evaluate(info) {
        case .proceed: return
        case .failed(let condition), .notModified(let condition): throw Self.preconditionFailed(condition)
        }
    }

    /// If-Range (RFC 9110 13.1.5): the range is sent only while the object is the one the client holds the rest of,
    /// by its ETag (compared strongly: a weak tag never holds) or by exactly its Last-Modified; otherwise the whole
    /// object is, so a resumed download starts over rather than joining the parts of two objects.
    static func ifRangeHolds(_ validator: String, _ info: ObjectInfo) -> Bool {
        let value = validator.trimmingSpaces()
        if value.hasPrefix("\"") || value.lowercased().hasPrefix("w/") {
            return !value.lowercased().hasPrefix("w/") && ETags.bare(value) == ETags.bare(info.etag)
        }
        guard let date = Timestamps.parseHTTPDate(value) else { return false }
        return date.timeIntervalSince1970 == info.lastModified.timeIntervalSince1970.rounded(.down)
    }

    /// `weak`: a `W/` tag matches too (If-None-Match's weak comparison); If-Match compares strongly, so a weak
    /// tag never matches there (RFC 9110 13.1.1), as the conditional PUT already answers.
    static func etagList(_ header: String, contains etag: String, weak: Bool) -> Bool {
        header.split(separator: ",").contains {
            let t = ETags.bare(String($0))
            return t == "*" || t == etag || weak && t.hasPrefix("w/") && ETags.bare(String(t.dropFirst(2))) == etag
        }
    }

    static func preconditionFailed(_ condition: String) -> S3Failure {
        S3Failure(
            "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", status: 412,
            extra: [("Condition", condition)])
    }
}

/// A `Range: bytes=...` header against an object of `size` bytes. One range only; anything S3 would ignore (other
/// units, several ranges, bad syntax) is ignored: the whole object is sent.
enum ByteRange: Equatable {
    case ignore
    case unsatisfiable
    case range(Range<Int64>)

    static func parse(_ spec: String, size: Int64) -> ByteRange {
        let s = spec.trimmingCharacters(in: .whitespaces)
        guard s.lowercased().hasPrefix("bytes="), !s.contains(",") else { return .ignore }
        let body = s.dropFirst(6)
        guard let dash = body.firstIndex(of: "-") else { return .ignore }
        let a = body[..<dash].trimmingCharacters(in: .whitespaces)
        let b = body[body.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if a.isEmpty {
            guard let n = position(b) else { return .ignore }
            if n == 0 || size == 0 { return .unsatisfiable }
            return .range(max(0, size - n)..<size)
        }
        guard let first = position(a) else { return .ignore }
        var last = size - 1
        if !b.isEmpty {
            guard let l = position(b), l >= first else { return .ignore }
            last = min(l, size - 1)
        }
        guard first < size else { return .unsatisfiable }
        return .range(first..<(last + 1))
    }

    /// A byte position as RFC 9110 writes it, digits only (`+1` and `-1` are not positions: the header is ignored,
    /// as S3 ignores a malformed Range). One past Int64 is past every object, not malformed: `Int64.max`.
    private static func position(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(text) ?? .max
    }
}

/// An object opened for a GET, handed from the blocking open to the streaming answer. `@unchecked Sendable`: set
/// once on the pool before the answer exists, then read only by the one stream that writes the answer.
final class OpenedRead: @unchecked Sendable {
    var source: ByteSource?
    var info: ObjectInfo?
    /// A 304 decided from the opened object: nothing is streamed.
    var early: ServerResponse?

    /// The range served (nil: the whole object).
    var range: Range<Int64>?
    /// The range of the part `?partNumber=` asked for, when it did.
    var part: Range<Int64>?

    /// What one slow client holds here while it reads, besides the response's queue: small enough that many of them
    /// stay cheap, large enough that a fast one is not slowed down by calls.
    static let bufferSize = 256 << 10

    /// An object of at most this many bytes is read whole by the job that opened it (`takeSmallAnswer`). Below
    /// `S3Service.responseQueueBytes`, so that the answer goes to the response's queue without waiting there.
    static let smallAnswerBytes = 64 << 10

    /// The answer, read whole; nil when it is streamed by `pump`.
    private(set) var whole: [UInt8]?

    /// Reads the answer whole, in the job that opened the object, when the object is at most `smallAnswerBytes`: a
    /// small GET then costs one trip to the blocking pool, not two. Damage found as it is read (a tag that fails) is
    /// then an error answer, not a connection cut after the headers. The object's size, not the answer's, decides:
    /// a source may read past the range (a plain object's whole file, for its MAC), which a stream does after the
    /// range's bytes went out.
    func takeSmallAnswer() throws {
        guard let source, let size = info?.size, size <= Int64(Self.smallAnswerBytes) else { return }
        let length = Int(range.map { $0.upperBound - $0.lowerBound } ?? size)
        var filled = 0
        // One byte more than announced, to read the source's end (and let it check what it checks there). Not
        // zero-filled: each byte is written before it is read.
        let bytes = try [UInt8](unsafeUninitializedCapacity: length + 1) { buffer, count in
            defer { count = filled }
            while filled <= length {
                let n = try source.read(into: UnsafeMutableRawBufferPointer(.init(rebasing: buffer[filled...])))
                if n == 0 { break }
                filled += n
            }
        }
        guard filled == length else {
            let what = filled > length ? "more" : "fewer"
            throw S3Failure("InternalError", "the object holds \(what) bytes than its size", status: 500)
        }
        whole = bytes
        self.source = nil
    }

    func pump(into sink: ByteSink) throws {
        guard let source else { return }
        // No bigger than the answer (at least a byte, to read the source's end): every GET of a small object
        // zero-filled a whole MiB. Not zero-filled either: each byte is written before it is read.
        let length = range.map { $0.upperBound - $0.lowerBound } ?? info?.size ?? 0
        let chunk = Int(max(1, min(Int64(Self.bufferSize), length)))
        if let lender = sink as? BufferLendingSink {
            // Straight into the listener's buffer (obsctl-serve's ring): no copy in between.
            while try lender.fill(minimum: chunk, { try source.read(into: $0) }) > 0 {}
            return
        }
        var buf = ioBuffer(count: chunk)
        while true {
            let n = try buf.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return }
            try buf.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}

/// The four HTTP preconditions as S3 applies them (RFC 7232 §6): If-Match, when present, decides and
/// If-Unmodified-Since is ignored; If-None-Match, when present, decides and If-Modified-Since is ignored. Each is
/// (header name for the error, value).
struct Preconditions {
    var ifMatch: (String, String)?
    var ifNoneMatch: (String, String)?
    var ifModifiedSince: (String, String)?
    var ifUnmodifiedSince: (String, String)?

    enum Outcome: Equatable {
        case proceed
        /// A failed If-Match / If-Unmodified-Since.
        case failed(String)
        /// A failed If-None-Match / If-Modified-Since (304 for GET, 412 for a copy).
        case notModified(String)
    }

    func evaluate(_ info: ObjectInfo) -> Outcome {
        // HTTP dates have whole seconds: compare the object's time at that precision.
        let modified = info.lastModified.timeIntervalSince1970.rounded(.down)
        func date(_ text: String) -> Double? { Timestamps.parseHTTPDate(text)?.timeIntervalSince1970 }
        if let (name, value) = ifMatch {
            if !S3Service.etagList(value, contains: info.etag, weak: false) { return .failed(name) }
        } else if let (name, value) = ifUnmodifiedSince, let d = date(value), modified > d {
            return .failed(name)
        }
        if let (name, value) = ifNoneMatch {
            if S3Service.etagList(value, contains: info.etag, weak: true) { return .notModified(name) }
        } else if let (name, value) = ifModifiedSince, let d = date(value), modified <= d {
            return .notModified(name)
        }
        return .proceed
    }
}
