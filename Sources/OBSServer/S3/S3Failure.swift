import OBSCore
import OBSSigner

/// An error answer: the code and status OBS/S3 use, a message for people, and the extra elements some errors carry
/// (StringToSign, CanonicalRequest, BucketName, Key).
public struct S3Failure: Error, Sendable {
    public var code: String
    public var message: String
    public var status: Int
    public var extra: [(name: String, value: String)]
    /// Headers the answer carries besides the shared ones (a 416's `Content-Range: bytes */SIZE`).
    public var headers: [(name: String, value: String)]

    public init(
        _ code: String, _ message: String, status: Int, extra: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = []
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra
        self.headers = headers
    }

    /// A storage error as the server answers it: its code, and the status it carries (else by category).
    public init(_ error: OBSError) {
        var status = error.httpStatus
        if status < 400 {
            switch error.category {
            case .usage: status = 400
            case .notFound: status = 404
            case .accessDenied, .kms: status = 403
            case .conflict: status = 409
            case .customerKey: status = 400
            case .transient: status = 503
            default: status = 500
            }
        }
        let (code, message) = S3ErrorText.answer(for: error)
        if error.code == OBSError.storageFullCode { status = 507 }
        self.init(code, message, status: status)
    }

    /// A refused signature or a malformed aws-chunked body, as the verifier names it.
    public init(_ failure: AuthenticationFailure, extra: [(name: String, value: String)] = []) {
        self.init(failure.code, failure.message, status: failure.httpStatus, extra: extra)
    }

    public static func notImplemented(_ what: String) -> S3Failure {
        S3Failure("NotImplemented", "\(what) is not implemented by obsctl serve", status: 501)
    }

    /// S3's 400 for a request whose path, query or copy source (`what`) percent-decodes to bytes that are not
    /// UTF-8: read with U+FFFD in their place, distinct keys would alias.
    static func invalidURI(_ what: String) -> S3Failure {
        S3Failure(
            "InvalidURI", "Couldn't parse the specified URI: \(what) is not UTF-8 once percent-decoded", status: 400)
    }

    /// S3's 501 for a header asking for what serve does not do (`why`: what it does instead).
    static func unimplementedHeader(_ name: String, _ why: String = "obsctl serve does not keep it") -> S3Failure {
        S3Failure(
            "NotImplemented", "A header you provided implies functionality that is not implemented: \(name) (\(why))",
            status: 501)
    }

    public static func invalidArgument(_ message: String) -> S3Failure {
        S3Failure("InvalidArgument", message, status: 400)
    }

    public static func methodNotAllowed(_ method: String) -> S3Failure {
        S3Failure("MethodNotAllowed", "The specified method is not allowed against this resource.", status: 405)
    }
}
