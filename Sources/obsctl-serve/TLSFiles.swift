import Foundation
import NIOSSL
import OBSCore
import OBSCrypto

#if canImport(Glibc)
import Glibc
#endif

/// The server's TLS material, checked before anything listens: every problem with --tls-cert or --tls-key (missing,
/// unreadable, not PEM, encrypted, not matching) is one configuration error naming the file and the fix, never a
/// TLS library error at the first handshake.
enum TLSFiles {
    /// PEM files larger than this are not a certificate chain or a key.
    static let maximumSize = 1 << 20

    static func configuration(_ certificate: String, _ privateKey: String) throws -> TLSConfiguration {
        let certificatePEM = try read(certificate, option: "--tls-cert", what: "a PEM certificate")
        let key = try read(privateKey, option: "--tls-key", what: "a PEM private key")
        let configuration = try configuration(
            certificatePEM: certificatePEM.copyBytes(), key: key, certificateName: "--tls-cert \(certificate)",
            keyName: "--tls-key \(privateKey)")
        warnIfExposed(privateKey)  // a key that is one: a refused file gets its error alone
        return configuration
    }

    /// A private key group or others may read is used (a mounted secret may be 0644), but said: whoever can read
    /// it can pose as the server. As for an SSE-C key file.
    static func warnIfExposed(_ path: String) {
        guard let mode = SecretFileExposure.readableMode(path) else { return }
        let line = "obsctl serve: warning: --tls-key \(path) can be read by its group or others (mode \(mode)); "
        FileHandle.standardError.write(Data((line + "chmod 600 it\n").utf8))
    }

    /// `certificateName` and `keyName` say in errors where the PEM texts came from.
    static func configuration(certificatePEM: [UInt8], key: SecretBytes, certificateName: String, keyName: String)
        throws -> TLSConfiguration
    {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificatePEM)
        } catch {
            chain = []
        }
        guard !chain.isEmpty else {
            throw OBSError.configuration(
                "\(certificateName) holds no PEM certificate: give the server's certificate (then any "
                    + "intermediates) as -----BEGIN CERTIFICATE----- blocks")
        }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try key.withUnsafeBytes { bytes in
                var copy = Array(bytes)
                defer { copy.withUnsafeMutableBytes { if let p = $0.baseAddress { explicit_bzero(p, $0.count) } } }
                if String(decoding: copy, as: UTF8.self).contains("ENCRYPTED") {
                    throw OBSError.configuration(
                        "\(keyName) is encrypted with a passphrase: give it unencrypted (openssl pkey -in KEY -out "
                            + "PLAIN.key) and keep that file 0600")
                }
                // A passphrase callback that gives none: BoringSSL must never prompt on a terminal.
                return try NIOSSLPrivateKey(bytes: copy, format: .pem) { (_: ([UInt8]) -> Void) in }
            }
        } catch let error as OBSError {
            throw error
        } catch {
            throw OBSError.configuration(
                "\(keyName) holds no PEM private key: give the unencrypted key (-----BEGIN PRIVATE KEY-----) that "
                    + "the certificate was made for")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        // The context checks that the key belongs to the first certificate.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw OBSError.configuration(
                "\(keyName) does not belong to the certificate in \(certificateName) (\(error)): give the key the "
                    + "certificate was made for, and the server's certificate first in the chain")
        }
        return configuration
    }

    /// The whole file, of sane size.
    static func read(_ path: String, option: String, what: String) throws -> SecretBytes {
        do {
            return try SmallFile.read(path, limit: maximumSize)
        } catch {
            throw OBSError.configuration("\(option) \(path) \(error.phrase): give the path of \(what)")
        }
    }
}
