import OBSCore
import OBSSigner

/// The OBS and S3 rule for SSE-KMS and SSE-C over plain HTTP, checked before anything is sent.
extension RemoteBackend {
    /// OBS requires HTTPS for SSE-KMS and SSE-C. Over plain HTTP they may go only to a loopback address, where only
    /// a local test server can listen: refused here, before anything is sent, unless every address the host
    /// resolves to is loopback; and each such request is checked again on the address it actually connects to
    /// (`HTTPRequest.loopbackOnly`), so a name that resolves elsewhere at send time gets nothing either.
    public func checkSecureTransport(for mode: SSEMode?, what: String) throws {
        try checkTransportSecurity(mode: mode, what: what)
    }

    func checkTransportSecurity(_ sse: SSERequest?, what: String) throws {
        try checkTransportSecurity(mode: sse?.mode, what: what)
    }

    func checkTransportSecurity(mode: SSEMode?, what: String) throws {
        guard configuration.scheme == "http", let mode, mode == .kms || mode == .c else { return }
        let host = configuration.host
        guard let other = LoopbackAddress.firstNonLoopback(host) else {
            advise("\(mode.displayName) over plain HTTP to loopback \(host): allowed for local testing only")
            return
        }
        let why =
            other.isEmpty
            ? "\(host) does not resolve"
            : other == host
                ? "\(host) is not a loopback address"
                : "\(host) resolves to \(other), not a loopback address"
        throw OBSError(
            code: "InsecureTransport",
            message: "\(what) uses \(mode.displayName), which OBS accepts only over HTTPS, and \(why); "
                + "use an https:// endpoint",
            httpStatus: 0, category: .usage)
    }
}
