/// A command's result as data: an `Encodable` value whose coding keys are the snake_case names README.md documents
/// (its output table lives in these types), and how the result reads as text. `Renderer` writes it in each format,
/// so a command says what it found and never how each format shows it.
protocol CommandResult: Encodable {
    /// What `--output text` prints: data lines, report lines, notes.
    var text: [TextLine] { get }
    /// What `--output ndjson` prints: the records the result is made of (a listing: one per item), or nil for the
    /// JSON document on one line. Empty when the records already went out one by one (`Renderer.event`).
    var records: [Record]? { get }
}

extension CommandResult {
    var records: [Record]? { nil }
}

/// One piece of a result's text form, each with its own rule for stdout, stderr and `--quiet`.
enum TextLine {
    /// Result data on stdout (a listing row, a stat field): printed even with --quiet, as asked for.
    case data(String)
    /// What the command did ("created obs://b"), on stdout: silenced by --quiet, and ending in " (local store)" on
    /// the embedded backend so that nobody takes a write to the local disk for one to a server.
    case report(String)
    /// A message for people on stderr ("no multipart uploads in progress"), silenced by --quiet.
    case note(String)
    /// Details of what the command changed (a key's fields after `kms key disable`), on stdout: silenced by
    /// --quiet like a report, without its store suffix on every line.
    case detail(String)
    /// Rows of data as aligned columns; `endsWithStore`: the last cell names something in the store and gets the
    /// " (local store)" suffix as report lines do (`bucket list`).
    case table([[String]], endsWithStore: Bool = false)
}

/// One NDJSON record: the fields of `value` plus its `type` ("object", "bucket", "failure", ...).
struct Record: Encodable {
    let type: String
    let value: any Encodable

    init(_ type: String, _ value: any Encodable) { self.type = type; self.value = value }

    private enum CodingKeys: String, CodingKey { case type }

    func encode(to encoder: Encoder) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
    }
}

/// An optional field that is always present: `null` when absent, as the documented shapes have it (synthesised
/// `Encodable` leaves a nil out instead).
// swift-format-ignore: UseSynthesizedInitializer
@propertyWrapper
struct Nullable<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    // Written out: property-wrapper initialization (`x = value`, memberwise initializers) does not use the
    // synthesized one, and the Swift 6.3 compiler crashes without it.
    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension TextLine {
    /// `name: value` lines with the values aligned in a column `width` wide from the start of the name (`stat`,
    /// `kms key describe`).
    static func fields(_ fields: [(String, String)], width: Int) -> [TextLine] {
        fields.map { name, value in
            .data(name + ":" + String(repeating: " ", count: max(1, width - name.count)) + value)
        }
    }
}
