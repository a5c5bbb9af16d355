import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

/// `--expect-sse`'s values on the command line.
extension ExpectedSSE: ExpressibleByArgument {}

/// SSE options of commands that write objects.
struct SSEOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Encryption for the new object(s): kms (SSE-KMS), obs (SSE-OBS) or c (SSE-C). Omitted: the bucket "
                + "default applies (a copy between objects keeps its source's encryption)."))
    var sse: SSEModeArgument?
    @Option(
        help: ArgumentHelp("KMS key for --sse kms (id, URN or alias); omitted means obs/default.", valueName: "id"),
        completion: .kmsKey)
    var kmsKeyId: String?
    @Option(
        help: "Fail (exit 6) unless the stored object is encrypted this way: none, obs, kms, c or any (any encryption)."
    )
    var expectSse: ExpectedSSE?

    func request(customerKey: CustomerKey?) throws -> SSERequest? {
        let request = try SSERules.request(mode: sse?.mode, kmsKeyID: kmsKeyId, customerKey: customerKey)
        try expectSse?.refuseContradiction(request)
        return request
    }
}
