import OBSSigner

/// Where `--debug` lines go (stderr, in the CLI).
public final class DebugLog: Sendable {
    private let sink: @Sendable (String) -> Void
    public init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }
    func write(_ text: String) { sink(text) }
}

/// `--debug` output: request and response lines and headers, never secrets. Authorization (which carries the
/// signature), security tokens and SSE-C keys are replaced; the SSE-C key's MD5 is kept, as it identifies the key
/// without revealing it. Bodies are not printed.
enum DebugDump {
    static func isSecret(_ name: String) -> Bool { SecretFields.isSecretHeader(name) }

    static func request(_ r: HTTPRequest) -> String {
        var query = r.query.map { q in q.value.map { "\(q.name)=\(redactQuery(q.name, $0))" } ?? q.name }.joined(
            separator: "&")
        if !query.isEmpty { query = "?" + query }
        var lines = ["> \(r.method) \(r.scheme)://\(r.hostHeader)\(r.path)\(query)"]
        lines += r.headers.map { "> \($0.name): \(isSecret($0.name) ? SecretFields.placeholder : $0.value)" }
        return lines.joined(separator: "\n")
    }

    static func response(_ r: HTTPResponse) -> String {
        var lines = ["< HTTP \(r.status)"]
        lines += r.headers.map { "< \($0.name): \(isSecret($0.name) ? SecretFields.placeholder : $0.value)" }
        return lines.joined(separator: "\n")
    }

    /// Presigned and token query parameters are credentials too.
    static func redactQuery(_ name: String, _ value: String) -> String {
        SecretFields.isSecretQuery(name) ? SecretFields.placeholder : value
    }
}
