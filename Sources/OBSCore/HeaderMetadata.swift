/// The standard HTTP headers S3 stores with an object ("system-defined metadata") and answers on every GET and
/// HEAD: a gzip'd asset keeps its Content-Encoding, a download its Content-Disposition. Names in canonical case.
public enum HeaderMetadata {
    public static let names = [
        "Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires",
    ]

    /// The canonical name of a lower-cased header name that is one of `names`, else nil (no allocation: the
    /// remote client asks it of every answer header).
    public static func canonicalName(lowercased name: String) -> String? {
        switch name {
        case "cache-control": return "Cache-Control"
        case "content-disposition": return "Content-Disposition"
        case "content-encoding": return "Content-Encoding"
        case "content-language": return "Content-Language"
        case "expires": return "Expires"
        default: return nil
        }
    }

    /// The stored headers among `headers` (any case). Content-Encoding loses `aws-chunked`, which names the
    /// request's framing, not the object's encoding ("aws-chunked,gzip" stores "gzip"; "aws-chunked" alone nothing).
    public static func from(_ headers: [(name: String, value: String)]) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in headers {
            guard let canonical = canonicalName(lowercased: name.lowercased()) else { continue }
            var value = value
            if canonical == "Content-Encoding" {
                value = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { $0.lowercased() != "aws-chunked" && !$0.isEmpty }.joined(separator: ",")
            }
            if !value.isEmpty { out[canonical] = value }
        }
        return out
    }
}
