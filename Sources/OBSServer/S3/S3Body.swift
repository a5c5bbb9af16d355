import OBSCore
import OBSCrypto
import OBSSigner

/// An upload's body as the backend reads it: `aws-chunked` framing decoded (and its chunk signatures checked), and
/// every digest the request declares (Content-MD5, SigV4's payload SHA-256, one `x-amz-checksum-*`: CRC-32,
/// CRC-32C, CRC-64/NVME, SHA-1 or SHA-256, as header or trailer) compared at the end. A mismatch throws from the
/// final `read`, before the backend commits anything (the local backend unlinks its temp file on a failed read), so
/// nothing is stored. Memory: one raw slice.
final class CheckedBody: ChecksummedSource {
    private let source: any ByteSource
    let decoder: AWSChunkedDecoder?
    private let md5: Digest?
    private let expectedMD5: [UInt8]?
    private let sha256: Digest?
    private let expectedSHA256: String?
    private var checksum: FlexibleChecksum?
    private var expectedChecksum: String?
    private var raw = [UInt8](repeating: 0, count: 64 << 10)
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var ended = false
    private let received: ByteCount
    /// The most bytes the body may hold once decoded (a chunked body declares no length up front).
    private let limit: Int64
    private var total: Int64 = 0
    /// The declared flexible checksum of the whole body, once read and compared with a value the request gave (a
    /// multipart part keeps it).
    private(set) var verifiedChecksum: PartChecksum?
    var declaredChecksumAlgorithm: String? { checksum?.algorithm.displayName }

    init(
        source: any ByteSource, decoder: AWSChunkedDecoder?, expectedMD5: [UInt8]?, expectedSHA256: String?,
        checksum: FlexibleChecksum?, expectedChecksum: String?, received: ByteCount, limit: Int64 = .max
    ) {
        self.source = source
        self.received = received
        self.limit = limit
        self.decoder = decoder
        self.expectedMD5 = expectedMD5
        md5 = expectedMD5 == nil ? nil : Digest(.md5)
        self.expectedSHA256 = expectedSHA256
        sha256 = expectedSHA256 == nil ? nil : Digest(.sha256)
        self.checksum = checksum
        self.expectedChecksum = expectedChecksum
    }

    /// An `x-amz-checksum-<algorithm>` header, or a trailer that will carry one.
    static func declaresFlexibleChecksum(_ request: ServerRequest) -> Bool {
        request.headers.contains { h in
            let name = h.name.lowercased()
            return name.hasPrefix("x-amz-checksum-") && name != "x-amz-checksum-mode"
                || name == "x-amz-trailer" && h.value.lowercased().hasPrefix("x-amz-checksum-")
        }
    }

    /// S3's and OBS's largest single PUT and part: 5 GiB.
    static let maximumUploadBytes: Int64 = 5 << 30

    /// The body of a PutObject or an UploadPart: a length is required (S3's 411 `MissingContentLength`; without
    /// one HTTP means an empty body, and an empty object would be stored), unless the body is sent chunked; more
    /// than 5 GiB is refused before the body is read when declared, and when it arrives otherwise.
    static func upload(_ call: S3Call) throws -> CheckedBody {
        let request = call.request
        let contentLength = request.header("Content-Length")
        guard contentLength != nil || request.header("Transfer-Encoding") != nil else {
            throw S3Failure("MissingContentLength", "You must provide the Content-Length HTTP header.", status: 411)
        }
        let body = try make(call, limit: maximumUploadBytes)
        // aws-chunked framing adds to Content-Length: its decoded length is the object's.
        let declared = body.decoder == nil ? contentLength : request.header("x-amz-decoded-content-length")
        if let declared, let size = Int64(declared.trimmingCharacters(in: .whitespaces)), size > maximumUploadBytes {
            throw tooLarge(proposed: size)
        }
        return body
    }

    static func tooLarge(proposed: Int64?) -> S3Failure {
        S3Failure(
            "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", status: 400,
            extra: (proposed.map { [("ProposedSize", String($0))] } ?? []) + [
                ("MaxSizeAllowed", String(maximumUploadBytes))
            ])
    }

    /// The checked body of `call`; `requireMD5` for the operations S3 refuses without Content-MD5. `flexible`: an
    /// `x-amz-checksum-*` header is the body's (not on Complete, where it is the whole object's).
    static func make(_ call: S3Call, requireMD5: Bool = false, limit: Int64 = .max, flexible: Bool = true) throws
        -> CheckedBody
    {
        let request = call.request
        var expectedMD5: [UInt8]?
        if let text = request.header("Content-MD5") {
            guard let bytes = Base64.decode(text.trimmingCharacters(in: .whitespaces)), bytes.count == 16 else {
                throw S3Failure("InvalidDigest", "The Content-MD5 you specified is not valid.", status: 400)
            }
            expectedMD5 = bytes
        } else if requireMD5 && !Self.declaresFlexibleChecksum(request) {
            // S3 takes a flexible checksum in place of Content-MD5 (botocore since 1.36 sends x-amz-checksum-crc32).
            throw S3Failure(
                "InvalidRequest", "Missing required header for this request: Content-MD5 or x-amz-checksum-*",
                status: 400)
        }
        let payload = call.identity?.verified.payload ?? .none
        var expectedSHA: String?
        if case .sha256(let hex) = payload { expectedSHA = hex.lowercased() }
        let decoder: AWSChunkedDecoder?
        do { decoder = try AWSChunkedDecoder(payload: payload, headers: request.headers) } catch {
            throw S3Failure(error)
        }
        let (algorithm, expected) = flexible ? try declaredChecksum(request) : (nil, nil)
        return CheckedBody(
            source: request.body, decoder: decoder, expectedMD5: expectedMD5, expectedSHA256: expectedSHA,
            checksum: algorithm.map(FlexibleChecksum.init), expectedChecksum: expected, received: call.bytesIn,
            limit: limit)
    }

    /// The one flexible checksum the request declares, with its value when a header carries it (nil when a
    /// trailer will). Two algorithms, or a value that is not the algorithm's size in base64, are refused as S3
    /// refuses them.
    static func declaredChecksum(_ request: ServerRequest) throws -> (FlexibleChecksum.Algorithm?, String?) {
        let trailers = (request.header("x-amz-trailer") ?? "").lowercased().split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let inHeaders = FlexibleChecksum.Algorithm.allCases.filter { request.header($0.headerName) != nil }
        let inTrailers = FlexibleChecksum.Algorithm.allCases.filter { trailers.contains($0.headerName) }
        guard inHeaders.count + inTrailers.count <= 1 else {
            throw S3Failure(
                "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
                status: 400)
        }
        guard let algorithm = inHeaders.first else { return (inTrailers.first, nil) }
        let value = request.header(algorithm.headerName) ?? ""
        try checkWellFormed(value, algorithm, "header")
        return (algorithm, value)
    }

    /// A checksum value must be the algorithm's size in base64, as a header or a trailer.
    static func checkWellFormed(_ value: String, _ algorithm: FlexibleChecksum.Algorithm, _ carrier: String) throws {
        guard Base64.decode(value)?.count == algorithm.size else {
            throw S3Failure(
                "InvalidRequest", "Value for \(algorithm.headerName) \(carrier) is invalid.", status: 400)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if ended { return 0 }
        guard let decoder else {
            let n = try source.read(into: buffer)
            received.add(n)
            if n == 0 { return try end(trailers: []) }
            let slice = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            sha256?.update(slice)
            try account(slice)
            return n
        }
        while pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
            let n = try raw.withUnsafeMutableBytes { try source.read(into: $0) }
            received.add(n)
            // Decoder failures propagate as AuthenticationFailure; S3Service answers them like signature errors.
            if n == 0 { return try end(trailers: try decoder.finish()) }
            try raw.withUnsafeBytes { r in
                try decoder.feed(UnsafeRawBufferPointer(rebasing: r[0..<n]), into: &pending)
            }
        }
        let n = min(buffer.count, pending.count - pendingStart)
        pending.withUnsafeBytes {
            buffer.baseAddress!.copyMemory(from: $0.baseAddress! + pendingStart, byteCount: n)
        }
        pendingStart += n
        try account(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        return n
    }

    private func account(_ bytes: UnsafeRawBufferPointer) throws {
        total += Int64(bytes.count)
        if total > limit { throw Self.tooLarge(proposed: nil) }
        md5?.update(bytes)
        checksum?.update(bytes)
    }

    /// The end of the body: every declared digest must match, else the read fails and nothing is kept.
    private func end(trailers: [(name: String, value: String)]) throws -> Int {
        ended = true
        if let expectedMD5, let md5, md5.finalize() != expectedMD5 {
            throw S3Failure("BadDigest", "The Content-MD5 you specified did not match what we received.", status: 400)
        }
        if let expectedSHA256, let sha256, Hex.encode(sha256.finalize()) != expectedSHA256 {
            throw S3Failure(
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was "
                    + "computed.", status: 400)
        }
        guard var checksum else { return 0 }
        if let trailer = trailers.first(where: { $0.name == checksum.algorithm.headerName }) {
            try Self.checkWellFormed(trailer.value, checksum.algorithm, "trailer")
            expectedChecksum = trailer.value
        }
        let computed = checksum.base64()
        if let expectedChecksum, Base64.decode(computed) != Base64.decode(expectedChecksum) {
            throw S3Failure(
                "BadDigest",
                "The \(checksum.algorithm.displayName) you specified did not match the calculated checksum.",
                status: 400)
        }
        // A trailer named but never sent (no aws-chunked framing) compared nothing: nothing was verified.
        if expectedChecksum != nil {
            verifiedChecksum = PartChecksum(algorithm: checksum.algorithm.displayName, value: computed)
        }
        return 0
    }
}
