/// Header and query parameter names whose values are credentials, and their removal from text that quotes requests:
/// the client's `--debug` dump and the string to sign a server answers `SignatureDoesNotMatch` with (S3 echoes every
/// signed header there, an SSE-C key and a security token included; serve must not, as its error bodies end up in
/// clients' logs). An SSE-C key's MD5 is kept: it names the key without revealing it.
public enum SecretFields {
    public static let placeholder = "<redacted>"

    /// `Authorization`, a security token (`x-amz-security-token`, `x-obs-security-token`, `X-Security-Token`) or an
    /// SSE-C key (`...-customer-key`, the copy source's too).
    public static func isSecretHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        return n == "authorization" || n.hasSuffix("security-token") || n.hasSuffix("-customer-key")
    }

    /// A presigned URL's signature, a security token or an SSE-C key given in the query.
    public static func isSecretQuery(_ name: String) -> Bool {
        let n = name.lowercased()
        return n == "signature" || n == "x-amz-signature" || n.hasSuffix("security-token")
            || n.hasSuffix("-customer-key")
    }

    /// `text` (a string to sign or a canonical request: one field per line) with the value of each secret header
    /// line (`name:value`) and of each secret query parameter (`name=value`, after `?` or `&`) replaced.
    public static func redacted(_ text: String) -> String {
        guard text.contains(where: { $0 == ":" || $0 == "=" }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(redactedLine).joined(separator: "\n")
    }

    private static func redactedLine(_ line: Substring) -> String {
        // A line starting with `/` is a path (a V2 resource, a SigV4 canonical URI): its key is no header.
        let isPath = line.hasPrefix("/")
        if !isPath, let colon = line.firstIndex(of: ":"), isSecretHeader(line[..<colon].trimmingBlanks) {
            return line[...colon] + placeholder
        }
        guard line.contains("=") else { return String(line) }
        // Query parameters: the parts between `?` and `&`, each `name` or `name=value`; a path's first part is its
        // key.
        var out = ""
        var part = Substring("")
        var first = true
        func flush() {
            defer { first = false }
            if !(isPath && first), let eq = part.firstIndex(of: "="), isSecretQuery(String(part[..<eq])) {
                out += part[...eq] + placeholder
            } else {
                out += part
            }
        }
        var rest = line
        while let i = rest.firstIndex(where: { $0 == "?" || $0 == "&" }) {
            part = rest[..<i]
            flush()
            out.append(rest[i])
            rest = rest[rest.index(after: i)...]
        }
        part = rest
        flush()
        return out
    }
}

extension Substring {
    fileprivate var trimmingBlanks: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
