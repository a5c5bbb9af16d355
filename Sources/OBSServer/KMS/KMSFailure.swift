import Foundation
import OBSCore
import OBSSigner

/// An error answer in KMS's shape (`{"error":{"error_code","error_msg"}}`) or API gateway's flat one
/// (`{"error_code","error_msg","request_id"}`), with the codes Huawei KMS uses (docs/kms-api.md §5).
struct KMSFailure: Error {
    var status: Int
    var code: String
    var message: String
    /// API gateway's flat shape (authentication, unknown API) rather than KMS's nested one.
    var flat = false

    init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func gateway(_ status: Int, _ code: String, _ message: String) -> KMSFailure {
        var f = KMSFailure(status, code, message)
        f.flat = true
        return f
    }

    /// API gateway's answer to a request whose signature does not hold; `why` names the check that failed.
    static func badSignature(_ why: String) -> KMSFailure {
        gateway(401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail (\(why))")
    }

    static func notFound(_ method: String, _ path: String) -> KMSFailure {
        gateway(404, "APIGW.0101", "The API does not exist or has not been published: \(method) \(path)")
    }

    static func projectMismatch(_ given: String, _ mine: String, region: String?) -> KMSFailure {
        KMSFailure(
            400, "KMS.0201",
            "project id '\(given)' is not this server's (\(mine)): use \(mine), or let the SDK look it up with "
                + "GET /v3/projects?name=\(region ?? "REGION")")
    }

    func response(requestID: String) -> ServerResponse {
        let object: [String: Any] =
            flat
            ? ["error_code": code, "error_msg": message, "request_id": requestID]
            : ["error": ["error_code": code, "error_msg": message]]
        return KMSJSONAnswer.ok(object, status: status)
    }

    /// The local KMS's words without their command-line advice ("; cancel it with 'obsctl kms key ...'"), which
    /// an API client cannot follow: a clause or parenthesis naming an obsctl command goes, the rest stays.
    static func withoutCLIAdvice(_ message: String) -> String {
        let unbracketed = message.replacingOccurrences(
            of: #"\s*\([^()]*'obsctl [^()]*\)"#, with: "", options: .regularExpression)
        let kept = unbracketed.components(separatedBy: "; ").filter { !$0.contains("obsctl ") }
        return kept.isEmpty ? message : kept.joined(separator: "; ")
    }

    /// The local KMS's errors in KMS's codes; which code an invalid state gets depends on the operation.
    static func from(_ error: Error, operation: String?) -> KMSFailure {
        switch error {
        case let failure as KMSFailure: return failure
        case let failure as SDKHMACVerificationFailure: return badSignature("\(failure)")
        // A body that stops is the client's failure, answered in the gateway's family of request errors
        // (APIGW.0201: 400, 413, 414, ...), as S3 answers 400 RequestTimeout.
        case RequestBodyFailure.stalled:
            return gateway(408, "APIGW.0201", "Request timeout: the request body stopped arriving")
        case RequestBodyFailure.connectionLost:
            return gateway(400, "APIGW.0201", "Bad request: the connection closed before the end of the body")
        default: break
        }
        guard var e = error as? OBSError else {
            return KMSFailure(500, "KMS.0101", "internal error: the key store could not complete the request")
        }
        e.message = withoutCLIAdvice(e.message)
        let op = operation ?? ""
        switch e.code {
        case "KMS.NotFoundException", "KMS.KeyDeletedException": return KMSFailure(404, "KMS.0207", e.message)
        case "KMS.DisabledException":
            return KMSFailure(400, e.message.contains("pending deletion") ? "KMS.0210" : "KMS.0209", e.message)
        case "AccessDenied" where e.category == .kms: return KMSFailure(403, "KMS.0306", e.message)
        case "KMS.AliasAlreadyExists": return KMSFailure(400, "KMS.1104", e.message)
        case "KMS.KMSInvalidStateException":
            if e.message.contains("default key") { return KMSFailure(400, "KMS.0211", e.message) }
            let codes = [
                "enable-key": "KMS.1201", "disable-key": "KMS.1301", "schedule-key-deletion": "KMS.1402",
                "cancel-key-deletion": "KMS.1501",
            ]
            return KMSFailure(400, codes[op] ?? "KMS.0308", e.message)
        case "KMS.InvalidCiphertext": return KMSFailure(400, "KMS.2201", e.message)
        case "KMS.InvalidDataKeyLength": return KMSFailure(400, "KMS.2102", e.message)
        case "KMS.InvalidParameter":
            if e.message.hasPrefix("alias") { return KMSFailure(400, "KMS.1101", e.message) }
            if e.message.hasPrefix("description") { return KMSFailure(400, "KMS.1103", e.message) }
            return KMSFailure(400, "KMS.0308", e.message)
        default:
            if e.category == .usage { return KMSFailure(400, "KMS.0308", e.message) }
            // The server's own trouble (a damaged key record, its policy file): no path or repair advice for the
            // client, as the S3 side answers InternalError; the store's owner sees it with obsctl kms.
            return KMSFailure(500, "KMS.0101", "internal error: the key store could not complete the request")
        }
    }
}
