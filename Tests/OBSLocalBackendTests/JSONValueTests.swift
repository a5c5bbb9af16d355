import Foundation
import OBSCore
import Testing

@testable import OBSLocalBackend

/// meta.json is written by `ObjectMeta.encoded()` and read by `JSONValue`: what it writes must read back the same,
/// and what is not JSON, or not the metadata's shape, must be refused.
@Suite("meta.json: the JSON reader")
struct JSONValueTests {
    static func meta(userMetadata: [String: String], optionals: Bool) -> ObjectMeta {
        ObjectMeta(
            bucket: "bucket-a", key: "dir/ключ \"quoted\" \\ back/slash\t🔑", objectUID: "00ff",
            size: 9_007_199_254_740_993,
            contentType: "text/plain; charset=utf-8", userMetadata: userMetadata, lastModified: "2026-12-05T02:00:57Z",
            etag: "7cd78609ec57c9902a6edf728238263a",
            sse: .init(
                mode: optionals ? .kms : .unencrypted, origin: optionals ? .bucketDefault : .request,
                kmsKeyID: optionals ? "4444bace-f187-4e9c-84b8-21ddf8a4bdbb" : nil,
                kmsKeyURN: optionals ? "local:d740:key/4444bace" : nil, kmsBlob: optionals ? "AT+/=" : nil,
                wrap: optionals ? .init(salt: "c2FsdA==", nonce: "bm9uY2U=", sealed: "c2VhbGVk") : nil),
            layout: .init(
                aead: optionals ? "AES-256-GCM" : nil, chunk: optionals ? 65536 : nil,
                parts: [.init(n: 1, size: 5, file: "d-00ff-p1.obx"), .init(n: 4_294_967_295, size: 0, file: "x")]),
            dataMAC: optionals ? "bWFj" : nil, crc32c: optionals ? "0uD3fA==" : nil, mac: optionals ? "TUFD" : nil)
    }

    @Test("what encoded() writes is JSON and reads back equal: escapes, UTF-8, control characters, optionals or not")
    func roundTrip() throws {
        let tricky = [
            "": "", "a": "b", "quote\"": "\"", "slash/": "/\\/", "lines": "one\ntwo\r\tthree\u{8}\u{C}",
            "controls": "\u{0}\u{1}\u{1F}\u{7F}", "utf8": "ключ/键/🔑/é", "json-ish": "{\"x\":[1,2]}",
        ]
        for optionals in [false, true] {
            let meta = Self.meta(userMetadata: tricky, optionals: optionals)
            let bytes = meta.encoded()
            #expect(try ObjectMeta.decode(bytes, path: "p") == meta)
            // Foundation's parser reads the same values (the bytes are JSON, not just what our reader accepts).
            let other = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            #expect(other["key"] as? String == meta.key && other["size"] as? Int64 == meta.size)
            #expect(other["user_metadata"] as? [String: String] == tricky)
            #expect(
                (other["crc32c"] != nil) == optionals
                    && (other["sse"] as? [String: Any])?["mode"] as? String
                        == meta.sse.mode.rawValue
            )
        }
    }

    /// meta.json as JSONEncoder wrote it (pretty-printed, slashes escaped) before the hand-written encoder.
    static let earlierMeta = #"""
        {
          "bucket" : "bench-b",
          "content_type" : "application\/octet-stream",
          "crc32c" : "0uD3fA==",
          "etag" : "7cd78609ec57c9902a6edf728238263a",
          "format" : 1,
          "key" : "some\/key.bin",
          "last_modified" : "2026-12-05T02:00:57Z",
          "layout" : {
            "aead" : "AES-256-GCM",
            "chunk" : 65536,
            "parts" : [
              {
                "file" : "d-fb45d0ba60ba1d20ebfdb26604176442.obx",
                "n" : 0,
                "size" : 5000
              }
            ]
          },
          "mac" : "CX+4eOzg2V6m4j5D8ZS3sMURpQ8oB5OERjURsm51kp0=",
          "object_uid" : "fb45d0ba60ba1d20ebfdb26604176442",
          "size" : 5000,
          "sse" : {
            "kms_blob" : "ATQ0NDRiYWNlLWYxODctNGU5Yy04NGI4LTIxZGRmOGE0YmRiYgAAAAGmrJPcG9GS0JyILJWusG884Eqe8gf\/",
            "kms_key_id" : "4444bace-f187-4e9c-84b8-21ddf8a4bdbb",
            "kms_key_urn" : "local:d740fb8d9aa7de0f57f79a96d7a5b597:key\/4444bace-f187-4e9c-84b8-21ddf8a4bdbb",
            "mode" : "kms",
            "origin" : "request"
          },
          "user_metadata" : {
            "a" : "b"
          }
        }
        """#

    @Test("meta.json written by earlier versions (JSONEncoder's pretty output) reads, and writes back the same values")
    func earlierFormatReads() throws {
        let meta = try ObjectMeta.decode(Array(Self.earlierMeta.utf8), path: "p")
        #expect(meta.key == "some/key.bin" && meta.contentType == "application/octet-stream" && meta.size == 5000)
        #expect(meta.sse.kmsKeyURN == "local:d740fb8d9aa7de0f57f79a96d7a5b597:key/4444bace-f187-4e9c-84b8-21ddf8a4bdbb")
        #expect(meta.layout.parts == [.init(n: 0, size: 5000, file: "d-fb45d0ba60ba1d20ebfdb26604176442.obx")])
        #expect(meta.sse.kmsBlob?.hasSuffix("8gf/") == true && meta.userMetadata == ["a": "b"] && meta.dataMAC == nil)
        #expect(try ObjectMeta.decode(meta.encoded(), path: "p") == meta)
    }

    @Test("values: escapes, surrogate pairs, numbers kept as text, whitespace")
    func values() throws {
        #expect(
            try JSONValue.parse(Array(#" {"a" : [ true , false , null , -0 , 1.5e+3 , "" ] } "#.utf8))
                == .object([
                    "a": .array([.bool(true), .bool(false), .null, .number("-0"), .number("1.5e+3"), .string("")])
                ]))
        #expect(
            try JSONValue.parse(Array(#""\u00e9\ud83d\udd11\/\b\f\n\r\t\"\\""#.utf8))
                == .string("é🔑/\u{8}\u{C}\n\r\t\"\\"))
        #expect(try JSONValue.parse(Array("\"ключ\"".utf8)) == .string("ключ"))
        #expect(try JSONValue.parse(Array("[[[]]]".utf8)) == .array([.array([.array([])])]))
    }

    @Test(
        "not JSON: refused",
        arguments: [
            "", " ", "{", "}", "[", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "{\"a\":1 \"b\":2}", "01", "1.", "-",
            "1e",
            ".5", "+1", "tru", "nul", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\u12\"",
            "\"a\u{1}\"", "\"open", "[1] x", "{\"a\":1,\"a\":2}", "'a'", "NaN",
        ])
    func refused(_ text: String) {
        #expect(throws: JSONValue.Malformed.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test("not JSON: invalid UTF-8 in a string, or nesting past the limit")
    func refusedBytes() {
        #expect(throws: JSONValue.Malformed.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONValue.Malformed.self) { try JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
        let deep = String(repeating: "[", count: JSONValue.maxDepth + 1) + String(repeating: "]", count: 40)
        #expect(throws: JSONValue.Malformed.self) { try JSONValue.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: JSONValue.maxDepth) + String(repeating: "]", count: JSONValue.maxDepth)
        #expect((try? JSONValue.parse(Array(fine.utf8))) != nil)
    }

    @Test("JSON, not metadata: a member missing or of another type, an unknown mode, numbers out of range")
    func notMetadata() throws {
        let encoded = Data(Self.meta(userMetadata: ["a": "b"], optionals: true).encoded())
        let good = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        func decodes(_ edit: (inout [String: Any]) -> Void) -> Bool {
            var obj = good
            edit(&obj)
            let bytes = try! JSONSerialization.data(withJSONObject: obj)
            return (try? ObjectMeta.decode(Array(bytes), path: "p")) != nil
        }
        #expect(decodes { _ in })
        #expect(decodes { $0["crc32c"] = NSNull() })  // an optional may be null
        #expect(decodes { $0["unknown"] = 5 })  // unknown members are ignored, as Decodable does
        #expect(!decodes { $0["etag"] = nil })
        #expect(!decodes { $0["size"] = "5" })
        #expect(!decodes { $0["size"] = 1.5 })
        #expect(!decodes { $0["crc32c"] = 5 })
        #expect(!decodes { $0["user_metadata"] = ["a": 1] })
        #expect(!decodes { $0["sse"] = ["mode": "rot13", "origin": "request"] })
        #expect(!decodes { $0["sse"] = ["mode": "kms"] })
        #expect(!decodes { $0["layout"] = ["parts": [["n": -1, "size": 0, "file": "x"]]] })
        #expect(!decodes { $0["layout"] = ["parts": [["n": 4_294_967_296, "size": 0, "file": "x"]]] })
        #expect(!decodes { $0["layout"] = ["parts": "none"] })
        #expect(!decodes { $0["layout"] = ["aead": "x", "chunk": 1] })
        #expect(throws: OBSError.self) { try ObjectMeta.decode(Array("[]".utf8), path: "p") }
    }
}
