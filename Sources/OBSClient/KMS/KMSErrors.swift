import Foundation
import OBSCore

/// An error answer of Huawei KMS or IAM, read as the SDK reads it (`exception_handler.py`): `error_code` /
/// `error_msg` at the top (API gateway's flat shape), else `errorCode` / `errorMsg`, else `code` / `message`,
/// else the same inside a nested object (KMS's `{"error": {...}}`); the status as the code when the body has none.
/// The request id is the `X-Request-Id` header's.
public struct KMSServerError: Sendable, Equatable {
    public var status: Int
    public var code: String
    public var message: String
    public var requestID: String?

    public init(_ r: HTTPResponse) {
        status = r.status
        requestID = r.header("x-request-id")
        let object = try? JSONSerialization.jsonObject(with: Data(r.body))
        if let (code, message) = (object as? [String: Any]).flatMap(Self.find) {
            self.code = code
            self.message = message
        } else {
            code = String(r.status)
            message = "HTTP \(r.status)"
        }
    }

    private static func text(_ any: Any?) -> String? {
        switch any {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }

    private static func find(_ dict: [String: Any]) -> (String, String)? {
        for (codeKey, messageKey) in [("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")] {
            if let code = text(dict[codeKey]) { return (code, text(dict[messageKey]) ?? "") }
        }
        for key in dict.keys.sorted() {
            if let nested = dict[key] as? [String: Any], let found = find(nested) { return found }
        }
        return nil
    }
}

/// Turns Huawei KMS's error answers into `OBSError`s whose category gives the documented exit code and whose
/// message names what to do (issue 13 item 4):
///
/// | answer | exit |
/// |---|---|
/// | KMS.0207 / KMS.0205 (no such key), KMS.0209 / KMS.0210 (disabled, pending deletion), other KMS.* | 5 |
/// | KMS.0306 / 0307 / 0326 and any other 403 of KMS (IAM denial): names the `kms:*` action | 5 |
/// | APIGW.0301 and any 401 (signature, access key, clock) | 4 |
/// | KMS.1104 (alias taken) | 10 |
/// | KMS.1101 / 1102 / 1103 / 1401 / 1601 / 1602 (bad alias, description, days, paging) | 2 |
/// | APIGW.0101 (no such API: the endpoint is not KMS) | 12 |
/// | 429, 5xx: retried like OBS requests, then | 11 |
/// | KMS.0201 (a project id KMS does not know): `RemoteKMS.call` drops a cached one and asks IAM again, else | 12 |
public enum KMSErrors {
    /// `keyRef`: the key as the user named it (id, URN or alias); `alias`: the alias being created or set.
    public static func map(
        _ r: HTTPResponse, operation op: KMSOperation, keyRef: String? = nil, alias: String? = nil,
        endpoint: ServiceEndpoint
    ) -> OBSError {
        let e = KMSServerError(r)
        let suffix = e.requestID.map { " [request id \($0)]" } ?? ""
        let key = keyRef ?? "?"
        func make(_ message: String, _ category: OBSError.Category, resource: String? = keyRef) -> OBSError {
            OBSError(
                code: e.code, message: message + suffix, httpStatus: e.status, category: category,
                requestID: e.requestID, resource: resource)
        }
        let said = "(\(e.code): \(e.message))"
        switch e.code {
        case "KMS.0207", "KMS.0205":
            return make(OBSError.kmsNotFound(key).message + " " + said, .kms)
        case "KMS.0209": return make(OBSError.kmsDisabled(key, state: "disabled").message, .kms)
        case "KMS.0210": return make(OBSError.kmsDisabled(key, state: "pending deletion").message, .kms)
        case "KMS.0211":
            return make(
                "KMS key \(key) is a cloud service's default key (such as obs/default): it cannot be disabled, "
                    + "deleted or renamed \(said)", .kms)
        case "KMS.1201": return make("KMS key \(key) is not disabled, so it cannot be enabled \(said)", .kms)
        case "KMS.1301": return make("KMS key \(key) is not enabled, so it cannot be disabled \(said)", .kms)
        case "KMS.1402": return make("KMS key \(key) is already pending deletion \(said)", .kms)
        case "KMS.1501": return make("KMS key \(key) is not pending deletion \(said)", .kms)
        case "KMS.1104":
            return make(
                "a KMS key with alias '\(alias ?? key)' already exists; pick another alias \(said)", .conflict,
                resource: alias ?? keyRef)
        case "KMS.1101":
            return make(
                "alias '\(alias ?? key)' is invalid: use 1 to 255 of a-z A-Z 0-9 : / _ -, not ending in /default "
                    + said, .usage, resource: alias ?? keyRef)
        case "KMS.1103": return make("the key description is invalid: at most 255 bytes \(said)", .usage)
        case "KMS.1401": return make("--days must be between 7 and 1096 \(said)", .usage)
        case "KMS.1102", "KMS.1601", "KMS.1602", "KMS.1105":
            return make("Huawei KMS refused \(op.rawValue) \(said)", e.code == "KMS.1105" ? .kms : .usage)
        case "KMS.0306", "KMS.0307", "KMS.0326": return denied(e, op, make)
        case "APIGW.0301": return make(signatureRejected(service: "Huawei KMS", said: said), .accessDenied)
        case "APIGW.0101":
            return make(
                "\(endpoint.url) (\(endpoint.origin)) does not serve KMS's \(op.rawValue) \(said); "
                    + "point --kms-endpoint at Huawei KMS, e.g. https://kms.cn-north-4.myhuaweicloud.com",
                .configuration)
        default: break
        }
        if e.status == 401 {
            return make(signatureRejected(service: "Huawei KMS", said: said), .accessDenied)
        }
        if e.status == 403 { return denied(e, op, make) }
        if e.status == 429 || e.status >= 500 {
            return make("Huawei KMS failed \(op.rawValue) \(said); try again later", .transient)
        }
        if e.code.hasPrefix("KMS.") { return make("Huawei KMS refused \(op.rawValue) \(said)", .kms) }
        switch e.status {
        case 404: return make("Huawei KMS: not found \(said)", .notFound)
        case 409: return make("Huawei KMS: \(e.message) \(said)", .conflict)
        default: return make("Huawei KMS refused \(op.rawValue) \(said)", .usage)
        }
    }

    /// KMS's answer to a project id it does not know: KMS.0201 (invalid request URL), as `obsctl serve` answers
    /// it too. obsctl's KMS URLs are fixed but for the project id, so for them this code means the project id.
    public static func isUnknownProject(_ r: HTTPResponse) -> Bool {
        r.status == 400 && KMSServerError(r).code == "KMS.0201"
    }

    /// 5xx (but 501) and 429 are worth sending again, as for OBS (`RetryPolicy.isTransient`).
    public static func isRetryable(status: Int) -> Bool { RetryPolicy.isTransient(status: status, category: .general) }

    static func signatureRejected(service: String, said: String) -> String {
        "\(service) rejected the request's signature \(said): check the secret key (OBS_SECRET_ACCESS_KEY or "
            + "the profile's secret_access_key) and the access key it belongs to, and the system clock "
            + "(requests signed more than 15 minutes off are refused)"
    }

    private static func denied(
        _ e: KMSServerError, _ op: KMSOperation, _ make: (String, OBSError.Category, String?) -> OBSError
    ) -> OBSError {
        make(
            "No privilege to this kms operation: '\(op.iamAction)' (\(op.rawValue)) is denied to these "
                + "credentials (\(e.code): \(e.message)); ask an administrator to allow \(op.iamAction) in IAM",
            .kms, op.iamAction)
    }
}
