import ArgumentParser
import Foundation
import OBSCore

/// `--expect-sse`: what the stored object must report after the write.
enum ExpectedSSE: String, ExpressibleByArgument, CaseIterable {
    case none, obs, kms, c, any

    func accepts(_ mode: SSEMode) -> Bool {
        switch self {
        case .any: return mode != .unencrypted
        case .none: return mode == .unencrypted
        case .obs: return mode == .obs
        case .kms: return mode == .kms
        case .c: return mode == .c
        }
    }

    /// A method named with an expectation it cannot meet (`--sse kms --expect-sse none`): refused before anything is
    /// written (or a default KMS key made). With no method named the bucket default decides, known only after.
    func refuseContradiction(_ request: SSERequest?) throws {
        guard let mode = request?.mode, !accepts(mode) else { return }
        throw OBSError.invalidArgument(
            "--expect-sse \(rawValue) contradicts the \(mode.displayName) encryption asked for; drop one of them")
    }

    func check(_ info: ObjectInfo) throws {
        let actual = info.sseMode ?? .unencrypted
        guard !accepts(actual) else { return }
        throw OBSError(
            code: "EncryptionMismatch",
            message:
                "obs://\(info.bucket)/\(info.key) is stored with \(actual.displayName) encryption, but --expect-sse "
                + "\(rawValue) was given",
            httpStatus: 0, category: .encryptionMismatch)
    }
}

/// SSE options of commands that write objects.
struct SSEOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Encryption for the new object(s): kms (SSE-KMS), obs (SSE-OBS) or c (SSE-C). Omitted: the bucket "
                + "default applies (a copy between objects keeps its source's encryption)."))
    var sse: SSEModeArgument?
    @Option(
        help: ArgumentHelp("KMS key for --sse kms (id, URN or alias); omitted means obs/default.", valueName: "id"),
        completion: .kmsKey)
    var kmsKeyId: String?
    @Option(
        help: "Fail (exit 6) unless the stored object is encrypted this way: none, obs, kms, c or any (any encryption)."
    )
    var expectSse: ExpectedSSE?

    func request(customerKey: CustomerKey?) throws -> SSERequest? {
        let request = try SSERules.request(mode: sse?.mode, kmsKeyID: kmsKeyId, customerKey: customerKey)
        try expectSse?.refuseContradiction(request)
        return request
    }
}
