import OBSCrypto

/// An access key pair, optionally with the security token of temporary (STS) credentials.
///
/// `description`, `debugDescription` and the reflection mirror (`dump`) show the access key id only; the secret and
/// the token are redacted so a `Credentials` value can be logged or interpolated without leaking them.
public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let accessKeyID: String
    public let secretAccessKey: SecretBytes
    public let securityToken: String?

    public init(accessKeyID: String, secretAccessKey: SecretBytes, securityToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.securityToken = securityToken
    }

    public var description: String {
        "Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, securityToken: "
            + "\(securityToken == nil ? "nil" : "<redacted>"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyID": accessKeyID,
                "secretAccessKey": "<redacted>",
                "securityToken": securityToken == nil ? "nil" : "<redacted>",
            ], displayStyle: .struct)
    }
}
