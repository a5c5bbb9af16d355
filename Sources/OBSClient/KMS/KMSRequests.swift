import Foundation
import OBSCore
import OBSSigner

/// Signed requests to Huawei KMS and to IAM's project list, as Huawei's SDK sends them (docs/kms-api.md sections
/// 2-3), and the project id read from IAM's answer. Pure: the caller sends them (libcurl adds `User-Agent`, which
/// is then unsigned, as `Content-Length` is for the SDK).
public enum KMSRequests {
    /// What the SDK's KmsClient sends for its JSON bodies.
    public static let contentType = "application/json;charset=utf-8"

    /// `POST /v1.0/PROJECT/kms/OPERATION` with `body`: `Content-Type`, `X-Project-Id`, `Host`, `X-Sdk-Date`,
    /// `X-Security-Token` for temporary credentials, and `Authorization` over all of them and the body.
    public static func request(
        _ op: KMSOperation, body: some KMSRequestBody, endpoint: ServiceEndpoint, projectID: String,
        credentials: Credentials, date: Date
    ) -> HTTPRequest {
        let bytes = body.json()
        var request = HTTPRequest(
            method: "POST", scheme: endpoint.scheme, host: endpoint.host, port: endpoint.port,
            path: op.path(projectID: projectID), body: .bytes(bytes))
        request.headers = [
            (name: "Content-Type", value: contentType), (name: "X-Project-Id", value: projectID),
            (name: "Host", value: request.hostHeader),
        ]
        return signed(request, body: bytes, credentials: credentials, date: date)
    }

    /// IAM's `GET /v3/projects?name=REGION`, signed over `Host` and `X-Sdk-Date` (and the security token).
    public static func projectLookup(
        region: String, iam: ServiceEndpoint, credentials: Credentials, date: Date
    ) -> HTTPRequest {
        var request = HTTPRequest(
            method: "GET", scheme: iam.scheme, host: iam.host, port: iam.port, path: "/v3/projects",
            query: [(name: "name", value: region)])
        request.headers = [(name: "Host", value: request.hostHeader)]
        return signed(request, body: [], credentials: credentials, date: date)
    }

    static func signed(_ request: HTTPRequest, body: [UInt8], credentials: Credentials, date: Date) -> HTTPRequest {
        let signable = SignableRequest(
            method: request.method, path: request.path, query: request.query, headers: request.headers)
        var out = request
        out.headers = SDKHMACSigner.sign(signable, body: body, credentials: credentials, date: date).headers
        return out
    }

    /// The IAM action `GET /v3/projects` needs (Keystone's `identity:projects:list` in IAM's fine-grained terms).
    public static let projectListAction = "iam:projects:list"

    /// The project id in IAM's answer to `projectLookup`: exactly one project named `region`, as the SDK requires.
    /// A refusal names the signature or the permission and the way around it (`--project-id`).
    public static func projectID(fromIAM r: HTTPResponse, region: String, iam: ServiceEndpoint) throws -> String {
        let trace = r.header("x-iam-trace-id").map { " [X-IAM-Trace-Id \($0)]" } ?? ""
        let giveIt = "pass --project-id (the console's My Credentials page lists it) or set OBSCTL_PROJECT_ID"
        guard (200...299).contains(r.status) else {
            let e = KMSServerError(r)
            let said = "(\(e.code): \(e.message))"
            let category: OBSError.Category
            let message: String
            switch e.status {
            case 401:
                (category, message) = (.accessDenied, KMSErrors.signatureRejected(service: "IAM", said: said))
            case 403:
                // A permission denial, exit 5 like the kms:* ones; the signature was accepted (that is a 401).
                (category, message) = (
                    .kms,
                    "IAM denied these credentials '\(projectListAction)' (listing the projects of region \(region)) "
                        + "\(said); allow \(projectListAction) in IAM, or " + giveIt
                )
            case 429, 500...599:
                (category, message) = (.transient, "IAM failed to list projects \(said); try again later, or " + giveIt)
            default:
                (category, message) = (
                    .configuration,
                    "IAM at \(iam.url) (\(iam.origin)) could not list projects "
                        + "\(said); check --iam-endpoint, or " + giveIt
                )
            }
            throw OBSError(
                code: e.code, message: message + trace, httpStatus: e.status, category: category,
                requestID: e.requestID)
        }
        struct Projects: Decodable {
            struct Project: Decodable { var id: String }
            var projects: [Project]
        }
        guard let list = try? JSONDecoder().decode(Projects.self, from: Data(r.body)) else {
            throw OBSError.configuration(
                "IAM at \(iam.url) (\(iam.origin)) answered the project list with a body obsctl cannot read; "
                    + "check --iam-endpoint, or \(giveIt)\(trace)")
        }
        switch list.projects.count {
        case 0:
            throw OBSError.configuration(
                "IAM knows no project named '\(region)' for these credentials: check the region, or \(giveIt)\(trace)")
        case 1:
            let id = list.projects[0].id
            try KMSSettings.checkProjectID(SettingValue(id, from: "IAM at \(iam.url)"))
            return id
        default:
            throw OBSError.configuration(
                "IAM lists several projects named '\(region)' (\(list.projects.map(\.id).joined(separator: ", "))): "
                    + "pass one with --project-id\(trace)")
        }
    }
}
