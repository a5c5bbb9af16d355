import Foundation
import OBSCore
import OBSLocalBackend

/// Everything a running server holds: the store, the accepted credentials, the access log, and the handlers for
/// each listener. The listener program builds one from `ServeSettings` and the environment.
public final class ServerRuntime: Sendable {
    public let settings: ServeSettings
    public let backend: LocalBackend
    public let credentials: ServeCredentials
    public let accessLog: AccessLog
    public let s3: S3Service
    /// The KMS API, when `--kms-listen` asked for it.
    public let kms: KMSService?
    /// Where server-side files live (generated credentials, the self-signed CA): `<store>/serve`.
    public let directory: String

    public init(settings: ServeSettings, environment: [String: String]) throws {
        self.settings = settings
        // Opened first: a path that cannot be written fails the start before the store or a pair is made.
        accessLog = try AccessLog(path: settings.accessLogFile, json: settings.json)
        // The backend's default bucket location is the region the server reports, whether --region or
        // $OBSCTL_REGION set it.
        var backendEnvironment = environment
        backendEnvironment[LocalBackend.regionVariable] = settings.region
        backend = try LocalBackend(environment: backendEnvironment)
        directory = backend.paths.root + "/serve"
        credentials = try ServeCredentials.load(
            file: settings.credentialsFile, environment: environment, generatedFile: directory + "/credentials")
        var names = ["localhost"]
        // A listen host that is a name also carries virtual-hosted buckets (bucket.NAME); an address cannot.
        if !LoopbackAddress.isNumeric(settings.listen.host) && settings.listen.host != "localhost" {
            names.append(settings.listen.host)
        }
        s3 = S3Service(
            backend: backend, credentials: credentials, log: accessLog, serverNames: names, region: settings.region)
        if settings.kmsListen != nil {
            kms = KMSService(
                kms: backend.kms, credentials: credentials, log: accessLog, region: settings.region,
                projectID: try backend.kms.projectID(region: settings.region))
        } else {
            kms = nil
        }
    }

    /// The ready line's fields, once the listeners are bound (`port` may have been 0).
    public func readyLine(endpoint: String, caBundle: String?, kmsEndpoint: String?) -> String {
        var fields: [(String, String?)] = [
            ("endpoint", endpoint), ("ca_bundle", caBundle), ("credentials_file", credentials.file),
            ("region", settings.region), ("access_key_id", credentials.primaryAccessKeyID),
        ]
        if let kmsEndpoint, let kms {
            fields.append(("kms_endpoint", kmsEndpoint))
            fields.append(("project_id", kms.projectID))
        }
        if settings.json {
            var out: [UInt8] = [UInt8(ascii: "{")]
            for (i, (name, value)) in fields.enumerated() {
                JSONText.appendName(name, first: i == 0, to: &out)
                JSONText.appendStringOrNull(value, to: &out)
            }
            return String(decoding: out + [UInt8(ascii: "}")], as: UTF8.self)
        }
        var line = "obsctl serve: listening on \(endpoint)"
        if let kmsEndpoint, let kms { line += ", KMS API on \(kmsEndpoint) (project id \(kms.projectID))" }
        line += " (region \(settings.region), access key id \(credentials.primaryAccessKeyID)"
        if let file = credentials.file { line += ", credentials in \(file)" }
        if let caBundle { line += ", CA \(caBundle)" }
        return line + ")"
    }
}
