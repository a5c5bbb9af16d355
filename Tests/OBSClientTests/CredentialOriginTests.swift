import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import Testing

@testable import OBSClient

/// A refused key or signature names where the key pair came from (an environment variable, a profile, another
/// tool's file), so the user looks in the right place.
struct CredentialOriginTests {
    @Test(arguments: [("InvalidAccessKeyId", "does not know access key AK"), ("SignatureDoesNotMatch", "signature")])
    func refusalNamesTheKeysOrigin(_ code: String, _ says: String) async throws {
        var configuration = try RemoteConfiguration(
            endpoint: "http://127.0.0.1:9", region: "us-east-1", signature: .v4, addressing: .path,
            credentials: Credentials(accessKeyID: "AK", secretAccessKey: SecretBytes(copying: Array("sk".utf8))),
            transport: TransportOptions(), retries: 0)
        configuration.credentialsOrigin = "profile [work] of ~/.config/obsctl/config"
        let script = FaultScript([.answer(403, [], errorBody(code))])
        let client = try RemoteBackend(
            configuration: configuration, transport: script, warn: { _ in }, advise: { _ in }, debug: nil,
            sleep: { _ in })
        let error = await #expect(throws: OBSError.self) {
            _ = try await client.listObjects(
                bucket: try BucketName("bkt"), prefix: "", delimiter: nil, marker: nil, maxKeys: 10)
        }
        #expect(error?.message.contains(says) == true, "\(String(describing: error))")
        #expect(error?.message.contains("(from profile [work] of ~/.config/obsctl/config)") == true)
    }
}
