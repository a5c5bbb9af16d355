import Foundation
import Testing

/// Interoperability with Huawei's own Python SDK (esdk-obs-python), an independent implementation of the same
/// protocol: what obsctl writes the SDK reads, and the other way round, with SSE-C under SigV4 and AWS V2
/// against SeaweedFS (which checks both signatures and enforces SSE-C).
@Suite("Remote: Huawei esdk-obs-python interoperability", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct RemoteEsdkTests {
    @Test(
        """
        SSE-C both ways (v4 and v2): obsctl's object read by the SDK, the SDK's object read by obsctl; same key MD5; \
        no key is refused
        """
    )
    func customerKeyBothWays() throws {
        let s = try RemoteSession("esdk")
        let data = remoteRandomData(3 << 20), key = remoteRandomData(32)
        try s.sb.write("src.bin", data)
        try s.sb.write("k", key, mode: 0o600)
        for signature in ["v4", "v2"] {
            let flags = ["--endpoint", s.peers.seaweed, "--signature", signature, "--addressing", "path"]
            let b = try s.makeBucket(flags, tag: "esdk-\(signature)")

            // obsctl writes, the SDK reads.
            try s.ok(flags, ["upload", "src.bin", "obs://\(b)/by-obsctl.bin", "--sse-c-key-file", "k"])
            let got = try Tools.esdk(
                s.peers,
                [
                    "get", s.peers.seaweed, b, "by-obsctl.bin", s.sb.path("sdk-out-\(signature).bin"),
                    "--signature", signature, "--sse-c-key-file", s.sb.path("k"),
                ])
            #expect(got.ok, "the SDK could not read obsctl's SSE-C object: \(got.run)")
            #expect(s.sb.read("sdk-out-\(signature).bin") == data, "the SDK read other bytes (\(signature))")
            #expect((got.json["sse"] as? [String: Any])?["sseCKeyMd5"] as? String == md5Base64(key), "\(got.json)")
            let noKey = try Tools.esdk(
                s.peers, ["head", s.peers.seaweed, b, "by-obsctl.bin", "--signature", signature])
            #expect(!noKey.ok, "the SDK read an SSE-C object without its key: \(noKey.run)")

            // The SDK writes, obsctl reads.
            let put = try Tools.esdk(
                s.peers,
                [
                    "put", s.peers.seaweed, b, "by-sdk.bin", s.sb.path("src.bin"),
                    "--signature", signature, "--sse-c-key-file", s.sb.path("k"),
                ])
            #expect(put.ok, "the SDK's SSE-C upload failed: \(put.run)")
            let st = try s.stat(flags, "obs://\(b)/by-sdk.bin", extra: ["--sse-c-key-file", "k"])
            #expect(
                sseField(st, "mode") as? String == "c" && sseField(st, "customer_key_md5") as? String == md5Base64(key),
                "\(st)")
            try s.ok(flags, ["download", "obs://\(b)/by-sdk.bin", "out-\(signature).bin", "--sse-c-key-file", "k"])
            #expect(
                s.sb.read("out-\(signature).bin") == data, "obsctl read other bytes of the SDK's object (\(signature))")
            expectRemoteError(try s.run(flags, ["download", "obs://\(b)/by-sdk.bin", "nokey.bin"]), 7)
        }
    }
}
