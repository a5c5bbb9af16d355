import Foundation
import OBSCore
import OBSSigner

/// Presigned URLs, signed offline as `aws s3 presign` and obsutil's `sign` do: the signature travels in the query
/// (OBS/V2: AccessKeyId, Expires, Signature; SigV4: X-Amz-*), over the same host, path and key encoding as every
/// other request of this endpoint.
extension RemoteBackend: PresignedURLs {
    /// SigV4 caps a presigned URL's lifetime at 7 days.
    static let maxPresignSecondsV4 = 7 * 24 * 3600

    public func presignedURL(method: String, bucket: BucketName, key: ObjectKey, expiresIn seconds: Int) throws
        -> String
    {
        guard seconds >= 1 else {
            throw OBSError.invalidArgument("a presigned URL must be valid for at least 1 second")
        }
        if configuration.signature == .v4 && seconds > Self.maxPresignSecondsV4 {
            throw OBSError.invalidArgument(
                "a SigV4 presigned URL is valid for at most 7 days (604800 s), not \(seconds) s; "
                    + "ask for less, or sign with --signature obs or v2")
        }
        // V2 and OBS URLs carry the expiry as a Unix time: past 2038-01-19 (2^31 - 1) servers keeping it in 32 bits
        // read it as long past, and the URL never works.
        let now = Date().addingTimeInterval(shared.clockOffset).timeIntervalSince1970
        if configuration.signature != .v4 && now + Double(seconds) > Double(Int32.max) {
            throw OBSError.invalidArgument(
                "a presigned URL's expiry must come before 2038-01-19 (a Unix time in 32 bits), not in \(seconds) s; "
                    + "ask for less")
        }
        var request = httpRequest(Operation(method: method, bucket: bucket, key: key))
        let signable = SignableRequest(
            method: request.method, path: request.path, query: request.query, headers: request.headers)
        let parameters = RequestSigner.presignedQuery(
            signable, version: configuration.signature, scope: signingScope(bucket),
            credentials: configuration.credentials, date: Date().addingTimeInterval(shared.clockOffset),
            expiresIn: seconds)
        request.query += parameters.map { (name: $0.name, value: Optional($0.value)) }
        return URLBuilder.url(request)
    }
}
