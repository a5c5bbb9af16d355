import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `obsctl serve` over HTTPS: --tls-self-signed (a CA under the store, printed for clients) and --tls-cert/--tls-key
/// (checked before listening, every problem one configuration error).
@Suite("serve TLS", .serialized)
struct ServeTLSTests {
    @Test func selfSignedIsVerifiedByThePrintedCA() throws {
        let sb = try Sandbox("serve-selfsigned")
        let server = try ServeProcess(sb, tls: true)
        #expect(server.endpoint.hasPrefix("https://127.0.0.1:"), "\(server.ready)")
        let ca = try #require(server.caBundle, "ca_bundle in \(server.ready)")
        #expect(ca == sb.root + "/serve/tls/ca.pem")
        var st = stat()
        #expect(stat(sb.root + "/serve/tls/server.key", &st) == 0 && st.st_mode & 0o777 == 0o600)
        let verified = try server.curl([server.endpoint + "/"], sign: true)
        #expect(verified.succeeded && verified.stdout.contains("ListAllMyBucketsResult"), "\(verified)")
        // localhost is named too.
        let byName = try server.curl(["https://localhost:\(server.port)/"], sign: true)
        #expect(byName.succeeded && byName.stdout.contains("ListAllMyBucketsResult"), "\(byName)")
        // Without the CA the certificate is not trusted (curl's exit 60): it really is the CA that vouches.
        let untrusted = try Tools.run(["curl", "-sS", "--max-time", "10", server.endpoint + "/"], timeout: 20)
        #expect(untrusted.status == 60, "\(untrusted)")
        let caBytes = try #require(FileManager.default.contents(atPath: ca))
        expectSuccess(server.stop())
        // A restart keeps the CA: clients that pinned it keep working.
        let again = try ServeProcess(sb, tls: true)
        #expect(FileManager.default.contents(atPath: ca) == caBytes, "the CA is reused across restarts")
        let still = try again.curl([again.endpoint + "/"], sign: true)
        #expect(still.succeeded, "\(still)")
        expectSuccess(again.stop())
    }

    @Test("http:// to the TLS port: the empty reply says to give https://, and nothing is created")
    func plainHTTPToTheTLSPort() throws {
        let sb = try Sandbox("serve-tls-plain")
        let server = try ServeProcess(sb, tls: true)
        let client = try ServeAnswersTests.client(server, "tls-plain")
        let plain = server.endpoint.replacingOccurrences(of: "https://", with: "http://")
        let r = try client.run(["--endpoint", plain, "--retries", "1", "bucket", "create", "obs://plain-port"])
        #expect(r.status == 11 && r.stderr.contains("https://"), "\(r)")
        let list = try client.ok([
            "--endpoint", server.endpoint, "--ca-bundle", server.caBundle ?? "", "bucket", "list",
        ])
        #expect(!list.out.contains("plain-port"), "\(list)")
        expectSuccess(server.stop())
    }

    @Test(.enabled(if: NonLoopback.ipv4 != nil, "this machine has no non-loopback IPv4 address"))
    func selfSignedNamesANonLoopbackListenAddress() throws {
        let address = try #require(NonLoopback.ipv4)
        let sb = try Sandbox("serve-selfsigned-ip")
        let server = try ServeProcess(sb, listen: "\(address):0", tls: true)
        #expect(server.endpoint == "https://\(address):\(server.port)", "\(server.ready)")
        let verified = try server.curl([server.endpoint + "/"], sign: true)
        #expect(verified.succeeded && verified.stdout.contains("ListAllMyBucketsResult"), "\(verified)")
        expectSuccess(server.stop())
    }

    @Test func certificateAndKeyFiles() throws {
        let sb = try Sandbox("serve-tlsfiles")
        let m = try Self.material(sb)
        let server = try ServeProcess(sb, arguments: ["--tls-cert", m.cert, "--tls-key", m.key])
        #expect(server.endpoint.hasPrefix("https://") && server.ready["ca_bundle"] is NSNull, "\(server.ready)")
        let verified = try server.curl(["--cacert", m.ca, server.endpoint + "/"], sign: true)
        #expect(verified.succeeded && verified.stdout.contains("ListAllMyBucketsResult"), "\(verified)")
        let stopped = server.stop()
        expectSuccess(stopped)
        #expect(!stopped.stderr.contains("warning"), "\(stopped)")
        // A key others can read is used, with a warning (as an SSE-C key file is).
        chmod(m.key, 0o644)
        let exposed = try ServeProcess(sb, arguments: ["--tls-cert", m.cert, "--tls-key", m.key])
        let r = exposed.stop()
        expectSuccess(r)
        #expect(
            r.stderr.contains("warning: --tls-key \(m.key) can be read by its group or others (mode 0644); chmod 600"),
            "\(r)")
    }

    @Test func badCertificateOrKeyFilesAreOneConfigurationError() throws {
        let sb = try Sandbox("serve-tlsbad")
        let m = try Self.material(sb)
        let notPEM = try sb.write("not.pem", Data("hello\n".utf8))
        let empty = try sb.write("empty.pem", Data())
        let cases: [([String], [String])] = [
            (
                ["--tls-cert", sb.path("missing.pem"), "--tls-key", m.key],
                ["--tls-cert", "missing.pem", "does not exist"]
            ),
            (
                ["--tls-cert", m.cert, "--tls-key", sb.path("missing.key")],
                ["--tls-key", "missing.key", "does not exist"]
            ),
            (["--tls-cert", sb.dir.path, "--tls-key", m.key], ["--tls-cert", "is a directory"]),
            (["--tls-cert", "/dev/zero", "--tls-key", m.key], ["--tls-cert", "is a device"]),
            (["--tls-cert", empty, "--tls-key", m.key], ["--tls-cert", "empty"]),
            (["--tls-cert", notPEM, "--tls-key", m.key], ["--tls-cert", "no PEM certificate"]),
            (["--tls-cert", m.cert, "--tls-key", notPEM], ["--tls-key", "no PEM private key"]),
            (["--tls-cert", m.cert, "--tls-key", m.otherKey], ["--tls-key", "does not belong", "--tls-cert"]),
            (["--tls-cert", m.cert, "--tls-key", m.encryptedKey], ["--tls-key", "encrypted", "openssl pkey"]),
        ]
        for (arguments, words) in cases {
            let r = try sb.run(["serve", "--listen", "127.0.0.1:0"] + arguments)
            expectError(r, 12, contains: words)
            // Read before anything is made: no store, no generated pair.
            #expect(!sb.exists("root"), "a refused start made the store: \(arguments)")
        }
        if geteuid() != 0 {  // root reads any file
            let unreadable = try sb.write("unreadable.pem", Data("x".utf8), mode: 0o000)
            let r = try sb.run(["serve", "--listen", "127.0.0.1:0", "--tls-cert", unreadable, "--tls-key", m.key])
            expectError(r, 12, contains: ["permission denied"])
        }
        let half = try sb.run(["serve", "--listen", "127.0.0.1:0", "--tls-cert", m.cert])
        expectError(half, 2, contains: ["--tls-key"])
    }

    // MARK: Helpers

    struct Material {
        var ca: String
        var cert: String
        var key: String
        var otherKey: String
        var encryptedKey: String
    }

    /// A CA, a server certificate for 127.0.0.1 and localhost signed by it, its key, an unrelated key, and the
    /// server key encrypted with a passphrase (openssl).
    static func material(_ sb: Sandbox) throws -> Material {
        let d = sb.path("tls")
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(d)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
              -days 2 -subj "/CN=serve test CA" -addext "basicConstraints=critical,CA:TRUE" \
              -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key \
              -out server.csr -subj "/CN=localhost" 2>/dev/null
            printf '%s\\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "extendedKeyUsage=serverAuth" > server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
              -extfile server.ext 2>/dev/null
            openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:prime256v1 -out other.key 2>/dev/null
            openssl pkey -in server.key -aes256 -passout pass:secret-pass -out encrypted.key 2>/dev/null
            chmod 600 ca.key server.key other.key encrypted.key
            """
        let r = try Tools.run(["sh", "-c", script], timeout: 60)
        try #require(r.succeeded, "openssl failed: \(r)")
        return Material(
            ca: d + "/ca.pem", cert: d + "/server.pem", key: d + "/server.key", otherKey: d + "/other.key",
            encryptedKey: d + "/encrypted.key")
    }
}
