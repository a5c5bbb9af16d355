import Foundation
import OBSCore

/// An HTTP(S) endpoint of a Huawei service other than OBS (KMS, IAM), and where it was set.
public struct ServiceEndpoint: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// "--kms-endpoint", "OBSCTL_KMS_ENDPOINT", "profile [p] of ~/.obsctl/config", "region cn-north-4 (--region)".
    public var origin: String

    /// Checks `url` as `RemoteConfiguration.checkEndpoint` does (http(s)://host[:port], nothing after).
    public init(_ url: String, origin: String) throws {
        let parts: URLComponents
        do { parts = try RemoteConfiguration.checkEndpoint(url) } catch {
            throw OBSError.configuration(
                "\(origin) '\(RemoteConfiguration.shown(url))' is not an http(s)://host[:port] URL; "
                    + "e.g. https://kms.cn-north-4.myhuaweicloud.com")
        }
        scheme = parts.scheme!.lowercased()
        host = RemoteConfiguration.bareHost(parts)
        port = parts.port
        self.origin = origin
    }

    public var url: String { "\(scheme)://\(hostHeader)" }

    /// The `Host` header: the port only when it is not the scheme's default (as `HTTPRequest.hostHeader`).
    public var hostHeader: String {
        HTTPRequest(method: "GET", scheme: scheme, host: host, port: port, path: "/").hostHeader
    }
}

/// Where Huawei KMS is, which region and project it acts in, and where IAM is to look the project up, from
/// (first wins) the flags, obsctl's variables, the profile, then what the region implies:
///
/// - KMS endpoint: `--kms-endpoint`, `OBSCTL_KMS_ENDPOINT`, profile `kms_endpoint`, else
///   `https://kms.REGION.myhuaweicloud.com` (`.eu` for eu-west-101, as the SDK's region table).
/// - Region: the one given (`--region`, `OBSCTL_REGION`, profile `region`), else the OBS endpoint's host
///   (`obs.REGION.myhuaweicloud.com`), else the KMS endpoint's host (`kms.REGION...`) when that was given.
/// - Project id: `--project-id`, `OBSCTL_PROJECT_ID`, profile `project_id`; nil means: ask IAM.
/// - IAM endpoint: `--iam-endpoint`, `OBSCTL_IAM_ENDPOINT`, profile `iam_endpoint`, else
///   `https://iam.REGION.myhuaweicloud.com`; nil without a region (then the project id must be given).
public struct KMSSettings: Sendable {
    public var endpoint: ServiceEndpoint
    public var region: String?
    public var projectID: SettingValue?
    public var iamEndpoint: ServiceEndpoint?

    /// What the command line says; nil for an option not given.
    public struct Flags: Sendable {
        public var kmsEndpoint: String?
        public var projectID: String?
        public var iamEndpoint: String?
        public init(kmsEndpoint: String? = nil, projectID: String? = nil, iamEndpoint: String? = nil) {
            self.kmsEndpoint = kmsEndpoint; self.projectID = projectID; self.iamEndpoint = iamEndpoint
        }
    }

    public static let environmentNames = (
        kmsEndpoint: "OBSCTL_KMS_ENDPOINT", projectID: "OBSCTL_PROJECT_ID", iamEndpoint: "OBSCTL_IAM_ENDPOINT"
    )
    public static let profileKeys = (kmsEndpoint: "kms_endpoint", projectID: "project_id", iamEndpoint: "iam_endpoint")

    /// - `region`: the region obsctl's own settings give (`SettingsLayers.ownRegion`), nil when none does.
    /// - `obsEndpoint`: the OBS endpoint in use, if any.
    /// Throws a configuration error (exit 12) naming the fix when no KMS endpoint can be told, or a value is bad.
    public static func resolve(
        flags: Flags, environment env: [String: String], profile: ConfigFile.Profile?, region: SettingValue?,
        obsEndpoint: String?
    ) throws -> KMSSettings {
        let profileOrigin = profile.map {
            "profile [\($0.name)] of \(OtherToolSettings.shortPath(ConfigFile.path(environment: env), env))"
        }
        func pick(_ flag: String?, _ flagName: String, _ envName: String, _ key: String) -> SettingValue? {
            if let flag, !flag.isEmpty { return SettingValue(flag, from: flagName) }
            if let v = env[envName], !v.isEmpty { return SettingValue(v, from: envName) }
            if let p = profile, let v = p.values[key], !v.isEmpty { return SettingValue(v, from: profileOrigin!) }
            return nil
        }
        let given = pick(flags.kmsEndpoint, "--kms-endpoint", environmentNames.kmsEndpoint, profileKeys.kmsEndpoint)
        let givenEndpoint = try given.map { try ServiceEndpoint($0.value, origin: $0.origin) }
        let obsHost = obsEndpoint.flatMap { URLComponents(string: $0)?.host?.lowercased() }
        let regionValue: SettingValue? =
            region
            ?? obsHost.flatMap(RemoteConfiguration.regionFromHost).map {
                SettingValue($0, from: "the OBS endpoint \(obsEndpoint!)")
            }
            ?? givenEndpoint.flatMap { e in regionFromServiceHost(e.host, service: "kms") }.map {
                SettingValue($0, from: "the KMS endpoint \(given!.value)")
            }
        if let regionValue { try checkRegion(regionValue) }

        let endpoint: ServiceEndpoint
        if let givenEndpoint {
            endpoint = givenEndpoint
        } else if let regionValue {
            endpoint = try ServiceEndpoint(
                serviceURL("kms", region: regionValue.value),
                origin: "region \(regionValue.value) (\(regionValue.origin))")
        } else {
            throw OBSError.configuration(
                "cannot tell the Huawei KMS endpoint: "
                    + (obsEndpoint.map { "the OBS endpoint \($0) names no region; " } ?? "")
                    + "pass --region REGION (KMS at https://kms.REGION.myhuaweicloud.com) or --kms-endpoint URL")
        }

        let project = pick(flags.projectID, "--project-id", environmentNames.projectID, profileKeys.projectID)
        if let project { try checkProjectID(project) }
        let iam: ServiceEndpoint?
        if let v = pick(flags.iamEndpoint, "--iam-endpoint", environmentNames.iamEndpoint, profileKeys.iamEndpoint) {
            iam = try ServiceEndpoint(v.value, origin: v.origin)
        } else if let regionValue {
            iam = try ServiceEndpoint(
                serviceURL("iam", region: regionValue.value),
                origin: "region \(regionValue.value) (\(regionValue.origin))")
        } else {
            iam = nil
        }
        return KMSSettings(endpoint: endpoint, region: regionValue?.value, projectID: project, iamEndpoint: iam)
    }

    /// `https://SERVICE.REGION.myhuaweicloud.com`; eu-west-101 (Dublin) lives under `.myhuaweicloud.eu`.
    public static func serviceURL(_ service: String, region: String) -> String {
        "https://\(service).\(region).\(region == "eu-west-101" ? "myhuaweicloud.eu" : "myhuaweicloud.com")"
    }

    /// The region of `SERVICE.REGION.myhuaweicloud.com` (or `.eu`); nil for any other host.
    static func regionFromServiceHost(_ host: String, service: String) -> String? {
        guard RemoteConfiguration.isHuaweiHost(host) else { return nil }
        let labels = host.split(separator: ".")
        guard labels.count >= 4, labels[0] == service else { return nil }
        return String(labels[1])
    }

    /// A region goes into host names and IAM's query: a region id only.
    static func checkRegion(_ region: SettingValue) throws {
        guard RegionName.isValid(region.value) else {
            throw OBSError.configuration(RegionName.problem(region.value, from: region.origin, id: true))
        }
    }

    /// A project id goes into the request path: letters, digits, `-` and `_`, at most 64 (Huawei's are 32 hex).
    static func checkProjectID(_ project: SettingValue) throws {
        let ok =
            (1...64).contains(project.value.utf8.count)
            && project.value.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D
                    || $0 == 0x5F
            }
        guard ok else {
            throw OBSError.configuration(
                "project id '\(project.value)' (\(project.origin)) is not a Huawei Cloud project id "
                    + "(32 hex digits); copy it from the console's My Credentials page, "
                    + "or leave it out to look it up through IAM")
        }
    }
}
