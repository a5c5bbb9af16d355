import Testing
import OBSCore
@testable import OBSClient

/// Huawei KMS's and IAM's error answers as exit codes and messages a user can act on (issue 13 item 4).
struct KMSErrorTests {
    static let endpoint = try! ServiceEndpoint("https://kms.cn-north-4.myhuaweicloud.com", origin: "test")
    static let keyID = "0d0466b0-e727-4d9c-b35d-f84bb474a37f"

    static func response(_ status: Int, _ body: String, requestID: String? = "req-1") -> HTTPResponse {
        HTTPResponse(
            status: status, headers: requestID.map { [(name: "x-request-id", value: $0)] } ?? [], body: Array(body.utf8)
        )
    }

    static func kms(_ status: Int, _ code: String, _ msg: String = "message") -> HTTPResponse {
        response(status, #"{"error": {"error_code": "\#(code)", "error_msg": "\#(msg)"}}"#)
    }

    static func map(
        _ r: HTTPResponse, _ op: KMSOperation = .describeKey, key: String? = keyID, alias: String? = nil
    ) -> OBSError {
        KMSErrors.map(r, operation: op, keyRef: key, alias: alias, endpoint: endpoint)
    }

    /// The SDK's reading: flat (API gateway), nested (KMS), camelCase, code/message (IAM, numeric), none.
    @Test func errorBodiesAreReadAsTheSDKReadsThem() {
        let nested = KMSServerError(Self.kms(404, "KMS.0207", "Key does not exist."))
        #expect(
            nested
                == KMSServerError(
                    Self.response(404, #"{"error":{"error_code":"KMS.0207","error_msg":"Key does not exist."}}"#)))
        #expect(nested.code == "KMS.0207" && nested.message == "Key does not exist." && nested.requestID == "req-1")
        let flat = KMSServerError(
            Self.response(
                401,
                #"{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information", "#
                    + #""request_id": "x"}"#
            ))
        #expect(flat.code == "APIGW.0301" && flat.message == "Incorrect IAM authentication information")
        let camel = KMSServerError(Self.response(400, #"{"errorCode": "KMS.0202", "errorMsg": "bad json"}"#))
        #expect(camel.code == "KMS.0202" && camel.message == "bad json")
        let iam = KMSServerError(
            Self.response(403, #"{"error": {"code": 403, "message": "You are not authorized.", "title": "Forbidden"}}"#)
        )
        #expect(iam.code == "403" && iam.message == "You are not authorized.")
        let html = KMSServerError(Self.response(502, "<html>bad gateway</html>", requestID: nil))
        #expect(html.code == "502" && html.message == "HTTP 502" && html.requestID == nil)
    }

    @Test(arguments: ["KMS.0207", "KMS.0205"])
    func noSuchKeyNamesTheKey(_ code: String) {
        let e = Self.map(Self.kms(code == "KMS.0207" ? 404 : 400, code), key: "my-alias")
        #expect(e.category == .kms && e.code == code && e.resource == "my-alias")
        #expect(e.message.contains("'my-alias' does not exist") && e.message.contains("obsctl kms key list"))
        #expect(e.message.hasSuffix("[request id req-1]") && e.requestID == "req-1")
    }

    @Test func disabledAndPendingDeletionNameTheKeyAndTheFix() {
        let disabled = Self.map(Self.kms(400, "KMS.0209"))
        #expect(disabled.category == .kms && disabled.message.contains("\(Self.keyID) is disabled"))
        #expect(disabled.message.contains("obsctl kms key enable \(Self.keyID)"))
        let pending = Self.map(Self.kms(400, "KMS.0210"))
        #expect(pending.category == .kms && pending.message.contains("pending deletion"))
        #expect(pending.message.contains("cancel-deletion"))
    }

    /// KMS's permission codes and any other 403 name the IAM action of the operation.
    @Test(arguments: [
        (KMSOperation.createKey, "kms:cmk:create"), (.listKeys, "kms:cmk:list"), (.describeKey, "kms:cmk:get"),
        (.enableKey, "kms:cmk:enable"), (.disableKey, "kms:cmk:disable"), (.scheduleKeyDeletion, "kms:cmk:update"),
        (.cancelKeyDeletion, "kms:cmk:update"), (.createDatakey, "kms:dek:create"), (.decryptDatakey, "kms:dek:crypto"),
    ])
    func deniedNamesTheAction(_ op: KMSOperation, _ action: String) {
        for r in [
            Self.kms(403, "KMS.0306"), Self.kms(403, "KMS.0307"), Self.response(403, #"{"error_code": "IAM.0001"}"#),
        ] {
            let e = Self.map(r, op)
            #expect(e.category == .kms && e.resource == action)
            #expect(e.message.contains("'\(action)'") && e.message.contains("IAM"))
        }
    }

    @Test func signatureRejectionNamesTheSecretKeyAndTheClock() {
        for r in [
            Self.response(401, #"{"error_code": "APIGW.0301", "error_msg": "verify aksk signature fail"}"#),
            Self.response(401, "", requestID: nil),
        ] {
            let e = Self.map(r, .createKey)
            #expect(e.category == .accessDenied)
            #expect(e.message.contains("secret key") && e.message.contains("clock"))
        }
    }

    @Test func aliasTakenIsAConflictNamingTheAlias() {
        let e = Self.map(Self.kms(400, "KMS.1104"), .createKey, key: nil, alias: "app/key")
        #expect(e.category == .conflict && e.message.contains("'app/key' already exists") && e.resource == "app/key")
    }

    @Test(arguments: [429, 500, 502, 503])
    func serverFailuresAreTransientAndRetryable(_ status: Int) {
        let e = Self.map(Self.kms(status, "KMS.0101"))
        #expect(e.category == .transient && KMSErrors.isRetryable(status: status))
    }

    @Test func clientErrorsAreNotRetried() {
        for status in [400, 401, 403, 404, 501] { #expect(!KMSErrors.isRetryable(status: status)) }
    }

    @Test func otherCodes() {
        #expect(Self.map(Self.kms(400, "KMS.1401"), .scheduleKeyDeletion).category == .usage)
        #expect(Self.map(Self.kms(400, "KMS.1101"), .createKey, alias: "x/default").category == .usage)
        #expect(Self.map(Self.kms(400, "KMS.0211"), .disableKey).category == .kms)
        #expect(Self.map(Self.kms(400, "KMS.1301"), .disableKey).message.contains("not enabled"))
        #expect(Self.map(Self.kms(400, "KMS.1501"), .cancelKeyDeletion).category == .kms)
        #expect(Self.map(Self.kms(400, "KMS.0308")).category == .kms)
        let wrongService = Self.map(Self.response(404, #"{"error_code": "APIGW.0101", "error_msg": "API not found"}"#))
        #expect(wrongService.category == .configuration && wrongService.message.contains("--kms-endpoint"))
        #expect(Self.map(Self.response(404, "")).category == .notFound)
        #expect(Self.map(Self.response(400, "")).category == .usage)
    }

    // MARK: - IAM project lookup

    static let iam = try! ServiceEndpoint("https://iam.cn-north-4.myhuaweicloud.com", origin: "test")

    static func iamAnswer(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [(name: "x-iam-trace-id", value: "trace-1")], body: Array(body.utf8))
    }

    @Test func oneProjectIsTheAnswer() throws {
        let r = Self.iamAnswer(
            200,
            #"{"projects": [{"id": "0123456789abcdef0123456789abcdef", "name": "cn-north-4", "domain_id": "d", "#
                + #""enabled": true, "links": {}}], "links": {}}"#)
        #expect(
            try KMSRequests.projectID(fromIAM: r, region: "cn-north-4", iam: Self.iam)
                == "0123456789abcdef0123456789abcdef")
    }

    /// The SDK's three failures (vectors' iam_project_lookup_failures), and a hostile id.
    @Test(arguments: [
        (200, #"{"projects": [], "links": {}}"#, OBSError.Category.configuration, "--project-id"),
        (
            200, #"{"projects": [{"id": "p1", "name": "cn-north-4"}, {"id": "p2", "name": "cn-north-4"}]}"#,
            .configuration, "p1, p2"
        ),
        (
            403, #"{"error": {"code": 403, "message": "You are not authorized.", "title": "Forbidden"}}"#,
            .kms, "allow iam:projects:list in IAM, or pass --project-id"
        ),
        (401, #"{"error_code": "APIGW.0301", "error_msg": "x"}"#, .accessDenied, "clock"),
        (503, "", .transient, "try again"),
        (200, #"{"projects": [{"id": "../../x"}]}"#, .configuration, "project id"),
        (200, "<html/>", .configuration, "--iam-endpoint"),
    ])
    func lookupFailuresSayWhatToDo(_ status: Int, _ body: String, _ category: OBSError.Category, _ hint: String) {
        let error = #expect(throws: OBSError.self) {
            try KMSRequests.projectID(fromIAM: Self.iamAnswer(status, body), region: "cn-north-4", iam: Self.iam)
        }
        #expect(error?.category == category)
        #expect(error?.message.contains(hint) == true, "\(error?.message ?? "")")
    }
}
