import Foundation
import OBSCore
import OBSCrypto
import OBSLocalBackend

#if canImport(Glibc)
import Glibc
#endif

/// The access key pairs the server accepts, and where they came from. Secrets stay in here and in their 0600 file:
/// nothing prints them.
public struct ServeCredentials: Sendable {
    private let secrets: [String: SecretBytes]
    /// The file holding the pairs (given or generated); nil when they came from the environment.
    public let file: String?
    /// The first access key id, for the ready line.
    public let primaryAccessKeyID: String

    public static let accessKeyVariable = "OBSCTL_SERVE_ACCESS_KEY_ID"
    public static let secretKeyVariable = "OBSCTL_SERVE_SECRET_ACCESS_KEY"

    /// `file` given: its pairs. Else the environment's pair. Else the pair in `generatedFile`, made on first use.
    public static func load(file: String?, environment: [String: String], generatedFile: String) throws
        -> ServeCredentials
    {
        if let file { return try read(file) }
        let ak = environment[accessKeyVariable] ?? ""
        let sk = environment[secretKeyVariable] ?? ""
        if !ak.isEmpty || !sk.isEmpty {
            // Blank counts as empty, as in the file: a secret of spaces is no secret.
            guard !ak.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                !sk.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else {
                throw OBSError.configuration(
                    "\(accessKeyVariable) and \(secretKeyVariable) go together: set both, or neither to use a "
                        + "generated pair")
            }
            if let problem = accessKeyIDProblem(ak) { throw OBSError.configuration("\(accessKeyVariable) \(problem)") }
            return ServeCredentials(
                secrets: [ak: SecretBytes(copying: Array(sk.utf8))], file: nil, primaryAccessKeyID: ak)
        }
        if FileManager.default.fileExists(atPath: generatedFile) { return try read(generatedFile) }
        try generate(generatedFile)
        return try read(generatedFile)
    }

    public func secret(for accessKeyID: String) -> SecretBytes? { secrets[accessKeyID] }

    /// What is wrong with an access key id, or nil: one goes into every signature's Authorization header (after
    /// `AWS `, before `:`; in SigV4's `Credential=`, before the first `/`) and into the ready line and the access
    /// log, so letters, digits and `- _ . ~ + =` only.
    static func accessKeyIDProblem(_ id: String) -> String? {
        let allowed = Set("-_.~+=".utf8)
        let ok =
            (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                    || allowed.contains($0)
            }
        return ok
            ? nil
            : "'\(HeaderValues.printable(id))' is not an access key id: use letters, digits and - _ . ~ + = "
                + "only, at most 128"
    }

    /// AWS's credentials file format (`[name]`, `aws_access_key_id = ...`, `aws_secret_access_key = ...`), so the
    /// same file works as AWS_SHARED_CREDENTIALS_FILE for awscli and boto3.
    static func read(_ path: String) throws -> ServeCredentials {
        let data: [UInt8]
        do {
            data = try SmallFile.read(path, limit: 1 << 20, privateOnly: true).copyBytes()
        } catch .exposed(let mode) {
            throw OBSError.configuration(
                "credentials file \(path) is readable by others (mode \(mode)): chmod 600 \(path)")
        } catch {
            throw OBSError.configuration(
                "credentials file \(path) \(error.phrase): give a 0600 file of aws_access_key_id and "
                    + "aws_secret_access_key pairs")
        }
        var pairs: [String: SecretBytes] = [:]
        var order: [String] = []
        var firstSeen: [String: String] = [:]  // access key id -> where, for a duplicate's message
        var section = ""  // "[name]", once one is seen
        func place(_ line: Int? = nil) -> String {
            "credentials file \(path)" + (section.isEmpty ? "" : " section \(section)")
                + (line.map { " line \($0)" } ?? "")
        }
        var ak: (value: String, line: Int)?
        var sk: (value: String, line: Int)?
        // A section with half a pair, an empty value or an id already given would leave a key that signs with an
        // empty secret, or a secret other than the one its writer meant: refused, as the environment's pair is.
        func flush() throws(OBSError) {
            defer { (ak, sk) = (nil, nil) }
            guard ak != nil || sk != nil else { return }  // another kind of profile (role_arn, sso_...)
            guard let a = ak else {
                throw .configuration("\(place()) has aws_secret_access_key but no aws_access_key_id: add it")
            }
            guard let s = sk else {
                throw .configuration("\(place()) has aws_access_key_id but no aws_secret_access_key: add it")
            }
            for (name, field) in [("aws_access_key_id", a), ("aws_secret_access_key", s)] where field.value.isEmpty {
                throw .configuration("\(place(field.line)): \(name) is empty: give its value after '='")
            }
            if let earlier = firstSeen[a.value] {
                throw .configuration(
                    "\(place(a.line)): access key id \(a.value) is also in \(earlier): give each pair its own id")
            }
            firstSeen[a.value] = section.isEmpty ? "line \(a.line)" : "section \(section) line \(a.line)"
            pairs[a.value] = SecretBytes(copying: Array(s.value.utf8))
            order.append(a.value)
        }
        // Lines end at \n, \r\n or \r only, as Python's configparser (botocore) reads them: a vertical tab or NEL
        // inside a value is part of it there, so it must not end the value here.
        guard let text = String(validating: data, as: UTF8.self) else {
            throw OBSError.configuration("credentials file \(path) is not UTF-8 text: write it again as plain text")
        }
        let lines = text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
        var sections: Set<String> = []
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if raw.first == " " || raw.first == "\t" {
                // configparser would join it to the value above; no key here spans lines.
                throw OBSError.configuration(
                    "\(place(index + 1)) is indented, which continues the line above in AWS's format: write each "
                        + "key = value on one line, unindented")
            }
            if line.hasPrefix("[") {
                // As configparser reads it: `[`, the name, the last `]`; what follows it is ignored.
                guard let close = line.lastIndex(of: "]"), line.index(after: line.startIndex) < close else {
                    throw OBSError.configuration(
                        "\(place(index + 1)): '\(HeaderValues.printable(line))' is not a section: write [name]")
                }
                try flush()
                section = String(line[...close])
                guard sections.insert(section).inserted else {
                    throw OBSError.configuration("\(place(index + 1)): section \(section) is given twice: merge them")
                }
                continue
            }
            // configparser (botocore) refuses a line that is neither a section, a comment nor `name = value`.
            guard let eq = line.firstIndex(where: { $0 == "=" || $0 == ":" }), eq != line.startIndex else {
                throw OBSError.configuration(
                    "\(place(index + 1)) is not 'name = value', a [section] or a comment: fix or remove it")
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard name == "aws_access_key_id" || name == "aws_secret_access_key" else { continue }
            if name == "aws_access_key_id", let problem = Self.accessKeyIDProblem(value), !value.isEmpty {
                throw OBSError.configuration("\(place(index + 1)): access key id \(problem)")
            }
            if (name == "aws_access_key_id" ? ak : sk) != nil {
                throw OBSError.configuration("\(place(index + 1)): \(name) is given twice in the section: keep one")
            }
            if name == "aws_access_key_id" { ak = (value, index + 1) } else { sk = (value, index + 1) }
        }
        try flush()
        guard let first = order.first else {
            throw OBSError.configuration(
                "credentials file \(path) holds no pair: write aws_access_key_id = ... and "
                    + "aws_secret_access_key = ... under a [name] line")
        }
        return ServeCredentials(secrets: pairs, file: path, primaryAccessKeyID: first)
    }

    /// A fresh pair in a new 0600 file (created with that mode: never readable by others, even for an instant).
    static func generate(_ path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try PrivateDirectories.make(dir)  // 0700 from the store root down, as the store makes its own
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        let ak = String(decoding: Random.bytes(20).map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
        let sk = Base64.encode(Random.bytes(30))
        let text = "[default]\naws_access_key_id = \(ak)\naws_secret_access_key = \(sk)\n"
        // Created only if absent: a second server starting on the same store at once reads the first one's pair
        // instead of replacing the file under it.
        do { try AtomicFile.write(Array(text.utf8), to: path, mode: 0o600, replacing: false) } catch {
            if error.step == "create" && error.errno == EEXIST && error.path == path { return }
            throw OBSError.configuration("cannot \(error.step) \(error.path): \(error.reason)")
        }
    }
}
