#if canImport(Glibc)
import Glibc
#endif

/// Whether an address is a loopback one (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104), decided on the address itself,
/// never on the spelling of a host name: `127.attacker.example` is a name like any other.
public enum LoopbackAddress {
    /// `ip` in numeric form (as libcurl reports the connected address, or an IP literal, brackets allowed).
    public static func isLoopback(_ ip: String) -> Bool {
        var text = ip
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return false }
        let b = withUnsafeBytes(of: &v6) { Array($0) }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }  // ::1
        return b[0..<10].allSatisfy { $0 == 0 } && b[10] == 0xff && b[11] == 0xff && b[12] == 127  // ::ffff:127.x
    }

    public static func isNumeric(_ host: String) -> Bool {
        var text = host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
