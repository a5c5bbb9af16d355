import Foundation
import OBSCore

/// A setting's value and where it came from ("OBSCTL_ENDPOINT", "~/.obsutilconfig"), for messages and --debug.
public struct SettingValue: Sendable {
    public let value: String
    public let origin: String
    public init(_ value: String, from origin: String) { self.value = value; self.origin = origin }
}

/// An access key pair from one place. Only `origin` is ever shown.
public struct KeyPair: Sendable {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let securityToken: String?
    public let origin: String
    /// Where to look for each half, for a message: `OBS_SECRET_ACCESS_KEY`, `secret_access_key in profile [p] of ...`.
    public let places: CredentialPlaces
}

/// The names of an access key pair's two halves where they were found (a variable, or a key in a file).
public struct CredentialPlaces: Sendable {
    public var accessKey: String
    public var secretKey: String
    public init(accessKey: String, secretKey: String) { self.accessKey = accessKey; self.secretKey = secretKey }
    public static let environment = CredentialPlaces(accessKey: "OBS_ACCESS_KEY_ID", secretKey: "OBS_SECRET_ACCESS_KEY")
}

/// What one place (the flags, obsctl's variables, an obsctl profile, another tool's variables or files) says
/// about the remote endpoint. Settings resolve key by key, the first layer that has one wins; an access key pair
/// always comes whole from one layer, so a key id is never paired with another tool's secret.
public struct SettingsLayer: Sendable {
    public var endpoint: SettingValue?
    public var region: SettingValue?
    public var caBundle: SettingValue?
    public var keys: KeyPair?
    /// Keys present here but unusable (half a pair, obsutil's encrypted keys): the search for keys stops here
    /// with this message rather than take another tool's keys for this endpoint.
    public var keyProblem: String?
    /// Names (never values) of the credentials present here, for the local-store warning.
    public var credentialNames: [String] = []

    public init(endpoint: SettingValue? = nil, region: SettingValue? = nil, caBundle: SettingValue? = nil) {
        self.endpoint = endpoint; self.region = region; self.caBundle = caBundle
    }

    /// A key pair from `ak`/`sk`/`token` named `names` at `origin`; half a pair is a problem, none is nothing.
    mutating func setKeys(_ ak: String?, _ sk: String?, _ token: String?, names: (String, String), origin: String) {
        let given = { (v: String?) in v.flatMap { $0.isEmpty ? nil : $0 } }
        let (ak, sk, token) = (given(ak), given(sk), given(token))
        let place = origin == names.0 ? "" : " in \(origin)"
        switch (ak, sk) {
        case let (ak?, sk?):
            keys = KeyPair(
                accessKeyID: ak, secretAccessKey: sk, securityToken: token, origin: origin,
                places: CredentialPlaces(accessKey: names.0 + place, secretKey: names.1 + place))
        case (_?, nil): keyProblem = "\(names.0) is set\(place) but \(names.1) is not; set both"
        case (nil, _?): keyProblem = "\(names.1) is set\(place) but \(names.0) is not; set both"
        case (nil, nil): return
        }
        credentialNames.append(origin)
    }
}

/// Where the remote endpoint's settings come from, in order: obsctl's own (the flags, then OBSCTL_* and
/// OBS_ACCESS_KEY_ID..., then the obsctl profile, then the endpoint `--region` implies), then other tools' (see
/// `OtherToolSettings`), each used only for what obsctl's own settings leave open.
public struct SettingsLayers: Sendable {
    public var own: [SettingsLayer]
    public var others: [SettingsLayer]
    public var all: [SettingsLayer] { own + others }

    /// `flags` is the layer of --endpoint, --region and --ca-bundle; `regionEndpoint` the endpoint `--region` means.
    public init(
        flags: SettingsLayer, regionEndpoint: SettingValue?, environment env: [String: String],
        profile: ConfigFile.Profile?
    ) {
        var environment = SettingsLayer(
            endpoint: Self.value(env, "OBSCTL_ENDPOINT"), region: Self.value(env, "OBSCTL_REGION"),
            caBundle: Self.value(env, "OBSCTL_CA_BUNDLE"))
        environment.setKeys(
            env["OBS_ACCESS_KEY_ID"], env["OBS_SECRET_ACCESS_KEY"], env["OBS_SECURITY_TOKEN"],
            names: ("OBS_ACCESS_KEY_ID", "OBS_SECRET_ACCESS_KEY"), origin: "OBS_ACCESS_KEY_ID")
        var fromProfile = SettingsLayer()
        if let p = profile {
            let origin =
                "profile [\(p.name)] of \(OtherToolSettings.shortPath(ConfigFile.path(environment: env), env))"
            let v = { (key: String) in p.values[key].flatMap { $0.isEmpty ? nil : SettingValue($0, from: origin) } }
            fromProfile = SettingsLayer(endpoint: v("endpoint"), region: v("region"), caBundle: v("ca_bundle"))
            fromProfile.setKeys(
                p.values["access_key_id"], p.values["secret_access_key"], p.values["security_token"],
                names: ("access_key_id", "secret_access_key"), origin: origin)
        }
        own = [flags, environment, fromProfile, SettingsLayer(endpoint: regionEndpoint)]
        others = OtherToolSettings.layers(environment: env)
    }

    static func value(_ env: [String: String], _ name: String) -> SettingValue? {
        env[name].flatMap { $0.isEmpty ? nil : SettingValue($0, from: name) }
    }

    public var endpoint: SettingValue? { all.lazy.compactMap(\.endpoint).first }
    public var caBundle: SettingValue? { all.lazy.compactMap(\.caBundle).first }
    /// obsctl's own region; another tool's region only where the endpoint's host does not name one (a region in
    /// ~/.aws/config is meant for AWS, not for obs.cn-north-4.myhuaweicloud.com).
    public var ownRegion: SettingValue? { own.lazy.compactMap(\.region).first }
    public var otherRegion: SettingValue? { others.lazy.compactMap(\.region).first }
    /// Names of every credential present, for the warning that the local store is used all the same.
    public var credentialNames: [String] { all.flatMap(\.credentialNames) }

    /// The first layer's key pair; a layer with unusable keys ends the search with its problem.
    public func keys() throws -> KeyPair? {
        for layer in all {
            if let k = layer.keys { return k }
            if let p = layer.keyProblem { throw OBSError.configuration(p) }
        }
        return nil
    }
}
