import OBSCore
import OBSXML

/// Turns an HTTP error response into an `OBSError`: the code from the XML body (or, for HEAD, the
/// `x-obs-error-code` / `x-amz-error-code` header, else the status), a category for the exit code, and a message
/// that names the problem and the fix.
enum RemoteErrors {
    static func map(_ r: HTTPResponse, op: RemoteBackend.Operation, configuration: RemoteConfiguration) -> OBSError {
        let parsed = OBSXMLParser.error(r.body)
        let code =
            parsed?.code ?? r.header("x-obs-error-code") ?? r.header("x-amz-error-code") ?? defaultCode(r.status, op)
        let serverMessage = parsed?.message ?? r.header("x-obs-error-message") ?? "HTTP \(r.status)"
        let requestID = parsed?.requestID ?? r.header("x-obs-request-id") ?? r.header("x-amz-request-id")
        let bucket = op.bucket?.value ?? ""
        let key = op.key?.value ?? ""
        let suffix = requestID.map { " [request id \($0)]" } ?? ""

        func make(_ message: String, _ category: OBSError.Category) -> OBSError {
            OBSError(
                code: code, message: message + suffix, httpStatus: r.status, category: category, requestID: requestID,
                resource: op.key == nil ? bucket : "\(bucket)/\(key)")
        }
        switch code {
        case "NoSuchBucket": return make(OBSError.noSuchBucket(bucket).message, .notFound)
        case "NoSuchKey": return make(OBSError.noSuchKey(bucket, key).message, .notFound)
        case "SignatureDoesNotMatch":
            return make(
                "the server rejected the request signature: check \(configuration.credentialPlaces.secretKey) and "
                    + "--signature",
                .accessDenied)
        case "InvalidAccessKeyId":
            return make(
                "the server does not know access key \(configuration.credentials.accessKeyID): check "
                    + configuration.credentialPlaces.accessKey,
                .accessDenied)
        // S3's answers to a temporary credential's token (HTTP 400); OBS names its own in the message.
        case "InvalidToken", "ExpiredToken", "TokenRefreshRequired":
            return make(
                "the server refused the security token (\(serverMessage)): get a new temporary credential into "
                    + "OBS_SECURITY_TOKEN (or the profile's security_token) with its access key and secret",
                .accessDenied)
        // OBS's account-wide refusals (arrears, not signed up, all access disabled); S3's AccountProblem.
        case "InArrearOrInsufficientBalance", "NotSignedUp", "AllAccessDisabled", "AccountProblem":
            return make(
                "the account cannot use the service now (\(serverMessage)): check its status and balance in the "
                    + "console",
                .accessDenied)
        case "BucketAlreadyExists", "BucketAlreadyOwnedByYou":
            return make("bucket '\(bucket)' already exists (\(serverMessage)); pick another name", .conflict)
        case "BucketNotEmpty": return make(OBSError.bucketNotEmpty(bucket).message, .conflict)
        case "InvalidBucketName": return make("invalid bucket name '\(bucket)': \(serverMessage)", .usage)
        // OBS takes parts from 100 KB, S3 and most S3-compatible servers from 5 MiB (but the last).
        case "EntityTooSmall":
            return make(
                "the server refused a part as too small (\(serverMessage)); S3-compatible servers take parts of at "
                    + "least 5 MiB but the last: raise --part-size to 5M or more",
                .usage)
        // BadDigest: Content-MD5 or x-amz-checksum-* mismatch (SeaweedFS says InvalidDigest for some).
        case "BadDigest", "XAmzContentChecksumMismatch", "InvalidDigest":
            return make(
                "the server received damaged bytes for obs://\(bucket)/\(key) (checksum mismatch: \(serverMessage)); "
                    + "nothing was stored, run the upload again",
                .integrity)
        // 400 RequestTimeout: the server gave up waiting for our bytes (a stall on the way), not a bad request.
        case "RequestTimeout", "SlowDown", "ServiceUnavailable", "InternalError":
            return make("the server failed: \(serverMessage); try again later", .transient)
        default: break
        }
        if code.hasPrefix("KMS.") || code.contains("KMS") { return make("KMS: \(serverMessage)", .kms) }
        // A key sent for an object that has none: S3's words ("The encryption parameters are not applicable to this
        // object."). A bare 400 to a HEAD that sent a key most likely means the same (S3 and OBS answer a wrong key
        // 403), but says less.
        if op.customerKey != nil && r.status == 400 && serverMessage.lowercased().contains("not applicable") {
            return make(
                "obs://\(bucket)/\(key) is not SSE-C encrypted (\(serverMessage)); drop the SSE-C key option",
                .customerKey)
        }
        if op.customerKey != nil && r.status == 400 && op.method == "HEAD" && parsed == nil {
            return make(
                "obs://\(bucket)/\(key) answered 400 to a request with an SSE-C key: it is most likely not SSE-C "
                    + "encrypted (drop the SSE-C key option), or the server refused the key",
                .customerKey)
        }
        let aboutKey = serverMessage.lowercased().contains("customer") || serverMessage.lowercased().contains("key")
        if code == "InvalidEncryptionAlgorithmError"
            || op.customerKey != nil && (r.status == 403 || r.status == 400 && aboutKey)
        {
            return make(
                "SSE-C key rejected for obs://\(bucket)/\(key): \(serverMessage); pass the key the object was "
                    + "uploaded with",
                .customerKey)
        }
        if r.status == 400 && op.method == "HEAD" && op.key != nil && op.customerKey == nil && parsed == nil {
            // HEAD answers carry no body: a bare 400 on an object asked for without a key is an SSE-C object.
            return make(
                "obs://\(bucket)/\(key) answered 400 without a customer key: it is SSE-C encrypted; pass "
                    + "--sse-c-key-file or --sse-c-key-env",
                .customerKey)
        }
        let message = serverMessage.lowercased()
        // S3's refusal of SSE-C or SSE-KMS over plain HTTP ("... must be made over a secure connection"): no key
        // would help, only the transport.
        if r.status == 400 && message.contains("secure connection") {
            return make(
                "obs://\(bucket)/\(key): \(serverMessage); use an https:// endpoint for encrypted objects", .usage)
        }
        // S3's own words for an SSE-C object read without its key: "The object was stored using a form of Server
        // Side Encryption. The correct parameters must be provided to retrieve the object."
        if r.status == 400 && op.method != "PUT"
            && ["customer", "sse", "server side encryption", "encryption parameters"].contains(where: message.contains)
        {
            return make(
                "obs://\(bucket)/\(key): \(serverMessage); an SSE-C object needs --sse-c-key-file or --sse-c-key-env",
                .customerKey)
        }
        switch r.status {
        case 404:
            return make(
                "not found: \(op.key == nil ? "bucket '\(bucket)'" : "obs://\(bucket)/\(key)") (\(serverMessage))",
                .notFound)
        case 403: return make("access denied: \(serverMessage)", .accessDenied)
        case 409, 412: return make(serverMessage, .conflict)
        case 501: return make("the endpoint does not implement this request: \(serverMessage)", .general)
        case 507: return make("the server has no room to store this (\(serverMessage)): free space there", .general)
        case 429, 500...599: return make("the server failed: \(serverMessage); try again later", .transient)
        default: return make(serverMessage, .usage)
        }
    }

    static func defaultCode(_ status: Int, _ op: RemoteBackend.Operation) -> String {
        switch status {
        case 404: return op.key != nil ? "NoSuchKey" : (op.bucket != nil ? "NoSuchBucket" : "NotFound")
        case 403: return "AccessDenied"
        case 409: return "Conflict"
        case 400: return "BadRequest"
        default: return "HTTP\(status)"
        }
    }
}
