import Foundation
import OBSCore
import OBSCrypto
import Testing
@testable import OBSLocalBackend

/// The files of `obsctl serve --tls-self-signed`: modes, reuse across restarts, replacement when the set would not
/// serve (expiring, other names, damaged, a key others could read).
struct SelfSignedCertificateFilesTests {
    let now = Date()

    private func prepare(
        _ dir: String, _ extraHosts: [String] = [], at time: Date? = nil
    ) throws -> SelfSignedCertificateFiles.Prepared {
        try SelfSignedCertificateFiles.prepare(in: dir, extraHosts: extraHosts, now: time ?? now)
    }

    private func mode(_ path: String) -> mode_t {
        var st = stat()
        #expect(lstat(path, &st) == 0, "\(path)")
        return st.st_mode & 0o7777
    }

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func writesTheSetWithItsModes() throws {
        let store = try makeTempDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: store) }
        let dir = LocalPaths(root: store).selfSignedTLSDir
        let p = try prepare(dir)
        #expect(!p.reused)
        #expect(p.caPath == dir + "/ca.pem" && p.certificatePath == dir + "/server.pem")
        #expect(p.keyPath == dir + "/server.key")
        #expect(mode(p.keyPath) == 0o600)
        let mask = ProcessUmask.current()  // read without setting it: umask(2) would race with parallel tests
        #expect(mode(p.caPath) == 0o644 & ~mask && mode(p.certificatePath) == 0o644 & ~mask)
        #expect(mode(dir) == 0o700)
        #expect(try read(p.caPath) == p.certificates.caCertificate)
        #expect(try read(p.certificatePath) == p.certificates.serverCertificate)
        #expect(
            Array(try Data(contentsOf: URL(fileURLWithPath: p.keyPath))) == p.certificates.serverPrivateKey.copyBytes())
        #expect(p.hosts == (try SelfSignedCertificates.hosts()))
        #expect(abs(p.notAfter.timeIntervalSince(now) - 30 * 86_400) < 2)
        // Nothing else is left behind: no temporary files.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == [".lock", "ca.pem", "server.key", "server.pem"])
    }

    @Test func aRestartReusesTheSetUntilItHasADayLeft() throws {
        let dir = try makeTempDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try prepare(dir)
        let again = try prepare(dir, at: now.addingTimeInterval(3_600))
        #expect(again.reused)
        #expect(again.certificates.caCertificate == first.certificates.caCertificate)
        #expect(again.certificates.serverPrivateKey.constantTimeEquals(first.certificates.serverPrivateKey))
        #expect(try read(again.caPath) == first.certificates.caCertificate)
        // 28 days on, 2 days are left: still reused. 29.5 days on, half a day: replaced. Expired: replaced.
        #expect(try prepare(dir, at: now.addingTimeInterval(28 * 86_400)).reused)
        let late = try prepare(dir, at: now.addingTimeInterval(29.5 * 86_400))
        #expect(!late.reused)
        #expect(late.certificates.caCertificate != first.certificates.caCertificate)
        #expect(try read(late.caPath) == late.certificates.caCertificate)
        #expect(try prepare(dir, at: now.addingTimeInterval(29.5 * 86_400 + 60)).reused)
        let expired = try prepare(dir, at: now.addingTimeInterval(90 * 86_400))
        #expect(!expired.reused)
        #expect(mode(expired.keyPath) == 0o600)
    }

    @Test func otherNamesGetANewSet() throws {
        let dir = try makeTempDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = try prepare(dir)
        let named = try prepare(dir, ["host.example", "192.0.2.9"])
        #expect(!named.reused)
        #expect(named.hosts.dnsNames == ["localhost", "host.example"])
        #expect(named.hosts.ipAddresses == ["127.0.0.1", "::1", "192.0.2.9"])
        #expect(named.certificates.caCertificate != plain.certificates.caCertificate)
        // The same names in another spelling are the same names.
        #expect(try prepare(dir, ["192.0.2.9", "HOST.example.", "localhost"]).reused)
        // Fewer names than the set has: a new set (it covers exactly what is asked).
        #expect(!(try prepare(dir)).reused)
    }

    @Test func aDamagedSetOrAnExposedKeyIsReplaced() throws {
        let dir = try makeTempDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try prepare(dir)

        chmod(first.keyPath, 0o644)
        let afterChmod = try prepare(dir)
        #expect(!afterChmod.reused, "a key that others could read must not be reused")
        #expect(mode(afterChmod.keyPath) == 0o600)

        // The key of another set.
        let stranger = try SelfSignedCertificates.make(now: Int64(now.timeIntervalSince1970))
        try Data(stranger.serverPrivateKey.copyBytes()).write(to: URL(fileURLWithPath: first.keyPath))
        chmod(first.keyPath, 0o600)
        #expect(!(try prepare(dir)).reused)

        // A CA that did not sign the certificate.
        try stranger.caCertificate.write(toFile: first.caPath, atomically: false, encoding: .utf8)
        #expect(!(try prepare(dir)).reused)

        // Truncated, missing, empty.
        try "-----BEGIN CERTIFICATE-----\nMIIB".write(toFile: first.certificatePath, atomically: false, encoding: .utf8)
        #expect(!(try prepare(dir)).reused)
        unlink(first.caPath)
        #expect(!(try prepare(dir)).reused)
        try "".write(toFile: first.keyPath, atomically: false, encoding: .utf8)
        let last = try prepare(dir)
        #expect(!last.reused)
        #expect(try prepare(dir).reused)
        #expect(try read(last.caPath) == last.certificates.caCertificate)
    }

    @Test func aBadHostIsAUsageErrorAndWritesNothing() throws {
        let store = try makeTempDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: store) }
        let dir = store + "/serve/tls"
        for host in ["bad host", "*.example", "127.1", "a,IP:10.0.0.1"] {
            do {
                _ = try prepare(dir, [host])
                Issue.record("\(host) was accepted")
            } catch let error as OBSError {
                #expect(error.category == .usage)
                #expect(error.message.contains("'\(host)' is not an IP address or a DNS host name"), "\(error)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func serversStartingTogetherShareOneSet() async throws {
        let dir = try makeTempDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = self.now
        let results = try await withThrowingTaskGroup(of: SelfSignedCertificateFiles.Prepared.self) { group in
            for _ in 0..<6 {
                group.addTask { try SelfSignedCertificateFiles.prepare(in: dir, now: now) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { !$0.reused }.count == 1)
        #expect(Set(results.map(\.certificates.caCertificate)).count == 1)
        #expect(try read(dir + "/ca.pem") == results[0].certificates.caCertificate)
    }
}
