/// ETags as they are compared: a client may send one quoted (a header, XML), with blanks, or in capitals.
public enum ETags {
    /// Without the quotes and blanks around it, lower-cased: equal for any two spellings of one ETag. Byte-wise: a
    /// Foundation CharacterSet built for each call cost more than the rest of a small download's check.
    public static func bare(_ etag: String) -> String {
        let bytes = etag.utf8
        let isEdge = { (b: UInt8) in b == UInt8(ascii: "\"") || b == UInt8(ascii: " ") }
        guard let first = bytes.firstIndex(where: { !isEdge($0) }), let last = bytes.lastIndex(where: { !isEdge($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self).lowercased()
    }
}
