import OBSCore

#if canImport(Glibc)
import Glibc
#endif

/// Name resolution for the connected-address rule (SSE over plain HTTP goes to loopback only); the address test
/// itself is OBSCore's `LoopbackAddress`, shared with `obsctl serve`.
extension LoopbackAddress {
    /// Every address `host` resolves to (numeric, as getaddrinfo gives them); empty when it does not resolve.
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var out: [String] = []
        var p = list
        while let ai = p {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                ai.pointee.ai_addr, ai.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0,
                NI_NUMERICHOST) == 0
            {
                out.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            p = ai.pointee.ai_next
        }
        return out
    }

    /// The first address of `host` that is not loopback, "" when it does not resolve, nil when all are loopback.
    static func firstNonLoopback(_ host: String) -> String? {
        if isNumeric(host) { return isLoopback(host) ? nil : host }
        let addresses = resolve(host)
        guard !addresses.isEmpty else { return "" }
        return addresses.first { !isLoopback($0) }
    }
}
