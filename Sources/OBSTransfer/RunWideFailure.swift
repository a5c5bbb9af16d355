import OBSCore

/// Refusals of the credentials, the account or the request's clock, which every request of a run shares: a wrong
/// access key or secret, an expired or unknown security token, an account in arrears or disabled, a clock the server
/// will not take (after its one correction). Only from answers with a body (or OBS's error header): a bare 403 to a
/// HEAD says no more than AccessDenied, which may concern that object alone.
public enum RunWideFailure {
    public static let refusingEveryRequest: Set<String> = [
        "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken", "TokenRefreshRequired",
        "RequestTimeTooSkewed", "AccountProblem", "InArrearOrInsufficientBalance", "NotSignedUp", "AllAccessDisabled",
    ]

    /// A failure every other request to the same bucket would repeat: the bucket is not there, or the server
    /// refuses the credentials or the clock.
    public static func failsEveryRequest(_ e: OBSError) -> Bool {
        e.code == "NoSuchBucket" || refusingEveryRequest.contains(e.code)
    }

    /// The failure of an item the run did not start after `cause` stopped it.
    public static func notStarted(_ cause: OBSError) -> OBSError {
        OBSError(
            code: cause.code, message: "not started: \(cause.message)", httpStatus: cause.httpStatus,
            category: cause.category)
    }
}
