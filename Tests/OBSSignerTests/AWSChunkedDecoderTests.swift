import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

/// AWSChunkedDecoder's framing rules, on unsigned-trailer bodies (signed chains: VerifierVectorTests).
struct AWSChunkedDecoderTests {
    static func run(
        _ body: String, decodedLength: Int64? = nil, declared: [String]? = ["x-amz-checksum-crc32c"],
        slice: Int = .max
    ) -> (payload: String, trailers: [(name: String, value: String)], failure: AuthenticationFailure?) {
        let decoder = AWSChunkedDecoder(
            mode: .unsignedTrailer, decodedContentLength: decodedLength, declaredTrailers: declared)
        let bytes = Array(body.utf8)
        var payload: [UInt8] = []
        do {
            var offset = 0
            while offset < bytes.count {
                let end = offset + min(slice, bytes.count - offset)
                payload += try decoder.feed(Array(bytes[offset..<end]))
                offset = end
            }
            let trailers = try decoder.finish()
            return (String(decoding: payload, as: UTF8.self), trailers, nil)
        } catch {
            return (String(decoding: payload, as: UTF8.self), [], error)
        }
    }

    static let good = "5\r\nhello\r\n7\r\n, world\r\n0\r\nx-amz-checksum-crc32c:abcd==\r\n\r\n"

    @Test func unsignedTrailerBodyDecodesInAnySlices() {
        for slice in [1, 2, 3, 5, 100] {
            let r = Self.run(Self.good, decodedLength: 12, slice: slice)
            #expect(r.failure == nil)
            #expect(r.payload == "hello, world")
            #expect(r.trailers.map(\.name) == ["x-amz-checksum-crc32c"])
            #expect(r.trailers.map(\.value) == ["abcd=="])
        }
        // Upper-case hex sizes, extensions ignored, bare LF line ends, no final blank line.
        #expect(Self.run("A;ext=1\n0123456789\n0\nX-Amz-Checksum-CRC32C: abcd== \n").payload == "0123456789")
        // Without x-amz-trailer: any trailers, or none.
        #expect(Self.run("1\r\na\r\n0\r\n\r\n", declared: nil).failure == nil)
        #expect(Self.run("1\r\na\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n", declared: nil).failure == nil)
    }

    @Test func malformedFramingIsRefused() {
        let cases: [(String, String)] = [
            ("zz\r\nhello\r\n0\r\n\r\n", "InvalidRequest"),  // not a hex size
            ("\r\nhello\r\n0\r\n\r\n", "InvalidRequest"),  // empty size
            ("12345678901234567\r\n", "InvalidRequest"),  // size longer than 16 digits
            ("5\r\nhelloXX0\r\n\r\n", "InvalidRequest"),  // data not followed by CRLF
            ("5\r\nhello\r\n0\r\nno-colon\r\n\r\n", "InvalidRequest"),
            ("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n", "InvalidRequest"),  // not declared
            ("5\r\nhello\r\n0\r\n\r\n", "InvalidRequest"),  // the declared trailer never came
            ("5\r\nhello\r\n0\r\nx-amz-checksum-crc32c:a\r\nx-amz-checksum-crc32c:b\r\n\r\n", "InvalidRequest"),
            (Self.good + "5", "InvalidRequest"),  // bytes after the end
            ("5\r\nhel", "IncompleteBody"),
            ("5\r\nhello\r\n", "IncompleteBody"),
            ("5\r\nhello\r\n0\r\nx-amz-checksum-crc32c:ab", "IncompleteBody"),
            ("", "IncompleteBody"),
        ]
        for (body, code) in cases {
            let r = Self.run(body)
            #expect(r.failure?.code == code, "\(body.debugDescription)")
            #expect(r.failure?.httpStatus == 400)
            // The same, fed a byte at a time.
            #expect(Self.run(body, slice: 1).failure?.code == code, "\(body.debugDescription) bytewise")
        }
    }

    @Test func decodedLengthIsEnforced() {
        #expect(Self.run(Self.good, decodedLength: 12).failure == nil)
        #expect(Self.run(Self.good, decodedLength: 13).failure?.code == "IncompleteBody")
        // More than declared is refused at the chunk header, before its data is handed out.
        let over = Self.run(Self.good, decodedLength: 8, slice: 1)
        #expect(over.failure?.code == "InvalidRequest")
        #expect(over.payload == "hello")
    }

    /// Memory stays bounded: a header line never ends, and the decoder gives up at the limit instead of buffering.
    @Test func headerLinesAreBounded() {
        let long = String(repeating: "0", count: AWSChunkedDecoder.maxLineLength + 10)
        #expect(Self.run(long).failure?.code == "InvalidRequest")
        #expect(Self.run(long, slice: 1).failure?.code == "InvalidRequest")
        let trailer = "1\r\na\r\n0\r\nx-amz-checksum-crc32c:" + String(repeating: "A", count: 5000) + "\r\n\r\n"
        #expect(Self.run(trailer).failure?.code == "InvalidRequest")
        var many = "1\r\na\r\n0\r\n"
        for i in 0...AWSChunkedDecoder.maxTrailers { many += "x-t\(i):v\r\n" }
        #expect(Self.run(many + "\r\n", declared: nil).failure?.code == "InvalidRequest")
    }

    /// Once failed, the decoder refuses everything after (a server that ignored one error cannot carry on).
    @Test func failureIsSticky() throws {
        let decoder = AWSChunkedDecoder(mode: .unsignedTrailer, decodedContentLength: nil, declaredTrailers: nil)
        #expect(throws: AuthenticationFailure.self) { _ = try decoder.feed(Array("zz\r\n".utf8)) }
        #expect(throws: AuthenticationFailure.self) { _ = try decoder.feed(Array("1\r\na\r\n0\r\n\r\n".utf8)) }
        #expect(throws: AuthenticationFailure.self) { try decoder.finish() }
    }

    @Test func decoderOnlyForAwsChunkedPayloads() throws {
        #expect(try AWSChunkedDecoder(payload: .unsigned, headers: []) == nil)
        #expect(try AWSChunkedDecoder(payload: .none, headers: []) == nil)
        #expect(try AWSChunkedDecoder(payload: .sha256(hex: "00"), headers: []) == nil)
        #expect(try AWSChunkedDecoder(payload: .streamingUnsignedTrailer, headers: []) != nil)
        #expect(throws: AuthenticationFailure.self) {
            _ = try AWSChunkedDecoder(
                payload: .streamingUnsignedTrailer, headers: [(name: "x-amz-decoded-content-length", value: "-1")])
        }
    }
}
