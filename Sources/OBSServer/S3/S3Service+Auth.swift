import Foundation
import OBSCore
import OBSSigner
import OBSXML

/// Authentication and the transport rules.
extension S3Service {
    /// Every request is signed (OBS, AWS V2 or SigV4; header or presigned): the verifier decides who sent it and
    /// the scheme fixes the dialect of the answer. A failure answers as S3 and OBS do, with the string to sign.
    func authenticate(_ call: S3Call) throws -> Identity {
        let incoming = IncomingRequest(
            method: call.request.method, rawPath: call.request.rawPath, rawQuery: call.request.rawQuery,
            headers: call.request.headers)
        let bucket = call.route.virtualHosted ? call.route.bucket : nil
        switch RequestVerifier.verify(incoming, virtualHostBucket: bucket, now: now(), secret: credentials.secret) {
        case .success(let verified):
            return Identity(
                accessKeyID: verified.accessKeyID, dialect: verified.scheme == .obs ? .obs : .s3,
                verified: verified)
        case .failure(let failure):
            var extra: ErrorDetails = []
            if failure.code == "SignatureDoesNotMatch", let stringToSign = failure.stringToSign {
                extra = ServerXML.signatureMismatch(
                    accessKeyID: failure.accessKeyID ?? "", stringToSign: stringToSign,
                    signatureProvided: failure.signatureProvided ?? "", canonicalRequest: failure.canonicalRequest,
                    dialect: call.dialect.xml)
            }
            throw S3Failure(failure, extra: extra)
        }
    }

    /// SSE-C keys and SSE-KMS requests travel only over HTTPS, as OBS requires; plain HTTP is accepted from the
    /// server's own machine (the address the connection came from, never a header). The headers are checked
    /// here, before anything is read or changed; a body that asks for SSE-KMS (PUT ?encryption) by its handler.
    func checkTransport(_ call: S3Call) throws {
        try requireSecureTransport(call, for: SSEHeaders.intent(call.request.headers))
    }

    /// The rule for what the request does not name but the store decides: a write without SSE headers into a
    /// bucket whose default is SSE-KMS (`bucketDefault`), or a part of an upload stored under SSE-KMS
    /// (`backend.uploadEncryption`), travels over HTTPS as a request naming it would. `stored` is asked only when
    /// the rule can refuse at all (plain HTTP from another machine).
    func requireSecureTransport(_ call: S3Call, forStored stored: () async throws -> SSEMode?) async throws {
        guard call.request.isPlainFromAnotherMachine else { return }
        try requireSecureTransport(call, for: try await stored())
    }

    /// The mode a write naming none is stored under in `bucket`: its default encryption's, if any.
    func bucketDefault(_ bucket: BucketName) async throws -> SSEMode? {
        try await backend.bucketEncryption(bucket)?.mode
    }

    /// Refuses `mode` (SSE-C or SSE-KMS) on a plain-HTTP connection from another machine, as S3 does: 400
    /// InvalidRequest.
    func requireSecureTransport(_ call: S3Call, for mode: SSEMode?) throws {
        guard let mode, mode == .c || mode == .kms, call.request.isPlainFromAnotherMachine else { return }
        let kind = mode == .c ? "Customer provided keys" : "KMS managed keys"
        throw S3Failure(
            "InvalidRequest",
            "Requests specifying Server Side Encryption with \(kind) must be made over a secure connection "
                + "(\(mode.displayName) over plain HTTP from \(call.request.peer.ip)): connect with https://",
            status: 400)
    }
}
