import OBSCore
import OBSCrypto

/// The checksum header that lets the server reject damaged upload bytes: `Content-MD5`, or `x-amz-checksum-crc32c`
/// (declared with `x-amz-checksum-algorithm` on Initiate and repeated per part in Complete for multipart uploads).
/// Both need the bytes before they are sent, so a file range is hashed in a pass of its own and rewound.
struct UploadIntegrity {
    let kind: UploadChecksum
    /// CRC-32C travels as an aws-chunked trailer (one pass over the bytes) where the signature allows it: SigV4.
    let trailer: Bool

    /// `requested` nil: Content-MD5 for Huawei OBS (whatever the signature: OBS documents Content-MD5, accepts only
    /// UNSIGNED-PAYLOAD or signed streaming payloads under SigV4, and its CRC64 header's check is unconfirmed);
    /// CRC-32C for other endpoints, which all current AWS SDKs send and S3-compatible servers check.
    init(_ requested: UploadChecksum?, configuration: RemoteConfiguration) throws {
        let obs = configuration.isOBSDialect || RemoteConfiguration.isHuaweiHost(configuration.host)
        let kind = requested ?? (obs ? .md5 : .crc32c)
        if kind == .crc32c && configuration.isOBSDialect {
            throw OBSError.invalidArgument("--checksum crc32c is an S3 header, and OBS's own signature (--signature obs) has no such check; use --checksum md5")
        }
        self.kind = kind
        trailer = kind == .crc32c && configuration.signature == .v4
    }

    /// A file, or one part of it, ready to send: its body and the headers that go with it. `crc32c` gives the
    /// value sent (after the request, for a trailer), which CompleteMultipartUpload lists per part.
    struct PreparedBody {
        var headers: [(String, String)]
        var body: HTTPRequest.Body
        var crc32c: () -> String?
    }

    func prepare(_ source: RewindableByteSource) throws -> PreparedBody {
        if trailer {
            let encoded = ChecksumTrailerBody(source)
            return PreparedBody(headers: ChecksumTrailerBody.headers(decodedLength: source.length),
                                body: .stream(encoded, length: encoded.length), crc32c: { encoded.checksum })
        }
        let header = try header(for: source)
        let crc = header?.name == ChecksumTrailerBody.trailerName ? header?.value : nil
        return PreparedBody(headers: header.map { [$0] } ?? [], body: .stream(source, length: source.length), crc32c: { crc })
    }

    /// Added to InitiateMultipartUpload.
    var initiateHeaders: [(String, String)] { kind == .crc32c ? [("x-amz-checksum-algorithm", "CRC32C")] : [] }

    /// The header for the bytes `source` yields; `source` is rewound afterwards.
    func header(for source: RewindableByteSource) throws -> (name: String, value: String)? {
        guard kind != .off else { return nil }
        let md5 = kind == .md5 ? Digest(.md5) : nil
        var crc = CRC32C()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            buffer.withUnsafeBytes { b in
                let chunk = UnsafeRawBufferPointer(rebasing: b[0..<n])
                if let md5 { md5.update(chunk) } else { crc.update(chunk) }
            }
        }
        try source.rewind()
        if let md5 { return ("Content-MD5", Base64.encode(md5.finalize())) }
        return ("x-amz-checksum-crc32c", crc.base64)
    }

    func header(for bytes: [UInt8]) -> (name: String, value: String)? {
        switch kind {
        case .off: return nil
        case .md5: return ("Content-MD5", Base64.encode(Digest.md5(bytes)))
        case .crc32c: return ("x-amz-checksum-crc32c", CRC32C.checksum(bytes).base64)
        }
    }
}
