import Foundation
import OBSCore
import Testing
@testable import ObsctlCLI

/// The renderer in process: each format of a result, what --quiet silences, escaping, sorted keys, and streamed
/// items. The CLI suites (OutputFormatTests and others) check the same shapes through the binary.
@Suite("renderer")
struct RendererTests {
    /// What a renderer wrote, in order, per stream.
    final class Capture: @unchecked Sendable {  // every access holds `lock`
        private let lock = NSLock()
        private var writes: [(StandardStreams.Stream, String)] = []

        func add(_ stream: StandardStreams.Stream, _ text: String) {
            lock.lock(); writes.append((stream, text)); lock.unlock()
        }
        func written(to stream: StandardStreams.Stream) -> String {
            lock.lock(); defer { lock.unlock() }
            return writes.filter { $0.0 == stream }.map(\.1).joined()
        }
        var stdout: String { written(to: .stdout) }
        var stderr: String { written(to: .stderr) }
    }

    static func renderer(_ format: OutputFormat, quiet: Bool = false, local: Bool = false) -> (Renderer, Capture) {
        let capture = Capture()
        var output = Output(format: format, quiet: quiet)
        if local { output = output.forLocalStore() }
        return (Renderer(output, sink: { capture.add($0, $1) }), capture)
    }

    static func object(key: String = "dir/a.txt", contentType: String = "text/plain") throws -> ObjectInfo {
        ObjectInfo(
            bucket: try BucketName("bkt"), key: try ObjectKey(key), size: 12, etag: "abc",
            contentType: contentType, lastModified: Date(timeIntervalSince1970: 1_700_000_000),
            userMetadata: ["zeta": "1", "alpha": "2"], sseMode: .kms, sseOrigin: nil, kmsKeyID: "k-1")
    }

    static func parse(_ line: Substring) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("text: data lines always, report lines with the store suffix unless --quiet, notes on stderr")
    func text() throws {
        let (r, out) = Self.renderer(.text, local: true)
        r.render(ObjectStat(info: try Self.object()))
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "object:" + String(repeating: " ", count: 13) + "obs://bkt/dir/a.txt", "\(lines)")
        // Values start in column 20 whatever the name's length.
        #expect(lines.contains("kms-key-id:         k-1") && lines.last == "metadata.zeta:      1", "\(lines)")
        r.render(Obsctl.Multipart.AbortUploads.Aborted(aborted: [], failures: [], nothingNote: "nothing here"))
        r.event(Record("aborted", PrefixShape(bucket: "b", prefix: "p")), text: [.report("abort: obs://b/k")])
        #expect(out.stdout.hasSuffix("abort: obs://b/k (local store)\n") && out.stderr == "nothing here\n")

        let (quiet, q) = Self.renderer(.text, quiet: true, local: true)
        quiet.render(Presigned(url: "https://x/y", method: "GET", object: "obs://b/k", expires: "t"))
        quiet.event(Record("aborted", PrefixShape(bucket: "b", prefix: "p")), text: [.report("abort: obs://b/k")])
        quiet.render(Obsctl.Multipart.AbortUploads.Aborted(aborted: [], failures: [], nothingNote: "nothing"))
        #expect(q.stdout == "https://x/y\n" && q.stderr.isEmpty, "--quiet keeps data only: \(q.stdout)")
    }

    @Test("text tables align columns; the store suffix ends the last one")
    func table() {
        let (r, out) = Self.renderer(.text, local: true)
        r.render(TableResult(rows: [["a", "long-cell", "obs://x"], ["bbbb", "c", "obs://y"]]))
        #expect(out.stdout == "a     long-cell  obs://x (local store)\nbbbb  c          obs://y (local store)\n")
    }

    @Test("json: one pretty document, keys sorted, absent values null, documented names")
    func json() throws {
        let (r, out) = Self.renderer(.json, local: true)
        r.render(ObjectStat(info: try Self.object(contentType: "")))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(
            Set(doc.keys) == [
                "bucket", "key", "size", "etag", "content_type", "last_modified", "metadata", "headers", "sse",
            ])
        #expect(doc["content_type"] is NSNull && doc["last_modified"] as? String == "2023-11-14T22:13:20Z")
        let sse = try #require(doc["sse"] as? [String: Any])
        #expect(
            Set(sse.keys) == ["mode", "origin", "kms_key_id", "kms_key_urn", "customer_key_md5", "kms_key_alias"],
            "\(sse)")
        #expect(sse["origin"] is NSNull && sse["kms_key_id"] as? String == "k-1")
        #expect(out.stdout.hasPrefix("{\n") && out.stdout.hasSuffix("}\n"), "pretty printed: \(out.stdout)")
        // Sorted: each top-level key appears after the one before it in sort order.
        let positions = [
            "bucket", "content_type", "etag", "headers", "key", "last_modified", "metadata", "size", "sse",
        ]
        .map { try? #require(out.stdout.range(of: "\n  \"\($0)\" :")).lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions == positions.sorted { $0! < $1! }, "\(out.stdout)")
        #expect(out.stdout.range(of: "\"alpha\" : \"2\",\n    \"zeta\"") != nil, "nested keys sorted too")
        #expect(!out.stdout.contains("local store"), "the suffix is for text only")
    }

    @Test("ndjson: records with their type, or the document on one line; streamed items are not kept")
    func ndjson() throws {
        let (r, out) = Self.renderer(.ndjson)
        r.render(Presigned(url: "https://x/a/b", method: "PUT", object: "obs://b/k", expires: "t"))
        #expect(out.stdout == #"{"expires":"t","method":"PUT","object":"obs://b/k","url":"https://x/a/b"}"# + "\n")

        let (list, l) = Self.renderer(.ndjson)
        var objects = list.stream("object", ObjectShape.init)
        objects.append(contentsOf: [try Self.object(key: "a"), try Self.object(key: "b")])
        #expect(objects.items.isEmpty, "ndjson writes each item as it comes and keeps none")
        list.render(ObjectList(bucket: "bkt", prefix: "", objects: objects.items, prefixes: []))
        let records = try l.stdout.split(separator: "\n").map(Self.parse)
        #expect(records.map { $0["type"] as? String } == ["object", "object"], "\(l.stdout)")
        #expect(records.map { $0["key"] as? String } == ["a", "b"] && records[0]["sse"] is [String: Any])

        let (json, j) = Self.renderer(.json)
        var kept = json.stream("object", ObjectShape.init)
        kept.append(contentsOf: [try Self.object(key: "a")])
        #expect(kept.items.count == 1 && j.stdout.isEmpty, "json keeps items for the one document")
        json.event(FailureShape("obs://b/k", OBSError.invalidArgument("bad")).record)
        #expect(j.stdout.isEmpty, "json prints events only in its document at the end")

        let (failures, f) = Self.renderer(.ndjson)
        failures.event(FailureShape("obs://b/k", OBSError.invalidArgument("bad")).record, to: .stderr)
        let failure = try Self.parse(try #require(f.stderr.split(separator: "\n").first))
        #expect(Set(failure.keys) == ["type", "item", "code", "message", "exit_code"] && f.stdout.isEmpty)
        #expect(failure["type"] as? String == "failure" && failure["exit_code"] as? Int == 2, "\(failure)")
    }

    @Test("control characters: escaped in text, JSON-escaped on one line in ndjson")
    func controlCharacters() throws {
        let key = "evil\n\u{1b}[2Jkey\u{7f}"
        let (t, text) = Self.renderer(.text)
        t.render(ObjectList(bucket: "bkt", prefix: "", objects: [try Self.object(key: key)], prefixes: ["p\r/"]))
        #expect(text.stdout.split(separator: "\n").count == 2, "one line each: \(text.stdout)")
        #expect(text.stdout.contains("evil\\x0a\\x1b[2Jkey\\x7f") && text.stdout.contains("p\\x0d/"), "\(text.stdout)")
        #expect(!text.stdout.contains("\u{1b}"))

        let (n, nd) = Self.renderer(.ndjson)
        var objects = n.stream("object", ObjectShape.init)
        objects.append(contentsOf: [try Self.object(key: key)])
        #expect(nd.stdout.split(separator: "\n").count == 1 && !nd.stdout.contains("\u{1b}"), "\(nd.stdout)")
        #expect(try Self.parse(nd.stdout.dropLast())["key"] as? String == key)
    }

    @Test("C1 controls, line separators and bidi overrides are escaped in text; other non-ASCII is shown as is")
    func invisibleCharacters() throws {
        let key = "a\u{9b}31mb\u{85}c\u{2028}d\u{202e}txt.exe\u{2066}é日"
        let (t, text) = Self.renderer(.text)
        t.render(ObjectList(bucket: "bkt", prefix: "", objects: [try Self.object(key: key)], prefixes: []))
        let shown = #"a\u{9b}31mb\u{85}c\u{2028}d\u{202e}txt.exe\u{2066}é日"#
        #expect(text.stdout.contains(shown), "\(text.stdout)")
        for hidden in ["\u{9b}", "\u{85}", "\u{2028}", "\u{202e}", "\u{2066}"] {
            #expect(!text.stdout.contains(hidden))
        }
    }
}

/// A result that is only a table, for the column test.
private struct TableResult: CommandResult {
    let rows: [[String]]
    var text: [TextLine] { [.table(rows, endsWithStore: true)] }
    func encode(to encoder: Encoder) throws {}
}
