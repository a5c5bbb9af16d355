import Foundation
import OBSCore
import OBSXML

/// Error answers and the headers every answer shares.
extension S3Service {
    func errorResponse(_ failure: S3Failure, _ call: S3Call) -> ServerResponse {
        let resource = call.route.bucket.map { "/" + $0 + (call.route.key.map { "/" + $0 } ?? "") } ?? "/"
        let error = ServiceError(
            code: failure.code, message: failure.message, requestID: call.requestID, hostID: call.requestID,
            resource: resource)
        // A HEAD answer has no body: the status and the request id are all the client gets.
        if call.request.method == "HEAD" {
            return ServerResponse(status: failure.status, headers: [("Content-Length", "0")] + failure.headers)
        }
        // The names S3 adds for these codes (boto3 reads `Error.Key`, `Error.BucketName`), as the request gave them;
        // not for a copy, whose missing object may be its source.
        var details = failure.extra
        let copies = call.request.header(call.dialect.headerPrefix + "copy-source") != nil
        switch copies ? "" : failure.code {
        case "NoSuchKey": if let key = call.route.key { details.append(("Key", key)) }
        case "NoSuchBucket", "BucketNotEmpty", "BucketAlreadyExists", "BucketAlreadyOwnedByYou":
            if let bucket = call.route.bucket { details.append(("BucketName", bucket)) }
        case "NoSuchUpload": if let id = call.request.query("uploadId") { details.append(("UploadId", id)) }
        default: break
        }
        return ServerResponse(
            status: failure.status, headers: [("Content-Type", "application/xml")] + failure.headers,
            body: .bytes(ServerXML.error(error, details: details)))
    }

    static func xml(_ bytes: [UInt8], status: Int = 200) -> ServerResponse {
        ServerResponse(status: status, headers: [("Content-Type", "application/xml")], body: .bytes(bytes))
    }
}
