/// Unambiguous byte encodings for MACs and AEAD associated data: every field is length-prefixed, so
/// {"ab":"c"} and {"a":"bc"} never collide (moto's concatenation does), and no JSON escaping rules are involved.
struct CanonicalWriter {
    private(set) var bytes: [UInt8] = []

    init(label: String) { append(label) }

    mutating func append(_ s: String) { appendBytes(Array(s.utf8)) }
    mutating func append(_ s: String?) {
        if let s { bytes.append(1); append(s) } else { bytes.append(0) }
    }
    mutating func appendBytes(_ b: [UInt8]) { appendU32(UInt32(b.count)); bytes += b }
    mutating func appendU32(_ v: UInt32) { bytes += withUnsafeBytes(of: v.bigEndian, Array.init) }
    mutating func appendU64(_ v: UInt64) { bytes += withUnsafeBytes(of: v.bigEndian, Array.init) }
    mutating func appendI64(_ v: Int64) { appendU64(UInt64(bitPattern: v)) }
    mutating func append(_ map: [String: String]) {
        appendU32(UInt32(map.count))
        for k in map.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            append(k); append(map[k]!)
        }
    }
}

func bigEndianBytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
