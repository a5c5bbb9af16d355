import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

/// What the public entry points add to a request, beyond the published vectors.
struct SignerBehaviourTests {
    static let creds = credentials("AKEXAMPLE", "secret/Key+0")
    static let tokenCreds = credentials("AKEXAMPLE", "secret/Key+0", token: "STSTOKEN")
    static let date = Date(timeIntervalSince1970: 1_728_976_809.9)  // Tue, 15 Oct 2024 07:20:09.9 GMT
    static let vh = SigningScope(bucket: "b", virtualHosted: true, region: "cn-north-4")
    static func get(_ path: String = "/k", query: [(name: String, value: String?)] = []) -> SignableRequest {
        SignableRequest(
            method: "GET", path: path, query: query, headers: [("Host", "b.obs.cn-north-4.myhuaweicloud.com")])
    }

    @Test func obsAddsDateAndTokenAndAuthorization() {
        let signed = RequestSigner.sign(
            Self.get(), version: .obs, scope: Self.vh, credentials: Self.tokenCreds, date: Self.date)
        #expect(signed.headerValue("Date") == "Tue, 15 Oct 2024 07:20:09 GMT")
        #expect(signed.headerValue("x-obs-security-token") == "STSTOKEN")
        #expect(signed.headerValue("x-amz-security-token") == nil)
        let sts = "GET\n\n\nTue, 15 Oct 2024 07:20:09 GMT\nx-obs-security-token:STSTOKEN\n/b/k"
        #expect(
            signed.headerValue("Authorization") == "OBS AKEXAMPLE:"
                + RequestSigner.signatureV2(stringToSign: sts, secret: Self.tokenCreds.secretAccessKey))
        #expect(signed.headers.count == 4)
    }

    @Test func v2UsesAWSPrefixAndAmzToken() {
        let signed = RequestSigner.sign(
            Self.get(), version: .v2, scope: Self.vh, credentials: Self.tokenCreds, date: Self.date)
        #expect(signed.headerValue("x-amz-security-token") == "STSTOKEN")
        let sts = "GET\n\n\nTue, 15 Oct 2024 07:20:09 GMT\nx-amz-security-token:STSTOKEN\n/b/k"
        #expect(
            signed.headerValue("Authorization") == "AWS AKEXAMPLE:"
                + RequestSigner.signatureV2(stringToSign: sts, secret: Self.tokenCreds.secretAccessKey))
    }

    @Test func existingDateHeadersAreKeptAndAuthorizationReplaced() {
        var request = Self.get()
        request.headers.append(("x-obs-date", "Mon, 14 Oct 2024 00:00:00 GMT"))
        request.headers.append(("authorization", "OBS stale:stale"))
        let signed = RequestSigner.sign(
            request, version: .obs, scope: Self.vh, credentials: Self.creds, date: Self.date)
        #expect(signed.headerValue("Date") == nil)
        #expect(signed.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        let sts = "GET\n\n\n\nx-obs-date:Mon, 14 Oct 2024 00:00:00 GMT\n/b/k"
        #expect(
            signed.headerValue("Authorization") == "OBS AKEXAMPLE:"
                + RequestSigner.signatureV2(stringToSign: sts, secret: Self.creds.secretAccessKey))
        // Signing twice gives the same request.
        let again = RequestSigner.sign(signed, version: .obs, scope: Self.vh, credentials: Self.creds, date: Self.date)
        #expect(headerMap(again.headers) == headerMap(signed.headers))
    }

    @Test func v4AddsAmzDateContentSHAAndTokenAndSignsThem() {
        let signed = RequestSigner.sign(
            Self.get(query: [("versionId", "v 1"), ("uploads", nil)]), version: .v4, scope: Self.vh,
            credentials: Self.tokenCreds, date: Self.date)
        #expect(signed.headerValue("x-amz-date") == "20241015T072009Z")
        #expect(signed.headerValue("x-amz-content-sha256") == "UNSIGNED-PAYLOAD")
        #expect(signed.headerValue("x-amz-security-token") == "STSTOKEN")
        #expect(signed.headerValue("Date") == nil)
        let canonical = """
            GET
            /k
            uploads=&versionId=v%201
            host:b.obs.cn-north-4.myhuaweicloud.com
            x-amz-content-sha256:UNSIGNED-PAYLOAD
            x-amz-date:20241015T072009Z
            x-amz-security-token:STSTOKEN

            host;x-amz-content-sha256;x-amz-date;x-amz-security-token
            UNSIGNED-PAYLOAD
            """
        let sts = RequestSigner.stringToSignV4(
            canonicalRequest: canonical, amzDate: "20241015T072009Z", scope: "20241015/cn-north-4/s3/aws4_request")
        let key = RequestSigner.signingKeyV4(
            secret: Self.tokenCreds.secretAccessKey, shortDate: "20241015", region: "cn-north-4")
        #expect(
            signed.headerValue("Authorization")
                == "AWS4-HMAC-SHA256 Credential=AKEXAMPLE/20241015/cn-north-4/s3/aws4_request,SignedHeaders=host;"
                + "x-amz-content-sha256;x-amz-date;x-amz-security-token,Signature="
                + RequestSigner.signatureV4(stringToSign: sts, signingKey: key))
    }

    @Test func v4KeepsAStreamingPayloadMode() {
        var request = Self.get()
        request.headers.append(("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"))
        let signed = RequestSigner.sign(request, version: .v4, scope: Self.vh, credentials: Self.creds, date: Self.date)
        #expect(
            signed.headers.filter { $0.name.lowercased() == "x-amz-content-sha256" }.map(\.value) == [
                "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
            ])
    }

    /// docs/obs-protocol.md 2.7: the token is a query parameter and a sub-resource
    /// (`/b/tok.txt?x-obs-security-token=STSTOKEN`).
    @Test func presignedOBSWithToken() {
        let request = Self.get("/tok.txt")
        let params = RequestSigner.presignedQuery(
            request, version: .obs, scope: Self.vh, credentials: Self.tokenCreds, date: Self.date, expiresIn: 300)
        #expect(params.map(\.name) == ["AccessKeyId", "Expires", "Signature", "x-obs-security-token"])
        #expect(params[1].value == "1728977109")
        let sts = "GET\n\n\n1728977109\n/b/tok.txt?x-obs-security-token=STSTOKEN"
        #expect(
            params[2].value == RequestSigner.signatureV2(stringToSign: sts, secret: Self.tokenCreds.secretAccessKey))
        #expect(params[3].value == "STSTOKEN")

        let v2 = RequestSigner.presignedQuery(
            request, version: .v2, scope: Self.vh, credentials: Self.tokenCreds, date: Self.date, expiresIn: 300)
        #expect(v2.map(\.name) == ["AWSAccessKeyId", "Expires", "Signature", "x-amz-security-token"])
        let v2sts = "GET\n\n\n1728977109\n/b/tok.txt?x-amz-security-token=STSTOKEN"
        #expect(v2[2].value == RequestSigner.signatureV2(stringToSign: v2sts, secret: Self.tokenCreds.secretAccessKey))
    }

    @Test func presignedOBSSignsTheRequestsSubResources() {
        let request = Self.get("/k", query: [("versionId", "v1"), ("prefix", "x")])
        let params = RequestSigner.presignedQuery(
            request, version: .obs, scope: Self.vh, credentials: Self.creds, date: Self.date, expiresIn: 60)
        let sts = "GET\n\n\n1728976869\n/b/k?versionId=v1"
        #expect(params[2].value == RequestSigner.signatureV2(stringToSign: sts, secret: Self.creds.secretAccessKey))
    }

    @Test func presignedV4WithToken() {
        let request = Self.get("/k", query: [("versionId", "v1")])
        let params = RequestSigner.presignedQuery(
            request, version: .v4, scope: Self.vh, credentials: Self.tokenCreds, date: Self.date, expiresIn: 600)
        #expect(
            params.map(\.name) == [
                "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                "X-Amz-Security-Token", "X-Amz-Signature",
            ])
        #expect(params[1].value == "AKEXAMPLE/20241015/cn-north-4/s3/aws4_request")
        let canonical =
            "GET\n/k\nX-Amz-Algorithm=AWS4-HMAC-SHA256&"
            + "X-Amz-Credential=AKEXAMPLE%2F20241015%2Fcn-north-4%2Fs3%2Faws4_request&"
            + "X-Amz-Date=20241015T072009Z&X-Amz-Expires=600&X-Amz-Security-Token=STSTOKEN&"
            + "X-Amz-SignedHeaders=host&versionId=v1\nhost:b.obs.cn-north-4.myhuaweicloud.com\n\nhost\n"
            + "UNSIGNED-PAYLOAD"
        let sts = RequestSigner.stringToSignV4(
            canonicalRequest: canonical, amzDate: "20241015T072009Z", scope: "20241015/cn-north-4/s3/aws4_request")
        let key = RequestSigner.signingKeyV4(
            secret: Self.tokenCreds.secretAccessKey, shortDate: "20241015", region: "cn-north-4")
        #expect(params[6].value == RequestSigner.signatureV4(stringToSign: sts, signingKey: key))
    }

    @Test func setHeaderReplacesCaseInsensitivelyAndDropsRepeats() {
        var r = SignableRequest(method: "GET", path: "/", headers: [("x-a", "1"), ("Host", "h"), ("X-A", "2")])
        r.setHeader("X-a", "3")
        #expect(r.headers.map(\.name) == ["x-a", "Host"])
        #expect(r.headerValue("x-A") == "3")
        r.removeHeader("HOST")
        #expect(r.headers.count == 1)
    }
}

struct CredentialsTests {
    @Test func descriptionRedactsSecretAndToken() {
        let c = credentials("AKVISIBLE", "TopSecretValue/123", token: "TokenValue987")
        for text in [
            c.description, c.debugDescription, "\(c)", String(reflecting: c),
            {
                var s = ""; dump(c, to: &s); return s
            }(),
        ] {
            #expect(!text.contains("TopSecretValue"))
            #expect(!text.contains("TokenValue987"))
            #expect(text.contains("AKVISIBLE"))
        }
        #expect(credentials("AK", "S").description.contains("securityToken: nil"))
    }
}
