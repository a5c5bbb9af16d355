import Foundation

/// JSON text written as bytes (RFC 8259), for what is written on every request: the access log of `obsctl serve`,
/// the KMS audit log, meta.json (`JSONObjectWriter`). Building these through `String` or JSONEncoder was a
/// measurable share of a request's CPU.
public enum JSONText {
    /// `s` as a JSON string: quote and backslash escaped, control characters as `\n`, `\r`, `\t` or `\u00XX`,
    /// everything else (UTF-8 included) as it is.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex(c >> 4), hex(c & 0xF)]
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The first member name that appears twice in one object of `json` (text a JSON parser has accepted), or
    /// nil. Names are compared as decoded ("d\u0065ny" is "deny"). Why: JSONSerialization keeps the last of two
    /// members of one name, so in a file a person edits (the KMS policy) a second "deny" would quietly undo the
    /// first.
    public static func firstDuplicateName(_ json: [UInt8]) -> String? {
        var objects: [Set<String>?] = []  // per open bracket: the names seen, nil for an array
        var expectingName = false
        var i = 0
        while i < json.count {
            switch json[i] {
            case UInt8(ascii: "{"): objects.append([]); expectingName = true
            case UInt8(ascii: "["): objects.append(nil); expectingName = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = objects.popLast(); expectingName = false
            case UInt8(ascii: ","): expectingName = objects.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                var end = i + 1
                while end < json.count && json[end] != UInt8(ascii: "\"") {
                    end += json[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                if expectingName, let name = decodedString(json[i...min(end, json.count - 1)]) {
                    if objects[objects.count - 1]?.insert(name).inserted == false { return name }
                    expectingName = false
                }
                i = end
            default: break
            }
            i += 1
        }
        return nil
    }

    private static func decodedString(_ token: ArraySlice<UInt8>) -> String? {
        try? JSONSerialization.jsonObject(with: Data(token), options: .fragmentsAllowed) as? String
    }

    /// `s` as a JSON string, or `null` when there is none.
    public static func appendStringOrNull(_ s: String?, to out: inout [UInt8]) {
        if let s { appendString(s, to: &out) } else { out += Array("null".utf8) }
    }

    /// `"name":` after a comma unless first: the start of an object member.
    public static func appendName(_ name: String, first: Bool = false, to out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        appendString(name, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    private static func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10 }
}

/// Writes one JSON object's members in the order given (callers give them in name order), leaving out absent
/// optional values: for store files written on every request (meta.json), where JSONEncoder was a measurable cost.
public struct JSONObjectWriter {
    private var out: [UInt8]
    private var first = true

    /// `build` writes the members of one object, appended to `out`.
    public static func object(into out: inout [UInt8], _ build: (inout JSONObjectWriter) -> Void) {
        var writer = JSONObjectWriter(out: [])
        swap(&writer.out, &out)
        writer.out.append(UInt8(ascii: "{"))
        build(&writer)
        writer.out.append(UInt8(ascii: "}"))
        swap(&writer.out, &out)
    }

    private mutating func name(_ name: String) {
        JSONText.appendName(name, first: first, to: &out)
        first = false
    }

    public mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        self.name(name)
        JSONText.appendString(value, to: &out)
    }

    public mutating func number<I: BinaryInteger>(_ name: String, _ value: I?) {
        guard let value else { return }
        self.name(name)
        out += Array(String(value).utf8)
    }

    public mutating func object(_ name: String, _ build: (inout JSONObjectWriter) -> Void) {
        self.name(name)
        Self.object(into: &out, build)
    }

    /// An array of objects, one per element, whose members `build` writes.
    public mutating func array<T>(_ name: String, _ elements: [T], _ build: (inout JSONObjectWriter, T) -> Void) {
        self.name(name)
        out.append(UInt8(ascii: "["))
        for (i, element) in elements.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.object(into: &out) { build(&$0, element) }
        }
        out.append(UInt8(ascii: "]"))
    }
}
