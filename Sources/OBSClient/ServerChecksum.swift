import OBSCore
import OBSCrypto

/// What the server offers to check a download of an object obsctl did not write (no recorded CRC-32C, no MD5
/// ETag). Ranged answers (206) carry no whole-object checksum, so the server is asked once the bytes are in, about
/// the same version (If-Match), best first:
/// 1. a full-object CRC-32C or SHA-256 (HEAD in checksum mode; S3 servers, not OBS's own dialect);
/// 2. a composite CRC-32C marked as one ("…-N": the CRC-32C of the parts' CRC-32Cs, as SeaweedFS and AWS give
///    it): what obsctl's multipart copies of such objects keep, and the check of encrypted ones (no MD5 ETag);
/// 3. the multipart ETag of an unencrypted object ("<md5>-N": the MD5 of the parts' MD5s, on every S3 server).
/// A composite value needs the part boundaries. Part 1's size (HEAD ?partNumber=1) gives them for the tools that
/// cut equal parts but the last (awscli, boto3, rclone, mc, obsutil, obsctl); bytes that do not match that
/// guess make every part's size be asked before the download is called damaged.
/// Nothing to check (an encrypted multipart object whose server keeps no CRC-32C or SHA-256, a server without
/// ?partNumber): the download succeeds and `--debug` says it was not verified end to end.
extension RemoteBackend {
    func serverChecksum(_ request: GetObjectRequest, _ info: ObjectInfo, etag: String?) throws -> DownloadChecksum? {
        guard let etag else { return nil }
        var headers: [(name: String, value: String)] = []
        if !configuration.isOBSDialect {
            guard let head = try checksumHead(request, etag: etag, part: nil) else { return nil }
            if let full = DownloadChecksum.fullObject(head.headers) { return full }
            headers = head.headers
        }
        var composite: DownloadChecksum
        let count: Int
        // A composite CRC-32C first, only when the server marks it with its "-N" (moto's unmarked value follows
        // another rule and would fail good bytes): a multipart copy's ETag may follow no rule (SeaweedFS), while
        // its composite is what the server computed. Else the multipart ETag, the same on every other server.
        if let (value, n) = DownloadChecksum.composite(headers) {
            composite = DownloadChecksum(kind: .crc32c, value: value, source: "the server's composite CRC-32C")
            count = n
        } else if let (md5, n) = ETagChecksum.multipartMD5(etag), info.sseMode == nil || info.sseMode == .unencrypted {
            composite = DownloadChecksum(kind: .md5, value: md5, source: "the server's multipart ETag")
            count = n
        } else {
            return nil
        }
        guard let sizes = try guessedPartSizes(request, etag: etag, count: count, total: info.size) else { return nil }
        composite.partSizes = sizes
        composite.partsGuessed = count > 1
        return composite
    }

    /// Equal parts of part 1's size, the last one shorter: nil when the server does not tell part 1's size, or
    /// when `count` such parts cannot make `total`.
    private func guessedPartSizes(
        _ request: GetObjectRequest, etag: String, count: Int,
        total: Int64
    ) throws -> [Int64]? {
        guard count > 1 else { return [total] }
        guard
            let first = try checksumHead(request, etag: etag, part: 1)?.header("content-length")
                .flatMap({ Int64($0) }), first > 0
        else { return nil }
        let n = Int64(count)
        guard (n - 1) * first < total, total <= n * first else { return nil }
        return Array(repeating: first, count: count - 1) + [total - (n - 1) * first]
    }

    /// A streamed download (`blocks`: its 1 MiB blocks' CRC-32Cs) against the server's composite CRC-32C of
    /// `parts` parts: their sizes are asked now, as for a file. Parts off the 1 MiB grid, or sizes the server does
    /// not tell, leave the bytes unchecked (`--debug` says so); bytes that fail are damaged (exit 13).
    func checkComposite(
        _ request: GetObjectRequest, _ info: ObjectInfo, etag: String?, _ expected: DownloadChecksum, parts: Int,
        _ blocks: BlockCRCs
    ) throws {
        var expected = expected
        guard let etag, let guessed = try guessedPartSizes(request, etag: etag, count: parts, total: blocks.total)
        else { return noteUnverified(info) }
        (expected.partSizes, expected.partsGuessed) = (guessed, parts > 1)
        guard
            let actual = try settledValue(
                request, etag: etag, &expected, value: { $0.partSizes.flatMap(blocks.composite(partSizes:)) })
        else { return noteUnverified(info) }
        guard actual != expected.value else { return }
        throw expected.damaged(actual, info)
    }

    /// The downloaded bytes' value for `expected` (`value`: nil when it cannot be had for those part sizes). When
    /// it fails with part sizes guessed from part 1 (a tool that cut unequal parts), every part's size is asked and
    /// the value taken again; when it still fails a composite, the object must be the version the bytes came from
    /// (the sizes were asked unpinned), else the download is a conflict, not damage.
    func settledValue(
        _ request: GetObjectRequest, etag: String?, _ expected: inout DownloadChecksum,
        value: (DownloadChecksum) throws -> String?
    ) throws -> String? {
        guard var actual = try value(expected) else { return nil }
        if actual != expected.value, expected.partsGuessed, let count = expected.partSizes?.count,
            let exact = try partSizes(request, etag: etag, count: count), exact != expected.partSizes
        {
            expected.partSizes = exact
            guard let again = try value(expected) else { return nil }
            actual = again
        }
        if actual != expected.value, expected.partSizes != nil { try confirmUnchanged(request, etag: etag) }
        return actual
    }

    /// Every part's size, asked one by one (HEAD ?partNumber=N); nil if the server does not tell one.
    private func partSizes(_ request: GetObjectRequest, etag: String?, count: Int) throws -> [Int64]? {
        guard let etag else { return nil }
        var sizes: [Int64] = []
        for n in 1...count {
            guard
                let size = try checksumHead(request, etag: etag, part: n)?.header("content-length")
                    .flatMap({ Int64($0) })
            else { return nil }
            sizes.append(size)
        }
        return sizes
    }

    /// A HEAD pinned to `etag`: throws the conflict when the object is no longer that version.
    private func confirmUnchanged(_ request: GetObjectRequest, etag: String?) throws {
        if let etag { _ = try checksumHead(request, etag: etag, part: nil) }
    }

    /// A HEAD of the object in checksum mode, pinned to `etag`, or of one part (not pinned: moto compares
    /// If-Match with the part's own ETag). Nil when the server refuses the question (a 4xx other than 412):
    /// there is then nothing to check against, which is not an error.
    private func checksumHead(_ request: GetObjectRequest, etag: String, part: Int?) throws -> HTTPResponse? {
        var headers = customerKeyHeaders(request.customerKey, prefix: "")
        if !configuration.isOBSDialect { headers.append(("x-amz-checksum-mode", "ENABLED")) }
        let op = Operation(
            method: "HEAD", bucket: request.bucket, key: request.key,
            query: part.map { [("partNumber", String($0))] } ?? [], headers: headers,
            customerKey: request.customerKey, ifMatch: part == nil ? etag : nil)
        do {
            return try serialised { try performBlocking(op, sink: nil, transport: $0) }
        } catch let e as OBSError where e.httpStatus == 412 {
            throw Self.changedWhileDownloading(request)
        } catch let e as OBSError where (400..<500).contains(e.httpStatus) {
            return nil
        }
    }

    static func changedWhileDownloading(_ request: GetObjectRequest) -> OBSError {
        OBSError(
            code: "PreconditionFailed",
            message: "obs://\(request.bucket)/\(request.key) changed while it was "
                + "being downloaded; run the download again", httpStatus: 412, category: .conflict)
    }

    /// `--debug` only: a download whose bytes nothing could check is not an error (other tools' objects may
    /// carry no checksum), but who debugs a transfer should know.
    func noteUnverified(_ info: ObjectInfo) {
        debugLog?.write(
            "* obs://\(info.bucket)/\(info.key): not verified end to end: no checksum recorded by "
                + "obsctl, and the server offers none obsctl can check for these bytes (an MD5 ETag, a full-object or "
                + "composite CRC-32C, a full-object SHA-256, or a multipart ETag with its part sizes)")
    }
}
