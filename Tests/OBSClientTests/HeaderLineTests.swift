import Foundation
import Testing

@testable import OBSClient

/// libcurl's header lines as the transport keeps them: parsed as bytes, with the meaning they had as strings.
@Suite("response header lines")
struct HeaderLineTests {
    func parse(_ lines: [String]) -> TransferContext {
        let ctx = TransferContext(sink: nil)
        for line in lines { Array(line.utf8).withUnsafeBytes { ctx.headerLine($0) } }
        return ctx
    }

    @Test("status, lower-cased names, trimmed values; a later status line starts afresh")
    func lines() {
        let ctx = parse([
            "HTTP/1.1 100 Continue\r\n", "X-Early: 1\r\n", "\r\n",
            "HTTP/1.1 206 Partial Content\r\n", "Content-Range: bytes 0-9/20\r\n", "ETag:  \"abc\" \t\r\n",
            "X-Amz-Meta-Crc32c:AAAAAA==\r\n", "X-Empty:\r\n", "Folded value without colon\r\n",
            "X-Colons: a:b:c\r\n", "\r\n",
        ])
        #expect(ctx.status == 206)
        #expect(ctx.headers.map(\.name) == ["content-range", "etag", "x-amz-meta-crc32c", "x-empty", "x-colons"])
        #expect(ctx.headers.map(\.value) == ["bytes 0-9/20", "\"abc\"", "AAAAAA==", "", "a:b:c"])
    }

    @Test("a status line without a number gives status 0; bytes that are not UTF-8 are repaired, not dropped")
    func oddLines() {
        #expect(parse(["HTTP/2\r\n"]).status == 0)
        #expect(parse(["HTTP/2 404\r\n"]).status == 404)
        let ctx = TransferContext(sink: nil)
        [UInt8]("X-Bin: a".utf8 + [0xFF] + "b\r\n".utf8).withUnsafeBytes { ctx.headerLine($0) }
        #expect(ctx.headers.first?.name == "x-bin")
        #expect(ctx.headers.first?.value == "a\u{FFFD}b")
    }
}
