import Foundation
import OBSCore
import OBSCrypto

/// The files of `obsctl serve --tls-self-signed` in one directory (see `LocalPaths.selfSignedTLSDir`):
///
///     ca.pem       the throw-away CA, for clients (--ca-bundle)            0644 (less if the umask says so)
///     server.pem   the server certificate the CA signed                     0644 (less if the umask says so)
///     server.key   its private key, PKCS#8 PEM                              0600, created so from the start
///     .lock        serializes preparers (two servers starting at once)
///
/// A set is reused while it has more than a day left and covers exactly the names asked for, so a client that
/// pinned ca.pem keeps working across restarts; otherwise a new CA and certificate replace it.
public enum SelfSignedCertificateFiles {
    public static let caFileName = "ca.pem"
    public static let certificateFileName = "server.pem"
    public static let keyFileName = "server.key"
    /// A set with this little validity left is replaced, so a server started now keeps a valid certificate for a
    /// day at least.
    public static let minimumRemainingSeconds: Int64 = 86_400
    /// Larger files are not a set this code wrote (a certificate is about 700 bytes).
    static let maximumFileSize = 64 * 1024

    public struct Prepared: Sendable {
        public let caPath: String
        public let certificatePath: String
        public let keyPath: String
        /// The same contents as the files, for a TLS stack that takes PEM bytes.
        public let certificates: PEMCertificateSet
        public let hosts: CertificateHosts
        /// When the first of the two certificates expires.
        public let notAfter: Date
        /// True when the set on disk was kept, false when a new one was written.
        public let reused: Bool
    }

    /// Returns the set in `directory` (created 0700 if missing), reused or replaced as described above.
    /// `extraHosts`: names and addresses beyond localhost, 127.0.0.1 and ::1; an invalid one is a usage error.
    public static func prepare(in directory: String, extraHosts: [String] = [], now: Date = Date()) throws -> Prepared {
        let wanted: CertificateHosts
        do {
            wanted = try SelfSignedCertificates.hosts(extraHosts: extraHosts)
        } catch let error as CertificateError {
            throw OBSError.invalidArgument("TLS certificate host \(error)")
        }
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        try FileIO.makeDirectories(directory)
        let paths = (
            ca: directory + "/" + caFileName, cert: directory + "/" + certificateFileName,
            key: directory + "/" + keyFileName
        )
        return try FileLock.withLock(directory + "/.lock") {
            FileIO.sweepAbandonedTemps(directory)
            if let existing = try read(ca: paths.ca, cert: paths.cert, key: paths.key),
                let info = try? SelfSignedCertificates.inspect(existing, now: nowSeconds),
                info.hosts == wanted, info.notAfter - nowSeconds > minimumRemainingSeconds
            {
                return Prepared(
                    caPath: paths.ca, certificatePath: paths.cert, keyPath: paths.key, certificates: existing,
                    hosts: info.hosts, notAfter: Date(timeIntervalSince1970: TimeInterval(info.notAfter)),
                    reused: true)
            }
            let set: PEMCertificateSet
            do {
                set = try SelfSignedCertificates.make(extraHosts: extraHosts, now: nowSeconds)
            } catch {
                throw OBSError.localIO("cannot make a self-signed TLS certificate: \(error)")
            }
            // The key first and the CA last: a client reading ca.pem meanwhile gets the old CA or the new one
            // whole (each rename is atomic), and the server returns the new set from memory.
            var key = set.serverPrivateKey.copyBytes()
            defer { key.withUnsafeMutableBytes { wipe($0) } }
            try FileIO.atomicWrite(key, to: paths.key, mode: 0o600)
            try FileIO.atomicWrite(Array(set.serverCertificate.utf8), to: paths.cert, mode: 0o644)
            try FileIO.atomicWrite(Array(set.caCertificate.utf8), to: paths.ca, mode: 0o644)
            return Prepared(
                caPath: paths.ca, certificatePath: paths.cert, keyPath: paths.key, certificates: set, hosts: wanted,
                notAfter: Date(
                    timeIntervalSince1970: TimeInterval(nowSeconds + SelfSignedCertificates.validitySeconds)),
                reused: false)
        }
    }

    /// The set on disk; nil when a file is missing, too large, or the key file is open to group or others or not
    /// ours (a key that others could read is not reused: it may be known).
    private static func read(ca: String, cert: String, key: String) throws -> PEMCertificateSet? {
        guard let caText = try readSmall(ca, secret: false), let certText = try readSmall(cert, secret: false),
            let keyBytes = try readSmall(key, secret: true)
        else { return nil }
        return PEMCertificateSet(
            caCertificate: String(decoding: caText.copyBytes(), as: UTF8.self),
            serverCertificate: String(decoding: certText.copyBytes(), as: UTF8.self), serverPrivateKey: keyBytes)
    }

    /// Into `SecretBytes` even for the certificates: one reader, and the key never passes through an array.
    private static func readSmall(_ path: String, secret: Bool) throws -> SecretBytes? {
        guard let fd = try FileIO.openRegular(path) else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileIO.ioError("stat", path) }
        if secret && (st.st_mode & 0o077 != 0 || st.st_uid != geteuid()) { return nil }
        guard st.st_size > 0, st.st_size <= maximumFileSize else { return nil }
        let out = SecretBytes(count: Int(st.st_size))
        var filled = 0
        try out.withUnsafeMutableBytes { buf in
            while filled < buf.count {
                let n = Foundation.read(fd, buf.baseAddress! + filled, buf.count - filled)
                if n < 0 { if errno == EINTR { continue }; throw FileIO.ioError("read", path) }
                if n == 0 { break }
                filled += n
            }
        }
        return filled == out.count ? out : nil
    }
}
