import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

/// Every vector of Vectors/kms-signatures.json (computed by Huawei's Python SDK), byte for byte: canonical request,
/// string to sign, signature, Authorization, the headers the signer adds, and the query sent on the wire.
struct KMSSignerVectorTests {
    /// Fails (does not skip) when the file is missing or shrinks, so the argument lists below cannot pass empty.
    @Test func vectorFileIsPresentAndComplete() throws {
        let file = try KMSVectorFile.load()
        #expect(file.vectors.count == 23)
        #expect(Set(file.vectors.map(\.name)).count == file.vectors.count)
        #expect(file.vectors.filter { $0.kind == "client" }.count == 14)
        #expect(file.vectors.filter { $0.kind == "raw" }.count == 9)
        #expect(file.vectors.contains { $0.securityToken != nil })
        #expect(file.vectors.contains { !$0.query.isEmpty && $0.method == "GET" })
        #expect(file.vectors.contains { $0.method == "DELETE" && !$0.body.isEmpty })
    }

    static func vectorCredentials(_ v: KMSVector) throws -> Credentials {
        let file = try KMSVectorFile.load()
        return credentials(file.accessKeyID, file.secretAccessKey, token: v.securityToken)
    }

    /// The public entry point from the headers the SDK started with: the same Authorization, and exactly the SDK's
    /// header set afterwards (Host kept, X-Sdk-Date kept, X-Security-Token from the credentials).
    @Test(arguments: try KMSVectorFile.load().vectors)
    func signProducesTheSDKsHeaders(_ v: KMSVector) throws {
        let request = SignableRequest(method: v.method, path: v.path, query: v.query, headers: v.headersBefore)
        let signed = SDKHMACSigner.sign(
            request, body: v.body, credentials: try Self.vectorCredentials(v),
            date: try kmsVectorDate(KMSVectorFile.load()))
        #expect(signed.headerValue("Authorization") == v.authorization)
        #expect(headerMap(signed.headers) == headerMap(v.headersAfter))
    }

    /// Each intermediate string, from the signed request: a mismatch shows which step differs.
    @Test(arguments: try KMSVectorFile.load().vectors)
    func canonicalRequestStringToSignAndSignature(_ v: KMSVector) throws {
        let file = try KMSVectorFile.load()
        let request = SignableRequest(method: v.method, path: v.path, query: v.query, headers: v.headersAfter)
        let names = SDKHMACSigner.signedHeaderNames(v.headersAfter.filter { $0.name != "Authorization" })
        let sk = SecretBytes(copying: Array(file.secretAccessKey.utf8))
        let parts = SDKHMACSigner.parts(
            request, signedHeaders: names,
            payloadHash: SDKHMACSigner.payloadHash(
                request, bodySHA256: SDKHMACSigner.bodySHA256(v.body), names: names),
            secret: sk)
        #expect(parts.canonicalRequest == v.canonicalRequest)
        #expect(parts.stringToSign == v.stringToSign)
        #expect(parts.signedHeaders == v.signedHeaders)
        #expect(parts.signature == v.signature)
        #expect(SDKHMACSigner.authorization(accessKeyID: file.accessKeyID, parts: parts) == v.authorization)
    }

    /// The SDK sends the canonical query as the URL's query; parsing it back gives the same parameters.
    @Test(arguments: try KMSVectorFile.load().vectors)
    func wireQueryIsTheCanonicalQuery(_ v: KMSVector) {
        #expect(SDKHMACSigner.canonicalQuery(v.query) == v.wireQuery)
        let reparsed = SDKHMACSigner.parseQuery(v.wireQuery)
        #expect(SDKHMACSigner.canonicalQuery(reparsed) == v.wireQuery)
    }

    // MARK: - Rules the vectors pin, stated directly

    @Test func canonicalURIDecodesOnceEncodesEachSegmentAndEndsWithSlash() {
        #expect(SDKHMACSigner.canonicalURI("/") == "/")
        #expect(SDKHMACSigner.canonicalURI("") == "/")
        #expect(SDKHMACSigner.canonicalURI("/a/b") == "/a/b/")
        #expect(SDKHMACSigner.canonicalURI("/a/b/") == "/a/b/")
        #expect(SDKHMACSigner.canonicalURI("/a+b/c d") == "/a%2Bb/c%20d/")
        #expect(SDKHMACSigner.canonicalURI("/a%2Fb") == "/a/b/")
        #expect(SDKHMACSigner.canonicalURI("/%C3%A9~x") == "/%C3%A9~x/")
        #expect(SDKHMACSigner.canonicalURI("/é") == "/%C3%A9/")
        #expect(SDKHMACSigner.canonicalURI("/100%") == "/100%25/")  // an invalid escape stays a literal %
    }

    @Test func canonicalQuerySortsDecodedPairsNotEncodedOnes() {
        let q: [(name: String, value: String?)] = [
            (name: "é", value: "1"), (name: "z", value: "1"), (name: "a/b", value: "x"), (name: "a.b", value: "y"),
            (name: "rep", value: "2"), (name: "rep", value: "10"), (name: "bare", value: nil),
        ]
        #expect(
            SDKHMACSigner.canonicalQuery(q) == "a.b=y&a%2Fb=x&bare=&rep=10&rep=2&z=1&%C3%A9=1")
        #expect(SDKHMACSigner.canonicalQuery([]) == "")
    }

    @Test func parseQueryKeepsPlusAndDecodesOnce() {
        let parsed = SDKHMACSigner.parseQuery("a=x+y%20z&&b&c=%2541&d=1=2")
        #expect(parsed.map(\.name) == ["a", "b", "c", "d"])
        #expect(parsed.map(\.value) == ["x+y z", nil, "%41", "1=2"])
    }

    @Test func headerValuesAreTrimmedNotCollapsedAndUnderscoreNamesAreNotSigned() {
        let headers: [(name: String, value: String)] = [
            (name: "Host", value: "h"), (name: "X-Odd", value: "  a  b  "), (name: "x_under", value: "u"),
            (name: "X-Sdk-Date", value: "20250102T030405Z"),
        ]
        let names = SDKHMACSigner.signedHeaderNames(headers)
        #expect(names == ["host", "x-odd", "x-sdk-date"])
        #expect(
            SDKHMACSigner.canonicalHeaders(headers, signedHeaders: names)
                == "host:h\nx-odd:a  b\nx-sdk-date:20250102T030405Z\n")
    }

    /// Time: a valid X-Sdk-Date is kept; an absent or unparseable one is replaced by the signing time. A
    /// Content-Type other than JSON/BSON signs `UNSIGNED-PAYLOAD` instead of the body, as the SDK does.
    @Test func dateAndUnsignedPayloadRules() throws {
        let date = try #require(foundationFormatParse("20260304T050607Z", "yyyyMMdd'T'HHmmss'Z'"))
        let creds = credentials("AK", "SK")
        let base = SignableRequest(method: "POST", path: "/x", headers: [(name: "Host", value: "h")])
        let fresh = SDKHMACSigner.sign(base, body: [1], credentials: creds, date: date)
        #expect(fresh.headerValue("X-Sdk-Date") == "20260304T050607Z")
        var bad = base
        bad.setHeader("x-sdk-date", "yesterday")
        #expect(
            SDKHMACSigner.sign(bad, body: [], credentials: creds, date: date).headerValue("X-Sdk-Date")
                == "20260304T050607Z")
        var octets = base
        octets.setHeader("Content-Type", "application/octet-stream")
        let signed = SDKHMACSigner.sign(octets, body: [1, 2, 3], credentials: creds, date: date)
        #expect(signed.headerValue("X-Sdk-Content-Sha256") == "UNSIGNED-PAYLOAD")
        let names = SDKHMACSigner.signedHeaderNames(signed.headers.filter { $0.name != "Authorization" })
        let parts = SDKHMACSigner.parts(
            signed, signedHeaders: names, payloadHash: "UNSIGNED-PAYLOAD", secret: creds.secretAccessKey)
        #expect(signed.headerValue("Authorization") == SDKHMACSigner.authorization(accessKeyID: "AK", parts: parts))
        #expect(parts.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }
}
