import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

/// The AWS S3 SigV4 documentation samples ("Signature Calculations for the Authorization Header" and "Authenticating
/// Requests: Using Query Parameters"): AKIAIOSFODNN7EXAMPLE, us-east-1, 20130524T000000Z.
struct SigV4SampleTests {
    static let creds = credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let scope = SigningScope(bucket: "examplebucket", virtualHosted: true, region: "us-east-1")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let host = "examplebucket.s3.amazonaws.com"
    static let emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    struct Sample: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [(name: String, value: String?)] = []
        var headers: [(name: String, value: String)]
        var signedHeaders: String
        var signature: String
        var testDescription: String { name }
    }

    static let samples: [Sample] = [
        Sample(
            name: "GET object with range", method: "GET", path: "/test.txt",
            headers: [("Host", host), ("Range", "bytes=0-9"), ("x-amz-content-sha256", emptySHA)],
            signedHeaders: "host;range;x-amz-content-sha256;x-amz-date",
            signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        Sample(
            name: "PUT object with storage class", method: "PUT", path: "/test%24file.text",
            headers: [
                ("Host", host), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"),
                ("x-amz-date", "20130524T000000Z"),
            ],
            signedHeaders: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            signature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        Sample(
            name: "GET bucket lifecycle", method: "GET", path: "/", query: [("lifecycle", nil)],
            headers: [("Host", host), ("x-amz-content-sha256", emptySHA)],
            signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            signature: "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        Sample(
            name: "GET bucket list objects", method: "GET", path: "/", query: [("max-keys", "2"), ("prefix", "J")],
            headers: [("Host", host), ("x-amz-content-sha256", emptySHA)],
            signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            signature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ]

    @Test(arguments: samples)
    func headerSignature(_ s: Sample) {
        let signed = RequestSigner.sign(
            SignableRequest(method: s.method, path: s.path, query: s.query, headers: s.headers),
            version: .v4, scope: Self.scope, credentials: Self.creds, date: Self.date)
        #expect(
            signed.headerValue("Authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=\(s.signedHeaders),Signature=\(s.signature)"
        )
        #expect(signed.headerValue("x-amz-date") == "20130524T000000Z")
    }

    @Test func getObjectCanonicalRequestText() {
        let headers: [(name: String, value: String)] = [
            ("Host", Self.host), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", Self.emptySHA), ("x-amz-date", "20130524T000000Z"),
        ]
        let canonical = RequestSigner.canonicalRequestV4(
            method: "GET", path: "/test.txt", query: [], headers: headers, payloadHash: Self.emptySHA)
        #expect(
            canonical == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            RequestSigner.stringToSignV4(
                canonicalRequest: canonical, amzDate: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request")
                == "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                + "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        )
    }

    @Test func presignedURL() {
        let request = SignableRequest(method: "GET", path: "/test.txt", headers: [("Host", Self.host)])
        let params = RequestSigner.presignedQuery(
            request, version: .v4, scope: Self.scope, credentials: Self.creds, date: Self.date, expiresIn: 86400)
        #expect(
            URIEncoding.queryString(params.map { ($0.name, $0.value) })
                == "X-Amz-Algorithm=AWS4-HMAC-SHA256&"
                + "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&"
                + "X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&"
                + "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        )
    }
}
