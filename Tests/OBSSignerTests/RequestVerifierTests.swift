import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

/// RequestVerifier against our own signers: every scheme round-trips, and each kind of tampering fails with the
/// code S3/OBS give it.
struct RequestVerifierTests {
    static let ak = "OBSCTLVERIFYAK000001"
    static let sk = "verify/Secret+0123456789abcdefEXAMPLEKEY"
    static let date = Date(timeIntervalSince1970: 1_728_976_809)  // 2024-10-15T07:20:09Z
    static let creds = credentials(ak, sk)
    static let httpDate = foundationFormat(date, "EEE, dd MMM yyyy HH:mm:ss 'GMT'")

    /// The wire form of a signed request: query encoded as a client sends it.
    static func incoming(_ r: SignableRequest, extraQuery: [(name: String, value: String)] = []) -> IncomingRequest {
        let query = r.query + extraQuery.map { (name: $0.name, value: Optional($0.value)) }
        return IncomingRequest(
            method: r.method, rawPath: r.path, rawQuery: URIEncoding.queryString(query), headers: r.headers)
    }

    static func verify(
        _ r: IncomingRequest, bucket: String? = nil, now: Date = date, secret: String = sk
    ) -> Result<VerifiedRequest, AuthenticationFailure> {
        RequestVerifier.verify(r, virtualHostBucket: bucket, now: now) { key in
            key == ak ? SecretBytes(copying: Array(secret.utf8)) : nil
        }
    }

    static func failure(_ result: Result<VerifiedRequest, AuthenticationFailure>) -> AuthenticationFailure? {
        if case .failure(let f) = result { return f }
        return nil
    }

    /// A PUT with the scheme's prefixed headers, path style or virtual-hosted.
    static func request(_ version: SignatureVersion, virtual: Bool) -> (SignableRequest, SigningScope) {
        let prefix = version == .obs ? "x-obs-" : "x-amz-"
        let host = virtual ? "vectors.localhost:9000" : "127.0.0.1:9000"
        let path = (virtual ? "" : "/vectors") + "/dir/" + URIEncoding.encodeObjectKey("hello wörld+1.txt")
        let r = SignableRequest(
            method: "PUT", path: path, query: [(name: "versionId", value: "v1"), (name: "foo", value: "a b")],
            headers: [
                (name: "Host", value: host), (name: "Content-Type", value: "text/plain"),
                (name: "Content-MD5", value: "fFs6RfxwezLmIMbV26j+3Q=="),
                (name: prefix + "meta-author", value: "alice"),
                (name: prefix + "server-side-encryption", value: version == .obs ? "kms" : "aws:kms"),
            ])
        return (r, SigningScope(bucket: "vectors", virtualHosted: virtual, region: "cn-north-4"))
    }

    static let cases: [(SignatureVersion, Bool)] = [
        (.obs, true), (.obs, false), (.v2, true), (.v2, false), (.v4, true),
        (.v4, false),
    ]

    // MARK: - Round trips

    @Test(arguments: cases)
    func headerSignatureRoundTrips(_ version: SignatureVersion, _ virtual: Bool) throws {
        let (r, scope) = Self.request(version, virtual: virtual)
        for token in [nil, "STS/token+1=="] {
            let signed = RequestSigner.sign(
                r, version: version, scope: scope, credentials: credentials(Self.ak, Self.sk, token: token),
                date: Self.date)
            let verified = try Self.verify(Self.incoming(signed), bucket: virtual ? "vectors" : nil).get()
            #expect(verified.accessKeyID == Self.ak)
            #expect(verified.scheme == version)
            #expect(!verified.presigned)
            #expect(verified.securityToken == token)
            #expect(verified.payload == (version == .v4 ? .unsigned : PayloadDeclaration.none))
            #expect(verified.requestDate == Self.date)
            #expect(verified.region == (version == .v4 ? "cn-north-4" : nil))
        }
    }

    @Test(arguments: cases)
    func presignedURLRoundTrips(_ version: SignatureVersion, _ virtual: Bool) throws {
        var (r, scope) = Self.request(version, virtual: virtual)
        r.method = "GET"
        r.headers = [r.headers[0]]  // a browser sends only Host
        for token in [nil, "STS/token+1=="] {
            let params = RequestSigner.presignedQuery(
                r, version: version, scope: scope, credentials: credentials(Self.ak, Self.sk, token: token),
                date: Self.date, expiresIn: 300)
            let incoming = Self.incoming(r, extraQuery: params)
            let bucket = virtual ? "vectors" : nil
            let verified = try Self.verify(incoming, bucket: bucket, now: Self.date.addingTimeInterval(299)).get()
            #expect(verified.scheme == version)
            #expect(verified.presigned)
            #expect(verified.securityToken == token)
            #expect(verified.payload == (version == .v4 ? .unsigned : PayloadDeclaration.none))
            let late = Self.failure(Self.verify(incoming, bucket: bucket, now: Self.date.addingTimeInterval(301)))
            #expect(late?.code == "AccessDenied")
            #expect(late?.message == "Request has expired")
            #expect(late?.httpStatus == 403)
        }
    }

    /// Any region in the credential scope is accepted and reported.
    @Test func anyRegionIsAccepted() throws {
        let (r, _) = Self.request(.v4, virtual: false)
        let signed = RequestSigner.sign(
            r, version: .v4, scope: SigningScope(bucket: "vectors", virtualHosted: false, region: "eu-west-0"),
            credentials: Self.creds, date: Self.date)
        #expect(try Self.verify(Self.incoming(signed)).get().region == "eu-west-0")
    }

    /// The Python OBS SDK's SigV4 carries its time in `Date`, with no `x-amz-date`.
    @Test func v4WithDateHeaderOnly() throws {
        var (r, scope) = Self.request(.v4, virtual: false)
        r.headers.append((name: "Date", value: Self.httpDate))
        let signed = RequestSigner.sign(r, version: .v4, scope: scope, credentials: Self.creds, date: Self.date)
        #expect(signed.headerValue("x-amz-date") == nil)
        #expect(try Self.verify(Self.incoming(signed)).get().requestDate == Self.date)
    }

    /// The client's SignedHeaders, not the request's header set, decides what is signed: headers added after
    /// signing (a proxy's Via, User-Agent) do not matter unless they are x-amz-*.
    @Test func onlyTheNamedHeadersAreSigned() throws {
        let (r, scope) = Self.request(.v4, virtual: false)
        var signed = RequestSigner.sign(r, version: .v4, scope: scope, credentials: Self.creds, date: Self.date)
        signed.headers.append((name: "Via", value: "1.1 proxy"))
        signed.headers.append((name: "User-Agent", value: "curl/8"))
        #expect(throws: Never.self) { try Self.verify(Self.incoming(signed)).get() }
        signed.headers.append((name: "x-amz-acl", value: "public-read"))
        let f = Self.failure(Self.verify(Self.incoming(signed)))
        #expect(f?.code == "AccessDenied")
        #expect(f?.message.contains("x-amz-acl") == true)
    }

    @Test func streamingDeclarationCarriesTheSeed() throws {
        var (r, scope) = Self.request(.v4, virtual: false)
        for value in [RequestVerifier.streamingSigned, RequestVerifier.streamingSignedTrailer] {
            r.setHeader("x-amz-content-sha256", value)
            let signed = RequestSigner.sign(r, version: .v4, scope: scope, credentials: Self.creds, date: Self.date)
            let verified = try Self.verify(Self.incoming(signed)).get()
            guard case .streamingSigned(let context) = verified.payload else {
                Issue.record("payload \(verified.payload)")
                continue
            }
            #expect(signed.headerValue("Authorization")?.hasSuffix("Signature=" + context.seedSignature) == true)
            #expect(context.scope == "20241015/cn-north-4/s3/aws4_request")
            #expect(context.signedTrailer == (value == RequestVerifier.streamingSignedTrailer))
            #expect(!"\(context)".contains(Hex.encode(context.signingKey.copyBytes())))
        }
        r.setHeader("x-amz-content-sha256", RequestVerifier.streamingUnsignedTrailer)
        var signed = RequestSigner.sign(r, version: .v4, scope: scope, credentials: Self.creds, date: Self.date)
        #expect(try Self.verify(Self.incoming(signed)).get().payload == .streamingUnsignedTrailer)
        let hash = String(repeating: "ab", count: 32)
        r.setHeader("x-amz-content-sha256", hash)
        signed = RequestSigner.sign(r, version: .v4, scope: scope, credentials: Self.creds, date: Self.date)
        #expect(try Self.verify(Self.incoming(signed)).get().payload == .sha256(hex: hash))
    }

    /// A path-style bucket request signs `/bucket` (OBS's Python SDK) or `/bucket/` (botocore, S3's rule): both
    /// name the same bucket, so both verify; an object path gains no such twin.
    @Test(arguments: [SignatureVersion.obs, .v2])
    func pathStyleBucketWithOrWithoutSlash(_ version: SignatureVersion) throws {
        let scope = SigningScope(bucket: "vectors", virtualHosted: false, region: "cn-north-4")
        for (signedPath, sentPath, ok) in [
            ("/vectors/", "/vectors", true), ("/vectors", "/vectors", true), ("/vectors/a/", "/vectors/a", false),
        ] {
            let r = SignableRequest(
                method: "GET", path: signedPath, query: [(name: "acl", value: nil)],
                headers: [(name: "Host", value: "127.0.0.1:9000")])
            var signed = RequestSigner.sign(r, version: version, scope: scope, credentials: Self.creds, date: Self.date)
            signed.path = sentPath
            #expect(
                (Self.failure(Self.verify(Self.incoming(signed))) == nil) == ok, "\(signedPath) sent as \(sentPath)")
        }
    }

    /// SigV4's canonical URI is the path encoded by S3's rule, whatever escapes the client sent: a signer that
    /// encodes `=`, `(` or `!` (requests-aws4auth, the AWS SDKs) is accepted when the wire carries them raw, and
    /// lower-case hex the same as upper; one that signed the path as sent (curl) too. Another path still fails.
    @Test func v4CanonicalPathIsTheReencodedOne() throws {
        let scope = SigningScope(bucket: "vectors", virtualHosted: false, region: "cn-north-4")
        for (signedPath, sentPath, ok) in [
            ("/vectors/hive/year%3D2024/t%281%29%21", "/vectors/hive/year=2024/t(1)!", true),
            ("/vectors/hive/year=2024/t(1)!", "/vectors/hive/year=2024/t(1)!", true),
            ("/vectors/caf%C3%A9", "/vectors/caf%c3%a9", true),
            ("/vectors/a%20b", "/vectors/a%20b", true),
            ("/vectors/hive/year%3D2024", "/vectors/hive/year=2025", false),
            ("/vectors/a%2Fb", "/vectors/a/c", false),
        ] {
            let r = SignableRequest(method: "GET", path: signedPath, headers: [(name: "Host", value: "127.0.0.1:9000")])
            var signed = RequestSigner.sign(r, version: .v4, scope: scope, credentials: Self.creds, date: Self.date)
            signed.path = sentPath
            let f = Self.failure(Self.verify(Self.incoming(signed)))
            #expect((f == nil) == ok, "\(signedPath) sent as \(sentPath): \(f?.canonicalRequest ?? "")")
        }
        #expect(
            RequestVerifier.canonicalPath("/b/hive/year=2024/t(1)%c3%a9+~") == "/b/hive/year%3D2024/t%281%29%C3%A9%2B~")
    }

    // MARK: - Rejections, each scheme

    @Test(arguments: cases)
    func wrongSecretFails(_ version: SignatureVersion, _ virtual: Bool) throws {
        let (r, scope) = Self.request(version, virtual: virtual)
        let signed = RequestSigner.sign(r, version: version, scope: scope, credentials: Self.creds, date: Self.date)
        let f = try #require(
            Self.failure(Self.verify(Self.incoming(signed), bucket: virtual ? "vectors" : nil, secret: "other")))
        #expect(f.code == "SignatureDoesNotMatch")
        #expect(f.httpStatus == 403)
        #expect(f.accessKeyID == Self.ak)
        #expect(f.signatureProvided != nil)
        // The string-to-sign is the one the client signed (so a client can compare), and never holds the secret.
        if version == .v4 {
            let canonical = try #require(f.canonicalRequest)
            #expect(canonical.hasPrefix("PUT\n\(r.path)\nfoo=a%20b&versionId=v1\n"))
            #expect(f.stringToSign?.hasPrefix("AWS4-HMAC-SHA256\n20241015T072009Z\n") == true)
        } else {
            let prefix = version.headerPrefix
            let resource = RequestSigner.canonicalResource(
                path: r.path, query: r.query, scope: scope, prefix: prefix)
            #expect(
                f.stringToSign
                    == RequestSigner.stringToSignV2(
                        method: "PUT", headers: signed.headers, resource: resource, prefix: prefix))
            #expect(f.canonicalRequest == nil)
        }
        #expect(!"\(f)".contains(Self.sk) && f.stringToSign?.contains(Self.sk) == false)
    }

    /// The string to sign and canonical request go into the error body, which clients log: the SSE-C keys (the
    /// object's and the copy source's) and the security token they quote are replaced, in headers and in a
    /// presigned URL's query; the key's MD5 stays, to compare with.
    @Test(arguments: cases)
    func mismatchQuotesNoKeyNorToken(_ version: SignatureVersion, _ virtual: Bool) throws {
        var (r, scope) = Self.request(version, virtual: virtual)
        let p = version.headerPrefix
        let key = "Q1VTVE9NRVJLRVkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTA="
        let token = "STS/token+SECRETTOKEN=="
        r.headers += [
            (name: p + "server-side-encryption-customer-algorithm", value: "AES256"),
            (name: p + "server-side-encryption-customer-key", value: key),
            (name: p + "server-side-encryption-customer-key-MD5", value: "bWQ1LW9mLXRoZS1rZXk="),
            (name: p + "copy-source-server-side-encryption-customer-key", value: key),
        ]
        let bucket = virtual ? "vectors" : nil
        let creds = credentials(Self.ak, Self.sk, token: token)
        let signed = RequestSigner.sign(r, version: version, scope: scope, credentials: creds, date: Self.date)
        var get = r
        get.method = "GET"
        get.headers = [r.headers[0]]
        let query = RequestSigner.presignedQuery(
            get, version: version, scope: scope, credentials: creds, date: Self.date, expiresIn: 300)
        let keyInQuery = [(name: p + "server-side-encryption-customer-key", value: key)]
        for incoming in [Self.incoming(signed), Self.incoming(get, extraQuery: query + keyInQuery)] {
            let f = try #require(Self.failure(Self.verify(incoming, bucket: bucket, secret: "other")))
            #expect(f.code == "SignatureDoesNotMatch")
            let quoted = (f.stringToSign ?? "") + (f.canonicalRequest ?? "")
            for secret in [key, token, "SECRETTOKEN", Self.sk] { #expect(!quoted.contains(secret), "\(quoted)") }
            #expect(quoted.contains(SecretFields.placeholder), "\(quoted)")
            if incoming.rawQuery == Self.incoming(signed).rawQuery { #expect(quoted.contains("bWQ1LW9mLXRoZS1rZXk=")) }
        }
    }

    @Test func redactionKeepsEverythingElse() {
        let text = """
            PUT
            /b/hive/year=2024/x
            a=1&X-Amz-Security-Token=tok&x-amz-server-side-encryption-customer-key=k&z=
            host:h
            x-obs-security-token: tok
            x-amz-server-side-encryption-customer-key:k
            x-amz-server-side-encryption-customer-key-md5:m
            /b/k?uploads&x-obs-security-token=tok&Signature=sig
            """
        #expect(
            SecretFields.redacted(text) == """
                PUT
                /b/hive/year=2024/x
                a=1&X-Amz-Security-Token=<redacted>&x-amz-server-side-encryption-customer-key=<redacted>&z=
                host:h
                x-obs-security-token:<redacted>
                x-amz-server-side-encryption-customer-key:<redacted>
                x-amz-server-side-encryption-customer-key-md5:m
                /b/k?uploads&x-obs-security-token=<redacted>&Signature=<redacted>
                """)
        #expect(SecretFields.redacted("GET\n\n\n") == "GET\n\n\n")
        // A path's key is kept, even one that reads like a secret parameter or header.
        #expect(SecretFields.redacted("/b/x-amz-security-token=1?acl") == "/b/x-amz-security-token=1?acl")
        #expect(SecretFields.redacted("/b/my-customer-key:v") == "/b/my-customer-key:v")
    }

    @Test(arguments: cases)
    func changedSignedHeaderFails(_ version: SignatureVersion, _ virtual: Bool) throws {
        let (r, scope) = Self.request(version, virtual: virtual)
        let bucket = virtual ? "vectors" : nil
        let signed = RequestSigner.sign(r, version: version, scope: scope, credentials: Self.creds, date: Self.date)
        for name in ["Content-Type", "Content-MD5", version.headerPrefix + "meta-author"] {
            var changed = signed
            changed.setHeader(name, "changed")
            #expect(Self.failure(Self.verify(Self.incoming(changed), bucket: bucket))?.code == "SignatureDoesNotMatch")
        }
        // A signed header dropped.
        var dropped = signed
        dropped.removeHeader(version.headerPrefix + "server-side-encryption")
        #expect(Self.failure(Self.verify(Self.incoming(dropped), bucket: bucket))?.code == "SignatureDoesNotMatch")
    }

    @Test(arguments: cases)
    func changedPathOrQueryFails(_ version: SignatureVersion, _ virtual: Bool) throws {
        let (r, scope) = Self.request(version, virtual: virtual)
        let bucket = virtual ? "vectors" : nil
        let signed = RequestSigner.sign(r, version: version, scope: scope, credentials: Self.creds, date: Self.date)
        var path = signed
        path.path += "x"
        #expect(Self.failure(Self.verify(Self.incoming(path), bucket: bucket))?.code == "SignatureDoesNotMatch")
        // A signed sub-resource (every parameter under SigV4) changed, and one added.
        var query = signed
        query.query[0].value = "v2"
        #expect(Self.failure(Self.verify(Self.incoming(query), bucket: bucket))?.code == "SignatureDoesNotMatch")
        var added = signed
        added.query.append((name: "acl", value: nil))
        #expect(Self.failure(Self.verify(Self.incoming(added), bucket: bucket))?.code == "SignatureDoesNotMatch")
        // Another bucket in the host name (OBS/V2 sign it in the resource, SigV4 signs Host).
        if virtual {
            let other = Self.failure(Self.verify(Self.incoming(signed), bucket: "other"))
            if version == .v4 {
                var host = signed
                host.setHeader("Host", "other.localhost:9000")
                #expect(other == nil)
                #expect(Self.failure(Self.verify(Self.incoming(host)))?.code == "SignatureDoesNotMatch")
            } else {
                #expect(other?.code == "SignatureDoesNotMatch")
            }
        }
        // Another method.
        var method = signed
        method.method = "DELETE"
        #expect(Self.failure(Self.verify(Self.incoming(method), bucket: bucket))?.code == "SignatureDoesNotMatch")
    }

    @Test(arguments: [SignatureVersion.obs, .v2, .v4])
    func presignedURLTamperingFails(_ version: SignatureVersion) throws {
        let r = SignableRequest(
            method: "GET", path: "/vectors/a%20b.txt", query: [(name: "versionId", value: "v1")],
            headers: [(name: "Host", value: "127.0.0.1:9000")])
        let scope = SigningScope(bucket: "vectors", virtualHosted: false, region: "cn-north-4")
        let params = RequestSigner.presignedQuery(
            r, version: version, scope: scope, credentials: Self.creds, date: Self.date, expiresIn: 3600)
        var other = r
        other.path = "/vectors/other.txt"
        #expect(Self.failure(Self.verify(Self.incoming(other, extraQuery: params)))?.code == "SignatureDoesNotMatch")
        var otherVersion = r
        otherVersion.query = [(name: "versionId", value: "v2")]
        #expect(
            Self.failure(Self.verify(Self.incoming(otherVersion, extraQuery: params)))?.code == "SignatureDoesNotMatch")
        // A later expiry than the one signed.
        let stretched = params.map {
            ($0.name == "Expires" || $0.name == "X-Amz-Expires")
                ? (name: $0.name, value: String(Int($0.value)! + 86_400)) : $0
        }
        #expect(
            Self.failure(Self.verify(Self.incoming(r, extraQuery: stretched)))?.code == "SignatureDoesNotMatch")
        let wrong = Self.failure(Self.verify(Self.incoming(r, extraQuery: params), secret: "other"))
        #expect(wrong?.code == "SignatureDoesNotMatch")
    }

    @Test(arguments: [SignatureVersion.obs, .v2, .v4])
    func skewedDateFails(_ version: SignatureVersion) throws {
        let (r, scope) = Self.request(version, virtual: false)
        let signed = RequestSigner.sign(r, version: version, scope: scope, credentials: Self.creds, date: Self.date)
        for offset: TimeInterval in [-15 * 60, 15 * 60] {
            #expect(throws: Never.self) { try Self.verify(Self.incoming(signed), now: Self.date + offset).get() }
        }
        for offset: TimeInterval in [-15 * 60 - 1, 15 * 60 + 1, 86_400] {
            let f = Self.failure(Self.verify(Self.incoming(signed), now: Self.date + offset))
            #expect(f?.code == "RequestTimeTooSkewed")
            #expect(f?.httpStatus == 403)
        }
        // The prefixed date header (signed) serves as well as Date.
        if version != .v4 {
            var withPrefixed = r
            withPrefixed.setHeader(version.dateHeader, Self.httpDate)
            let signed = RequestSigner.sign(
                withPrefixed, version: version, scope: scope, credentials: Self.creds, date: Self.date)
            #expect(signed.headerValue("Date") == nil)
            #expect(throws: Never.self) { try Self.verify(Self.incoming(signed)).get() }
            #expect(
                Self.failure(Self.verify(Self.incoming(signed), now: Self.date + 3600))?.code == "RequestTimeTooSkewed")
        }
    }

    @Test(arguments: [SignatureVersion.obs, .v2, .v4])
    func missingDateIsAccessDenied(_ version: SignatureVersion) throws {
        let (r, scope) = Self.request(version, virtual: false)
        var signed = RequestSigner.sign(r, version: version, scope: scope, credentials: Self.creds, date: Self.date)
        signed.removeHeader("Date")
        signed.removeHeader("x-amz-date")
        #expect(Self.failure(Self.verify(Self.incoming(signed)))?.code == "AccessDenied")
    }

    @Test(arguments: [SignatureVersion.obs, .v2, .v4])
    func unknownAccessKeyFails(_ version: SignatureVersion) throws {
        let (r, scope) = Self.request(version, virtual: false)
        let signed = RequestSigner.sign(
            r, version: version, scope: scope, credentials: credentials("NOSUCHKEY", Self.sk), date: Self.date)
        let f = Self.failure(Self.verify(Self.incoming(signed)))
        #expect(f?.code == "InvalidAccessKeyId")
        #expect(f?.accessKeyID == "NOSUCHKEY")
    }

    // MARK: - Malformed requests

    @Test func malformedRequestsAreRefusedWithTheirCodes() throws {
        let (r, scope) = Self.request(.v4, virtual: false)
        let signed = RequestSigner.sign(r, version: .v4, scope: scope, credentials: Self.creds, date: Self.date)
        let authorization = try #require(signed.headerValue("Authorization"))
        func code(_ change: (inout SignableRequest) -> Void) -> String? {
            var copy = signed
            change(&copy)
            return Self.failure(Self.verify(Self.incoming(copy)))?.code
        }
        // No authentication at all.
        #expect(code { $0.removeHeader("Authorization") } == "AccessDenied")
        // Two mechanisms at once.
        #expect(code { $0.query.append((name: "X-Amz-Signature", value: "00")) } == "InvalidArgument")
        #expect(code { $0.headers.append((name: "Authorization", value: authorization)) } == "InvalidArgument")
        #expect(code { $0.setHeader("Authorization", "Bearer abc") } == "InvalidArgument")
        #expect(code { $0.setHeader("Authorization", "OBS nocolon") } == "InvalidArgument")
        #expect(code { $0.removeHeader("x-amz-content-sha256") } == "InvalidRequest")
        #expect(
            code { $0.setHeader("x-amz-content-sha256", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD") }
                == "InvalidArgument")
        let malformed: [(String, String)] = [
            ("/s3/aws4_request", "/sqs/aws4_request"),  // another service
            ("/aws4_request", "/aws5_request"),
            ("Credential=\(Self.ak)/20241015", "Credential=\(Self.ak)/20241016"),  // not the x-amz-date's day
            ("SignedHeaders=content-md5;", "SignedHeaders=content-md5;;"),
            (";host;", ";"),  // host not signed
            ("Signature=", "Signature=Z"),
            (",Signature=", ",Signature=0,Signature="),
        ]
        for (from, to) in malformed {
            #expect(authorization.contains(from), "\(from)")
            let value = authorization.replacingOccurrences(of: from, with: to)
            #expect(code { $0.setHeader("Authorization", value) } == "AuthorizationHeaderMalformed", "\(to)")
        }
    }

    @Test func presignedV4ParametersAreChecked() throws {
        let r = SignableRequest(method: "GET", path: "/vectors/a", headers: [(name: "Host", value: "127.0.0.1:9000")])
        let scope = SigningScope(bucket: "vectors", virtualHosted: false, region: "cn-north-4")
        func code(
            expiresIn: Int, _ change: ([(name: String, value: String)]) -> [(name: String, value: String)] = { $0 }
        )
            -> String?
        {
            let params = RequestSigner.presignedQuery(
                r, version: .v4, scope: scope, credentials: Self.creds, date: Self.date, expiresIn: expiresIn)
            return Self.failure(Self.verify(Self.incoming(r, extraQuery: change(params))))?.code
        }
        #expect(code(expiresIn: 604_800) == nil)
        #expect(code(expiresIn: 604_801) == "AuthorizationQueryParametersError")
        #expect(code(expiresIn: 60) { $0.filter { $0.name != "X-Amz-Date" } } == "AuthorizationQueryParametersError")
        #expect(
            code(expiresIn: 60) { $0.map { $0.name == "X-Amz-Algorithm" ? (name: $0.name, value: "AWS4-X") : $0 } }
                == "AuthorizationQueryParametersError")
        #expect(code(expiresIn: 60) { $0 + [(name: "X-Amz-Date", value: "20241015T072009Z")] } == "InvalidArgument")
        // A URL whose start lies more than 15 minutes ahead of the server's clock is not valid yet.
        let params = RequestSigner.presignedQuery(
            r, version: .v4, scope: scope, credentials: Self.creds, date: Self.date, expiresIn: 3600)
        let early = Self.failure(Self.verify(Self.incoming(r, extraQuery: params), now: Self.date - 3600))
        #expect(early?.code == "AccessDenied")
    }

    @Test func virtualHostBucketFromHost() {
        let endpoints = ["localhost", "obs.example.com"]
        #expect(RequestVerifier.virtualHostBucket(host: "b.localhost:9000", endpointHosts: endpoints) == "b")
        #expect(
            RequestVerifier.virtualHostBucket(host: "My.Bucket.OBS.example.com", endpointHosts: endpoints)
                == "my.bucket")
        #expect(RequestVerifier.virtualHostBucket(host: "localhost:9000", endpointHosts: endpoints) == nil)
        #expect(RequestVerifier.virtualHostBucket(host: "127.0.0.1:9000", endpointHosts: endpoints) == nil)
        #expect(RequestVerifier.virtualHostBucket(host: "[::1]:9000", endpointHosts: endpoints) == nil)
        #expect(RequestVerifier.virtualHostBucket(host: "b.otherhost", endpointHosts: endpoints) == nil)
        #expect(RequestVerifier.virtualHostBucket(host: ".localhost", endpointHosts: endpoints) == nil)
    }

    /// The same parameter spelled differently on the wire (`%7E` vs `~`, lower-case hex) signs alike under SigV4,
    /// as S3 re-encodes the query; bytes that are not UTF-8 survive the round.
    @Test func canonicalQueryReencodesTheWire() {
        #expect(RequestVerifier.canonicalQuery("b=%7e&a=x%2fy&c", excluding: nil) == "a=x%2Fy&b=~&c=")
        #expect(RequestVerifier.canonicalQuery("k=%FF%fe+", excluding: nil) == "k=%FF%FE%2B")
        #expect(RequestVerifier.canonicalQuery("X-Amz-Signature=ab&a=1", excluding: "X-Amz-Signature") == "a=1")
        #expect(RequestVerifier.canonicalQuery("a=%zz", excluding: nil) == "a=%25zz")
    }
}
