import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Testing

@testable import OBSClient

/// A refused key or signature names where that half of the key pair came from (a variable, a key in a profile or in
/// another tool's file), so the user looks in the right place.
struct CredentialOriginTests {
    static let profile = CredentialPlaces(
        accessKey: "access_key_id in profile [work] of ~/.config/obsctl/config",
        secretKey: "secret_access_key in profile [work] of ~/.config/obsctl/config")

    @Test(arguments: [
        ("InvalidAccessKeyId", CredentialPlaces.environment, "check OBS_ACCESS_KEY_ID"),
        ("SignatureDoesNotMatch", CredentialPlaces.environment, "check OBS_SECRET_ACCESS_KEY"),
        ("InvalidAccessKeyId", profile, "check access_key_id in profile [work]"),
        ("SignatureDoesNotMatch", profile, "check secret_access_key in profile [work]"),
    ])
    func refusalNamesWhereToLook(_ code: String, _ places: CredentialPlaces, _ says: String) async throws {
        var configuration = try RemoteConfiguration(
            endpoint: "http://127.0.0.1:9", region: "us-east-1", signature: .v4, addressing: .path,
            credentials: Credentials(accessKeyID: "AK", secretAccessKey: SecretBytes(copying: Array("sk".utf8))),
            transport: TransportOptions(), retries: 0)
        configuration.credentialPlaces = places
        let script = FaultScript([.answer(403, [], errorBody(code))])
        let client = try RemoteBackend(
            configuration: configuration, transport: script, warn: { _ in }, advise: { _ in }, debug: nil,
            sleep: { _ in })
        let error = await #expect(throws: OBSError.self) {
            _ = try await client.listObjects(
                bucket: try BucketName("bkt"), prefix: "", delimiter: nil, marker: nil, maxKeys: 10)
        }
        #expect(error?.message.contains(says) == true, "\(String(describing: error))")
    }

    /// The places come from the layer that gave the pair.
    @Test func placesFollowTheLayer() throws {
        let env = ["OBS_ACCESS_KEY_ID": "AK1", "OBS_SECRET_ACCESS_KEY": "SK1", "HOME": "/nonexistent"]
        func keys(_ env: [String: String], _ profile: ConfigFile.Profile?) throws -> KeyPair? {
            try SettingsLayers(flags: SettingsLayer(), regionEndpoint: nil, environment: env, profile: profile).keys()
        }
        let fromEnvironment = try #require(try keys(env, nil))
        #expect(fromEnvironment.places.accessKey == "OBS_ACCESS_KEY_ID")
        #expect(fromEnvironment.places.secretKey == "OBS_SECRET_ACCESS_KEY")
        let profile = (name: "work", values: ["access_key_id": "AK2", "secret_access_key": "SK2"])
        let fromProfile = try #require(try keys(["HOME": "/nonexistent"], profile))
        #expect(fromProfile.places.accessKey.hasPrefix("access_key_id in profile [work] of "))
        #expect(fromProfile.places.secretKey.hasPrefix("secret_access_key in profile [work] of "))
    }
}
