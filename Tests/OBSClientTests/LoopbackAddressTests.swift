import OBSCore
import Testing
@testable import OBSClient

/// The address test behind the HTTPS rule (SSE-C and SSE-KMS over plain HTTP go to loopback only): decided on the
/// numeric address, never on how a name is spelled; anything it cannot read as loopback is refused.
@Suite("loopback addresses")
struct LoopbackAddressTests {
    @Test(
        "loopback: 127.0.0.0/8, ::1 and IPv4-mapped 127.x, with brackets or a zone id",
        arguments: [
            "127.0.0.1", "127.255.255.254", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1",
            "::ffff:127.0.0.1", "[::ffff:127.0.0.2]", "::1%lo",
        ])
    func loopback(_ ip: String) {
        #expect(LoopbackAddress.isLoopback(ip))
        // As an endpoint host a zone id is not read as numeric: refused up front ("does not resolve"), the safe side.
        if !ip.contains("%") { #expect(LoopbackAddress.firstNonLoopback(ip) == nil) }
    }

    @Test(
        "not loopback: other addresses, the unspecified ones, short forms and names that merely look like one",
        arguments: [
            "10.0.0.1", "192.0.2.2", "128.0.0.1", "0.0.0.0", "::", "::2", "::ffff:10.0.0.1",
            "::ffff:128.0.0.1", "fe80::1%lo", "127.1", "0x7f.0.0.1", "127.0.0.1.", "127.attacker.example",
            "localhost.attacker.example", "", "[127.0.0.1]x",
        ])
    func notLoopback(_ ip: String) {
        #expect(!LoopbackAddress.isLoopback(ip))
    }

    @Test("a literal non-loopback address is named as such; localhost resolves to loopback only")
    func firstNonLoopback() {
        #expect(LoopbackAddress.firstNonLoopback("192.0.2.2") == "192.0.2.2")
        #expect(LoopbackAddress.firstNonLoopback("[::ffff:10.0.0.1]") == "[::ffff:10.0.0.1]")
        #expect(LoopbackAddress.firstNonLoopback("localhost") == nil)
        #expect(LoopbackAddress.firstNonLoopback("no-such-host.invalid") == "")
    }
}
