import Foundation
import Testing
@testable import OBSSigner

/// One request of Vectors/kms-signatures.json (signed by Huawei's Python SDK 3.1.219), in the terms of
/// `SDKHMACSigner`: the request before signing, the headers after it, what went on the wire, and the strings the
/// SDK computed. `client` vectors come from `KmsClient` (what it passed to requests), `raw` ones from the SDK's
/// `Signer` on hand-made requests.
struct KMSVector: Sendable, CustomTestStringConvertible {
    let name: String
    let kind: String
    let method: String
    /// The path as sent (percent-encoded once).
    let path: String
    /// The query as sent, without `?`.
    let wireQuery: String
    /// Decoded parameters as the SDK was given them.
    let query: [(name: String, value: String?)]
    /// Headers given to the signer, `Host` included.
    let headersBefore: [(name: String, value: String)]
    /// Headers after signing, `Authorization` included.
    let headersAfter: [(name: String, value: String)]
    /// Every header on the wire (transport headers such as `Accept-Encoding` and `Content-Length` are unsigned).
    let wireHeaders: [(name: String, value: String)]
    let body: [UInt8]
    let canonicalRequest: String
    let stringToSign: String
    let signedHeaders: String
    let signature: String
    let authorization: String

    var testDescription: String { name }
    var securityToken: String? { headersAfter.first { $0.name.lowercased() == "x-security-token" }?.value }
}

struct KMSVectorFile: Sendable {
    let accessKeyID: String
    let secretAccessKey: String
    let sdkDate: String
    let vectors: [KMSVector]

    enum LoadError: Error { case shape(String) }

    static func load() throws -> KMSVectorFile {
        let data = try Data(contentsOf: PublishedVectorFile.url("kms-signatures.json"))
        guard let top = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let ak = top["ak"] as? String, let sk = top["sk"] as? String, let date = top["x_sdk_date"] as? String,
            let list = top["vectors"] as? [[String: Any]]
        else { throw LoadError.shape("top level") }
        return KMSVectorFile(accessKeyID: ak, secretAccessKey: sk, sdkDate: date, vectors: try list.map(vector))
    }

    /// The SDK's `str()` of a query value; a list is one parameter per element.
    private static func queryPairs(_ params: [[Any]]) throws -> [(name: String, value: String?)] {
        try params.flatMap { pair -> [(name: String, value: String?)] in
            guard pair.count == 2, let name = pair[0] as? String else { throw LoadError.shape("query pair") }
            switch pair[1] {
            case let s as String: return [(name: name, value: s)]
            case let list as [String]: return list.map { (name: name, value: $0) }
            case let b as Bool: return [(name: name, value: b ? "true" : "false")]
            default: throw LoadError.shape("query value of \(name)")
            }
        }
    }

    private static func headers(_ any: Any?) throws -> [(name: String, value: String)] {
        guard let dict = any as? [String: String] else { throw LoadError.shape("headers") }
        return dict.keys.sorted().map { (name: $0, value: dict[$0]!) }
    }

    private static func vector(_ v: [String: Any]) throws -> KMSVector {
        guard let name = v["name"] as? String, let kind = v["kind"] as? String,
            let sent = v["request_sent"] as? [String: Any], let method = sent["method"] as? String,
            let canonical = v["canonical_request"] as? String, let sts = v["string_to_sign"] as? String,
            let signed = v["signed_headers"] as? String, let signature = v["signature"] as? String,
            let authorization = v["authorization"] as? String
        else { throw LoadError.shape("vector") }
        let body = Array(((sent["body"] as? String) ?? "").utf8)
        switch kind {
        case "client":
            guard let path = sent["path"] as? String, let query = sent["query"] as? String,
                let wire = v["wire"] as? [String: Any]
            else { throw LoadError.shape("client vector \(name)") }
            let after = try headers(sent["headers"])
            return KMSVector(
                name: name, kind: kind, method: method, path: path, wireQuery: query,
                query: SDKHMACSigner.parseQuery(query),
                headersBefore: after.filter { $0.name != "Authorization" }, headersAfter: after,
                wireHeaders: try headers(wire["headers"]), body: body, canonicalRequest: canonical,
                stringToSign: sts, signedHeaders: signed, signature: signature, authorization: authorization)
        case "raw":
            guard let input = v["input"] as? [String: Any], let host = input["host"] as? String,
                let path = input["resource_path"] as? String, let params = input["query_params"] as? [[Any]],
                let uri = sent["uri"] as? String
            else { throw LoadError.shape("raw vector \(name)") }
            let after = try headers(sent["headers_after_signing"])
            let wireQuery = uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? ""
            return KMSVector(
                name: name, kind: kind, method: method, path: path, wireQuery: wireQuery,
                query: try queryPairs(params),
                headersBefore: try headers(input["headers"]) + [(name: "Host", value: host)], headersAfter: after,
                wireHeaders: after, body: body, canonicalRequest: canonical, stringToSign: sts,
                signedHeaders: signed, signature: signature, authorization: authorization)
        default:
            throw LoadError.shape("unknown kind '\(kind)' of \(name)")
        }
    }
}

/// The vectors' signing time (`X-Sdk-Date` 20250102T030405Z).
func kmsVectorDate(_ file: KMSVectorFile) throws -> Date {
    try #require(foundationFormatParse(file.sdkDate, "yyyyMMdd'T'HHmmss'Z'"))
}

/// Foundation's parser, independent of the signer's own date code.
func foundationFormatParse(_ text: String, _ format: String) -> Date? {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "GMT")
    f.dateFormat = format
    return f.date(from: text)
}
