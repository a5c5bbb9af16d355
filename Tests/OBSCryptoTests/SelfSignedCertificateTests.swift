import Foundation
import Testing
@testable import OBSCrypto

/// The certificates of `obsctl serve --tls-self-signed`, checked by real verifiers: the `openssl` command (or
/// X509_verify_cert when it is missing) and a Python `ssl` client and server doing real TLS handshakes.
struct SelfSignedCertificateTests {
    let now = Int64(Date().timeIntervalSince1970)

    @Test func serverCertificateVerifiesAgainstItsCAOnly() throws {
        let set = try SelfSignedCertificates.make(now: now)
        let dir = try CertificateFiles(set)
        defer { dir.remove() }
        let other = try CertificateFiles(try SelfSignedCertificates.make(now: now))
        defer { other.remove() }
        if let openssl = Tool.find("openssl") {
            let ok = try Tool.run(
                openssl, ["verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", dir.ca, dir.cert])
            #expect(ok.status == 0 && ok.output.contains("\(dir.cert): OK"), "\(ok.output)")
            // The check can fail: another run's CA did not sign this certificate.
            let wrong = try Tool.run(openssl, ["verify", "-CAfile", other.ca, dir.cert])
            #expect(wrong.status != 0, "\(wrong.output)")
        }
        // X509_verify_cert (what `inspect` runs), the same way.
        _ = try SelfSignedCertificates.inspect(set, now: now)
        let mixed = PEMCertificateSet(
            caCertificate: try other.text(other.ca), serverCertificate: set.serverCertificate,
            serverPrivateKey: set.serverPrivateKey)
        #expect(throws: CertificateError.self) { try SelfSignedCertificates.inspect(mixed, now: now) }
    }

    @Test func namesExtensionsAndValidityAreAsSpecified() throws {
        let extra = ["Host.Example.", "192.0.2.7", "[2001:db8::5]"]
        let set = try SelfSignedCertificates.make(extraHosts: extra, now: now)
        let info = try SelfSignedCertificates.inspect(set, now: now)
        #expect(info.hosts.dnsNames == ["localhost", "host.example"])
        #expect(info.hosts.ipAddresses == ["127.0.0.1", "::1", "192.0.2.7", "2001:db8::5"])
        #expect(info.notBefore == now - 3_600)
        #expect(info.notAfter == now + 30 * 86_400)

        // The same, as OpenSSL's own printer shows it.
        guard let openssl = Tool.find("openssl") else { return }
        let dir = try CertificateFiles(set)
        defer { dir.remove() }
        let server = try Tool.run(openssl, ["x509", "-in", dir.cert, "-noout", "-text"]).output
        #expect(
            server.contains(
                "DNS:localhost, DNS:host.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, "
                    + "IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:5"), "\(server)")
        #expect(server.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"))
        #expect(server.contains("X509v3 Extended Key Usage: \n                TLS Web Server Authentication"))
        #expect(server.contains("ASN1 OID: prime256v1"))
        #expect(server.contains("Signature Algorithm: ecdsa-with-SHA256"))
        #expect(server.contains("Version: 3 (0x2)"))
        let ca = try Tool.run(openssl, ["x509", "-in", dir.ca, "-noout", "-text"]).output
        #expect(ca.contains("X509v3 Basic Constraints: critical\n                CA:TRUE"), "\(ca)")
        #expect(ca.contains("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"))
        #expect(ca.contains("ASN1 OID: prime256v1"))
        let subject = try Tool.run(openssl, ["x509", "-in", dir.ca, "-noout", "-subject"]).output
        #expect(
            subject.range(of: #"^subject=CN ?= ?obsctl serve local CA [0-9a-f]{16}\n$"#, options: .regularExpression)
                != nil, "\(subject)")
    }

    @Test func everyRunHasNewKeysSerialsAndCA() throws {
        let a = try SelfSignedCertificates.make(now: now)
        let b = try SelfSignedCertificates.make(now: now)
        #expect(!a.serverPrivateKey.constantTimeEquals(b.serverPrivateKey))
        #expect(a.caCertificate != b.caCertificate)
        #expect(a.serverCertificate != b.serverCertificate)
        #expect(String(decoding: a.serverPrivateKey.copyBytes(), as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-"))
        guard let openssl = Tool.find("openssl") else { return }
        var serials = Set<String>()
        for set in [a, b] {
            let dir = try CertificateFiles(set)
            defer { dir.remove() }
            for file in [dir.ca, dir.cert] {
                let serial = try Tool.run(openssl, ["x509", "-in", file, "-noout", "-serial"]).output
                let hex = serial.dropFirst("serial=".count).trimmingCharacters(in: .whitespacesAndNewlines)
                // 128 random bits: 32 hex digits unless the top byte happens to be small.
                #expect(hex.count >= 24 && hex.count <= 34, "\(serial)")
                serials.insert(hex)
            }
            // The two keys of a run differ as well (CA key vs server key): the CA's key signed, the server's did not.
            let caKey = try Tool.run(openssl, ["x509", "-in", dir.ca, "-noout", "-pubkey"]).output
            let serverKey = try Tool.run(openssl, ["x509", "-in", dir.cert, "-noout", "-pubkey"]).output
            #expect(caKey != serverKey)
        }
        #expect(serials.count == 4)
    }

    @Test func descriptionsNeverShowTheKey() throws {
        let set = try SelfSignedCertificates.make(now: now)
        let keyText = String(decoding: set.serverPrivateKey.copyBytes(), as: UTF8.self)
        let body = keyText.split(separator: "\n")[1]
        for shown in ["\(set)", String(reflecting: set), "\(set.serverPrivateKey)"] {
            #expect(!shown.contains("PRIVATE KEY") && !shown.contains(body), "\(shown)")
        }
    }

    @Test func inspectRefusesSetsThatCannotServe() throws {
        let set = try SelfSignedCertificates.make(now: now)
        let other = try SelfSignedCertificates.make(now: now)
        func refused(_ s: PEMCertificateSet, at time: Int64, _ reason: String) {
            #expect(throws: CertificateError.self, "\(reason)") { try SelfSignedCertificates.inspect(s, now: time) }
        }
        refused(set, at: now + 31 * 86_400, "expired")
        refused(set, at: now - 2 * 3_600, "not yet valid")
        refused(
            PEMCertificateSet(
                caCertificate: set.caCertificate, serverCertificate: set.serverCertificate,
                serverPrivateKey: other.serverPrivateKey), at: now, "key of another set")
        refused(
            PEMCertificateSet(
                caCertificate: set.caCertificate, serverCertificate: set.caCertificate,
                serverPrivateKey: set.serverPrivateKey), at: now, "CA in place of the server certificate")
        refused(
            PEMCertificateSet(
                caCertificate: "junk", serverCertificate: set.serverCertificate,
                serverPrivateKey: set.serverPrivateKey), at: now, "no CA")
        refused(
            PEMCertificateSet(
                caCertificate: set.caCertificate, serverCertificate: set.serverCertificate,
                serverPrivateKey: SecretBytes(copying: Array("-----BEGIN PRIVATE KEY-----\n".utf8))), at: now,
            "broken key")
        // Within the validity, from the skew hour on, it is fine.
        #expect(try SelfSignedCertificates.inspect(set, now: now - 3_000).notAfter == now + 30 * 86_400)
    }

    @Test func extraHostsAreValidatedAndNormalized() throws {
        let hosts = try SelfSignedCertificates.hosts(extraHosts: ["API.example.", "[::1]", "0:0::1", "10.0.0.1", "x-1"])
        #expect(hosts.dnsNames == ["localhost", "api.example", "x-1"])
        #expect(hosts.ipAddresses == ["127.0.0.1", "::1", "10.0.0.1"])
        let bad = [
            "", ".", "bad host", "a..b", "-x.example", "x-.example", "*.example", "x_y.example", "127.1", "1.2.3.256",
            "fe80::1%eth0", "0.0.0.0", "[::]", "[10.0.0.1", "host,IP:1.2.3.4", "h\u{e9}te.example",
            String(repeating: "a", count: 64),
            String(repeating: "a.", count: 127) + "aa",
        ]
        for host in bad {
            #expect(throws: CertificateError.self, "\(host)") {
                try SelfSignedCertificates.make(extraHosts: [host], now: now)
            }
        }
    }

    /// Real TLS: a Python server with server.pem/server.key, clients that trust only ca.pem and check the name.
    @Test func pythonTLSClientsTrustTheCAForEveryName() throws {
        guard let python = Tool.find("python3") else {
            Issue.record("python3 is needed for the TLS handshake test")
            return
        }
        let dir = try CertificateFiles(try SelfSignedCertificates.make(now: now))
        defer { dir.remove() }
        let result = try Tool.run(python, ["-c", Self.handshakeScript, dir.ca, dir.cert, dir.key])
        #expect(result.status == 0, "\(result.output)")
        let lines = Set(result.output.split(separator: "\n").map(String.init))
        for expected in [
            "ok 127.0.0.1 localhost", "ok 127.0.0.1 127.0.0.1", "refused 127.0.0.1 other.example",
            "refused 127.0.0.1 10.9.9.9", "refused-without-ca 127.0.0.1 localhost",
        ] {
            #expect(lines.contains(expected), "\(result.output)")
        }
        if !lines.contains("no-ipv6-loopback") {
            #expect(lines.contains("ok ::1 ::1") && lines.contains("ok ::1 localhost"), "\(result.output)")
        }
    }

    /// argv: ca.pem server.pem server.key. One server thread per loopback address; every client has
    /// check_hostname and CERT_REQUIRED (the default of PROTOCOL_TLS_CLIENT) and OpenSSL's strict X.509 checks.
    static let handshakeScript = #"""
        import socket, ssl, sys, threading
        ca, cert, key = sys.argv[1:4]
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert, key)

        def serve(sock):
            while True:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return
                try:
                    with server_ctx.wrap_socket(conn, server_side=True) as tls:
                        tls.sendall(b"hello")
                except (ssl.SSLError, OSError):
                    pass

        def listen(family, host):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sock.listen(8)
            threading.Thread(target=serve, args=(sock,), daemon=True).start()
            return sock.getsockname()[1]

        def client(with_ca):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.verify_flags |= ssl.VERIFY_X509_STRICT
            if with_ca:
                ctx.load_verify_locations(cafile=ca)
            return ctx

        def attempt(family, addr, port, name, with_ca=True, label="refused"):
            with socket.socket(family, socket.SOCK_STREAM) as raw:
                raw.settimeout(300)  # a hang-breaker: a loaded machine may be slow
                raw.connect((addr, port))
                try:
                    with client(with_ca).wrap_socket(raw, server_hostname=name) as tls:
                        assert tls.recv(5) == b"hello"
                        print("ok", addr, name)
                except ssl.SSLCertVerificationError as e:
                    print(label, addr, name, "#", e.verify_message, file=sys.stderr)
                    print(label, addr, name)

        port4 = listen(socket.AF_INET, "127.0.0.1")
        for name in ["localhost", "127.0.0.1", "other.example", "10.9.9.9"]:
            attempt(socket.AF_INET, "127.0.0.1", port4, name)
        attempt(socket.AF_INET, "127.0.0.1", port4, "localhost", with_ca=False, label="refused-without-ca")
        try:
            port6 = listen(socket.AF_INET6, "::1")
        except OSError:
            print("no-ipv6-loopback")
        else:
            for name in ["::1", "localhost"]:
                attempt(socket.AF_INET6, "::1", port6, name)
        """#
}

/// A set written to a fresh temporary directory, as a client and a server would read it.
private struct CertificateFiles {
    let dir: String
    var ca: String { dir + "/ca.pem" }
    var cert: String { dir + "/server.pem" }
    var key: String { dir + "/server.key" }

    init(_ set: PEMCertificateSet) throws {
        dir = NSTemporaryDirectory() + "obsctl-cert-tests-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try set.caCertificate.write(toFile: ca, atomically: true, encoding: .utf8)
        try set.serverCertificate.write(toFile: cert, atomically: true, encoding: .utf8)
        try Data(set.serverPrivateKey.copyBytes()).write(to: URL(fileURLWithPath: key))
    }

    func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}

/// External programs the tests run: found on PATH, run to completion, stdout and stderr together.
enum Tool {
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
