import OBSCrypto

/// Decodes an `aws-chunked` request body (`Content-Encoding: aws-chunked`, SigV4 streaming uploads) fed in slices of
/// any size, and checks it as it goes:
///
///     hex-size[;chunk-signature=sig] CRLF  data  CRLF  ...  0[;chunk-signature=sig] CRLF  [trailer CRLF]...  CRLF
///
/// - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`: every chunk, the final empty one too, carries the signature of
///   (previous signature, SHA-256 of its data), chained from the request's signature; with `-TRAILER`, the
///   trailers end with `x-amz-trailer-signature`, which chains from the final chunk's.
/// - `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: bare sizes, then trailers (the checksum the client computed, which the
///   server compares with its own; the decoder hands it over in `trailers`).
///
/// Payload bytes are handed out as they arrive, before the signature of their chunk (which covers them) is checked
/// at the chunk's end: memory stays bounded by one header line (`maxLineLength`) whatever the chunk size. The server
/// must therefore keep nothing until `finish()` returns: a body is authentic only as a whole.
///
/// Errors (`AuthenticationFailure`): a body that stops early or decodes to another length than
/// `x-amz-decoded-content-length` is `400 IncompleteBody`; broken framing, an over-long line, bytes after the end,
/// undeclared or missing trailers are `400 InvalidRequest`; a chunk or trailer signature that does not match is
/// `403 SignatureDoesNotMatch`, carrying its string-to-sign. After an error the decoder refuses everything.
/// A bare LF is accepted where CRLF belongs, and the blank line some clients put between the final chunk and the
/// trailers is skipped: the sizes and signatures, not the line ends, carry the meaning.
public final class AWSChunkedDecoder {
    public enum Mode: Sendable {
        case signed(ChunkSigningContext)
        case unsignedTrailer
    }

    /// The longest chunk header or trailer line accepted (a signed chunk header is 87 bytes).
    public static let maxLineLength = 4096
    /// The most trailers accepted.
    public static let maxTrailers = 16

    private enum State {
        case header
        case data(remaining: Int64)
        /// After a chunk's data: `seenCR` once the CR has come.
        case dataEnd(seenCR: Bool)
        case trailer
        case done
    }

    private let mode: Mode
    private let decodedContentLength: Int64?
    private let declaredTrailers: [String]?
    private var state = State.header
    private var line: [UInt8] = []
    private var previousSignature: String
    private var chunkSignature = ""
    private var digest: Digest?
    private var failure: AuthenticationFailure?
    private var skippedBlankBeforeTrailers = false
    private var trailerSignature: String?
    /// Payload bytes decoded so far.
    public private(set) var decodedLength: Int64 = 0
    /// The trailers received (names lower-cased, values trimmed), `x-amz-trailer-signature` left out.
    public private(set) var trailers: [(name: String, value: String)] = []

    /// - `decodedContentLength`: `x-amz-decoded-content-length`, enforced when given.
    /// - `declaredTrailers`: the names in `x-amz-trailer` (lower-case); when given, exactly these trailers must come.
    public init(mode: Mode, decodedContentLength: Int64?, declaredTrailers: [String]?) {
        self.mode = mode
        self.decodedContentLength = decodedContentLength
        self.declaredTrailers = declaredTrailers
        if case .signed(let context) = mode {
            previousSignature = context.seedSignature
        } else {
            previousSignature = ""
        }
    }

    /// The decoder a verified request's body needs, nil when its payload is not `aws-chunked`; reads
    /// `x-amz-decoded-content-length` and `x-amz-trailer` from the request's headers.
    public convenience init?(
        payload: PayloadDeclaration, headers: [(name: String, value: String)]
    ) throws(AuthenticationFailure) {
        let mode: Mode
        switch payload {
        case .streamingSigned(let context): mode = .signed(context)
        case .streamingUnsignedTrailer: mode = .unsignedTrailer
        default: return nil
        }
        let request = SignableRequest(method: "", path: "", headers: headers)
        var length: Int64?
        if let text = request.headerValue("x-amz-decoded-content-length")?.trimmingSpaces() {
            guard let value = Int64(text), value >= 0 else {
                throw .invalidArgument("x-amz-decoded-content-length '\(text)' is not a number of bytes.")
            }
            length = value
        }
        let declared = request.headerValue("x-amz-trailer").map { list in
            list.split(separator: ",").map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
        }
        self.init(mode: mode, decodedContentLength: length, declaredTrailers: declared)
    }

    /// True once the whole body, trailers included, has been read and checked.
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Decodes the next slice of the body, appending its payload bytes to `output`.
    public func feed(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(AuthenticationFailure) {
        if let failure { throw failure }
        do throws(AuthenticationFailure) {
            try consume(input, into: &output)
        } catch {
            failure = error
            throw error
        }
    }

    /// `feed(_:into:)` for an array; returns the payload bytes of this slice.
    public func feed(_ input: [UInt8]) throws(AuthenticationFailure) -> [UInt8] {
        var output: [UInt8] = []
        var caught: AuthenticationFailure?
        input.withUnsafeBytes { raw in
            do throws(AuthenticationFailure) { try feed(raw, into: &output) } catch { caught = error }
        }
        if let caught { throw caught }
        return output
    }

    /// Call at the end of the body: checks that it was complete and returns the trailers.
    @discardableResult
    public func finish() throws(AuthenticationFailure) -> [(name: String, value: String)] {
        if let failure { throw failure }
        do throws(AuthenticationFailure) {
            if case .trailer = state, line.isEmpty, expectsTrailers,
                !trailers.isEmpty || trailerSignature != nil || skippedBlankBeforeTrailers
            {
                // The trailers came but not the blank line after them.
                try endTrailers()
            }
            guard case .done = state else {
                throw AuthenticationFailure(
                    code: "IncompleteBody", message: "The request body terminated unexpectedly (aws-chunked).",
                    httpStatus: 400)
            }
            return trailers
        } catch {
            failure = error
            throw error
        }
    }

    // MARK: - State machine

    private var expectsTrailers: Bool {
        switch mode {
        case .signed(let context): return context.signedTrailer
        case .unsignedTrailer: return true
        }
    }

    private func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(AuthenticationFailure) {
        var i = 0
        let lf = UInt8(ascii: "\n")
        while i < input.count {
            switch state {
            case .header, .trailer:
                let end = input[i...].firstIndex(of: lf)
                let piece = UnsafeRawBufferPointer(rebasing: input[i..<(end ?? input.count)])
                guard line.count + piece.count <= Self.maxLineLength + 1 else {
                    throw .invalidRequest(
                        "An aws-chunked header or trailer line is longer than \(Self.maxLineLength) bytes.")
                }
                line.append(contentsOf: piece)
                guard let end else { return }
                i = end + 1
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                let text = line
                line.removeAll(keepingCapacity: true)
                if case .header = state { try chunkHeader(text) } else { try trailerLine(text) }
            case .data(let remaining):
                let take = Int(min(remaining, Int64(input.count - i)))
                let piece = UnsafeRawBufferPointer(rebasing: input[i..<(i + take)])
                digest?.update(piece)
                output.append(contentsOf: piece)
                i += take
                decodedLength += Int64(take)
                if remaining == Int64(take) {
                    try endChunk()
                    state = .dataEnd(seenCR: false)
                } else {
                    state = .data(remaining: remaining - Int64(take))
                }
            case .dataEnd(let seenCR):
                let byte = input[i]
                i += 1
                if byte == lf {
                    state = .header
                } else if byte == UInt8(ascii: "\r"), !seenCR {
                    state = .dataEnd(seenCR: true)
                } else {
                    throw .invalidRequest("An aws-chunked chunk's data is not followed by CRLF.")
                }
            case .done:
                throw .invalidRequest("The request body continues after the end of its aws-chunked encoding.")
            }
        }
    }

    /// `hex-size[;name=value]...`; a signed body needs `chunk-signature`.
    private func chunkHeader(_ bytes: [UInt8]) throws(AuthenticationFailure) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        let sizeText = parts[0].trimmingSpaces()
        guard (1...16).contains(sizeText.utf8.count), let size = UInt64(sizeText, radix: 16), size <= UInt64(Int64.max)
        else { throw .invalidRequest("'\(text.prefix(80))' is not an aws-chunked chunk header.") }
        var signature: String?
        for ext in parts.dropFirst() {
            let pair = ext.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if pair[0].trimmingSpaces() == "chunk-signature", pair.count == 2 { signature = pair[1].trimmingSpaces() }
        }
        let length = Int64(size)
        if let declared = decodedContentLength, length > declared - decodedLength {
            throw .invalidRequest(
                "The aws-chunked body holds more than x-amz-decoded-content-length, \(declared), bytes.")
        }
        if case .signed = mode {
            guard let signature, signature.utf8.count == 64, Hex.decode(signature) != nil else {
                throw .invalidRequest("An aws-chunked chunk header has no valid chunk-signature.")
            }
            chunkSignature = signature
            digest = Digest(.sha256)
        }
        guard length == 0 else {
            state = .data(remaining: length)
            return
        }
        try endChunk()
        if let declared = decodedContentLength, declared != decodedLength {
            throw AuthenticationFailure(
                code: "IncompleteBody",
                message: "The aws-chunked body holds \(decodedLength) bytes, not the \(declared) of "
                    + "x-amz-decoded-content-length.", httpStatus: 400)
        }
        state = .trailer
    }

    /// Checks the signature of the chunk whose data just ended (nothing to do unsigned).
    private func endChunk() throws(AuthenticationFailure) {
        guard case .signed(let context) = mode, let digest else { return }
        self.digest = nil
        let sts = RequestSigner.stringToSignChunkV4(
            amzDate: context.amzDate, scope: context.scope, previousSignature: previousSignature,
            chunkSHA256: Hex.encode(digest.finalize()))
        let expected = RequestSigner.signatureV4(stringToSign: sts, signingKey: context.signingKey)
        guard RequestVerifier.sameSignature(expected, chunkSignature.lowercased()) else {
            throw .mismatch(stringToSign: sts, accessKeyID: context.accessKeyID, provided: chunkSignature)
        }
        previousSignature = expected
    }

    /// A line after the final chunk: a trailer, or the blank line that ends the body.
    private func trailerLine(_ bytes: [UInt8]) throws(AuthenticationFailure) {
        if bytes.isEmpty {
            if expectsTrailers, trailers.isEmpty, trailerSignature == nil, !skippedBlankBeforeTrailers {
                skippedBlankBeforeTrailers = true
                return
            }
            try endTrailers()
            return
        }
        guard expectsTrailers else {
            throw .invalidRequest("Trailers follow the aws-chunked body, but x-amz-content-sha256 declares none.")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw .invalidRequest("'\(text.prefix(80))' is not an aws-chunked trailer (name:value).")
        }
        let name = text[..<colon].trimmingSpaces().lowercased()
        let value = text[text.index(after: colon)...].trimmingSpaces()
        guard trailerSignature == nil else {
            throw .invalidRequest("The trailer \(name) comes after x-amz-trailer-signature.")
        }
        if name == "x-amz-trailer-signature" {
            guard case .signed = mode else {
                throw .invalidRequest("x-amz-trailer-signature in an unsigned aws-chunked body.")
            }
            trailerSignature = value
            return
        }
        guard !trailers.contains(where: { $0.name == name }) else {
            throw .invalidRequest("The trailer \(name) is sent twice.")
        }
        guard trailers.count < Self.maxTrailers else {
            throw .invalidRequest("More than \(Self.maxTrailers) trailers.")
        }
        if let declaredTrailers, !declaredTrailers.contains(name) {
            throw .invalidRequest("The trailer \(name) is not declared in x-amz-trailer.")
        }
        trailers.append((name: name, value: value))
    }

    /// The end of the trailers: all declared ones present, the trailer signature right.
    private func endTrailers() throws(AuthenticationFailure) {
        if let declaredTrailers,
            let missing = declaredTrailers.first(where: { n in !trailers.contains { $0.name == n } })
        {
            throw .invalidRequest("The trailer \(missing), declared in x-amz-trailer, was not sent.")
        }
        if case .signed(let context) = mode, context.signedTrailer {
            let sts = RequestSigner.stringToSignTrailerV4(
                amzDate: context.amzDate, scope: context.scope, previousSignature: previousSignature,
                trailers: trailers)
            let expected = RequestSigner.signatureV4(stringToSign: sts, signingKey: context.signingKey)
            guard let provided = trailerSignature, RequestVerifier.sameSignature(expected, provided.lowercased()) else {
                throw .mismatch(stringToSign: sts, accessKeyID: context.accessKeyID, provided: trailerSignature ?? "")
            }
        }
        state = .done
    }
}
