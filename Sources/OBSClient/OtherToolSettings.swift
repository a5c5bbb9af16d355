import Foundation
import OBSCore

/// The settings users bring from other tools, honoured after obsctl's own and only for what those leave open,
/// first found per setting (an access key pair always whole from one place):
///
/// 1. `OBS_ENDPOINT` (beside obsctl's `OBS_ACCESS_KEY_ID`);
/// 2. the AWS variables: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
///    `AWS_CA_BUNDLE`, `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`;
/// 3. the AWS profile `AWS_PROFILE` names, in `~/.aws/credentials` and `~/.aws/config`;
/// 4. obsutil's `~/.obsutilconfig` (`endpoint`, `ak`, `sk`, `token`);
/// 5. the AWS `[default]` profile, when `AWS_PROFILE` is not set.
///
/// Explicit variables come before files; an AWS profile named on purpose before obsutil's file, the AWS default
/// after it (obsctl is an OBS tool, and the AWS default usually means AWS itself).
public enum OtherToolSettings {
    public static func layers(environment env: [String: String]) -> [SettingsLayer] {
        var layers = [SettingsLayer(endpoint: SettingsLayers.value(env, "OBS_ENDPOINT").map(Obsutil.withScheme))]
        let ignoreEndpoints = env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
        let v = { SettingsLayers.value(env, $0) }
        var aws = SettingsLayer(
            endpoint: ignoreEndpoints ? nil : v("AWS_ENDPOINT_URL_S3") ?? v("AWS_ENDPOINT_URL"),
            region: v("AWS_REGION") ?? v("AWS_DEFAULT_REGION"), caBundle: v("AWS_CA_BUNDLE"))
        aws.setKeys(
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"],
            names: ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), origin: "AWS_ACCESS_KEY_ID")
        layers.append(aws)
        let files = AWSFiles(environment: env)
        if let named = AWSFiles.namedProfile(env) {
            layers.append(files.layer(profile: named, ignoreEndpoints: ignoreEndpoints, explicit: true))
        }
        layers.append(Obsutil.layer(environment: env))
        if AWSFiles.namedProfile(env) == nil {
            layers.append(files.layer(profile: "default", ignoreEndpoints: ignoreEndpoints, explicit: false))
        }
        return layers
    }

    /// `path` with the home directory shown as `~`, for messages.
    public static func shortPath(_ path: String, _ env: [String: String]) -> String {
        guard let home = env["HOME"], !home.isEmpty, path.hasPrefix(home + "/") else { return path }
        return "~" + path.dropFirst(home.count)
    }

    static func home(_ env: [String: String]) -> String {
        env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }

    /// The file's text; nil when it is missing or cannot be read as a settings file (those files are found, not
    /// named: one that is a pipe, a device or huge is passed over like a missing one).
    static func read(_ path: String) -> String? {
        guard let bytes = try? SmallFile.read(path, limit: 1 << 20, pipes: false) else { return nil }
        return String(decoding: bytes.copyBytes(), as: UTF8.self)
    }
}

/// `~/.aws/credentials` and `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`), as the AWS CLI
/// reads them: `[name]` in credentials, `[default]` or `[profile name]` in config, an `s3 =` block of indented keys
/// (its `endpoint_url` before the profile's), and a `services = name` reference to `[services name]`.
public struct AWSFiles {
    public let credentialsPath: String
    public let configPath: String
    let credentials: [String: [String: String]]
    let config: [String: [String: String]]
    let env: [String: String]

    public init(environment env: [String: String]) {
        self.env = env
        let home = OtherToolSettings.home(env)
        credentialsPath =
            env["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.aws/credentials"
        configPath = env["AWS_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.aws/config"
        credentials = OtherToolSettings.read(credentialsPath).map(Self.parse) ?? [:]
        var sections: [String: [String: String]] = [:]
        let parsed: [String: [String: String]] = OtherToolSettings.read(configPath).map(Self.parse) ?? [:]
        for (name, values) in parsed {
            let words = name.split(separator: " ", omittingEmptySubsequences: true)
            if words.count == 2, words[0] == "profile" || words[0] == "services" {
                sections[words[0] == "profile" ? String(words[1]) : "services " + words[1], default: [:]].merge(values)
                { a, _ in a }
            } else if name == "default" {
                sections["default", default: [:]].merge(values) { _, b in b }
            }
        }
        config = sections
    }

    /// `AWS_PROFILE` (or the older `AWS_DEFAULT_PROFILE`), nil when neither is set.
    public static func namedProfile(_ env: [String: String]) -> String? {
        (env["AWS_PROFILE"] ?? env["AWS_DEFAULT_PROFILE"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    public func has(profile: String) -> Bool { credentials[profile] != nil || config[profile] != nil }

    /// What `profile` says. A profile named by AWS_PROFILE that neither file has is a key problem (the AWS CLI
    /// refuses it too); keys obtained by running something (roles, SSO, a process) are one as well.
    public func layer(profile name: String, ignoreEndpoints: Bool, explicit: Bool) -> SettingsLayer {
        let files =
            "\(OtherToolSettings.shortPath(credentialsPath, env)) nor \(OtherToolSettings.shortPath(configPath, env))"
        guard has(profile: name) else {
            var layer = SettingsLayer()
            if explicit {
                layer.keyProblem = "AWS_PROFILE names the profile '\(name)', which is in neither \(files)"
                layer.credentialNames = ["AWS_PROFILE"]
            }
            return layer
        }
        let cfg = config[name] ?? [:]
        let cfgOrigin =
            "\(OtherToolSettings.shortPath(configPath, env)) [\(name == "default" ? "default" : "profile " + name)]"
        let service = cfg["services"].flatMap { config["services " + $0]?["s3.endpoint_url"] }
        let endpoint = ignoreEndpoints ? nil : cfg["s3.endpoint_url"] ?? service ?? cfg["endpoint_url"]
        let v = { (s: String?) in s.flatMap { $0.isEmpty ? nil : SettingValue($0, from: cfgOrigin) } }
        var layer = SettingsLayer(endpoint: v(endpoint), region: v(cfg["region"]), caBundle: v(cfg["ca_bundle"]))
        let names = ("aws_access_key_id", "aws_secret_access_key")
        if let creds = credentials[name], creds["aws_access_key_id"] != nil || creds["aws_secret_access_key"] != nil {
            layer.setKeys(
                creds["aws_access_key_id"], creds["aws_secret_access_key"], creds["aws_session_token"], names: names,
                origin: "\(OtherToolSettings.shortPath(credentialsPath, env)) [\(name)]")
        } else if cfg["aws_access_key_id"] != nil || cfg["aws_secret_access_key"] != nil {
            layer.setKeys(
                cfg["aws_access_key_id"], cfg["aws_secret_access_key"], cfg["aws_session_token"], names: names,
                origin: cfgOrigin)
        } else if let how = [
            "credential_process", "role_arn", "sso_session", "sso_start_url", "web_identity_token_file",
        ]
        .first(where: { cfg[$0] != nil || credentials[name]?[$0] != nil }) {
            layer.keyProblem =
                "the AWS profile '\(name)' gets its keys through \(how), which obsctl does not run; "
                + "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)"
            layer.credentialNames = [cfgOrigin]
        }
        return layer
    }

    /// INI sections; `key =` with no value followed by indented `sub = value` lines gives `key.sub`.
    static func parse(_ text: String) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        var section: String? = nil, block: String? = nil
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let indented = raw.first == " " || raw.first == "\t"
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                block = nil
                out[section!, default: [:]] = out[section!] ?? [:]
                continue
            }
            guard let s = section, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces),
                value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if indented, let b = block { out[s]!["\(b).\(key)"] = value; continue }
            block = value.isEmpty ? key : nil
            out[s]![key] = value
        }
        return out
    }
}

/// obsutil's `~/.obsutilconfig`: `key=value` lines (`endpoint`, `ak`, `sk`, `token`). obsutil replaces a plain
/// `ak`/`sk` by an encryption under a key built into obsutil on first use; such keys cannot be read here, and
/// obsutil's placeholders (`*** Provide your Access Key ***`, `http://your-endpoint`) mean unset.
public enum Obsutil {
    public static func path(_ env: [String: String]) -> String { OtherToolSettings.home(env) + "/.obsutilconfig" }

    /// The file's layer; empty when there is no file.
    public static func layer(environment env: [String: String]) -> SettingsLayer {
        let path = path(env), origin = OtherToolSettings.shortPath(path, env)
        guard let text = OtherToolSettings.read(path) else { return SettingsLayer() }
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.hasPrefix("#"), let eq = line.firstIndex(of: "="), eq != line.startIndex else { continue }
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if !value.isEmpty && !value.hasPrefix("***") && !value.contains("your-endpoint") {
                values[line[..<eq].trimmingCharacters(in: .whitespaces)] = value
            }
        }
        var layer = SettingsLayer(endpoint: values["endpoint"].map { withScheme(SettingValue($0, from: origin)) })
        if [values["ak"], values["sk"]].contains(where: { $0.map(isEncrypted) ?? false }) {
            layer.keyProblem =
                "the ak and sk in \(origin) are encrypted by obsutil with a key only obsutil has; "
                + "export OBS_ACCESS_KEY_ID and OBS_SECRET_ACCESS_KEY, or set them with "
                + "'obsctl config set access_key_id ...' "
                + "and 'obsctl config set secret_access_key --from-stdin'"
            layer.credentialNames = [origin]
        } else {
            layer.setKeys(values["ak"], values["sk"], values["token"], names: ("ak", "sk"), origin: origin)
        }
        return layer
    }

    /// obsutil writes `ak`/`sk` as Base64 of AES-CBC blocks; access keys and secret keys in the clear are letters
    /// and digits whose length does not decode to whole 16-byte blocks.
    static func isEncrypted(_ value: String) -> Bool {
        guard let data = Data(base64Encoded: value) else { return false }
        return !data.isEmpty && data.count % 16 == 0
    }

    /// obsutil accepts an endpoint without a scheme and means HTTPS.
    static func withScheme(_ v: SettingValue) -> SettingValue {
        v.value.contains("://") ? v : SettingValue("https://" + v.value, from: v.origin)
    }
}
