import Foundation
import OBSCore
import OBSCrypto

/// Downloads. Into a `RandomAccessSink` (a file): the first range, then, for a larger object, the file's space
/// reserved and the other ranges as parallel ranged GETs, each worker on its own connection and every range pinned
/// to the first answer's ETag with If-Match, so a concurrent overwrite fails the download instead of mixing two
/// versions. Every range goes to the file in whole blocks past the page cache where it can (`AlignedRangeSink`).
/// Into any other sink (stdout): one streamed GET. Either way the bytes are checked (`DownloadChecksum`), or
/// `--debug` says why they could not be.
extension RemoteBackend {
    static let defaultDownloadPartSize: Int64 = 16 << 20

    public func getObject(_ request: GetObjectRequest, into sink: ByteSink) async throws -> ObjectInfo {
        try checkTransportSecurity(
            request.customerKey.map { .customer($0) }, what: "download of obs://\(request.bucket)/\(request.key)")
        if let file = sink as? RandomAccessSink {
            return try await runBlocking { try $0.rangedDownload(request, into: file) }
        }
        let verifying = DownloadVerifyingSink(sink, headerPrefix: configuration.headerPrefix)
        let response = try await perform(getOperation(request), sink: verifying)
        let info = objectInfo(request.bucket, request.key, response, customerKey: request.customerKey)
        if let stale = try verifying.verify(info) { warn(stale) }
        if let (expected, count) = verifying.composite, let blocks = verifying.blocks {
            let etag = response.header("etag")
            try await runBlocking { try $0.checkComposite(request, info, etag: etag, expected, parts: count, blocks) }
        } else if !verifying.verified {
            noteUnverified(info)
        }
        return info
    }

    func getOperation(_ request: GetObjectRequest, range: ClosedRange<Int64>? = nil, ifMatch: String? = nil)
        -> Operation
    {
        // S3 servers that keep an object's checksum send it with a whole-object answer when asked (checksum mode).
        let mode: [(String, String)] = configuration.isOBSDialect ? [] : [("x-amz-checksum-mode", "ENABLED")]
        var op = Operation(
            method: "GET", bucket: request.bucket, key: request.key,
            headers: customerKeyHeaders(request.customerKey, prefix: "") + mode,
            customerKey: request.customerKey, range: range, ifMatch: ifMatch)
        op.smallResponse = request.sizeHint.map { $0 <= Self.smallResponseSize } ?? false
        return op
    }

    /// Up to this size, an object's GET gets libcurl's own receive buffer, not the large one (`smallResponse`).
    static let smallResponseSize: Int64 = 64 << 10

    func rangedDownload(_ request: GetObjectRequest, into file: RandomAccessSink) throws -> ObjectInfo {
        let partSize = request.transfer.partSize ?? Self.defaultDownloadPartSize
        let blocks = BlockPool(count: request.transfer.parallelism)
        let block = blocks.take()
        let first = AlignedRangeSink(file, start: 0, block: block)
        let crcs = RangeCRCs(rangeSize: partSize)
        let response: HTTPResponse
        do {
            response = try serialised {
                try performBlocking(
                    getOperation(request, range: 0...(partSize - 1)), sink: crcs.tap(first, start: 0), transport: $0)
            }
            try first.finish()
            blocks.give(block, touched: first.touched)
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
                throw OBSError.integrity(
                    "the server answered the first range of obs://\(request.bucket)/\(request.key) with "
                        + "\(first.written) bytes and Content-Range '\(response.header("content-range") ?? "")'"
                )
            }
            if total > partSize {
                guard let etag = response.header("etag") else {
                    throw OBSError(
                        code: "MissingETag",
                        message:
                            "the server sent no ETag for obs://\(request.bucket)/\(request.key); cannot download it in "
                            + "ranges safely",
                        httpStatus: 206, category: .general)
                }
                try file.reserve(total)
                try downloadRanges(
                    request, file: file, from: partSize, total: total, partSize: partSize, etag: etag, blocks: blocks,
                    crcs: crcs)
            }
        }
        return try finishDownload(request, response, file: file, info: info, size: info.size, crcs: crcs.joined())
    }

    /// Checks the file (`size`: the bytes written) against the checksum the first answer's headers give, if any.
    /// `crcs`: the CRC-32Cs of its MiBs, taken as they arrived; a CRC-32C check then reads nothing again.
    private func finishDownload(
        _ request: GetObjectRequest, _ response: HTTPResponse, file: RandomAccessSink, info: ObjectInfo?, size: Int64,
        crcs: BlockCRCs? = nil
    ) throws -> ObjectInfo {
        var info = info ?? objectInfo(request.bucket, request.key, response, customerKey: request.customerKey)
        info.size = size
        let recorded = DownloadChecksum.expected(
            response.status, response.headers,
            headerPrefix: configuration.headerPrefix,
            md5: ETagChecksum.expectedMD5(info))
        guard var expected = try recorded ?? serverChecksum(request, info, etag: response.header("etag")) else {
            noteUnverified(info)
            return info
        }
        func hash(_ running: DownloadChecksum.Running) throws -> DownloadChecksum.Running {
            // No bigger than the file: many small downloads at once (--jobs) each zero-filled a whole MiB.
            var buffer = [UInt8](repeating: 0, count: Int(min(Int64(1 << 20), max(size, 1)))), offset: Int64 = 0
            while offset < size {
                let n = try buffer.withUnsafeMutableBytes {
                    let want = Int(min(Int64($0.count), size - offset))
                    return try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: offset)
                }
                if n == 0 { break }
                buffer.withUnsafeBytes { running.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                offset += Int64(n)
            }
            return running
        }
        // From the CRCs taken on the way in where they serve (CRC-32C, parts on the MiB grid), else by reading.
        func checksum(_ expected: DownloadChecksum) throws -> String {
            if expected.kind == .crc32c, let crcs, crcs.total == size {
                if let sizes = expected.partSizes {
                    if let value = crcs.composite(partSizes: sizes) { return value }
                } else {
                    return crcs.whole
                }
            }
            return try hash(expected.start()).value
        }
        guard let actual = try settledValue(request, etag: response.header("etag"), &expected, value: checksum) else {
            noteUnverified(info)
            return info
        }
        if let stale = try expected.check(
            actual: actual, info,
            md5: { try hash(DownloadChecksum(kind: .md5, value: "", source: "").start()).value })
        {
            warn(stale)
        }
        return info
    }

    /// Bytes [from, total) in ranges of `partSize`, up to `transfer.parallelism` at a time (`inParallel`); the first
    /// failure stops the rest.
    private func downloadRanges(
        _ request: GetObjectRequest, file: RandomAccessSink, from: Int64, total: Int64, partSize: Int64, etag: String,
        blocks: BlockPool, crcs: RangeCRCs
    ) throws {
        let count = Int((total - from + partSize - 1) / partSize)
        let fileBox = UncheckedBox(file)
        do {
            _ = try inParallel(parts: count, transfer: request.transfer) { [self] n, transport, _ in
                let start = from + Int64(n - 1) * partSize
                let range = start...(min(start + partSize, total) - 1)
                let block = blocks.take()
                defer { blocks.give(block) }
                let sink = AlignedRangeSink(fileBox.value, start: start, block: block)
                let response = try performBlocking(
                    getOperation(request, range: range, ifMatch: etag), sink: crcs.tap(sink, start: start),
                    transport: transport)
                try sink.finish()
                guard response.status == 206, sink.written == Int64(range.count) else {
                    throw OBSError.integrity(
                        "range \(range.lowerBound)-\(range.upperBound) of obs://\(request.bucket)/\(request.key) came "
                            + "back with \(sink.written) bytes (HTTP \(response.status))"
                    )
                }
            }
        } catch let e as OBSError where e.httpStatus == 412 {
            throw Self.changedWhileDownloading(request)
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
    /// An ETag as obsctl reports it on both backends: without the quotes of the HTTP header.
    static func unquoted(_ etag: String) -> String {
        let quote = UInt8(ascii: "\""), bytes = etag.utf8
        guard bytes.first == quote || bytes.last == quote else { return etag }
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end && bytes[start] == quote { start = bytes.index(after: start) }
        while end > start && bytes[bytes.index(before: end)] == quote { end = bytes.index(before: end) }
        return String(etag[start..<end])
    }

    /// The MD5 an ETag states (32 hex digits), or nil for any other ETag.
    static func md5(_ etag: String) -> String? {
        let hex = ETags.bare(etag)
        return hex.count == 32 && hex.allSatisfy(\.isHexDigit) ? hex : nil
    }

    /// The MD5 of the parts' MD5s and the part count a multipart ETag ("<32 hex>-N") states.
    static func multipartMD5(_ etag: String) -> (md5: String, parts: Int)? {
        let pieces = ETags.bare(etag).split(separator: "-")
        guard pieces.count == 2, let n = Int(pieces[1]), n >= 1, let md5 = md5(String(pieces[0])) else { return nil }
        return (md5, n)
    }

    static func expectedMD5(_ info: ObjectInfo) -> String? {
        guard info.sseMode == nil || info.sseMode == .unencrypted else { return nil }
        return md5(info.etag)
    }

}

/// The checksum a download is checked against, best first: the CRC-32C of the plaintext obsctl recorded at upload
/// (user metadata; any encryption, any part count), the server's full-object CRC-32C (checksum mode; whole-object
/// answers only), the MD5 an unencrypted single-PUT object's ETag is. For an object another tool wrote and a
/// download in ranges, `RemoteBackend.serverChecksum` asks the server afterwards (`ServerChecksum.swift`).
struct DownloadChecksum {
    enum Kind { case crc32c, md5, sha256 }
    let kind: Kind
    /// Without the "-N" of a composite value.
    let value: String
    let source: String
    /// With the recorded CRC-32C: the MD5 the ETag states, if it is one. Tools that rewrite an object in place
    /// (FUSE mounts) keep its metadata, so a record that fails while the ETag matches is stale, not damage.
    var etagMD5: String? = nil
    /// A composite checksum (of the parts' checksums, as a multipart ETag or an S3 COMPOSITE checksum is): the
    /// part sizes, in order; `partsGuessed` when they were inferred from part 1 (equal parts but the last).
    var partSizes: [Int64]? = nil
    var partsGuessed = false

    /// `md5`: the MD5 the object's ETag states, where it is one.
    static func expected(
        _ status: Int, _ headers: [(name: String, value: String)], headerPrefix: String,
        md5: String?
    ) -> DownloadChecksum? {
        func header(_ name: String) -> String? { headers.last { $0.name == name }?.value }
        if let recorded = header(headerPrefix + "meta-" + UploadIntegrity.contentChecksumMetadata) {
            return DownloadChecksum(
                kind: .crc32c, value: recorded, source: "the CRC-32C recorded at upload",
                etagMD5: md5)
        }
        if status == 200, let full = fullObject(headers) { return full }
        guard let md5 else { return nil }
        return DownloadChecksum(kind: .md5, value: md5, source: "the server's ETag (MD5)")
    }

    /// The server's composite CRC-32C (without its "-N") and its part count N, in an answer's headers (checksum
    /// mode), when the server marks it as one (moto's unmarked value follows another rule and is not taken).
    static func composite(_ headers: [(name: String, value: String)]) -> (crc: String, parts: Int)? {
        func header(_ name: String) -> String? { headers.last { $0.name == name }?.value }
        guard let crc = header(UploadIntegrity.crc32cHeader), header("x-amz-checksum-type") != "FULL_OBJECT" else {
            return nil
        }
        let pieces = crc.split(separator: "-")
        guard pieces.count == 2, let n = Int(pieces[1]), n >= 1 else { return nil }
        return (String(pieces[0]), n)
    }

    /// The server's full-object CRC-32C or SHA-256 (checksum mode) in a whole-object answer's headers. Only a
    /// full-object value: a composite one (of the parts' checksums) may come without its "-N" (moto).
    static func fullObject(_ headers: [(name: String, value: String)]) -> DownloadChecksum? {
        func header(_ name: String) -> String? { headers.last { $0.name == name }?.value }
        let type = header("x-amz-checksum-type")
        guard type == "FULL_OBJECT" || type == nil && !(header("etag") ?? "").contains("-") else { return nil }
        if let crc = header(UploadIntegrity.crc32cHeader), !crc.contains("-") {
            return DownloadChecksum(kind: .crc32c, value: crc, source: "the server's CRC-32C")
        }
        if let sha = header("x-amz-checksum-sha256"), !sha.contains("-") {
            return DownloadChecksum(kind: .sha256, value: sha, source: "the server's SHA-256")
        }
        return nil
    }

    /// A running checksum of the received bytes (and their MD5 too, when `alsoMD5`). With `parts`, each part's
    /// checksum is taken at its boundary and the value is the checksum of their concatenation (big-endian bytes).
    final class Running {
        private let kind: Kind
        private let parts: [Int64]?
        private var crc = CRC32C()
        private var digest: Digest?
        private let md5: Digest?
        private var partIndex = 0
        private var partLeft: Int64
        private var partBytes: Int64 = 0
        private var joined: [UInt8] = []

        init(_ kind: Kind, parts: [Int64]? = nil, alsoMD5: Bool = false) {
            self.kind = kind; self.parts = parts
            digest = Self.digest(kind)
            md5 = alsoMD5 ? Digest(.md5) : nil
            partLeft = parts?.first ?? .max
        }

        private static func digest(_ kind: Kind) -> Digest? {
            switch kind {
            case .crc32c: return nil;
            case .md5: return Digest(.md5);
            case .sha256: return Digest(.sha256)
            }
        }

        func update(_ bytes: UnsafeRawBufferPointer) {
            md5?.update(bytes)
            var rest = bytes
            while !rest.isEmpty {
                let n = Int(min(Int64(rest.count), partLeft))
                let chunk = UnsafeRawBufferPointer(rebasing: rest[0..<n])
                if kind == .crc32c { crc.update(chunk) } else { digest!.update(chunk) }
                partLeft -= Int64(n); partBytes += Int64(n)
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
                if partLeft == 0 { endPart() }
            }
        }

        private func finish() -> [UInt8] {
            switch kind {
            case .crc32c: return withUnsafeBytes(of: crc.value.bigEndian) { Array($0) }
            case .md5, .sha256: return digest!.finalize()
            }
        }

        private func endPart() {
            joined += finish()
            crc = CRC32C(); digest = Self.digest(kind); partBytes = 0
            partIndex += 1
            partLeft = parts.map { partIndex < $0.count ? $0[partIndex] : .max } ?? .max
        }

        private func encode(_ bytes: [UInt8]) -> String { kind == .md5 ? Hex.encode(bytes) : Base64.encode(bytes) }

        private(set) lazy var value: String = {
            guard parts != nil else { return encode(finish()) }
            if partBytes > 0 { endPart() }  // more bytes than the parts hold: a value that cannot match
            switch kind {
            case .crc32c: return encode(withUnsafeBytes(of: CRC32C.checksum(joined).value.bigEndian) { Array($0) })
            case .md5: return encode(Digest.md5(joined))
            case .sha256: return encode(Digest.sha256(joined))
            }
        }()
        private(set) lazy var md5Value: String? = md5.map { Hex.encode($0.finalize()) }
    }

    /// `alsoMD5`: hash the ETag's MD5 alongside (a stream, which cannot be read again to decide a mismatch).
    func start(alsoMD5: Bool = false) -> Running { Running(kind, parts: partSizes, alsoMD5: alsoMD5 && etagMD5 != nil) }

    /// Nil when the bytes match; a warning when only the ETag's MD5 does (a stale record); else exit 13.
    /// `md5Again`: the MD5 of the bytes, computed only now (a file read again), when `running` has none.
    func check(_ running: Running, _ info: ObjectInfo, md5Again: (() throws -> String)? = nil) throws -> String? {
        try check(actual: running.value, info, md5: { try running.md5Value ?? md5Again?() })
    }

    /// The same for bytes whose checksum is `actual`; `md5` gives their MD5 when a stale record is to be told.
    func check(actual: String, _ info: ObjectInfo, md5: () throws -> String?) throws -> String? {
        guard actual != value else { return nil }
        if kind == .crc32c, let etagMD5, try md5() == etagMD5 {
            return "obs://\(info.bucket)/\(info.key): its recorded CRC-32C is stale (the object was rewritten "
                + "by a tool that kept its metadata); its bytes match the server's ETag (MD5) and were kept"
        }
        throw damaged(actual, info)
    }

    /// The error for bytes whose checksum is `actual`.
    func damaged(_ actual: String, _ info: ObjectInfo) -> OBSError {
        let name =
            switch kind {
            case .crc32c: "CRC-32C";
            case .md5: "MD5";
            case .sha256: "SHA-256"
            }
        let what = partSizes.map { "the \(name) of its \($0.count) parts' \(name)s" } ?? "its \(name)"
        // Damaged on the way, not in store (`OBSError.integrity` says the stored object was): a file is removed, but
        // what a stream (stdout, a FIFO) took is already out, so "nothing was kept" would be untrue there.
        return OBSError(
            code: "IntegrityCheckFailed",
            message: "obs://\(info.bucket)/\(info.key) arrived damaged: \(what) is \(actual), \(source) says "
                + "\(value); no file keeps such bytes (what a stream already took stays there): run the download "
                + "again",
            httpStatus: 500, category: .integrity)
    }
}

/// Passes a streamed download through and checksums it, when the response's headers (seen before the first byte)
/// give a checksum to compare with.
final class DownloadVerifyingSink: ByteSink, ResponseHeadObserver {
    private let inner: ByteSink
    private let headerPrefix: String
    private var running: DownloadChecksum.Running?
    private var expectedCRC: DownloadChecksum?
    private var decided = false

    init(_ inner: ByteSink, headerPrefix: String) { self.inner = inner; self.headerPrefix = headerPrefix }

    func responseBegins(status: Int, headers: [(name: String, value: String)]) {
        guard !decided else { return }  // a resumed GET goes on hashing where the first one stopped
        decided = true
        let encrypted = headers.contains {
            $0.name == headerPrefix + "server-side-encryption"
                || $0.name == headerPrefix + "server-side-encryption-customer-algorithm"
        }
        let md5 = encrypted ? nil : ETagChecksum.md5(headers.last { $0.name == "etag" }?.value ?? "")
        guard status == 200 else { return }
        guard let expected = DownloadChecksum.expected(status, headers, headerPrefix: headerPrefix, md5: md5) else {
            // No record (a multipart upload with part trailers, another tool's object): the server's composite
            // CRC-32C, checked once the part sizes are asked (`RemoteBackend.checkComposite`).
            if let (crc, count) = DownloadChecksum.composite(headers) {
                composite = (
                    DownloadChecksum(kind: .crc32c, value: crc, source: "the server's composite CRC-32C"), count
                )
                blocks = BlockCRCs()
            }
            return
        }
        expectedCRC = expected
        running = expected.start(alsoMD5: true)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try inner.write(bytes)
        running?.update(bytes)
        blocks?.update(bytes)
    }

    /// The server's composite CRC-32C and its part count, when that is what there is to check; `blocks` then
    /// holds what `RemoteBackend.checkComposite` compares with it.
    private(set) var composite: (expected: DownloadChecksum, parts: Int)?
    private(set) var blocks: BlockCRCs?

    /// Whether the bytes were checked (the answer gave something to check them against).
    var verified: Bool { expectedCRC != nil }

    /// A warning to show when the bytes match only the ETag (a stale record).
    func verify(_ info: ObjectInfo) throws -> String? {
        guard let running, let expected = expectedCRC else { return nil }
        return try expected.check(running, info)
    }
}
