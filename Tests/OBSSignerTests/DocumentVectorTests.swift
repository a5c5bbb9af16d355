import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

/// The vectors of docs/obs-protocol.md section 2.5 (V1-V11) and section 2.8 (SigV4), hard-coded from the document.
struct DocumentVectorTests {
    static let ak = "OBSTESTAK0000000EXAM"
    static let sk = "obsTestSecretKey/Example+0123456789abcdef"
    static let dateText = "Tue, 15 Oct 2024 07:20:09 GMT"
    static let date = Date(timeIntervalSince1970: 1_728_976_809)  // 2024-10-15T07:20:09Z
    static let bucket = "examplebucket"
    static let vhHost = "examplebucket.obs.cn-north-4.myhuaweicloud.com"
    static let kmsKeyID = "cn-north-4:0123456789abcdef0123456789abcdef:key/01234567-89ab-cdef-0123-456789abcdef"

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var version: SignatureVersion = .obs
        var bucket: String? = DocumentVectorTests.bucket
        var virtualHosted = true
        var method: String
        var path: String
        var query: [(name: String, value: String?)] = []
        var headers: [(name: String, value: String)] = []
        var token: String? = nil
        var stringToSign: String
        var signature: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(
            name: "V1 PutObject", method: "PUT", path: "/dir/hello%20world.txt",
            headers: [("Content-Type", "text/plain"), ("x-obs-acl", "public-read"), ("x-obs-meta-author", "alice")],
            stringToSign:
                "PUT\n\ntext/plain\nTue, 15 Oct 2024 07:20:09 GMT\nx-obs-acl:public-read\nx-obs-meta-author:alice\n"
                + "/examplebucket/dir/hello%20world.txt",
            signature: "70/1Skyqa9ebU2aDkXOuZ5sU4+o="),
        Vector(
            name: "V2 GetObject", method: "GET", path: "/object.txt",
            stringToSign: "GET\n\n\nTue, 15 Oct 2024 07:20:09 GMT\n/examplebucket/object.txt",
            signature: "c4+xZIWKuN+OMcxadKevxNShK9o="),
        Vector(
            name: "V3 PutBucketEncryption virtual-hosted", method: "PUT", path: "/", query: [("encryption", nil)],
            headers: [("Content-MD5", "v7b37vQsrVHnxOHZkngwdw=="), ("Content-Type", "application/xml")],
            stringToSign:
                "PUT\nv7b37vQsrVHnxOHZkngwdw==\napplication/xml\nTue, 15 Oct 2024 07:20:09 GMT\n"
                + "/examplebucket/?encryption",
            signature: "Y3yXtTRRx/E2hHVT9q0+yL+cE9g="),
        Vector(
            name: "V3 PutBucketEncryption path style", virtualHosted: false, method: "PUT", path: "/examplebucket",
            query: [("encryption", nil)],
            headers: [("Content-MD5", "v7b37vQsrVHnxOHZkngwdw=="), ("Content-Type", "application/xml")],
            stringToSign:
                "PUT\nv7b37vQsrVHnxOHZkngwdw==\napplication/xml\nTue, 15 Oct 2024 07:20:09 GMT\n"
                + "/examplebucket?encryption",
            signature: "vfONEZ8llPUmXCLpxSImVTJbHsg="),
        Vector(
            name: "V4 UploadPart", method: "PUT", path: "/big.bin",
            query: [("uploadId", "0000018A2B3C4D5E6F708192A3B4C5D6"), ("partNumber", "3")],
            stringToSign:
                "PUT\n\n\nTue, 15 Oct 2024 07:20:09 GMT\n/examplebucket/big.bin?partNumber=3&"
                + "uploadId=0000018A2B3C4D5E6F708192A3B4C5D6",
            signature: "VG2rAze+wKjMCjSY8d84ZdFqlnU="),
        Vector(
            name: "V5 PutObject SSE-KMS + STS + x-obs-date", method: "PUT", path: "/secret.txt",
            headers: [
                ("Content-Type", "application/octet-stream"), ("x-obs-date", dateText), ("Date", dateText),
                ("x-obs-server-side-encryption", "kms"), ("x-obs-server-side-encryption-kms-key-id", kmsKeyID),
            ],
            token: "EXAMPLETOKEN123",
            stringToSign:
                "PUT\n\napplication/octet-stream\n\nx-obs-date:Tue, 15 Oct 2024 07:20:09 GMT\n"
                + "x-obs-security-token:EXAMPLETOKEN123\nx-obs-server-side-encryption:kms\n"
                + "x-obs-server-side-encryption-kms-key-id:cn-north-4:0123456789abcdef0123456789abcdef:"
                + "key/01234567-89ab-cdef-0123-456789abcdef\n/examplebucket/secret.txt",
            signature: "0TiCXaIeUBp/UTj/mgwsX/T5rOU="),
        Vector(
            name: "V6 ListBuckets", bucket: nil, method: "GET", path: "/", headers: [("x-obs-bucket-type", "OBJECT")],
            stringToSign: "GET\n\n\nTue, 15 Oct 2024 07:20:09 GMT\nx-obs-bucket-type:OBJECT\n/",
            signature: "PmLFWDvlTKWP2VgkoUSgd5Qp8kY="),
        Vector(
            name: "V7 ListObjects", method: "GET", path: "/",
            query: [("prefix", "logs/"), ("max-keys", "100"), ("marker", "logs/a")],
            stringToSign: "GET\n\n\nTue, 15 Oct 2024 07:20:09 GMT\n/examplebucket/",
            signature: "kqBOeWw7KiishTWmsXDPEnNAW5w="),
        Vector(
            name: "V8 GetObject with overrides", method: "GET", path: "/object-test",
            query: [("versionId", "xxx"), ("response-content-type", "text/plain")],
            stringToSign:
                "GET\n\n\nTue, 15 Oct 2024 07:20:09 GMT\n/examplebucket/object-test?response-content-type=text/plain&"
                + "versionId=xxx",
            signature: "m8Imq7sFrQeYtAtGjqh3RTEJ5pU="),
        Vector(
            name: "V10 AWS-V2 path style", version: .v2, virtualHosted: false, method: "PUT",
            path: "/examplebucket/object.txt",
            headers: [("Content-Type", "text/plain"), ("x-amz-server-side-encryption", "aws:kms")],
            stringToSign:
                "PUT\n\ntext/plain\nTue, 15 Oct 2024 07:20:09 GMT\nx-amz-server-side-encryption:aws:kms\n"
                + "/examplebucket/object.txt",
            signature: "muIW2y/OZYOTzdy8MaYbuphNaIw="),
        Vector(
            name: "V11 InitiateMultipartUpload SSE-C", method: "POST", path: "/enc.bin", query: [("uploads", nil)],
            headers: [
                ("x-obs-server-side-encryption-customer-algorithm", "AES256"),
                ("x-obs-server-side-encryption-customer-key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
                ("x-obs-server-side-encryption-customer-key-MD5", "hRasmdxgYDKV3nvbahU1MA=="),
            ],
            stringToSign:
                "POST\n\n\nTue, 15 Oct 2024 07:20:09 GMT\nx-obs-server-side-encryption-customer-algorithm:AES256\n"
                + "x-obs-server-side-encryption-customer-key:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n"
                + "x-obs-server-side-encryption-customer-key-md5:hRasmdxgYDKV3nvbahU1MA==\n"
                + "/examplebucket/enc.bin?uploads",
            signature: "93ruei+VK/d/7oKC+v1YGQHNqc0="),
    ]

    /// Signs through the public API (which adds Date and the token header), then re-derives the string-to-sign from
    /// the signed request with the internal steps.
    @Test(arguments: vectors)
    func headerSignature(_ v: Vector) {
        let host = v.bucket == nil || !v.virtualHosted ? "obs.cn-north-4.myhuaweicloud.com" : Self.vhHost
        let request = SignableRequest(
            method: v.method, path: v.path, query: v.query, headers: [("Host", host)] + v.headers)
        let scope = SigningScope(bucket: v.bucket, virtualHosted: v.virtualHosted, region: "cn-north-4")
        let signed = RequestSigner.sign(
            request, version: v.version, scope: scope,
            credentials: credentials(Self.ak, Self.sk, token: v.token), date: Self.date)
        let prefix = v.version.headerPrefix
        let resource = RequestSigner.canonicalResource(
            path: signed.path, query: signed.query, scope: scope, prefix: prefix)
        let sts = RequestSigner.stringToSignV2(
            method: signed.method, headers: signed.headers, resource: resource, prefix: prefix)
        #expect(sts == v.stringToSign)
        #expect(
            RequestSigner.signatureV2(stringToSign: v.stringToSign, secret: SecretBytes(copying: Array(Self.sk.utf8)))
                == v.signature)
        let scheme = v.version == .obs ? "OBS" : "AWS"
        #expect(signed.headerValue("Authorization") == "\(scheme) \(Self.ak):\(v.signature)")
        #expect(signed.headerValue("Date") == Self.dateText)
        #expect(signed.headers.filter { $0.name.lowercased() == "date" }.count == 1)
        #expect(signed.headerValue("x-obs-security-token") == v.token)
    }

    @Test func v3BodyMD5AndV11KeyMD5() {
        let body =
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>"
            + "kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
        #expect(body.utf8.count == 189)
        #expect(Base64.encode(Digest.md5(Array(body.utf8))) == "v7b37vQsrVHnxOHZkngwdw==")
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        #expect(Base64.encode(key) == "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
        #expect(Base64.encode(Digest.md5(key)) == "hRasmdxgYDKV3nvbahU1MA==")
    }

    /// V9: presigned GET, Expires 1700000000.
    @Test func v9PresignedGet() {
        let request = SignableRequest(method: "GET", path: "/objectkey", headers: [("Host", Self.vhHost)])
        let scope = SigningScope(bucket: Self.bucket, virtualHosted: true, region: "cn-north-4")
        let resource = RequestSigner.canonicalResource(path: request.path, query: [], scope: scope, prefix: "x-obs-")
        let sts = RequestSigner.stringToSignV2(
            method: "GET", headers: request.headers, resource: resource, prefix: "x-obs-", expires: "1700000000")
        #expect(sts == "GET\n\n\n1700000000\n/examplebucket/objectkey")
        let params = RequestSigner.presignedQuery(
            request, version: .obs, scope: scope, credentials: credentials(Self.ak, Self.sk),
            date: Date(timeIntervalSince1970: 1_700_000_000 - 3600), expiresIn: 3600)
        #expect(params.map(\.name) == ["AccessKeyId", "Expires", "Signature"])
        #expect(params.map(\.value) == [Self.ak, "1700000000", "3QMlMOdw6AjT4ZENUe0a21FmzNk="])
        #expect(
            URIEncoding.queryString(params.map { ($0.name, $0.value) })
                == "AccessKeyId=OBSTESTAK0000000EXAM&Expires=1700000000&Signature=3QMlMOdw6AjT4ZENUe0a21FmzNk%3D")
    }

    /// Section 2.8: SigV4 with the time carried in `Date` (no x-amz-date), path style, every header signed.
    @Test func sigV4FromDateHeader() {
        let request = SignableRequest(
            method: "PUT", path: "/examplebucket/object.txt",
            headers: [
                ("Host", "127.0.0.1:9000"), ("Date", Self.dateText), ("Content-Type", "text/plain"),
                ("Content-Length", "5"), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
            ])
        let canonical = RequestSigner.canonicalRequestV4(
            method: request.method, path: request.path, query: request.query,
            headers: request.headers, payloadHash: "UNSIGNED-PAYLOAD")
        #expect(
            canonical
                == "PUT\n/examplebucket/object.txt\n\ncontent-length:5\ncontent-type:text/plain\n"
                + "date:Tue, 15 Oct 2024 07:20:09 GMT\nhost:127.0.0.1:9000\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"
                + "\ncontent-length;content-type;date;host;x-amz-content-sha256\nUNSIGNED-PAYLOAD"
        )
        let sts = RequestSigner.stringToSignV4(
            canonicalRequest: canonical, amzDate: "20241015T072009Z",
            scope: "20241015/cn-north-4/s3/aws4_request")
        #expect(
            sts
                == "AWS4-HMAC-SHA256\n20241015T072009Z\n20241015/cn-north-4/s3/aws4_request\n"
                + "4f3c56dbac25c51e5916c939e3a8e05ab2d225a108c81d39860cdb05dfb6cc87"
        )
        let key = RequestSigner.signingKeyV4(
            secret: SecretBytes(copying: Array(Self.sk.utf8)), shortDate: "20241015", region: "cn-north-4")
        #expect(
            RequestSigner.signatureV4(stringToSign: sts, signingKey: key)
                == "b116633f8bf2bea3e7bdc8659464d47529e8518077bfe7f563dbbf03235f642f")

        // Public entry point, with a different clock: the Date header wins and no x-amz-date is added.
        let signed = RequestSigner.sign(
            request, version: .v4, scope: SigningScope(bucket: Self.bucket, virtualHosted: false, region: "cn-north-4"),
            credentials: credentials(Self.ak, Self.sk), date: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(
            signed.headerValue("Authorization")
                == "AWS4-HMAC-SHA256 Credential=OBSTESTAK0000000EXAM/20241015/cn-north-4/s3/aws4_request,"
                + "SignedHeaders=content-length;content-type;date;host;x-amz-content-sha256,"
                + "Signature=b116633f8bf2bea3e7bdc8659464d47529e8518077bfe7f563dbbf03235f642f"
        )
        #expect(signed.headerValue("x-amz-date") == nil)
        #expect(signed.headers.count == request.headers.count + 1)
    }
}
