import Foundation
import OBSCore
import OBSCrypto

/// Downloads. Into a `RandomAccessSink` (a file): the first range, then, for a larger object, the file's space
/// reserved and the other ranges as parallel ranged GETs, each worker on its own connection and every range pinned
/// to the first answer's ETag with If-Match, so a concurrent overwrite fails the download instead of mixing two
/// versions. Every range goes to the file in whole blocks past the page cache where it can (`AlignedRangeSink`). Into any other sink
/// (stdout): one streamed GET. Either way the bytes are checked against the object's MD5 where its ETag is one.
extension RemoteBackend {
    static let defaultDownloadPartSize: Int64 = 16 << 20

    public func getObject(_ request: GetObjectRequest, into sink: ByteSink) async throws -> ObjectInfo {
        try checkTransportSecurity(request.customerKey.map { .customer($0) }, what: "download of obs://\(request.bucket)/\(request.key)")
        if let file = sink as? RandomAccessSink {
            return try await runBlocking { try $0.rangedDownload(request, into: file) }
        }
        let verifying = MD5VerifyingSink(sink, headerPrefix: configuration.headerPrefix)
        let response = try await perform(getOperation(request), sink: verifying)
        let info = objectInfo(request.bucket, request.key, response, customerKey: request.customerKey)
        try verifying.verify(info)
        return info
    }

    private func getOperation(_ request: GetObjectRequest, range: ClosedRange<Int64>? = nil, ifMatch: String? = nil) -> Operation {
        Operation(method: "GET", bucket: request.bucket, key: request.key, headers: customerKeyHeaders(request.customerKey, prefix: ""),
                  customerKey: request.customerKey, range: range, ifMatch: ifMatch)
    }

    func rangedDownload(_ request: GetObjectRequest, into file: RandomAccessSink) throws -> ObjectInfo {
        let partSize = request.transfer.partSize ?? Self.defaultDownloadPartSize
        let blocks = BlockPool(count: request.transfer.parallelism)
        let block = blocks.take()
        let first = AlignedRangeSink(file, start: 0, block: block)
        let response: HTTPResponse
        do {
            response = try serialised { try performBlocking(getOperation(request, range: 0...(partSize - 1)), sink: first, transport: $0) }
            try first.finish()
            blocks.give(block)
        } catch let e as OBSError where e.httpStatus == 416 {
            // An empty object has no byte 0: ask for all of it.
            let whole = AlignedRangeSink(file, start: 0, block: block)
            let response = try serialised { try performBlocking(getOperation(request), sink: whole, transport: $0) }
            try whole.finish()
            return try finishDownload(request, response, file: file, info: nil, size: whole.written)
        }
        var info = objectInfo(request.bucket, request.key, response, customerKey: request.customerKey)
        // A 200 is the whole object (the server ignored the Range), perhaps without a Content-Length.
        if response.status != 206 { info.size = first.written }
        if response.status == 206 {
            guard let total = contentRangeTotal(response), first.written == min(partSize, total) else {
                throw OBSError.integrity("the server answered the first range of obs://\(request.bucket)/\(request.key) with \(first.written) bytes and Content-Range '\(response.header("content-range") ?? "")'")
            }
            if total > partSize {
                guard let etag = response.header("etag") else {
                    throw OBSError(code: "MissingETag", message: "the server sent no ETag for obs://\(request.bucket)/\(request.key); cannot download it in ranges safely", httpStatus: 206, category: .general)
                }
                try file.reserve(total)
                try downloadRanges(request, file: file, from: partSize, total: total, partSize: partSize, etag: etag, blocks: blocks)
            }
        }
        return try finishDownload(request, response, file: file, info: info, size: info.size)
    }

    /// Checks the file against the object's MD5 where its ETag is one (`size`: the bytes written).
    private func finishDownload(_ request: GetObjectRequest, _ response: HTTPResponse, file: RandomAccessSink, info: ObjectInfo?, size: Int64) throws -> ObjectInfo {
        var info = info ?? objectInfo(request.bucket, request.key, response, customerKey: request.customerKey)
        info.size = size
        if let expected = ETagChecksum.expectedMD5(info) {
            let md5 = Digest(.md5)
            var buffer = [UInt8](repeating: 0, count: 1 << 20), offset: Int64 = 0
            while offset < info.size {
                let n = try buffer.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<Int(min(Int64($0.count), info.size - offset))]), at: offset) }
                if n == 0 { break }
                buffer.withUnsafeBytes { md5.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                offset += Int64(n)
            }
            try ETagChecksum.check(Hex.encode(md5.finalize()), expected: expected, info)
        }
        return info
    }

    /// Bytes [from, total) in ranges of `partSize`, `transfer.parallelism` at a time; the first failure stops the rest.
    private func downloadRanges(_ request: GetObjectRequest, file: RandomAccessSink, from: Int64, total: Int64, partSize: Int64, etag: String,
                                blocks: BlockPool) throws {
        let count = Int((total - from + partSize - 1) / partSize)
        let fileBox = UncheckedBox(file)
        do {
            _ = try inParallel(parts: count, parallelism: request.transfer.parallelism) { [self] n, transport, _ in
                let start = from + Int64(n - 1) * partSize
                let range = start...(min(start + partSize, total) - 1)
                let block = blocks.take()
                defer { blocks.give(block) }
                let sink = AlignedRangeSink(fileBox.value, start: start, block: block)
                let response = try performBlocking(getOperation(request, range: range, ifMatch: etag), sink: sink, transport: transport)
                try sink.finish()
                guard response.status == 206, sink.written == Int64(range.count) else {
                    throw OBSError.integrity("range \(range.lowerBound)-\(range.upperBound) of obs://\(request.bucket)/\(request.key) came back with \(sink.written) bytes (HTTP \(response.status))")
                }
            }
        } catch let e as OBSError where e.httpStatus == 412 {
            throw OBSError(code: "PreconditionFailed", message: "obs://\(request.bucket)/\(request.key) changed while it was being downloaded; run the download again",
                           httpStatus: 412, category: .conflict)
        }
    }

    private func contentRangeTotal(_ r: HTTPResponse) -> Int64? {
        r.header("content-range").flatMap { $0.split(separator: "/").last }.flatMap { Int64($0) }
    }
}

/// The object's recorded checksum: OBS and S3 give the MD5 of the bytes as the ETag of an unencrypted object
/// written in one PUT. A multipart ETag ("…-N") and the ETag of an SSE-KMS or SSE-C object are not MD5s of the
/// plaintext and are never compared.
enum ETagChecksum {
    /// An ETag without its quotes, lower-cased.
    static func bare(_ etag: String) -> String { etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased() }

    /// The MD5 an ETag states (32 hex digits), or nil for any other ETag.
    static func md5(_ etag: String) -> String? {
        let hex = bare(etag)
        return hex.count == 32 && hex.allSatisfy(\.isHexDigit) ? hex : nil
    }

    static func expectedMD5(_ info: ObjectInfo) -> String? {
        guard info.sseMode == nil || info.sseMode == .unencrypted else { return nil }
        return md5(info.etag)
    }

    static func check(_ actual: String, expected: String, _ info: ObjectInfo) throws {
        guard actual == expected else {
            throw OBSError.integrity("obs://\(info.bucket)/\(info.key) arrived damaged: its MD5 is \(actual), the server's ETag says \(expected); nothing was kept, run the download again")
        }
    }
}

/// Passes a streamed download through and hashes it, when the response's headers (seen before the first byte)
/// say the ETag is the object's MD5.
final class MD5VerifyingSink: ByteSink, ResponseHeadObserver {
    private let inner: ByteSink
    private let headerPrefix: String
    private var md5: Digest?
    private var decided = false

    init(_ inner: ByteSink, headerPrefix: String) { self.inner = inner; self.headerPrefix = headerPrefix }

    func responseBegins(status: Int, headers: [(name: String, value: String)]) {
        guard !decided else { return }  // a resumed GET goes on hashing where the first one stopped
        decided = true
        let encrypted = headers.contains { $0.name == headerPrefix + "server-side-encryption" || $0.name == headerPrefix + "server-side-encryption-customer-algorithm" }
        let etag = headers.last { $0.name == "etag" }?.value ?? ""
        if status == 200, !encrypted, ETagChecksum.md5(etag) != nil { md5 = Digest(.md5) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try inner.write(bytes)
        md5?.update(bytes)
    }

    func verify(_ info: ObjectInfo) throws {
        guard let md5, let expected = ETagChecksum.expectedMD5(info) else { return }
        try ETagChecksum.check(Hex.encode(md5.finalize()), expected: expected, info)
    }
}
