/// The SSE header vocabulary of OBS (`x-obs-*`) and S3 (`x-amz-*`), for the client that writes and reads it and the
/// server that reads and answers it: one spelling of each name and value.
public enum SSEHeaders {
    /// The KMS key id header of each dialect (OBS: `-kms-key-id`, S3: `-aws-kms-key-id`).
    public static let obsKMSKeyID = "x-obs-server-side-encryption-kms-key-id"
    public static let awsKMSKeyID = "x-amz-server-side-encryption-aws-kms-key-id"

    /// The mode a `server-side-encryption` value names: `kms` (OBS) or `aws:kms` (S3) for SSE-KMS, `AES256` for
    /// SSE-OBS; nil for anything else.
    public static func mode(algorithm: String) -> SSEMode? {
        switch algorithm {
        case "kms", "aws:kms": return .kms
        case "AES256": return .obs
        default: return nil
        }
    }

    /// The `server-side-encryption` value for `mode` in a dialect (nil for none and SSE-C).
    public static func algorithm(_ mode: SSEMode, obsDialect: Bool) -> String? {
        switch mode {
        case .kms: return obsDialect ? "kms" : "aws:kms"
        case .obs: return "AES256"
        case .unencrypted, .c: return nil
        }
    }

    /// The SSE a request's headers carry intent for, under either prefix: SSE-C key headers, an SSE-KMS algorithm
    /// or key id. These are what must travel over HTTPS only.
    public static func intent(_ headers: [(name: String, value: String)]) -> SSEMode? {
        for (name, value) in headers {
            let n = name.lowercased()
            guard n.hasPrefix("x-amz-") || n.hasPrefix("x-obs-") else { continue }
            if holds(n, "server-side-encryption-customer-") { return .c }
            if n.hasSuffix("server-side-encryption") && mode(algorithm: value) == .kms { return .kms }
            if holds(n, "kms-key-id") { return .kms }
        }
        return nil
    }

    /// Whether `text` holds `part`, compared by bytes: Foundation's `contains` goes through `range(of:)`, which was
    /// a measurable share of the CPU `obsctl serve` spends on each request.
    static func holds(_ text: String, _ part: String) -> Bool {
        let t = Array(text.utf8), p = Array(part.utf8)
        guard !p.isEmpty else { return true }
        guard p.count <= t.count else { return false }
        for i in 0...(t.count - p.count) where t[i] == p[0] && t[i..<i + p.count].elementsEqual(p) { return true }
        return false
    }
}
