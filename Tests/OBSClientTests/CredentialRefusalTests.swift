import Foundation
import OBSCore
import Testing

@testable import OBSClient

/// Answers that refuse the credentials or the account, which every request of a run would get: each is an access
/// failure (exit 4) naming its fix, sent once (no retry can change it).
struct CredentialRefusalTests {
    @Test(
        "a refused token or account is access denied, sent once, naming what to renew or check",
        arguments: [
            (400, "ExpiredToken", "OBS_SECURITY_TOKEN"), (400, "InvalidToken", "OBS_SECURITY_TOKEN"),
            (400, "TokenRefreshRequired", "OBS_SECURITY_TOKEN"), (403, "InArrearOrInsufficientBalance", "balance"),
            (403, "NotSignedUp", "balance"), (403, "AllAccessDisabled", "balance"), (403, "AccountProblem", "balance"),
        ])
    func refusedCredentials(_ status: Int, _ code: String, _ fix: String) throws {
        let script = FaultScript([.answer(status, [], errorBody(code, "refused by the server"))])
        let client = try faultClient(script, retries: 3)
        let (b, k) = try object()
        let get = RemoteBackend.Operation(method: "GET", bucket: b, key: k)
        do {
            _ = try client.serialised { try client.performBlocking(get, sink: nil, transport: $0) }
            Issue.record("\(code) was not an error")
        } catch let e as OBSError {
            #expect(e.code == code && e.category == .accessDenied, "\(e)")
            #expect(e.message.contains(fix) && e.message.contains("refused by the server"), "\(e.message)")
        }
        #expect(script.requests.count == 1)
    }
}
