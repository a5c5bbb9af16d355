import Foundation

/// The one writer of command results: text, json and ndjson from a `CommandResult`, through `StandardStreams` (so
/// stdout failures and SIGPIPE behave as for every other byte obsctl writes) and `Output`'s rules (--quiet, the
/// "(local store)" suffix, control characters shown escaped).
struct Renderer {
    let output: Output
    /// Where the text goes; `standardStreams` but in tests.
    let sink: @Sendable (StandardStreams.Stream, String) -> Void

    init(
        _ output: Output,
        sink: @escaping @Sendable (StandardStreams.Stream, String) -> Void = Renderer.standardStreams
    ) {
        self.output = output
        self.sink = sink
    }

    /// Writes through `StandardStreams`, after taking a progress bar off the terminal.
    static let standardStreams: @Sendable (StandardStreams.Stream, String) -> Void = { stream, text in
        Progress.clearForMessage()
        StandardStreams.write(stream, text)
    }

    /// A whole result: its text, one JSON document, or its NDJSON records (the document on one line if it has none).
    func render(_ result: some CommandResult, to stream: StandardStreams.Stream = .stdout) {
        switch output.format {
        case .text: write(result.text, to: stream)
        case .json: writeJSON(Self.json(result, compact: false), to: stream)
        case .ndjson:
            guard let records = result.records else { return writeJSON(Self.json(result), to: stream) }
            for r in records { writeJSON(Self.json(r), to: stream) }
        }
    }

    /// One item of a command over many (an abort, a transfer, a deletion, a failure) as it happens: an NDJSON
    /// record, or in text its report lines; nothing with json, whose document comes at the end (`render`).
    func event(_ record: Record, text: [TextLine] = [], to stream: StandardStreams.Stream = .stdout) {
        switch output.format {
        case .text: write(text, to: stream)
        case .json: break
        case .ndjson: writeJSON(Self.json(record), to: stream)
        }
    }

    /// Items of a result that may be too many to hold (a listing of millions of keys): with ndjson each goes out
    /// as a record of `type` in its `shape` when it arrives, so memory stays bounded; otherwise they are kept for
    /// the result at the end.
    func stream<Item>(_ type: String, _ shape: @escaping (Item) -> any Encodable) -> ItemStream<Item> {
        ItemStream(renderer: self, type: type, shape: shape)
    }

    struct ItemStream<Item> {
        let renderer: Renderer
        let type: String
        let shape: (Item) -> any Encodable
        private(set) var items: [Item] = []

        init(renderer: Renderer, type: String, shape: @escaping (Item) -> any Encodable) {
            self.renderer = renderer; self.type = type; self.shape = shape
        }

        mutating func append(contentsOf new: [Item]) {
            guard renderer.output.format == .ndjson else { return items += new }
            for item in new { renderer.event(Record(type, shape(item))) }
        }
    }

    private func write(_ lines: [TextLine], to stream: StandardStreams.Stream) {
        for line in lines {
            switch line {
            case .data(let text): sink(stream, Output.printable(text) + "\n")
            case .report(let text):
                if !output.quiet { sink(stream, Output.printable(text + output.storeSuffix) + "\n") }
            case .note(let text): if !output.quiet { sink(.stderr, Output.printable(text) + "\n") }
            case .detail(let text): if !output.quiet { sink(stream, Output.printable(text) + "\n") }
            case .table(let rows, let endsWithStore):
                let rows = endsWithStore ? rows.map { $0.dropLast() + [($0.last ?? "") + output.storeSuffix] } : rows
                write(Self.columns(rows).map(TextLine.data), to: stream)
            }
        }
    }

    private func writeJSON(_ text: String, to stream: StandardStreams.Stream) {
        sink(stream, text + "\n")
    }

    /// Rows as aligned columns, two spaces apart; the last column is not padded.
    static func columns(_ rows: [[String]]) -> [String] {
        var widths: [Int] = []
        for row in rows {
            for (i, cell) in row.dropLast().enumerated() {
                if i < widths.count { widths[i] = max(widths[i], cell.count) } else { widths.append(cell.count) }
            }
        }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i < row.count - 1 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) : cell
            }.joined(separator: "  ")
        }
    }

    /// JSON text, keys sorted so that output is stable; compact is one line (NDJSON).
    static func json(_ value: some Encodable, compact: Bool = true) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            compact
            ? [.sortedKeys, .withoutEscapingSlashes]
            : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Results hold strings, integers, bools and dates already formatted: a failure is a bug, and printing
        // nothing or "{}" instead would hide it from scripts.
        guard let data = try? encoder.encode(value) else {
            preconditionFailure("obsctl built a result that cannot be encoded: \(type(of: value))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
