import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

// Loading the signature vectors kept beside these tests (Vectors/, copied from the project's shared vectors so a clone
// with nothing beside it passes) and small helpers.

enum VectorFileError: Error, CustomStringConvertible {
    case missing(String)

    var description: String {
        switch self {
        case .missing(let path): return "signature vectors not found at \(path) (Tests/OBSSignerTests/Vectors)"
        }
    }
}

/// One entry of obs-signatures.json.
struct PublishedVector: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let note: String
    let dialect: String
    let accessKeyID: String
    let secretAccessKey: String
    let method: String
    let bucket: String
    let key: String?
    let pathStyle: Bool
    let query: [String: String?]
    let userHeaders: [String: String]
    let signedRequestHeaders: [String: String]
    let expires: String?
    let canonicalString: String
    let signature: String
    let authorization: String?

    enum CodingKeys: String, CodingKey {
        case name, note, dialect, method, bucket, key, query, expires, signature, authorization
        case accessKeyID = "access_key_id", secretAccessKey = "secret_access_key", pathStyle = "path_style"
        case userHeaders = "user_headers", signedRequestHeaders = "signed_request_headers", canonicalString =
            "canonical_string"
    }

    var testDescription: String { name }
}

struct PublishedVectorFile: Decodable, Sendable {
    let sdk: String
    let sdkVersion: String
    let vectors: [PublishedVector]

    enum CodingKeys: String, CodingKey { case sdk, vectors, sdkVersion = "sdk_version" }

    /// `Vectors/<name>` beside this source file: the tests read nothing outside the repository.
    static func url(_ name: String = "obs-signatures.json", filePath: String = #filePath) throws -> URL {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Vectors/\(name)")
        guard FileManager.default.fileExists(atPath: url.path) else { throw VectorFileError.missing(url.path) }
        return url
    }

    static func load() throws -> PublishedVectorFile {
        try JSONDecoder().decode(PublishedVectorFile.self, from: Data(contentsOf: url()))
    }
}

/// An independent RFC 1123 parser (Foundation's, en_US_POSIX, GMT) to cross-check the signer's own date code.
func foundationHTTPDate(_ text: String) -> Date? {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "GMT")
    f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return f.date(from: text)
}

func foundationFormat(_ date: Date, _ format: String) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "GMT")
    f.dateFormat = format
    return f.string(from: date)
}

func credentials(_ ak: String, _ sk: String, token: String? = nil) -> Credentials {
    Credentials(accessKeyID: ak, secretAccessKey: SecretBytes(copying: Array(sk.utf8)), securityToken: token)
}

/// Headers as a case-insensitive dictionary (lower-cased names), for comparing header sets.
func headerMap(_ headers: [(name: String, value: String)]) -> [String: String] {
    Dictionary(headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, b in a + "," + b })
}
