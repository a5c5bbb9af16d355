/// A parsed JSON document (RFC 8259), read by a small strict parser: for `meta.json`, which is read for every GET
/// and every listed object. JSONDecoder's Codable machinery was the largest single cost of a small GET in `obsctl
/// serve` (6.8% of its CPU); this parser takes a tenth of that. Numbers keep their text: callers convert them to the
/// integer type they expect, and a fraction or exponent then fails as out of range.
enum JSONValue: Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    struct Malformed: Error { let offset: Int; let why: String }

    /// Deeper documents are refused rather than parsed by deep recursion.
    static let maxDepth = 32

    /// The document in `bytes`: one value, surrounded by whitespace only.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer)
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.offset == buffer.count else { throw reader.malformed("text after the document") }
            return value
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func malformed(_ why: String) -> Malformed { Malformed(offset: offset, why: why) }

        mutating func skipWhitespace() {
            while offset < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[offset]) { offset += 1 }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < JSONValue.maxDepth else { throw malformed("nested deeper than \(JSONValue.maxDepth)") }
            skipWhitespace()
            guard offset < bytes.count else { throw malformed("a value was expected") }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return .object(try object(depth: depth))
            case UInt8(ascii: "["): return .array(try array(depth: depth))
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func object(depth: Int) throws -> [String: JSONValue] {
            offset += 1  // {
            var members: [String: JSONValue] = [:]
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return members }
            while true {
                skipWhitespace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw malformed("a name") }
                let name = try string()
                skipWhitespace()
                try expect(":")
                guard members.updateValue(try value(depth: depth + 1), forKey: name) == nil else {
                    throw malformed("the name '\(name)' twice")
                }
                skipWhitespace()
                if try separator(closing: "}") { return members }
            }
        }

        mutating func array(depth: Int) throws -> [JSONValue] {
            offset += 1  // [
            var elements: [JSONValue] = []
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return elements }
            while true {
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
                if try separator(closing: "]") { return elements }
            }
        }

        /// After a member or element: true at the closing bracket, false after a comma.
        mutating func separator(closing: Unicode.Scalar) throws -> Bool {
            guard offset < bytes.count else { throw malformed("'\(closing)' or ',' was expected") }
            let c = bytes[offset]
            offset += 1
            if c == UInt8(ascii: ",") { return false }
            if c == UInt8(ascii: closing) { return true }
            throw malformed("'\(closing)' or ',' was expected")
        }

        mutating func expect(_ c: Unicode.Scalar) throws {
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: c) else { throw malformed("'\(c)' expected") }
            offset += 1
        }

        mutating func literal(_ word: StaticString) throws {
            let n = word.utf8CodeUnitCount
            guard bytes.count - offset >= n,
                UnsafeBufferPointer(rebasing: bytes[offset..<offset + n]).elementsEqual(
                    UnsafeBufferPointer(start: word.utf8Start, count: n))
            else { throw malformed("a value was expected") }
            offset += n
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
        mutating func number() throws -> String {
            let start = offset
            func digits() -> Int {
                let from = offset
                while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
                    offset += 1
                }
                return offset - from
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            let first = offset
            guard digits() > 0 else { throw malformed("a value was expected") }
            if bytes[first] == UInt8(ascii: "0"), offset - first > 1 { throw malformed("a number with a leading 0") }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                offset += 1
                guard digits() > 0 else { throw malformed("digits after the point") }
            }
            if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                    offset += 1
                }
                guard digits() > 0 else { throw malformed("digits in the exponent") }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        }

        /// A string from its opening quote; valid UTF-8 only, escapes decoded, no raw control characters.
        mutating func string() throws -> String {
            offset += 1  // "
            let start = offset
            while offset < bytes.count, bytes[offset] != UInt8(ascii: "\""), bytes[offset] != UInt8(ascii: "\\"),
                bytes[offset] >= 0x20
            {
                offset += 1
            }
            guard offset < bytes.count else { throw malformed("an unterminated string") }
            if bytes[offset] == UInt8(ascii: "\"") {  // no escapes: the common case, no copy of the bytes
                let text = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                return try validated(text)
            }
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<offset]))
            while offset < bytes.count {
                let c = bytes[offset]
                offset += 1
                switch c {
                case UInt8(ascii: "\""): return try out.withUnsafeBufferPointer { try validated($0) }
                case UInt8(ascii: "\\"): try escape(into: &out)
                case 0..<0x20: throw malformed("a control character in a string")
                default: out.append(c)
                }
            }
            throw malformed("an unterminated string")
        }

        func validated(_ text: UnsafeBufferPointer<UInt8>) throws -> String {
            guard let s = String(validating: text, as: UTF8.self) else { throw malformed("a string not in UTF-8") }
            return s
        }

        mutating func escape(into out: inout [UInt8]) throws {
            guard offset < bytes.count else { throw malformed("an unterminated string") }
            let c = bytes[offset]
            offset += 1
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(try hex4())
                if (0xD800...0xDBFF).contains(scalar) {  // a high surrogate: its low half must follow
                    guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"),
                        bytes[offset + 1] == UInt8(ascii: "u")
                    else { throw malformed("a lone surrogate") }
                    offset += 2
                    let low = UInt32(try hex4())
                    guard (0xDC00...0xDFFF).contains(low) else { throw malformed("a lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw malformed("a lone surrogate") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw malformed("an unknown escape")
            }
        }

        mutating func hex4() throws -> UInt16 {
            guard bytes.count - offset >= 4 else { throw malformed("a short \\u escape") }
            var v: UInt16 = 0
            for _ in 0..<4 {
                let c = bytes[offset] | 0x20
                offset += 1
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): v = v << 4 | UInt16(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | UInt16(c - UInt8(ascii: "a") + 10)
                default: throw malformed("a bad \\u escape")
                }
            }
            return v
        }
    }
}

/// The members of a JSON object, read as `Decodable`'s synthesized code reads them: a required member must be
/// there with its type; an optional one may be missing or null, but not of another type.
struct JSONFields {
    let members: [String: JSONValue]
    let path: String

    struct Mismatch: Error { let path: String; let why: String }

    init(_ value: JSONValue?, path: String = "") throws {
        guard case .object(let members) = value else { throw Mismatch(path: path, why: "not an object") }
        self.members = members
        self.path = path
    }

    private func present(_ name: String) -> JSONValue? {
        guard let v = members[name], v != .null else { return nil }
        return v
    }

    private func required<T>(_ name: String, _ convert: (JSONValue) -> T?) throws -> T {
        guard let v = present(name) else { throw Mismatch(path: path + "." + name, why: "missing") }
        guard let t = convert(v) else { throw Mismatch(path: path + "." + name, why: "of another type") }
        return t
    }

    private func optional<T>(_ name: String, _ convert: (JSONValue) -> T?) throws -> T? {
        guard let v = present(name) else { return nil }
        guard let t = convert(v) else { throw Mismatch(path: path + "." + name, why: "of another type") }
        return t
    }

    private static func string(_ v: JSONValue) -> String? { if case .string(let s) = v { return s }; return nil }
    private static func integer<I: FixedWidthInteger>(_ v: JSONValue) -> I? {
        if case .number(let text) = v { return I(text) }
        return nil
    }

    func string(_ name: String) throws -> String { try required(name, Self.string) }
    func optionalString(_ name: String) throws -> String? { try optional(name, Self.string) }
    func integer<I: FixedWidthInteger>(_ name: String, as: I.Type = I.self) throws -> I {
        try required(name, Self.integer)
    }
    func optionalInteger<I: FixedWidthInteger>(_ name: String, as: I.Type = I.self) throws -> I? {
        try optional(name, Self.integer)
    }
    func fields(_ name: String) throws -> JSONFields { try JSONFields(present(name), path: path + "." + name) }
    func optionalFields(_ name: String) throws -> JSONFields? {
        try present(name).map { try JSONFields($0, path: path + "." + name) }
    }
    func array(_ name: String) throws -> [JSONValue] {
        try required(name) {
            if case .array(let a) = $0 { return a }; return nil
        }
    }
    func stringMap(_ name: String) throws -> [String: String] { try required(name, Self.stringMap) }
    func optionalStringMap(_ name: String) throws -> [String: String]? { try optional(name, Self.stringMap) }
    private static func stringMap(_ v: JSONValue) -> [String: String]? {
        guard case .object(let o) = v else { return nil }
        var out: [String: String] = [:]
        for (k, e) in o {
            guard let s = string(e) else { return nil }
            out[k] = s
        }
        return out
    }
    /// A string member that must be one of `T`'s raw values.
    func value<T: RawRepresentable>(_ name: String, as: T.Type = T.self) throws -> T where T.RawValue == String {
        try required(name) { Self.string($0).flatMap(T.init(rawValue:)) }
    }
}
