import Testing
import OBSCore
@testable import OBSClient

/// Where Huawei KMS and IAM are, and which project: override order, derivation from the region, refusals.
struct KMSSettingsTests {
    static let env = ["HOME": "/nonexistent-home"]
    static let profile: ConfigFile.Profile = (
        name: "p",
        values: [
            "kms_endpoint": "https://kms.profile.example", "project_id": "profileproject",
            "iam_endpoint": "https://iam.profile.example",
        ]
    )

    static func resolve(
        flags: KMSSettings.Flags = .init(), env extra: [String: String] = [:], profile: ConfigFile.Profile? = nil,
        region: String? = nil, obs: String? = nil
    ) throws -> KMSSettings {
        try KMSSettings.resolve(
            flags: flags, environment: env.merging(extra) { $1 }, profile: profile,
            region: region.map { SettingValue($0, from: "--region") }, obsEndpoint: obs)
    }

    @Test func regionFromTheOBSEndpointGivesKMSAndIAM() throws {
        let s = try Self.resolve(obs: "https://obs.cn-north-4.myhuaweicloud.com")
        #expect(s.endpoint.url == "https://kms.cn-north-4.myhuaweicloud.com")
        #expect(s.iamEndpoint?.url == "https://iam.cn-north-4.myhuaweicloud.com")
        #expect(s.region == "cn-north-4")
        #expect(s.projectID == nil)
        #expect(s.endpoint.origin.contains("the OBS endpoint"))
    }

    @Test func givenRegionWinsOverTheOBSEndpointsAndDublinIsDotEU() throws {
        let s = try Self.resolve(region: "ap-southeast-1", obs: "https://obs.cn-north-4.myhuaweicloud.com")
        #expect(s.endpoint.url == "https://kms.ap-southeast-1.myhuaweicloud.com" && s.region == "ap-southeast-1")
        #expect(try Self.resolve(region: "eu-west-101").endpoint.url == "https://kms.eu-west-101.myhuaweicloud.eu")
    }

    /// Flag, then OBSCTL_*, then the profile, then the region's endpoint: each layer hides the ones after it.
    @Test func overrideOrder() throws {
        let flags = KMSSettings.Flags(
            kmsEndpoint: "https://kms.flag.example:8443", projectID: "flagproject", iamEndpoint: "http://127.0.0.1:9")
        let env = [
            "OBSCTL_KMS_ENDPOINT": "https://kms.env.example", "OBSCTL_PROJECT_ID": "envproject",
            "OBSCTL_IAM_ENDPOINT": "https://iam.env.example",
        ]
        let all = try Self.resolve(flags: flags, env: env, profile: Self.profile, region: "cn-north-4")
        #expect(all.endpoint.url == "https://kms.flag.example:8443" && all.endpoint.origin == "--kms-endpoint")
        #expect(all.projectID?.value == "flagproject" && all.iamEndpoint?.url == "http://127.0.0.1:9")
        let noFlags = try Self.resolve(env: env, profile: Self.profile, region: "cn-north-4")
        #expect(noFlags.endpoint.url == "https://kms.env.example" && noFlags.endpoint.origin == "OBSCTL_KMS_ENDPOINT")
        #expect(noFlags.projectID?.value == "envproject" && noFlags.iamEndpoint?.url == "https://iam.env.example")
        let profileOnly = try Self.resolve(profile: Self.profile, region: "cn-north-4")
        #expect(profileOnly.endpoint.url == "https://kms.profile.example")
        #expect(profileOnly.endpoint.origin.hasPrefix("profile [p]"))
        #expect(profileOnly.projectID?.value == "profileproject")
        let empty = try Self.resolve(env: ["OBSCTL_KMS_ENDPOINT": ""], region: "cn-north-4")
        #expect(empty.endpoint.url == "https://kms.cn-north-4.myhuaweicloud.com")
    }

    /// `--kms-endpoint` alone: its host names the region when it is Huawei's; a local one has none (then IAM
    /// cannot be asked and the project id must be given).
    @Test func kmsEndpointAlone() throws {
        let huawei = try Self.resolve(flags: .init(kmsEndpoint: "https://kms.la-south-2.myhuaweicloud.com"))
        #expect(huawei.region == "la-south-2" && huawei.iamEndpoint?.url == "https://iam.la-south-2.myhuaweicloud.com")
        let local = try Self.resolve(flags: .init(kmsEndpoint: "https://127.0.0.1:9443"))
        #expect(local.region == nil && local.iamEndpoint == nil && local.endpoint.port == 9443)
        #expect(local.endpoint.hostHeader == "127.0.0.1:9443")
    }

    @Test func noRegionAnywhereIsAConfigurationErrorNamingTheFix() {
        for obs in [nil, "http://127.0.0.1:8333"] {
            let error = #expect(throws: OBSError.self) { try Self.resolve(obs: obs) }
            #expect(error?.category == .configuration)
            #expect(error?.message.contains("--region") == true && error?.message.contains("--kms-endpoint") == true)
        }
    }

    @Test(arguments: ["kms.example.com", "ftp://kms.example.com", "https://kms.example.com/v1.0", "https://"])
    func badEndpointsAreRefused(_ url: String) {
        let error = #expect(throws: OBSError.self) { try Self.resolve(flags: .init(kmsEndpoint: url)) }
        #expect(error?.category == .configuration && error?.message.contains("--kms-endpoint") == true)
        let iam = #expect(throws: OBSError.self) {
            try Self.resolve(flags: .init(iamEndpoint: url), region: "cn-north-4")
        }
        #expect(iam?.message.contains("--iam-endpoint") == true)
    }

    /// The project id goes into the path and the region into host names: nothing else gets through.
    @Test(arguments: ["../x", "a/b", "a?b", "a b", "", String(repeating: "a", count: 65), "é"])
    func badProjectIDsAreRefused(_ id: String) throws {
        if id.isEmpty {
            #expect(try Self.resolve(flags: .init(projectID: id), region: "cn-north-4").projectID == nil)
            return
        }
        let error = #expect(throws: OBSError.self) {
            try Self.resolve(flags: .init(projectID: id), region: "cn-north-4")
        }
        #expect(error?.category == .configuration && error?.message.contains("(--project-id)") == true)
        #expect(error?.message.contains("project id") == true)
    }

    @Test(arguments: ["CN-NORTH-4", "cn_north_4", "cn-north-4.evil.com", "-x", "a/b"])
    func badRegionsAreRefused(_ region: String) {
        let error = #expect(throws: OBSError.self) { try Self.resolve(region: region) }
        #expect(error?.category == .configuration && error?.message.contains("region") == true)
    }
}
