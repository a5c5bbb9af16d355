import Foundation
import Testing

/// Object operations through real SDKs against `obsctl serve`, with real encryption: SSE-KMS and SSE-C put/get,
/// multipart, copy, list, batch delete, bytes compared, and a plaintext marker found nowhere under the store.
@Suite("serve object clients", .serialized)
struct ServeObjectsClientsTests {
    /// 12 MiB (three 5 MiB-part multipart pieces) of random bytes with a marker written into it every 64 KiB.
    static func payload(_ sb: Sandbox) throws -> (path: String, marker: Data) {
        let marker = Data("OBSCTL-SERVE-PLAINTEXT-MARKER-\(UUID().uuidString)".utf8)
        var data = randomData(12 << 20)
        for offset in stride(from: 0, to: data.count - marker.count, by: 64 << 10) {
            data.replaceSubrange(offset..<(offset + marker.count), with: marker)
        }
        return (try sb.write("payload.bin", data, mode: 0o600), marker)
    }

    @Test(.enabled(if: ServeClients.hasEsdk, ServeClientsTests.esdkMissing))
    func esdkObjectsOverHTTPS() throws {
        let sb = try Sandbox("serve-esdk-objects")
        let server = try ServeProcess(sb, tls: true)
        let (path, marker) = try Self.payload(sb)
        expectSteps(try server.sdk("esdk", "objects", [RemoteSession.uniqueName("esdk-obj"), path]))
        let leaked = sb.storeFiles(containing: marker)
        #expect(leaked.isEmpty, "plaintext under the store: \(leaked)")
        expectSuccess(server.stop())
    }

    @Test(.enabled(if: ServeClients.hasBoto3, ServeClientsTests.boto3Missing))
    func boto3ObjectsOverHTTPS() throws {
        let sb = try Sandbox("serve-boto3-objects")
        let server = try ServeProcess(sb, tls: true)
        let (path, marker) = try Self.payload(sb)
        expectSteps(try server.sdk("boto3", "objects", [RemoteSession.uniqueName("boto3-obj"), path]))
        let leaked = sb.storeFiles(containing: marker)
        #expect(leaked.isEmpty, "plaintext under the store: \(leaked)")
        expectSuccess(server.stop())
    }

    @Test(.enabled(if: ServeClients.hasAWSCLI, ServeClientsTests.awsMissing))
    func awscliCopyWithSSEKMS() throws {
        let sb = try Sandbox("serve-awscli-objects")
        let server = try ServeProcess(sb, tls: true)
        let (path, marker) = try Self.payload(sb)
        let bucket = RemoteSession.uniqueName("awscli-obj")
        for args in [
            ["s3", "mb", "s3://\(bucket)"], ["s3", "cp", path, "s3://\(bucket)/p.bin", "--sse", "aws:kms"],
            ["s3", "cp", "s3://\(bucket)/p.bin", sb.path("back.bin")],
        ] {
            let r = try server.aws(args)
            #expect(r.succeeded, "\(r)")
        }
        #expect(sb.read("back.bin") == FileManager.default.contents(atPath: path), "bytes differ")
        let head = try server.aws([
            "s3api", "head-object", "--bucket", bucket, "--key", "p.bin", "--query", "ServerSideEncryption",
            "--output", "text",
        ])
        #expect(head.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "aws:kms", "\(head)")
        #expect(sb.storeFiles(containing: marker).isEmpty, "plaintext under the store")
        expectSuccess(server.stop())
    }
}
