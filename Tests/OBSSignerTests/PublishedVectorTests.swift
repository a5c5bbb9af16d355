import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

/// Every vector of Vectors/obs-signatures.json (made with the Python SDK's own Authentication class),
/// byte for byte: canonical string, signature, Authorization header, and the presigned form.
struct PublishedVectorTests {
    /// Fails (does not skip) when the vector file is missing, so an empty argument list below cannot pass silently.
    @Test func vectorFileIsPresentAndComplete() throws {
        let file = try PublishedVectorFile.load()
        #expect(file.sdk == "esdk-obs-python")
        #expect(file.vectors.count == 7)
        #expect(Set(file.vectors.map(\.name)).count == file.vectors.count)
        #expect(file.vectors.contains { $0.expires != nil })
        #expect(file.vectors.contains { $0.pathStyle })
        #expect(file.vectors.contains { $0.dialect == "v2" })
    }

    static func version(_ v: PublishedVector) throws -> SignatureVersion {
        try #require(SignatureVersion(rawValue: v.dialect), "unknown dialect \(v.dialect)")
    }

    /// The request as the SDK sends it: key percent-encoded once, `/bucket` in front for path style.
    static func request(_ v: PublishedVector, headers: [String: String]) -> SignableRequest {
        let encodedKey = v.key.map(URIEncoding.encodeObjectKey)
        let path: String
        if v.pathStyle {
            path = "/" + v.bucket + (encodedKey.map { "/" + $0 } ?? "")
        } else {
            path = "/" + (encodedKey ?? "")
        }
        let host = v.pathStyle ? "obs.cn-north-4.myhuaweicloud.com" : "\(v.bucket).obs.cn-north-4.myhuaweicloud.com"
        let query = v.query.keys.sorted().map { (name: $0, value: v.query[$0]!) }
        let hdrs = [(name: "Host", value: host)] + headers.keys.sorted().map { (name: $0, value: headers[$0]!) }
        return SignableRequest(method: v.method, path: path, query: query, headers: hdrs)
    }

    static func scope(_ v: PublishedVector) -> SigningScope {
        SigningScope(bucket: v.bucket, virtualHosted: !v.pathStyle, region: "cn-north-4")
    }

    @Test(arguments: try PublishedVectorFile.load().vectors)
    func canonicalStringAndSignature(_ v: PublishedVector) throws {
        let version = try Self.version(v)
        let request = Self.request(v, headers: v.signedRequestHeaders)
        let resource = RequestSigner.canonicalResource(
            path: request.path, query: request.query, scope: Self.scope(v),
            prefix: version.headerPrefix)
        let sts = RequestSigner.stringToSignV2(
            method: request.method, headers: request.headers, resource: resource,
            prefix: version.headerPrefix, expires: v.expires)
        #expect(sts == v.canonicalString)
        let sk = SecretBytes(copying: Array(v.secretAccessKey.utf8))
        #expect(RequestSigner.signatureV2(stringToSign: sts, secret: sk) == v.signature)
    }

    /// The SDK percent-encodes header values before signing; the public rule must turn the user's headers into
    /// exactly the signed ones.
    @Test(arguments: try PublishedVectorFile.load().vectors)
    func headerValueEncodingMatchesTheSDK(_ v: PublishedVector) {
        for (name, value) in v.userHeaders {
            #expect(URIEncoding.encodeHeaderValue(value) == v.signedRequestHeaders[name], "header \(name)")
        }
    }

    /// The public entry point, from the user's headers: adds Date (only when no date header is there), signs, and
    /// produces the vector's Authorization and exactly the vector's header set.
    @Test(arguments: try PublishedVectorFile.load().vectors.filter { $0.authorization != nil })
    func signProducesAuthorization(_ v: PublishedVector) throws {
        let version = try Self.version(v)
        let dateText = try #require(v.signedRequestHeaders["Date"] ?? v.signedRequestHeaders["x-obs-date"])
        let date = try #require(foundationHTTPDate(dateText))
        let userHeaders = v.userHeaders.mapValues(URIEncoding.encodeHeaderValue)
        let signed = RequestSigner.sign(
            Self.request(v, headers: userHeaders), version: version, scope: Self.scope(v),
            credentials: credentials(v.accessKeyID, v.secretAccessKey), date: date)
        #expect(signed.headerValue("Authorization") == v.authorization)
        var got = headerMap(signed.headers)
        got["host"] = nil
        got["authorization"] = nil
        let want = Dictionary(uniqueKeysWithValues: v.signedRequestHeaders.map { ($0.key.lowercased(), $0.value) })
        #expect(got == want)
    }

    @Test(arguments: try PublishedVectorFile.load().vectors.filter { $0.expires != nil })
    func presignedQuery(_ v: PublishedVector) throws {
        let version = try Self.version(v)
        let expires = try #require(v.expires.flatMap { Int($0) })
        let params = RequestSigner.presignedQuery(
            Self.request(v, headers: v.userHeaders), version: version, scope: Self.scope(v),
            credentials: credentials(v.accessKeyID, v.secretAccessKey),
            date: Date(timeIntervalSince1970: Double(expires - 300) + 0.75), expiresIn: 300)
        #expect(params.map(\.name) == [version == .obs ? "AccessKeyId" : "AWSAccessKeyId", "Expires", "Signature"])
        #expect(params.map(\.value) == [v.accessKeyID, v.expires!, v.signature])
    }
}
