import OBSCore

/// `--expect-sse`: what the stored object must report after the write.
public enum ExpectedSSE: String, Sendable, CaseIterable {
    case none, obs, kms, c, any

    public func accepts(_ mode: SSEMode) -> Bool {
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
    public func refuseContradiction(_ request: SSERequest?) throws {
        guard let mode = request?.mode, !accepts(mode) else { return }
        throw OBSError.invalidArgument(
            "--expect-sse \(rawValue) contradicts the \(mode.displayName) encryption asked for; drop one of them")
    }

    public func check(_ info: ObjectInfo) throws {
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
