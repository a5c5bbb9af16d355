/// A failure inside OpenSSL. Carries no key material, only which primitive failed.
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    case primitiveFailed(String)
    case authenticationFailed
    case invalidLength(what: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .primitiveFailed(let what): return "OpenSSL \(what) failed"
        case .authenticationFailed: return "authentication tag did not verify"
        case .invalidLength(let what, let expected, let actual):
            return "\(what) must be \(expected) bytes, got \(actual)"
        }
    }
}
