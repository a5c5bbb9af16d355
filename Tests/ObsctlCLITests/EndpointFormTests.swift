import Foundation
import Testing

/// A region and an endpoint are checked by form before any request: a region becomes part of a host (`--region`
/// alone means https://obs.REGION.myhuaweicloud.com) and of every signature, so one holding `@`, `/` or `#` could
/// send signed requests elsewhere; an endpoint with a user, a fragment or a port that cannot be one would fail
/// later as a transient error (exit 11), or go elsewhere. Usage errors (exit 2) from flags and `config set`,
/// configuration errors (exit 12) from the environment and the profile; nothing is sent.
@Suite("regions and endpoints are checked by form, before any request")
struct EndpointFormTests {
    static let badRegions = ["x@127.0.0.1:9#", "a/b", "a%20b", "a b", "", String(repeating: "a", count: 65)]
    static let badEndpoints = [
        "https://127.0.0.1:99999", "https://127.0.0.1:0", "https://u:p@127.0.0.1:9000", "https://127.0.0.1:9000#f",
        "ftp://127.0.0.1", "https://127.0.0.1/path",
    ]

    @Test func badRegionsAreRefusedWherever() throws {
        let sb = try Sandbox.withExampleCredentials("region-form")
        for region in Self.badRegions {
            expectError(try sb.run(["ls", "--region", region]), 2, contains: ["region"])
            expectError(try sb.run(["config", "set", "region", region]), 2, contains: region.isEmpty ? [] : ["region"])
            let fromEnv = try sb.run(
                ["ls", "--endpoint", "http://127.0.0.1:9"], env: ["OBSCTL_REGION": region.isEmpty ? "a%b" : region])
            expectError(fromEnv, 12, contains: ["OBSCTL_REGION"])
        }
        #expect(!sb.exists("cfg/obsctl/config"), "config set wrote nothing")
        // Other servers name regions otherwise (MinIO's, Ceph's): kept in a profile and used with an endpoint;
        // only a host built from --region alone needs a region id.
        for region in ["US", "RegionOne", "us_east.1"] {
            try sb.ok(["config", "set", "region", region, "--profile", "p-\(region)"])
            let r = try sb.run(["ls", "--endpoint", "http://127.0.0.1:9", "--region", region, "--retries", "0"])
            #expect(r.status == 11 && !r.stderr.contains("region"), "refused only by the connection: \(r)")
        }
        expectError(try sb.run(["ls", "--region", "US"]), 2, contains: ["region id"])
        try sb.ok(["config", "set", "region", "cn-north-4"])
        try sb.ok(["bucket", "list"])  // the local store: a region in the profile changes nothing there
    }

    @Test func badEndpointsAreRefusedWherever() throws {
        let sb = try Sandbox.withExampleCredentials("endpoint-form")
        for endpoint in Self.badEndpoints {
            expectError(try sb.run(["ls", "--endpoint", endpoint]), 12, contains: ["http(s)://host[:port]"])
            expectError(try sb.run(["config", "set", "endpoint", endpoint]), 2, contains: ["http(s)://host[:port]"])
        }
        // A password in a refused endpoint is not repeated.
        for command in [
            ["ls", "--endpoint"], ["config", "set", "endpoint"], ["kms", "key", "list", "--kms-endpoint"],
        ] {
            let r = try sb.run(command + ["https://user:pa55word@127.0.0.1:9000"])
            #expect(r.status != 0 && !r.stderr.contains("pa55word") && r.stderr.contains("***@"), "\(r)")
        }
        // Nor where no credentials are found for it (checked before the endpoint's form), from a flag or the
        // environment.
        let bare = try Sandbox("endpoint-form-bare")
        for (command, variable) in [
            (["ls", "--endpoint"], "OBS_ENDPOINT"), (["kms", "key", "list", "--kms-endpoint"], "OBSCTL_KMS_ENDPOINT"),
        ] {
            let url = "http://u:pa55word@127.0.0.1:1"
            let byFlag = try bare.run(command + [url])
            bare.environment[variable] = url
            let byEnvironment = try bare.run(Array(command.dropLast()))
            bare.environment[variable] = nil
            for r in [byFlag, byEnvironment] {
                #expect(r.status == 12 && !r.stderr.contains("pa55word") && r.stderr.contains("***@"), "\(r)")
            }
        }
    }

    /// An IPv6 literal is bracketed once in the URL and the Host header (it was `[[::1]]`, which never connected).
    @Test(.enabled(if: OneAnswerServer.hasIPv6Loopback, "no IPv6 loopback (::1) on this machine"))
    func anIPv6EndpointIsReached() throws {
        let server = try OneAnswerServer()
        let sb = try Sandbox.withExampleCredentials("endpoint-ipv6")
        let r = try sb.run(["ls", "--endpoint", "http://[::1]:\(server.port)", "--retries", "0", "--output", "json"])
        #expect(r.succeeded, "\(r)")
        let request = server.received()
        #expect(request.hasPrefix("GET / HTTP/1.1\r\n"), "\(request)")
        #expect(request.lowercased().contains("\r\nhost: [::1]:\(server.port)\r\n"), "\(request)")
    }
}

/// A listener on ::1 that answers one request with an empty bucket listing, and keeps what it was sent.
final class OneAnswerServer: @unchecked Sendable {  // `request` only under `lock`
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var request = ""
    private let done = DispatchSemaphore(value: 0)

    /// Whether ::1 can be listened on (containers often have IPv6 off).
    static let hasIPv6Loopback: Bool = {
        listening().map {
            close($0.fd); return true
        } ?? false
    }()

    /// A socket listening on ::1 and its port, or nil.
    private static func listening() -> (fd: Int32, port: Int)? {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_addr = in6addr_loopback
        var len = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard bound else {
            close(fd)
            return nil
        }
        return (fd, Int(UInt16(bigEndian: addr.sin6_port)))
    }

    init() throws {
        let (fd, port) = try #require(Self.listening(), "no IPv6 loopback here")
        self.fd = fd
        self.port = port
        Thread.detachNewThread { [self] in
            defer { done.signal() }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !bytes.suffix(4).elementsEqual("\r\n\r\n".utf8) {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
            lock.withLock { request = String(decoding: bytes, as: UTF8.self) }
            let body = "<?xml version=\"1.0\"?><ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>"
            let answer =
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n\(body)"
            _ = answer.withCString { write(client, $0, strlen($0)) }
        }
    }

    deinit { close(fd) }

    /// What the one request sent, once answered (or after 30 s, when the listener is shut so that its thread ends).
    func received() -> String {
        if done.wait(timeout: .now() + 30) == .timedOut { shutdown(fd, Int32(SHUT_RDWR)) }
        return lock.withLock { request }
    }
}
