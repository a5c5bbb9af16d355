import ArgumentParser
import Foundation
import OBSCore

/// `--expect-sse`: what the stored object must report after the write.
enum ExpectedSSE: String, ExpressibleByArgument, CaseIterable {
    case none, obs, kms, c, any

    func check(_ info: ObjectInfo) throws {
        let actual = info.sseMode ?? .unencrypted
        let ok: Bool
        switch self {
        case .any: ok = actual != .unencrypted
        case .none: ok = actual == .unencrypted
        case .obs: ok = actual == .obs
        case .kms: ok = actual == .kms
        case .c: ok = actual == .c
        }
        guard !ok else { return }
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
                + "default applies."))
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
        try SSERules.request(mode: sse?.mode, kmsKeyID: kmsKeyId, customerKey: customerKey)
    }
}
