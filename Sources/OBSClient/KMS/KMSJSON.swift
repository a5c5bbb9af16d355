/// KMS request bodies as Huawei's Python SDK writes them (`simplejson.dumps`, `ensure_ascii`): the model's fields in
/// order, absent ones left out, `", "` and `": "` as separators, every byte outside printable ASCII as `\uXXXX`.
/// Byte-identical bodies make the SDK's signature vectors reproducible end to end.
enum KMSJSON {
    static func object(_ fields: [(name: String, value: String?)]) -> [UInt8] {
        let members = fields.compactMap { f in f.value.map { quoted(f.name) + ": " + quoted($0) } }
        return Array(("{" + members.joined(separator: ", ") + "}").utf8)
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }
}
