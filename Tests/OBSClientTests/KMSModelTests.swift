import Foundation
import Testing
import OBSCore
import OBSCrypto
import OBSSigner
@testable import OBSClient

/// KMS request bodies byte for byte as the SDK writes them, responses in the documented shapes, key states,
/// paging, and the signed requests.
struct KMSModelTests {
    static let keyID = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"

    static func decode<T: Decodable>(_ type: T.Type, _ json: String, _ op: KMSOperation = .listKeys) throws -> T {
        try op.decode(T.self, from: Array(json.utf8))
    }

    // MARK: - Request bodies (the SDK's bytes, from Vectors/kms-signatures.json)

    /// An IPv6 KMS or IAM endpoint is bracketed once, as an OBS one (`[[::1]]` never connected).
    @Test func ipv6ServiceEndpointsAreBracketedOnce() throws {
        let endpoint = try ServiceEndpoint("http://[::1]:9443", origin: "test")
        #expect(endpoint.host == "::1" && endpoint.url == "http://[::1]:9443" && endpoint.hostHeader == "[::1]:9443")
        #expect(try ServiceEndpoint("https://[::1]", origin: "test").url == "https://[::1]")
        #expect(throws: OBSError.self) { try ServiceEndpoint("https://u:secret@[::1]", origin: "test") }
    }

    @Test func bodiesAreTheSDKsBytes() {
        #expect(
            String(
                decoding: KMSCreateKeyBody(
                    keyAlias: "test-key", keySpec: "AES_256", keyUsage: "ENCRYPT_DECRYPT",
                    keyDescription: "created by vector script"
                ).json(), as: UTF8.self)
                == #"{"key_alias": "test-key", "key_spec": "AES_256", "key_usage": "ENCRYPT_DECRYPT", "#
                + #""key_description": "created by vector script"}"#)
        #expect(
            String(
                decoding: KMSListKeysBody(limit: "2", marker: "1", keyState: "2", keySpec: "ALL").json(), as: UTF8.self)
                == #"{"limit": "2", "marker": "1", "key_state": "2", "key_spec": "ALL"}"#)
        #expect(
            String(
                decoding: KMSKeyIDBody(keyID: Self.keyID, sequence: "919c82d4-8046-4722-9094-35c3c6524cff").json(),
                as: UTF8.self)
                == #"{"key_id": "0d0466b0-e727-4d9c-b35d-f84bb474a37f", "#
                + #""sequence": "919c82d4-8046-4722-9094-35c3c6524cff"}"#)
        #expect(
            String(decoding: KMSScheduleDeletionBody(keyID: Self.keyID, pendingDays: 7).json(), as: UTF8.self)
                == #"{"key_id": "0d0466b0-e727-4d9c-b35d-f84bb474a37f", "pending_days": "7"}"#)
        #expect(
            String(decoding: KMSCreateKeyBody(keyAlias: "test-key").json(), as: UTF8.self)
                == #"{"key_alias": "test-key"}"#)
    }

    /// simplejson with ensure_ascii: quotes, backslashes and controls escaped, everything non-ASCII as \uXXXX
    /// (surrogate pairs above U+FFFF); the result reads back to the same string.
    @Test func jsonEscapingMatchesSimplejson() throws {
        let s = "a\"b\\c\n\t\u{1}\u{7F}é€😀/"
        let quoted = KMSJSON.quoted(s)
        #expect(quoted == #""a\"b\\c\n\t\u0001\u007f\u00e9\u20ac\ud83d\ude00/""#)
        #expect(try JSONDecoder().decode(String.self, from: Data(quoted.utf8)) == s)
        let body = KMSCreateKeyBody(keyAlias: "x", keyDescription: s)
        #expect(try JSONDecoder().decode(KMSCreateKeyBody.self, from: Data(body.json())) == body)
    }

    // MARK: - Responses (the documented shapes)

    static let listPage = """
        {"keys": ["\(keyID)"], "key_details": [{"key_id": "\(keyID)", "domain_id": "fedcba9876543210fedcba9876543210",
        "key_alias": "test-key", "realm": "cn-north-4", "key_spec": "AES_256", "key_usage": "ENCRYPT_DECRYPT",
        "key_description": "", "creation_date": "1735787045000", "scheduled_deletion_date": "", "key_state": "2",
        "default_key_flag": "0", "key_type": "1", "expiration_time": "", "origin": "kms",
        "key_rotation_enabled": "false", "sys_enterprise_project_id": "0", "keystore_id": "0"}],
        "next_marker": "", "truncated": "false", "total": 1}
        """

    @Test func listKeysPageAndItsKeyAsTheLocalKMSShowsIt() throws {
        let page = try Self.decode(KMSListKeysResponse.self, Self.listPage)
        #expect(page.keys == [Self.keyID] && !page.truncated && page.total == 1 && page.nextMarker == "")
        let info = try #require(page.keyDetails.first).info(region: "other-region")
        #expect(info.keyID == Self.keyID)
        #expect(info.urn == "cn-north-4:fedcba9876543210fedcba9876543210:key/\(Self.keyID)")
        #expect(info.alias == "test-key" && info.description == "" && info.state == .enabled)
        #expect(!info.isDefaultKey && info.deletionDate == nil)
        #expect(info.created == Date(timeIntervalSince1970: 1_735_787_045))
    }

    @Test func describeKeyWithFewFieldsAndSecondsOrMilliseconds() throws {
        let d = try Self.decode(
            KMSDescribeKeyResponse.self,
            #"{"key_info": {"key_id": "k", "key_state": "4", "key_alias": "obs/default", "#
                + #""creation_date": "1502799822", "scheduled_deletion_date": "1503404622000"}}"#, .describeKey)
        let info = d.keyInfo.info(region: "cn-north-4")
        #expect(info.urn == "cn-north-4::key/k" && info.state == .pendingDeletion && info.isDefaultKey)
        #expect(info.created == Date(timeIntervalSince1970: 1_502_799_822))
        #expect(info.deletionDate == Date(timeIntervalSince1970: 1_503_404_622))
    }

    @Test func createKeyResponse() throws {
        let r = try Self.decode(
            KMSCreateKeyResponse.self,
            #"{"key_info": {"key_id": "bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e", "#
                + #""domain_id": "b168fe00ff56492495a7d22974df2d0b"}}"#,
            .createKey)
        #expect(r.keyInfo.keyID == "bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e" && r.keyInfo.regionID == nil)
    }

    /// enable/disable wrap the answer in key_info, schedule/cancel deletion answer flat: both read either way.
    @Test(arguments: [
        (#"{"key_info": {"key_id": "k", "key_state": "3"}}"#, "3"),
        (#"{"key_id": "k", "key_state": "4"}"#, "4"),
        (#"{"key_id": "k", "key_state": "7"}"#, "7"),
    ])
    func stateChangeAnswers(_ json: String, _ state: String) throws {
        let r = try Self.decode(KMSKeyStateResponse.self, json, .disableKey)
        #expect(r.keyID == "k" && r.keyState == state && r.state.code == state)
    }

    @Test(arguments: [
        ("not json", "not JSON"), (#"{"key_info": {"key_state": "2"}}"#, "key_id"),
        (#"{"keys": [], "truncated": "maybe"}"#, "truncated"), (#"{"keys": 5}"#, "keys"),
    ])
    func unreadableAnswersAreNamedErrors(_ json: String, _ mentioned: String) {
        let error = #expect(throws: OBSError.self) {
            _ = try Self.decode(KMSListKeysResponse.self, json)
            _ = try Self.decode(KMSDescribeKeyResponse.self, json, .describeKey)
        }
        #expect(error?.category == .general && error?.message.contains(mentioned) == true)
    }

    @Test func truncatedAndTotalAcceptLiteralsToo() throws {
        let r = try Self.decode(KMSListKeysResponse.self, #"{"truncated": true, "total": "3", "next_marker": "2"}"#)
        #expect(r.truncated && r.total == 3 && r.keys.isEmpty && r.keyDetails.isEmpty)
    }

    // MARK: - States

    @Test func statesMapToTheLocalKMSsAndRefuseUnusableKeys() {
        let expected: [(String, KMSKeyState, String)] = [
            ("1", .disabled, "pending activation"), ("2", .enabled, "enabled"), ("3", .disabled, "disabled"),
            ("4", .pendingDeletion, "pending deletion"), ("5", .disabled, "pending import"),
            ("7", .disabled, "frozen"), ("9", .disabled, "in state 9"),
        ]
        for (code, local, name) in expected {
            let s = KMSRemoteKeyState(code: code)
            #expect(s.local == local && s.displayName == name && s.code == code)
            if code == "2" {
                #expect(s.unusable(keyID: "k") == nil)
            } else {
                let e = s.unusable(keyID: "k")
                #expect(e?.category == .kms && e?.message.contains(name) == true && e?.resource == "k")
            }
        }
    }

    @Test func keysOBSCanEncryptWith() {
        func key(_ spec: String?, _ usage: String?) -> KMSKeyDetails {
            KMSKeyDetails(
                keyID: "k", domainID: nil, keyAlias: nil, realm: nil, keySpec: spec, keyUsage: usage,
                keyDescription: nil, creationDate: nil, scheduledDeletionDate: nil, keyState: "2",
                defaultKeyFlag: nil, keyType: nil, origin: nil)
        }
        #expect(key("AES_256", "ENCRYPT_DECRYPT").canEncryptOBSObjects && key("SM4", nil).canEncryptOBSObjects)
        #expect(key(nil, nil).canEncryptOBSObjects)
        for spec in ["RSA_2048", "EC_P256", "HMAC_256", "SM2"] { #expect(!key(spec, nil).canEncryptOBSObjects) }
        #expect(!key("AES_256", "SIGN_VERIFY").canEncryptOBSObjects)
    }

    // MARK: - Paging

    static func page(_ ids: [String], truncated: Bool, next: String) throws -> KMSListKeysResponse {
        let details = ids.map { #"{"key_id": "\#($0)", "key_spec": "AES_256", "key_state": "2"}"# }
        return try decode(
            KMSListKeysResponse.self,
            #"{"key_details": [\#(details.joined(separator: ","))], "truncated": "\#(truncated)", "#
                + #""next_marker": "\#(next)", "total": 9}"#)
    }

    @Test func pagingFollowsNextMarkerWithKeySpecAll() throws {
        var listing = KMSKeyListing()
        #expect(listing.nextRequest == KMSListKeysBody(limit: "100", keySpec: "ALL"))
        try listing.add(Self.page(["a", "b"], truncated: true, next: "2"))
        #expect(listing.nextRequest == KMSListKeysBody(limit: "100", marker: "2", keySpec: "ALL"))
        try listing.add(Self.page(["c"], truncated: false, next: ""))
        #expect(listing.nextRequest == nil && listing.keys.map(\.keyID) == ["a", "b", "c"])
    }

    @Test(arguments: ["", "1"])
    func pagingThatWouldNotEndIsAnError(_ marker: String) throws {
        var listing = KMSKeyListing()
        try listing.add(Self.page(["a"], truncated: true, next: "1"))
        let error = #expect(throws: OBSError.self) { try listing.add(Self.page(["b"], truncated: true, next: marker)) }
        #expect(error?.category == .transient && listing.nextRequest == nil)
    }

    // MARK: - Signed requests

    static let credentials = Credentials(
        accessKeyID: "HWKMSEXAMPLEAK000001",
        secretAccessKey: SecretBytes(copying: Array("hwkmsExampleSecretKey0123456789abcdefghij".utf8)),
        securityToken: "TOKEN")

    /// What the SDK sends (less its User-Agent): the path with the project, JSON content type, X-Project-Id, the
    /// token; and the server-side verifier accepts it, over exactly those headers and the body.
    @Test func kmsRequestIsSignedLikeTheSDKs() throws {
        let endpoint = try ServiceEndpoint("https://kms.cn-north-4.myhuaweicloud.com", origin: "test")
        let date = Date(timeIntervalSince1970: 1_735_787_045)
        let body = KMSScheduleDeletionBody(keyID: Self.keyID, pendingDays: 7)
        let r = KMSRequests.request(
            .scheduleKeyDeletion, body: body, endpoint: endpoint, projectID: "0123456789abcdef0123456789abcdef",
            credentials: Self.credentials, date: date)
        #expect(r.method == "POST" && r.path == "/v1.0/0123456789abcdef0123456789abcdef/kms/schedule-key-deletion")
        #expect(r.header("Content-Type") == "application/json;charset=utf-8")
        #expect(r.header("X-Project-Id") == "0123456789abcdef0123456789abcdef")
        #expect(r.header("X-Security-Token") == "TOKEN" && r.header("X-Sdk-Date") == "20250102T030405Z")
        #expect(r.header("Host") == "kms.cn-north-4.myhuaweicloud.com")
        guard case .bytes(let bytes) = r.body else { Issue.record("body is not bytes"); return }
        #expect(bytes == body.json())
        let verified = try SDKHMACVerifier.verify(
            method: r.method, path: r.path, rawQuery: "", headers: r.headers,
            bodySHA256: SDKHMACSigner.bodySHA256(bytes), now: date,
            secret: { $0 == "HWKMSEXAMPLEAK000001" ? Self.credentials.secretAccessKey : nil })
        #expect(
            verified.signedHeaders == ["content-type", "host", "x-project-id", "x-sdk-date", "x-security-token"])
    }

    /// The IAM lookup of the vector `raw_iam_list_projects`, byte for byte (same key, date and headers).
    @Test func projectLookupReproducesTheSDKVector() throws {
        let iam = try ServiceEndpoint("https://iam.cn-north-4.myhuaweicloud.com", origin: "test")
        let plain = Credentials(accessKeyID: "HWKMSEXAMPLEAK000001", secretAccessKey: Self.credentials.secretAccessKey)
        let r = KMSRequests.projectLookup(
            region: "cn-north-4", iam: iam, credentials: plain, date: Date(timeIntervalSince1970: 1_735_787_045))
        #expect(r.method == "GET" && r.path == "/v3/projects")
        #expect(r.query.map(\.name) == ["name"] && r.query.map(\.value) == ["cn-north-4"])
        #expect(
            r.header("Authorization")
                == "SDK-HMAC-SHA256 Access=HWKMSEXAMPLEAK000001, SignedHeaders=host;x-sdk-date, "
                + "Signature=92ec1881fb204957d98f566ae183957079a5b85bf740c115f76b0cec28f50db6")
    }

    /// A port that is not the scheme's default is part of the signed Host.
    @Test func nonDefaultPortIsSigned() throws {
        let endpoint = try ServiceEndpoint("http://127.0.0.1:9443", origin: "test")
        let r = KMSRequests.request(
            .listKeys, body: KMSListKeysBody(keySpec: "ALL"), endpoint: endpoint, projectID: "p",
            credentials: Self.credentials, date: Date())
        #expect(r.header("Host") == "127.0.0.1:9443" && r.scheme == "http" && r.port == 9443)
    }

    // MARK: - Key references

    @Test func keyReferencesAreIDsURNsOrAliases() throws {
        #expect(KMSKeyReference(Self.keyID) == .keyID(Self.keyID, domain: nil))
        #expect(
            KMSKeyReference("cn-north-4:fedcba98:key/\(Self.keyID)")
                == .keyID(Self.keyID, domain: "fedcba98", region: "cn-north-4"))
        // Ids are UUIDs, which compare without case: one in capitals names the key, never an alias.
        #expect(KMSKeyReference(Self.keyID.uppercased()) == .keyID(Self.keyID, domain: nil))
        #expect(KMSKeyReference.isAmbiguousAlias(Self.keyID.uppercased()))
        #expect(KMSKeyReference.isAmbiguousAlias("local:x:key/abc") && !KMSKeyReference.isAmbiguousAlias("team/app"))
        // `alias/NAME`, as S3 and AWS KMS spell an alias, names the alias NAME.
        #expect(KMSKeyReference("alias/test-key") == .alias("test-key"))
        #expect(KMSKeyReference("alias/team/app") == .alias("team/app"))
        #expect(KMSKeyReference("alias/") == .alias("alias/"))
        for alias in [
            "obs/default", "my-key", "cn-north-4:d:key/not-an-id", "a:b:c:key/\(Self.keyID)", Self.keyID + "0",
        ] {
            #expect(KMSKeyReference(alias) == .alias(alias))
        }
        let page = try Self.decode(KMSListKeysResponse.self, Self.listPage)
        #expect(try KMSKeyReference.find("test-key", in: page.keyDetails).keyID == Self.keyID)
        #expect(try KMSKeyReference.find("alias/test-key", in: page.keyDetails).keyID == Self.keyID)
        #expect(try KMSKeyReference.find("r:d:key/\(Self.keyID)", in: page.keyDetails).keyAlias == "test-key")
        let missing = #expect(throws: OBSError.self) { try KMSKeyReference.find("other", in: page.keyDetails) }
        #expect(missing?.category == .kms && missing?.message.contains("'other'") == true)
    }
}
