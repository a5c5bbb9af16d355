import OBSCore
import OBSCrypto

/// The checksums of an upload: the header that lets the server reject damaged bytes (`Content-MD5`, or
/// `x-amz-checksum-crc32c`, declared with `x-amz-checksum-algorithm` on Initiate and repeated per part in Complete
/// for multipart uploads), and the CRC-32C of the whole plaintext, recorded in the object's user metadata
/// (`obsctl-crc32c`) so that every download of it can be checked end to end, whatever its encryption or part count.
///
/// A single PUT needs them before the request starts (the metadata and the header go first), so a file is read
/// once for them before it is sent: an aws-chunked PUT with a trailer would save that pass, but SeaweedFS then
/// keeps `Content-Encoding: aws-chunked` on the object (issue 9, item 28). A multipart upload of a file under SigV4
/// with CRC-32C sends each part with its CRC-32C as an aws-chunked trailer, computed as the bytes go out
/// (`ChecksumTrailerBody`: a part's encoding is kept by no server): one pass over the file. It records no whole
/// CRC-32C (that would be known only after Initiate); the server keeps the composite CRC-32C of the parts' values
/// ("…-N"), which downloads check instead (`ServerChecksum.swift`).
struct UploadIntegrity {
    static let crc32cHeader = "x-amz-checksum-crc32c"
    /// The user-metadata name of the whole object's CRC-32C (base64, as in the S3 header).
    static let contentChecksumMetadata = HeaderValues.contentChecksumKey

    let kind: UploadChecksum

    /// `requested` nil: Content-MD5 for Huawei OBS (whatever the signature: OBS documents Content-MD5, accepts only
    /// UNSIGNED-PAYLOAD or signed streaming payloads under SigV4, and its CRC64 header's check is unconfirmed);
    /// CRC-32C for other endpoints, which all current AWS SDKs send and S3-compatible servers check.
    init(_ requested: UploadChecksum?, configuration: RemoteConfiguration) throws {
        let kind = requested ?? (configuration.speaksOBS ? .md5 : .crc32c)
        if kind == .crc32c && configuration.isOBSDialect {
            throw OBSError.invalidArgument(
                "--checksum crc32c is an S3 header, and OBS's own signature "
                    + "(--signature obs) has no such check; use --checksum md5")
        }
        self.kind = kind
        partTrailers = kind == .crc32c && configuration.signature == .v4 && !configuration.speaksOBS
    }

    /// A file's parts carry their CRC-32C as an aws-chunked trailer (SigV4 streams it; OBS's and V2's signatures do
    /// not, and Huawei OBS documents only UNSIGNED-PAYLOAD and signed streams under SigV4): no pass over the file
    /// before the send, and no whole CRC-32C recorded.
    let partTrailers: Bool

    /// The name `scan` gives a part's entry with `--checksum none`: no header is sent, but the part's CRC-32C is
    /// kept so that `prepare` checks the bytes sent against it. The server then checks nothing, and a file
    /// changed between the scan and the send would otherwise be stored under a stale recorded CRC-32C.
    static let checkedLocally = ""

    /// What one pass over a file gives: the whole content's CRC-32C (always: it is recorded whatever --checksum
    /// says), and each part's checksum header (with `--checksum none`, its CRC-32C under `checkedLocally`).
    struct FileChecksums {
        var whole: String
        var parts: [Int: (name: String, value: String)]
    }

    /// Reads `file` once, through a source the progress bar does not count (the send is what it shows), for the
    /// whole CRC-32C and each part's header (MD5 or CRC-32C), so the send that follows is the only other pass and
    /// its headers bind what is sent to what was recorded: a file changed in between is refused by the server.
    /// A large file is looked at through mmap (`forEachChunk`): this pass then copies nothing, which was about a
    /// sixth of an upload's CPU (issue 9, item 28). `plan` nil for a single PUT (one part).
    func scan(_ file: RewindableFileSource, plan: MultipartPlan?) throws -> FileChecksums {
        var whole = CRC32C(), part = CRC32C(), md5 = kind == .md5 ? Digest(.md5) : nil
        var parts: [Int: (name: String, value: String)] = [:]
        var offset: Int64 = 0, number = 1
        var partEnd = plan.map { $0.range(ofPart: 1).length } ?? file.length
        // Parts with a CRC-32C each: only theirs is computed, the whole one is joined from them (one CRC pass).
        let perPart = plan != nil && kind != .md5
        func endPart() {
            if let plan, perPart { whole.append(part, length: plan.range(ofPart: number).length) }
            switch kind {
            case .off: parts[number] = (Self.checkedLocally, (plan == nil ? whole : part).base64); part = CRC32C()
            case .md5: parts[number] = ("Content-MD5", Base64.encode(md5!.finalize())); md5 = Digest(.md5)
            case .crc32c: parts[number] = (Self.crc32cHeader, (plan == nil ? whole : part).base64); part = CRC32C()
            }
        }
        try file.uncounted().forEachChunk { chunk in
            var rest = chunk
            // A chunk may span the end of a part: each piece goes to the part it belongs to.
            while !rest.isEmpty, offset < partEnd {
                let piece = UnsafeRawBufferPointer(rebasing: rest[0..<Int(min(Int64(rest.count), partEnd - offset))])
                if perPart { part.update(piece) } else { whole.update(piece) }
                md5?.update(piece)
                offset += Int64(piece.count)
                rest = UnsafeRawBufferPointer(rebasing: rest[piece.count...])
                if let plan, offset == partEnd {
                    endPart()
                    number += 1
                    if number <= plan.partCount { partEnd += plan.range(ofPart: number).length }
                }
            }
        }
        guard offset == file.length else {
            throw OBSError.localIO(
                "the upload source changed size while it was read (\(offset) of \(file.length) "
                    + "bytes)")
        }
        if plan == nil { endPart() }
        return FileChecksums(whole: whole.base64, parts: parts)
    }

    /// The metadata header that records the whole content's CRC-32C.
    static func metadata(_ crc: String?, prefix: String) -> [(String, String)] {
        crc.map { [("\(prefix)meta-\(contentChecksumMetadata)", $0)] } ?? []
    }

    /// A file, or one part of it, ready to send: its body and the checksum header that goes with it. `crc32c` is
    /// the value CompleteMultipartUpload lists per part.
    struct PreparedBody {
        var headers: [(String, String)]
        var body: HTTPRequest.Body
        var crc32c: String?
    }

    /// `header`: the part's checksum header from `scan` (no second pass for it). A `checkedLocally` entry sends
    /// no header: the bytes are checked as they are sent, and the request fails before its last byte if they
    /// differ from what was scanned, so the server completes no object (nor part) with a stale record.
    func prepare(_ source: RewindableByteSource, header: (name: String, value: String)?) -> PreparedBody {
        if let header, header.name == Self.checkedLocally {
            let checked = SendCheckedSource(source, expected: header.value)
            return PreparedBody(headers: [], body: .stream(checked, length: source.length), crc32c: nil)
        }
        let body = HTTPRequest.Body.stream(source, length: source.length)
        let crc = header?.name == Self.crc32cHeader ? header?.value : nil
        return PreparedBody(headers: header.map { [($0.name, $0.value)] } ?? [], body: body, crc32c: crc)
    }

    /// Added to InitiateMultipartUpload.
    var initiateHeaders: [(String, String)] { kind == .crc32c ? [("x-amz-checksum-algorithm", "CRC32C")] : [] }

    func header(for bytes: [UInt8]) -> (name: String, value: String)? {
        switch kind {
        case .off: return nil
        case .md5: return ("Content-MD5", Base64.encode(Digest.md5(bytes)))
        case .crc32c: return (Self.crc32cHeader, CRC32C.checksum(bytes).base64)
        }
    }
}

/// A source whose bytes must have the CRC-32C `expected` (base64): the read that would hand over the last byte
/// throws instead when they do not, so the request body is never complete. Rewinds (retries) start over.
final class SendCheckedSource: RewindableByteSource {
    private let inner: RewindableByteSource
    private let expected: String
    private var crc = CRC32C()
    private var position: Int64 = 0
    var length: Int64 { inner.length }

    init(_ inner: RewindableByteSource, expected: String) { self.inner = inner; self.expected = expected }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        position += Int64(n)
        if n > 0, position >= inner.length, crc.base64 != expected {
            throw OBSError(
                code: "SourceChanged",
                message: "the file changed while it was uploaded (its bytes no "
                    + "longer match the CRC-32C read before the send); nothing was stored: upload it again once "
                    + "nothing writes to it", httpStatus: 0, category: .conflict)
        }
        return n
    }

    func rewind() throws { try inner.rewind(); crc = CRC32C(); position = 0 }
}
