import OBSCore

/// The code and message a storage error is answered with. `OBSError` messages are written for the CLI: they name
/// obsctl commands and options as the fix. An SDK talking to `serve` gets the API's own words instead (S3's texts,
/// which OBS shares), with the bucket, key or KMS key where that helps; other messages pass through.
enum S3ErrorText {
    static func answer(for error: OBSError) -> (code: String, message: String) {
        let r = error.resource ?? ""
        switch error.code {
        case "NoSuchBucket": return (error.code, "The specified bucket does not exist")
        case "NoSuchKey": return (error.code, "The specified key does not exist.")
        case "BucketNotEmpty": return (error.code, "The bucket you tried to delete is not empty")
        // OBS's own code for this case (S3 discards the uploads instead: see `deleteBucket`).
        case "MultipartUploadsInProgress":
            return (
                "BucketNotEmpty", "The bucket you tried to delete is not empty: it has multipart uploads in progress"
            )
        case "NoSuchUpload":
            return (
                error.code,
                "The specified multipart upload does not exist. The upload ID might be invalid, "
                    + "or the multipart upload might have been aborted or completed."
            )
        case "PreconditionFailed": return (error.code, "At least one of the pre-conditions you specified did not hold")
        case "KMS.NotFoundException": return (error.code, "The KMS key '\(r)' does not exist")
        case "KMS.DisabledException": return (error.code, "The KMS key \(r) is disabled or pending deletion")
        case "IntegrityCheckFailed" where r.isEmpty:
            return ("InternalError", internalError)
        case "IntegrityCheckFailed":
            return (error.code, "The stored object \(r) failed its integrity check: it was modified or damaged")
        // The server's own set-up (a KMS policy file, the store): its paths and fixes are for its operator's log.
        case "ConfigurationError", "LocalIOError": return ("InternalError", internalError)
        case OBSError.storageFullCode:
            return (error.code, "The server has no room left to store this request's data (its disk is full).")
        case "BucketAlreadyOwnedByYou":
            return (
                error.code,
                "Your previous request to create the named bucket succeeded and you already own it."
            )
        case "BucketAlreadyExists":
            return (
                error.code,
                "The requested bucket name is not available. The bucket namespace is shared by all users of the "
                    + "system. Please select a different name and try again."
            )
        case "InvalidBucketName": return (error.code, "The specified bucket is not valid.")
        case "InvalidLocationConstraint": return (error.code, "The specified location-constraint is not valid")
        case "InvalidPart":
            return (
                error.code,
                "One or more of the specified parts could not be found. The part might not have been uploaded, or "
                    + "the specified entity tag might not have matched the part's entity tag."
            )
        case "KeyTooLongError": return (error.code, "Your key is too long")
        case "InvalidPartOrder":
            return (
                error.code,
                "The list of parts was not in ascending order. The parts list must be specified in order by part "
                    + "number."
            )
        case "EntityTooSmall":
            return (error.code, "Your proposed upload is smaller than the minimum allowed object size.")
        case "AccessDenied" where error.category == .kms:
            return (error.code, "No privilege to this kms operation: '\(r)' is denied by the KMS policy")
        case "AccessDenied" where error.category == .customerKey:
            return (error.code, "The SSE-C key does not match the key the object was encrypted with")
        case "InvalidRequest" where error.category == .customerKey:
            return (error.code, customerKeyText(error))
        default: return (error.code, withoutAdvice(error.message))
        }
    }

    static let internalError = "We encountered an internal error. Please try again."

    /// A message with the CLI's advice (a command, an option, a shell line: "problem; fix") cut to the problem.
    static func withoutAdvice(_ message: String) -> String {
        let advice = ["obsctl", " --", "'head ", "/dev/urandom"]
        guard advice.contains(where: message.contains) else { return message }
        let problem = message.split(separator: ";", maxSplits: 1).first.map(String.init) ?? message
        return advice.contains(where: problem.contains) ? "The request could not be carried out" : problem
    }

    /// The two SSE-C refusals share a code: a key missing for an SSE-C object, a key sent for another object
    /// (`OBSError.customerKeyNotExpected`, whose wording `ServerErrorTextTests` pins).
    private static func customerKeyText(_ error: OBSError) -> String {
        if error.message.contains("is not SSE-C encrypted") {
            return "The encryption parameters are not applicable to this object."
        }
        return "The object was stored using a form of Server Side Encryption. "
            + "The correct parameters must be provided to retrieve the object."
    }
}
