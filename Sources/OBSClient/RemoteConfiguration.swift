import Foundation
import OBSCore
import OBSCrypto
import OBSSigner

/// Where and how to reach OBS (or an S3-compatible endpoint), resolved once from flags, environment and profile.
public struct RemoteConfiguration: Sendable {
    public enum Addressing: String, Sendable, CaseIterable { case virtual, path }

    public var scheme: String
    public var host: String
    public var port: Int?
    public var region: String
    public var signature: SignatureVersion
    public var addressing: Addressing
    public var credentials: Credentials
    public var transport: TransportOptions
    /// Retries after the first attempt for 5xx, 429, timeouts and connection resets.
    public var retries: Int
    /// Whether the server is known to enforce `copy-source-if-match` (Huawei OBS and AWS S3 document it): a copy
    /// pinned to the ETag of the caller's own HEAD then needs no HEAD of its own. Some S3-compatible servers
    /// ignore the condition (moto 5.2 copies whatever is there), so elsewhere a copy reads its source just before.
    public var enforcesCopySourceConditions: Bool
    /// Where each half of the key pair came from, for the message of a refused key or signature.
    public var credentialPlaces = CredentialPlaces.environment

    /// `fallbackRegion` (another tool's region) counts only where the host names no region.
    public init(
        endpoint: String, region: String?, signature: SignatureVersion?, addressing: Addressing?,
        credentials: Credentials, transport: TransportOptions, retries: Int,
        fallbackRegion: String? = nil
    ) throws {
        let url = try Self.checkEndpoint(endpoint)
        self.scheme = url.scheme!.lowercased()
        self.host = Self.bareHost(url)
        self.port = url.port
        let huawei = Self.isHuaweiHost(self.host)
        self.region = region ?? Self.regionFromHost(self.host) ?? fallbackRegion ?? "us-east-1"
        self.signature = signature ?? (huawei ? .obs : .v4)
        self.addressing = addressing ?? (Self.isIPOrLocal(self.host) ? .path : .virtual)
        self.credentials = credentials
        self.transport = transport
        self.retries = max(0, retries)
        self.enforcesCopySourceConditions = huawei || Self.isAWSHost(self.host)
    }

    static func isAWSHost(_ host: String) -> Bool { host.hasSuffix(".amazonaws.com") }

    /// The endpoint's parts; an error naming the form unless it is an http(s)://host[:port] URL.
    @discardableResult
    public static func checkEndpoint(_ endpoint: String) throws -> URLComponents {
        // No user, password or fragment (used as given, they sent requests elsewhere or failed later as transient),
        // and a port that can be one.
        guard let url = URLComponents(string: endpoint), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil,
            url.user == nil, url.password == nil, url.fragment == nil,
            url.port.map({ (1...65535).contains($0) }) ?? true
        else {
            throw OBSError.configuration(
                "endpoint '\(shown(endpoint))' is not an http(s)://host[:port] URL; "
                    + "e.g. https://obs.cn-north-4.myhuaweicloud.com")
        }
        return url
    }

    /// `endpoint` for a message: a user and password before the host (`https://u:p@host`) as `***@`.
    public static func shown(_ endpoint: String) -> String {
        guard let scheme = endpoint.range(of: "://"),
            let at = endpoint[scheme.upperBound...].prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
                .lastIndex(of: "@")
        else { return HeaderValues.printable(endpoint) }
        return HeaderValues.printable(String(endpoint[..<scheme.upperBound]) + "***" + endpoint[at...])
    }

    /// The host of a checked endpoint, lower-cased, an IPv6 literal without its brackets (which the URL and the
    /// Host header add back: kept, they were doubled, `[[::1]]`, and nothing connected).
    public static func bareHost(_ url: URLComponents) -> String {
        let host = url.host!.lowercased()
        return host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// `https://obs.<region>.myhuaweicloud.com`, the endpoint `--region` alone means.
    public static func endpoint(forRegion region: String) -> String { "https://obs.\(region).myhuaweicloud.com" }

    static func isHuaweiHost(_ host: String) -> Bool {
        host.hasSuffix(".myhuaweicloud.com") || host.hasSuffix(".myhuaweicloud.eu")
    }

    static func regionFromHost(_ host: String) -> String? {
        guard isHuaweiHost(host) else { return nil }
        let labels = host.split(separator: ".")
        guard labels.count >= 4, labels[0] == "obs" else { return nil }
        return String(labels[1])
    }

    /// Hosts that take path-style addressing by default: a bucket cannot be a label of an IP address.
    static func isIPOrLocal(_ host: String) -> Bool { host == "localhost" || LoopbackAddress.isNumeric(host) }

    /// The header vocabulary follows the signature: `x-obs-*` for OBS, `x-amz-*` for AWS V2 and V4.
    public var headerPrefix: String { signature == .obs ? "x-obs-" : "x-amz-" }
    public var isOBSDialect: Bool { signature == .obs }
    /// Huawei OBS behind the endpoint, whatever the signature: OBS's signature, or a Huawei host (which may be
    /// signed SigV4). Such a server gets Content-MD5 rather than the S3 CRC-32C headers.
    public var speaksOBS: Bool { isOBSDialect || Self.isHuaweiHost(host) }
}

/// The credentials for the endpoint: the first key pair of `SettingsLayers` (OBS_ACCESS_KEY_ID /
/// OBS_SECRET_ACCESS_KEY / OBS_SECURITY_TOKEN, the names Huawei's SDKs use, then the profile, then other
/// tools'). Secrets are never accepted on the command line.
public enum CredentialSource {
    public static func resolve(_ layers: SettingsLayers, endpoint: SettingValue) throws
        -> (Credentials, origin: String, places: CredentialPlaces)
    {
        guard let k = try layers.keys() else {
            throw OBSError.configuration(
                "no credentials for \(RemoteConfiguration.shown(endpoint.value)) (the endpoint of "
                    + "\(endpoint.origin)): export OBS_ACCESS_KEY_ID "
                    + "and OBS_SECRET_ACCESS_KEY, add them to a profile ('obsctl config set'), or import another "
                    + "tool's ('obsctl config import obsutil|aws')")
        }
        let secret = SecretBytes(copying: Array(k.secretAccessKey.utf8))
        return (
            Credentials(accessKeyID: k.accessKeyID, secretAccessKey: secret, securityToken: k.securityToken),
            k.origin, k.places
        )
    }
}
