import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CA certificate, a server certificate it signed, and the server's private key, all PEM. The key is PKCS#8 PEM
/// text held as `SecretBytes`: wiped when released and redacted in `description`.
public struct PEMCertificateSet: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let caCertificate: String
    public let serverCertificate: String
    public let serverPrivateKey: SecretBytes

    public init(caCertificate: String, serverCertificate: String, serverPrivateKey: SecretBytes) {
        self.caCertificate = caCertificate
        self.serverCertificate = serverCertificate
        self.serverPrivateKey = serverPrivateKey
    }

    public var description: String {
        "PEMCertificateSet(caCertificate: \(caCertificate.utf8.count) bytes, serverCertificate: "
            + "\(serverCertificate.utf8.count) bytes, serverPrivateKey: \(serverPrivateKey))"
    }
    public var debugDescription: String { description }
}

/// The names a server certificate covers, normalized: DNS names in lower case without a trailing dot, IP addresses
/// in their canonical text form (inet_ntop), so "0:0::1" and "::1" are the same address.
public struct CertificateHosts: Sendable, Equatable, CustomStringConvertible {
    public let dnsNames: Set<String>
    public let ipAddresses: Set<String>

    public init(dnsNames: Set<String>, ipAddresses: Set<String>) {
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
    }

    public var description: String {
        (dnsNames.sorted().map { "DNS:\($0)" } + ipAddresses.sorted().map { "IP:\($0)" }).joined(separator: ", ")
    }
}

/// What `SelfSignedCertificates.inspect` found in a set that verified. Times are seconds since 1970 (this module
/// stays Foundation-free); `notBefore`/`notAfter` span the period in which both certificates are valid.
public struct CertificateSetInfo: Sendable, Equatable {
    public let hosts: CertificateHosts
    public let notBefore: Int64
    public let notAfter: Int64
}

public enum CertificateError: Error, Equatable, CustomStringConvertible {
    /// An extra host that is neither an IP address nor a valid DNS name.
    case invalidHost(String, reason: String)
    /// A stored set that cannot be used (does not parse, does not verify, key does not match).
    case unusable(String)

    public var description: String {
        switch self {
        case .invalidHost(let host, let reason):
            return "'\(host)' is not an IP address or a DNS host name (\(reason)); give a name such as "
                + "'host.example' or an address such as '192.0.2.1' or '::1'"
        case .unusable(let why): return "the certificate set is unusable: \(why)"
        }
    }
}

/// Throw-away certificates for `obsctl serve --tls-self-signed`: a CA that exists only to sign one server
/// certificate, so that clients can trust that CA file (`--ca-bundle`) instead of turning verification off.
public enum SelfSignedCertificates {
    /// The names every server certificate covers.
    public static let defaultHosts = ["localhost", "127.0.0.1", "::1"]
    /// Validity of both certificates.
    public static let validitySeconds: Int64 = 30 * 86_400
    /// How far in the past the server certificate's notBefore lies, for clients whose clock runs behind.
    public static let clockSkewSeconds: Int64 = 3_600

    /// A new CA (EC P-256, CA:TRUE, keyCertSign, valid 30 days, random 128-bit serial, subject "obsctl serve local
    /// CA <random id>") and a server certificate it signs (EC P-256, subjectAltName for `defaultHosts` plus
    /// `extraHosts`, extendedKeyUsage serverAuth, CA:FALSE, valid 30 days from 1 hour before `now`).
    /// The CA's private key is freed before this returns: nothing can be signed with that CA later.
    /// `now`: seconds since 1970.
    public static func make(extraHosts: [String] = [], now: Int64) throws -> PEMCertificateSet {
        let hosts = try orderedHosts(extraHosts)
        let caKey = try generateKey()
        defer { EVP_PKEY_free(caKey) }
        let serverKey = try generateKey()
        defer { EVP_PKEY_free(serverKey) }

        let caName = "obsctl serve local CA " + Hex.encode(Random.bytes(8))
        let ca = try newCertificate(
            subject: caName, issuer: nil, publicKey: caKey, notBefore: now - clockSkewSeconds,
            notAfter: now + validitySeconds)
        defer { X509_free(ca) }
        try addExtensions(
            to: ca, issuer: ca,
            [
                (NID_basic_constraints, "critical,CA:TRUE,pathlen:0"),
                (NID_key_usage, "critical,keyCertSign,cRLSign"),
                (NID_subject_key_identifier, "hash"),
            ])
        try sign(ca, with: caKey)

        let server = try newCertificate(
            subject: "localhost", issuer: ca, publicKey: serverKey, notBefore: now - clockSkewSeconds,
            notAfter: now + validitySeconds)
        defer { X509_free(server) }
        try addExtensions(
            to: server, issuer: ca,
            [
                (NID_basic_constraints, "critical,CA:FALSE"),
                (NID_key_usage, "critical,digitalSignature"),
                (NID_ext_key_usage, "serverAuth"),
                (NID_subject_alt_name, subjectAltName(hosts)),
                (NID_subject_key_identifier, "hash"),
                (NID_authority_key_identifier, "keyid:always"),
            ])
        try sign(server, with: caKey)

        return PEMCertificateSet(
            caCertificate: try pem(ca), serverCertificate: try pem(server),
            serverPrivateKey: try privateKeyPEM(serverKey))
    }

    /// Checks that `set` is usable at `now`: both certificates parse, the server certificate verifies against the
    /// CA (alone as trust anchor, for TLS server use, with OpenSSL's strict X.509 checks) at `now`, and the private
    /// key is the server certificate's. Returns the names it covers and when it expires; throws
    /// `CertificateError.unusable` otherwise.
    public static func inspect(_ set: PEMCertificateSet, now: Int64) throws -> CertificateSetInfo {
        let ca = try readCertificate(set.caCertificate, what: "CA certificate")
        defer { X509_free(ca) }
        let server = try readCertificate(set.serverCertificate, what: "server certificate")
        defer { X509_free(server) }
        let key = try readPrivateKey(set.serverPrivateKey)
        defer { EVP_PKEY_free(key) }
        guard X509_check_private_key(server, key) == 1 else {
            ERR_clear_error()
            throw CertificateError.unusable("the private key does not belong to the server certificate")
        }
        try verify(server, against: ca, at: now)
        return CertificateSetInfo(
            hosts: try subjectAltNames(server),
            notBefore: max(try time(X509_get0_notBefore(ca)), try time(X509_get0_notBefore(server))),
            notAfter: min(try time(X509_get0_notAfter(ca)), try time(X509_get0_notAfter(server))))
    }

    /// `defaultHosts` plus `extraHosts`, validated and normalized. An extra host may be an IPv4 or IPv6 address
    /// (IPv6 also in brackets) or a DNS name (letters, digits, hyphens; no wildcard, no trailing label of digits).
    public static func hosts(extraHosts: [String] = []) throws -> CertificateHosts {
        let (dns, ips) = try orderedHosts(extraHosts)
        return CertificateHosts(dnsNames: Set(dns), ipAddresses: Set(ips))
    }

    /// The names in the order given (defaults first), without repeats.
    private static func orderedHosts(_ extraHosts: [String]) throws -> (dns: [String], ips: [String]) {
        var dns: [String] = [], ips: [String] = []
        for raw in defaultHosts + extraHosts {
            if let ip = canonicalIP(raw) {
                // What a server binds to for "every address"; no client connects to it, so no certificate names it.
                if ip == "0.0.0.0" || ip == "::" {
                    throw CertificateError.invalidHost(raw, reason: "the unspecified address, which clients cannot use")
                }
                if !ips.contains(ip) { ips.append(ip) }
            } else {
                let name = try dnsName(raw)
                if !dns.contains(name) { dns.append(name) }
            }
        }
        return (dns, ips)
    }

    // MARK: - Making

    private static func generateKey() throws -> OpaquePointer {
        guard let key = oc_ec_p256_keygen() else { throw failure("EVP_PKEY_Q_keygen(EC P-256)") }
        return key
    }

    /// A version 3 certificate with a random serial, `subject` as its common name, and the issuer's subject as its
    /// issuer (its own when `issuer` is nil). The caller frees it.
    private static func newCertificate(
        subject: String, issuer: OpaquePointer?, publicKey: OpaquePointer, notBefore: Int64, notAfter: Int64
    ) throws -> OpaquePointer {
        guard let cert = X509_new() else { throw failure("X509_new") }
        do {
            guard X509_set_version(cert, Int(X509_VERSION_3)) == 1 else { throw failure("X509_set_version") }
            try setRandomSerial(cert)
            guard let name = X509_NAME_new() else { throw failure("X509_NAME_new") }
            defer { X509_NAME_free(name) }
            guard X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, subject, -1, -1, 0) == 1,
                X509_set_subject_name(cert, name) == 1,
                X509_set_issuer_name(cert, issuer.map { X509_get_subject_name($0) } ?? name) == 1
            else { throw failure("X509_set_subject_name") }
            guard ASN1_TIME_set(X509_getm_notBefore(cert), time_t(notBefore)) != nil,
                ASN1_TIME_set(X509_getm_notAfter(cert), time_t(notAfter)) != nil
            else { throw failure("ASN1_TIME_set") }
            guard X509_set_pubkey(cert, publicKey) == 1 else { throw failure("X509_set_pubkey") }
            return cert
        } catch {
            X509_free(cert)
            throw error
        }
    }

    /// 128 random bits; RFC 5280 allows up to 20 octets, and a serial that is not unique per CA would confuse
    /// clients that cache by issuer and serial.
    private static func setRandomSerial(_ cert: OpaquePointer) throws {
        var bytes = Random.bytes(16)
        if bytes.allSatisfy({ $0 == 0 }) { bytes[15] = 1 }  // a serial must be positive
        guard let bn = BN_bin2bn(bytes, Int32(bytes.count), nil) else { throw failure("BN_bin2bn") }
        defer { BN_free(bn) }
        guard BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nil else {
            throw failure("BN_to_ASN1_INTEGER")
        }
    }

    private static func addExtensions(
        to cert: OpaquePointer, issuer: OpaquePointer, _ extensions: [(Int32, String)]
    ) throws {
        for (nid, value) in extensions where oc_x509_add_ext(cert, issuer, nid, value) != 1 {
            throw failure("X509V3_EXT_conf_nid(\(String(cString: OBJ_nid2sn(nid))))")
        }
    }

    private static func sign(_ cert: OpaquePointer, with key: OpaquePointer) throws {
        guard X509_sign(cert, key, EVP_sha256()) > 0 else { throw failure("X509_sign") }
    }

    /// openssl.cnf syntax; `orderedHosts` validated every name, so none holds a comma or a colon that would change
    /// its meaning.
    private static func subjectAltName(_ hosts: (dns: [String], ips: [String])) -> String {
        (hosts.dns.map { "DNS:\($0)" } + hosts.ips.map { "IP:\($0)" }).joined(separator: ",")
    }

    private static func pem(_ cert: OpaquePointer) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw failure("BIO_new") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_X509(bio, cert) == 1 else { throw failure("PEM_write_bio_X509") }
        var data: UnsafePointer<CChar>?
        let n = oc_bio_mem_data(bio, &data)
        guard n > 0, let data else { throw failure("BIO_get_mem_data") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
    }

    /// PKCS#8 PEM, written through a secure-heap BIO (cleared when freed) straight into `SecretBytes`.
    private static func privateKeyPEM(_ key: OpaquePointer) throws -> SecretBytes {
        guard let bio = BIO_new(BIO_s_secmem()) else { throw failure("BIO_new") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else {
            throw failure("PEM_write_bio_PrivateKey")
        }
        var data: UnsafePointer<CChar>?
        let n = oc_bio_mem_data(bio, &data)
        guard n > 0, let data else { throw failure("BIO_get_mem_data") }
        return SecretBytes(copying: UnsafeRawBufferPointer(start: data, count: n))
    }

    // MARK: - Reading

    private static func readCertificate(_ text: String, what: String) throws -> OpaquePointer {
        var text = text
        let cert = text.withUTF8 { buf -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buf.baseAddress, Int32(clamping: buf.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
        guard let cert else {
            ERR_clear_error()
            throw CertificateError.unusable("the \(what) is not a PEM certificate")
        }
        return cert
    }

    private static func readPrivateKey(_ pem: SecretBytes) throws -> OpaquePointer {
        let key = pem.withUnsafeBytes { buf -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buf.baseAddress, Int32(clamping: buf.count)) else { return nil }
            defer { BIO_free(bio) }
            // A passphrase callback that gives none: an encrypted key fails here instead of prompting on the tty.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        guard let key else {
            ERR_clear_error()
            throw CertificateError.unusable("the private key is not an unencrypted PEM private key")
        }
        return key
    }

    private static func verify(_ server: OpaquePointer, against ca: OpaquePointer, at now: Int64) throws {
        guard let store = X509_STORE_new() else { throw failure("X509_STORE_new") }
        defer { X509_STORE_free(store) }
        guard let ctx = X509_STORE_CTX_new() else { throw failure("X509_STORE_CTX_new") }
        defer { X509_STORE_CTX_free(ctx) }
        guard X509_STORE_add_cert(store, ca) == 1,
            X509_STORE_set_flags(store, UInt(X509_V_FLAG_X509_STRICT)) == 1,
            X509_STORE_CTX_init(ctx, store, server, nil) == 1,
            X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER) == 1
        else { throw failure("X509_STORE_CTX_init") }
        X509_STORE_CTX_set_time(ctx, 0, time_t(now))
        if X509_verify_cert(ctx) != 1 {
            let reason = String(cString: X509_verify_cert_error_string(Int(X509_STORE_CTX_get_error(ctx))))
            ERR_clear_error()
            throw CertificateError.unusable("the server certificate does not verify against the CA: \(reason)")
        }
    }

    private static func subjectAltNames(_ cert: OpaquePointer) throws -> CertificateHosts {
        guard let names = oc_x509_san(cert) else {
            ERR_clear_error()
            throw CertificateError.unusable("the server certificate has no subjectAltName")
        }
        defer { oc_san_free(names) }
        var dns = Set<String>(), ips = Set<String>()
        for i in 0..<max(0, oc_san_count(names)) {
            var data: UnsafePointer<UInt8>?
            var len: Int32 = 0
            let type = oc_san_entry(names, i, &data, &len)
            let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : Int(max(0, len)))
            switch type {
            case 1: dns.insert(String(decoding: bytes, as: UTF8.self).lowercased())
            case 2:
                guard let ip = ipText(bytes) else {
                    throw CertificateError.unusable("the server certificate has an IP entry of \(len) bytes")
                }
                ips.insert(ip)
            default:
                throw CertificateError.unusable("the server certificate names something other than hosts")
            }
        }
        return CertificateHosts(dnsNames: dns, ipAddresses: ips)
    }

    private static func time(_ t: UnsafePointer<ASN1_TIME>?) throws -> Int64 {
        var parts = tm()
        guard let t, ASN1_TIME_to_tm(t, &parts) == 1 else {
            ERR_clear_error()
            throw CertificateError.unusable("a certificate has an unreadable validity time")
        }
        return Int64(timegm(&parts))
    }

    // MARK: - Host names

    /// The canonical text of an IPv4 or IPv6 address (IPv6 also in brackets); nil when `text` is neither.
    private static func canonicalIP(_ text: String) -> String? {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { ipText($0) }
        }
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { ipText($0) }
        }
        return nil
    }

    private static func ipText(_ bytes: UnsafeRawBufferPointer) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(family, bytes.baseAddress, &out, socklen_t(out.count)) != nil else { return nil }
        return text(out)
    }

    /// RFC 1123 host name, lower-cased, without a trailing dot. A last label of digits only is refused: such a
    /// name is an address in a form inet_pton does not take ("127.1"), which no client would match as a name.
    private static func dnsName(_ raw: String) throws -> String {
        var name = raw.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        func bad(_ reason: String) -> CertificateError { .invalidHost(raw, reason: reason) }
        guard !name.isEmpty else { throw bad("empty") }
        guard name.utf8.count <= 253 else { throw bad("longer than 253 characters") }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63 else { throw bad("each label must be 1 to 63 characters") }
            guard label.utf8.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else {
                throw bad("only letters, digits, hyphens and dots are allowed")
            }
            guard label.first != "-", label.last != "-" else { throw bad("a label cannot start or end with '-'") }
        }
        if let last = labels.last, last.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            throw bad("the last label is all digits but it is not an IP address")
        }
        return name
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    /// An OpenSSL failure, with the first queued error (clearing the queue so it cannot leak into a later call).
    private static func failure(_ what: String) -> CryptoError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return .primitiveFailed(what) }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buf, buf.count)
        return .primitiveFailed("\(what): \(text(buf))")
    }

    private static func text(_ cString: [CChar]) -> String {
        String(decoding: cString.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
