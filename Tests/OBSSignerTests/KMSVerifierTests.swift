import Foundation
import Testing
import OBSCrypto
import OBSTime
@testable import OBSSigner

/// The server side of SDK-HMAC-SHA256: every vector as it arrived on the wire verifies, and each way of
/// tampering with a signed part, the key or the clock fails with its own typed reason.
struct KMSVerifierTests {
    typealias Headers = [(name: String, value: String)]

    struct Received {
        var method: String
        var path: String
        var query: String
        var headers: Headers
        var body: [UInt8]

        init(_ v: KMSVector) {
            method = v.method
            path = v.path
            query = v.wireQuery
            headers = v.wireHeaders
            body = v.body
        }

        mutating func set(_ name: String, _ value: String) {
            var r = SignableRequest(method: method, path: path, headers: headers)
            r.setHeader(name, value)
            headers = r.headers
        }

        mutating func remove(_ name: String) { headers.removeAll { $0.name.lowercased() == name.lowercased() } }

        func value(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    static func file() throws -> KMSVectorFile { try KMSVectorFile.load() }

    static func verify(
        _ r: Received, now: Date? = nil, secrets: [String: String]? = nil
    ) throws -> Result<SDKHMACVerifier.Verified, SDKHMACVerificationFailure> {
        let file = try file()
        let keys = secrets ?? [file.accessKeyID: file.secretAccessKey]
        let clock = try now ?? kmsVectorDate(file)
        do {
            return .success(
                try SDKHMACVerifier.verify(
                    method: r.method, path: r.path, rawQuery: r.query, headers: r.headers,
                    bodySHA256: SDKHMACSigner.bodySHA256(r.body), now: clock,
                    secret: { keys[$0].map { SecretBytes(copying: Array($0.utf8)) } }))
        } catch {
            return .failure(error)
        }
    }

    static func failure(_ result: Result<SDKHMACVerifier.Verified, SDKHMACVerificationFailure>)
        -> SDKHMACVerificationFailure?
    {
        if case .failure(let f) = result { return f }
        return nil
    }

    /// Re-signs `r` over exactly `names` (another SDK's choice of headers) and sets its Authorization.
    static func resign(_ r: inout Received, over names: [String]) throws {
        let file = try file()
        r.remove("Authorization")
        let request = SignableRequest(
            method: r.method, path: r.path, query: SDKHMACSigner.parseQuery(r.query), headers: r.headers)
        let parts = SDKHMACSigner.parts(
            request, signedHeaders: names, payloadHash: SDKHMACSigner.bodySHA256(r.body),
            secret: SecretBytes(copying: Array(file.secretAccessKey.utf8)))
        r.headers.append(
            (name: "Authorization", value: SDKHMACSigner.authorization(accessKeyID: file.accessKeyID, parts: parts)))
    }

    // MARK: - Every vector

    /// As received: the SDK's headers plus the unsigned ones the transport adds (Accept-Encoding, Content-Length).
    @Test(arguments: try KMSVectorFile.load().vectors)
    func everyVectorVerifies(_ v: KMSVector) throws {
        let verified = try Self.verify(Received(v)).get()
        #expect(verified.accessKeyID == (try Self.file()).accessKeyID)
        #expect(verified.signedHeaders.joined(separator: ";") == v.signedHeaders)
        #expect(verified.payloadSigned)
        #expect(Timestamps.amzDate(verified.date) == (try Self.file()).sdkDate)
    }

    /// Changing the value of any signed header breaks the signature (X-Sdk-Date: moved by one second).
    @Test(arguments: try KMSVectorFile.load().vectors)
    func everySignedHeaderIsCovered(_ v: KMSVector) throws {
        for name in v.signedHeaders.split(separator: ";").map(String.init) {
            var r = Received(v)
            let old = try #require(r.value(name), "\(v.name): \(name)")
            if name == "x-sdk-date" {
                let date = try #require(Timestamps.parseAmzDate(old))
                r.set(name, Timestamps.amzDate(date.addingTimeInterval(1)))
            } else {
                r.set(name, old + "x")
            }
            #expect(
                Self.failure(try Self.verify(r)) == .signatureMismatch(accessKeyID: (try Self.file()).accessKeyID),
                "\(v.name): \(name)")
        }
    }

    /// Headers nobody signed play no part, whatever their name.
    @Test(arguments: try KMSVectorFile.load().vectors)
    func unsignedExtraHeadersDoNotMatter(_ v: KMSVector) throws {
        var r = Received(v)
        r.headers += [
            (name: "X-Extra", value: "anything"), (name: "x_with_underscore", value: "1"),
            (name: "X-Forwarded-For", value: "10.0.0.1"), (name: "Content-Length", value: "\(r.body.count)"),
        ]
        if !v.signedHeaders.contains("user-agent") { r.set("User-Agent", "curl/8") }
        #expect(throws: Never.self) { try Self.verify(r).get() }
    }

    @Test(arguments: try KMSVectorFile.load().vectors)
    func wrongSecretAndUnknownKeyAreRefused(_ v: KMSVector) throws {
        let ak = try Self.file().accessKeyID
        #expect(
            Self.failure(try Self.verify(Received(v), secrets: [ak: "wrong"])) == .signatureMismatch(accessKeyID: ak))
        #expect(Self.failure(try Self.verify(Received(v), secrets: ["OTHER": "x"])) == .unknownAccessKey(ak))
    }

    /// Body, path and query are signed; a trailing `/` is not (the SDK's canonical URI always ends with one).
    @Test(arguments: try KMSVectorFile.load().vectors)
    func bodyPathAndQueryAreCovered(_ v: KMSVector) throws {
        let ak = try Self.file().accessKeyID
        var body = Received(v)
        body.body += Array(" ".utf8)
        #expect(Self.failure(try Self.verify(body)) == .signatureMismatch(accessKeyID: ak))
        var path = Received(v)
        path.path = v.path == "/" ? "/x" : v.path + "x"
        #expect(Self.failure(try Self.verify(path)) == .signatureMismatch(accessKeyID: ak))
        var query = Received(v)
        query.query += query.query.isEmpty ? "extra=1" : "&extra=1"
        #expect(Self.failure(try Self.verify(query)) == .signatureMismatch(accessKeyID: ak))
        var slash = Received(v)
        slash.path = v.path.hasSuffix("/") ? v.path : v.path + "/"
        #expect(throws: Never.self) { try Self.verify(slash).get() }
    }

    // MARK: - Clock

    @Test(arguments: [-901.0, -900, 0, 900, 901])
    func fifteenMinuteRule(_ offset: Double) throws {
        let file = try Self.file()
        let v = try #require(file.vectors.first { $0.name == "kms_create_key" })
        let signed = try kmsVectorDate(file)
        let now = signed.addingTimeInterval(offset)
        let result = try Self.verify(Received(v), now: now)
        if abs(offset) <= 900 {
            #expect(throws: Never.self) { try result.get() }
        } else {
            #expect(Self.failure(result) == .skewedDate(requestDate: signed, serverDate: now))
        }
    }

    @Test func missingOrMalformedDate() throws {
        let v = try #require(try Self.file().vectors.first { $0.name == "kms_create_key" })
        var none = Received(v)
        none.remove("X-Sdk-Date")
        #expect(Self.failure(try Self.verify(none)) == .missingDate)
        for bad in ["2025-01-02T03:04:05Z", "20250102T030405", "20251302T030405Z", "Thu, 02 Jan 2025 03:04:05 GMT"] {
            var r = Received(v)
            r.set("X-Sdk-Date", bad)
            #expect(Self.failure(try Self.verify(r)) == .malformedDate(bad))
        }
    }

    // MARK: - Other SDKs' header sets

    /// A Go signer that leaves Content-Type out, and a Java one that signs every header it sends: both verify,
    /// each over its own list; what one leaves unsigned may change, what it signs may not.
    @Test func signedHeadersListIsTheClientsChoice() throws {
        let file = try Self.file()
        let v = try #require(file.vectors.first { $0.name == "kms_create_key" })
        let ak = file.accessKeyID

        var go = Received(v)
        try Self.resign(&go, over: ["host", "user-agent", "x-project-id", "x-sdk-date"])
        #expect(try Self.verify(go).get().signedHeaders == ["host", "user-agent", "x-project-id", "x-sdk-date"])
        var goContentType = go
        goContentType.set("Content-Type", "text/plain")
        #expect(throws: Never.self) { try Self.verify(goContentType).get() }
        var goProject = go
        goProject.set("X-Project-Id", "ffffffffffffffffffffffffffffffff")
        #expect(Self.failure(try Self.verify(goProject)) == .signatureMismatch(accessKeyID: ak))

        var java = Received(v)
        java.remove("Authorization")
        let all = SDKHMACSigner.signedHeaderNames(java.headers)
        #expect(all.contains("accept-encoding") && all.contains("content-length"))
        try Self.resign(&java, over: all)
        #expect(throws: Never.self) { try Self.verify(java).get() }
        var javaAccept = java
        javaAccept.set("Accept", "text/html")
        #expect(Self.failure(try Self.verify(javaAccept)) == .signatureMismatch(accessKeyID: ak))
        var javaDropped = java
        javaDropped.remove("Accept")
        #expect(
            Self.failure(try Self.verify(javaDropped))
                == .malformedAuthorization("SignedHeaders names 'accept', which the request does not carry"))

        // The minimal set: host and the date.
        var minimal = Received(v)
        try Self.resign(&minimal, over: ["host", "x-sdk-date"])
        #expect(throws: Never.self) { try Self.verify(minimal).get() }
    }

    /// A signed `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` verifies whatever the body, and says so.
    @Test func unsignedPayloadIsReported() throws {
        let file = try Self.file()
        let v = try #require(file.vectors.first { $0.name == "raw_post_create_key_minimal" })
        let request = SignableRequest(
            method: v.method, path: v.path, query: v.query,
            headers: v.headersBefore.map { $0.name == "Content-Type" ? (name: $0.name, value: "text/plain") : $0 })
        let signed = SDKHMACSigner.sign(
            request, body: v.body, credentials: credentials(file.accessKeyID, file.secretAccessKey),
            date: try kmsVectorDate(file))
        var r = Received(v)
        r.headers = signed.headers
        r.body = Array("other bytes".utf8)
        let verified = try Self.verify(r).get()
        #expect(!verified.payloadSigned)
        #expect(verified.signedHeaders.contains("x-sdk-content-sha256"))
    }

    /// A signed `X-Sdk-Content-Sha256` that is a hash stands for the body in the signature, so it must be the
    /// body's: else the request verifies with any body (a captured one replayed with another).
    @Test func declaredHashMustBeTheBodys() throws {
        let file = try Self.file()
        let v = try #require(file.vectors.first { $0.name == "raw_post_create_key_minimal" })
        let hash = SDKHMACSigner.bodySHA256(v.body)
        let other = Array("other bytes".utf8)
        for declared in [hash, hash.uppercased(), "whatever"] {
            let request = SignableRequest(
                method: v.method, path: v.path, query: v.query,
                headers: v.headersBefore + [(name: "X-Sdk-Content-Sha256", value: declared)])
            let signed = SDKHMACSigner.sign(
                request, body: v.body, credentials: credentials(file.accessKeyID, file.secretAccessKey),
                date: try kmsVectorDate(file))
            var r = Received(v)
            r.headers = signed.headers
            if declared == "whatever" {
                #expect(
                    Self.failure(try Self.verify(r)) == .payloadHashMismatch(declared: declared, body: hash))
            } else {
                #expect(try Self.verify(r).get().payloadSigned)
            }
            r.body = other
            #expect(
                Self.failure(try Self.verify(r))
                    == .payloadHashMismatch(declared: declared, body: SDKHMACSigner.bodySHA256(other)))
        }
    }

    /// `checkHeaders` refuses what the headers alone tell (no body needed); what passes it verifies with the body.
    @Test func headerChecksNeedNoBody() throws {
        let file = try Self.file()
        let v = try #require(file.vectors.first { $0.name == "kms_create_key" })
        let r = Received(v)
        let keys = [file.accessKeyID: file.secretAccessKey]
        func check(_ r: Received, now: Date, keys: [String: String]) throws(SDKHMACVerificationFailure)
            -> SDKHMACVerifier.Pending
        {
            try SDKHMACVerifier.checkHeaders(
                method: r.method, path: r.path, rawQuery: r.query, headers: r.headers, now: now,
                secret: { keys[$0].map { SecretBytes(copying: Array($0.utf8)) } })
        }
        let now = try kmsVectorDate(file)
        let pending = try check(r, now: now, keys: keys)
        #expect(pending.accessKeyID == file.accessKeyID)
        #expect(try SDKHMACVerifier.verify(pending, bodySHA256: SDKHMACSigner.bodySHA256(r.body)).payloadSigned)
        #expect(throws: SDKHMACVerificationFailure.unknownAccessKey(file.accessKeyID)) {
            try check(r, now: now, keys: [:])
        }
        #expect(throws: SDKHMACVerificationFailure.self) { try check(r, now: now.addingTimeInterval(901), keys: keys) }
        var none = r
        none.remove("Authorization")
        #expect(throws: SDKHMACVerificationFailure.missingAuthorization) { try check(none, now: now, keys: keys) }
    }

    // MARK: - Authorization header

    static let goodAuthorization =
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=" + String(repeating: "ab", count: 32)

    @Test func authorizationParsesWithOrWithoutSpaces() throws {
        let a = try SDKHMACVerifier.Authorization.parse(Self.goodAuthorization)
        #expect(a.accessKeyID == "AK" && a.signedHeaders == ["host", "x-sdk-date"] && a.signature.count == 64)
        let tight = Self.goodAuthorization.replacingOccurrences(of: ", ", with: ",")
        #expect(try SDKHMACVerifier.Authorization.parse(tight) == a)
    }

    @Test(arguments: [
        "AWS4-HMAC-SHA256 Credential=AK/x, SignedHeaders=host, Signature=00",
        "SDK-HMAC-SHA256",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date",
        "SDK-HMAC-SHA256 SignedHeaders=host, Signature=" + String(repeating: "a", count: 64),
        "SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=" + String(repeating: "a", count: 64),
        "SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=host, Signature=" + String(repeating: "a", count: 64),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=" + String(repeating: "A", count: 64),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=, Signature=" + String(repeating: "a", count: 64),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x-sdk-date, Signature=" + String(repeating: "a", count: 64),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host;x-sdk-date, Signature=" + String(repeating: "a", count: 64),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;host, Signature=" + String(repeating: "a", count: 64),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=" + String(repeating: "a", count: 64),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=" + String(repeating: "a", count: 64) + ", X=1",
        "SDK-HMAC-SHA256 Access=AK SignedHeaders=host Signature=" + String(repeating: "a", count: 64),
    ])
    func malformedAuthorizationIsTyped(_ value: String) throws {
        let v = try #require(try Self.file().vectors.first { $0.name == "kms_create_key" })
        var r = Received(v)
        r.set("Authorization", value)
        guard case .malformedAuthorization = Self.failure(try Self.verify(r)) else {
            Issue.record("accepted or misreported: \(value)")
            return
        }
    }

    @Test func missingOrRepeatedAuthorization() throws {
        let v = try #require(try Self.file().vectors.first { $0.name == "kms_create_key" })
        var none = Received(v)
        none.remove("Authorization")
        #expect(Self.failure(try Self.verify(none)) == .missingAuthorization)
        var twice = Received(v)
        twice.headers.append((name: "authorization", value: try #require(twice.value("Authorization"))))
        guard case .malformedAuthorization = Self.failure(try Self.verify(twice)) else {
            Issue.record("two Authorization headers accepted")
            return
        }
    }

    @Test func failuresDescribeThemselvesWithoutSecrets() throws {
        let file = try Self.file()
        let v = try #require(file.vectors.first { $0.name == "kms_create_key" })
        let f = try #require(Self.failure(try Self.verify(Received(v), secrets: [file.accessKeyID: "wrong"])))
        #expect(f.description.contains(file.accessKeyID))
        #expect(!f.description.contains(file.secretAccessKey))
    }
}
