import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real clients against `obsctl serve`: Huawei's esdk-obs-python (OBS dialect) over HTTPS with the self-signed CA,
/// boto3 and awscli (S3 dialect), curl with presigned URLs. Each test skips itself when its client is missing.
@Suite("serve clients", .serialized)
struct ServeClientsTests {
    static let esdkMissing: Comment = "esdk-obs-python is not installed: pip install esdk-obs-python"
    static let boto3Missing: Comment = "boto3 is not installed: pip install boto3"
    static let awsMissing: Comment = "awscli is not installed: pip install awscli"

    // MARK: esdk-obs-python

    @Test(.enabled(if: ServeClients.hasEsdk, esdkMissing))
    func esdkBucketsOverHTTPS() throws {
        let sb = try Sandbox("serve-esdk")
        let server = try ServeProcess(sb, tls: true)
        expectSteps(try server.sdk("esdk", "buckets", [RemoteSession.uniqueName("esdk")]))
        expectSteps(try server.sdk("esdk", "rejections", [RemoteSession.uniqueName("esdk-rej")]))
        expectSuccess(server.stop())
    }

    /// esdk-obs-python checks the chain against `ssl_verify` (never the host name): with another CA it must
    /// refuse the server, which proves the tests above verified the certificate.
    @Test(.enabled(if: ServeClients.hasEsdk, esdkMissing))
    func esdkRefusesACertificateItsCADoesNotVouchFor() throws {
        let sb = try Sandbox("serve-esdk-ca")
        let server = try ServeProcess(sb, tls: true)
        let other = try ServeTLSTests.material(sb).ca
        let (json, run) = try server.sdk(
            "esdk", "buckets", [RemoteSession.uniqueName("esdk-ca")], env: ["SERVE_CA": other])
        let first = (json["steps"] as? [[String: Any]])?.first
        #expect(first?["ok"] as? Bool == false, "the first call must fail: \(run)")
        #expect("\(first?["detail"] ?? "")".contains("CERTIFICATE_VERIFY_FAILED"), "\(run)")
        #expect(try sb.ok(["ls"]).out.isEmpty, "nothing was created")
        expectSuccess(server.stop())
    }

    // MARK: boto3 and awscli

    @Test(.enabled(if: ServeClients.hasBoto3, boto3Missing))
    func boto3BucketsOverHTTPS() throws {
        let sb = try Sandbox("serve-boto3")
        let server = try ServeProcess(sb, tls: true)
        expectSteps(try server.sdk("boto3", "buckets", [RemoteSession.uniqueName("boto3")]))
        expectSteps(try server.sdk("boto3", "rejections", [RemoteSession.uniqueName("boto3-rej")]))
        expectSuccess(server.stop())
    }

    /// S3's flexible checksums on a multipart upload, as boto3 sends them: echoed, kept, listed and checked.
    @Test(.enabled(if: ServeClients.hasBoto3, boto3Missing))
    func boto3MultipartChecksums() throws {
        let sb = try Sandbox("serve-mp-sums")
        let server = try ServeProcess(sb)
        expectSteps(try server.sdk("boto3", "multipart-checksums", [RemoteSession.uniqueName("mpsum")]))
        expectSuccess(server.stop())
    }

    @Test(.enabled(if: ServeClients.hasBoto3, boto3Missing))
    func presignedURLsWithCurl() throws {
        let sb = try Sandbox("serve-presign")
        let server = try ServeProcess(sb)
        let bucket = RemoteSession.uniqueName("presign")
        let (json, run) = try server.sdk("boto3", "presign", [bucket])
        expectSteps((json, run))
        let valid = try #require(json["valid"] as? String, "\(run)")
        let expired = try #require(json["expired"] as? String, "\(run)")
        let ok = try server.curl(["-w", "\n%{http_code}", valid])
        #expect(ok.stdout.hasSuffix("\n200") && ok.stdout.contains("LocationConstraint"), "\(ok)")
        let refused = try server.curl(["-w", "\n%{http_code}", expired])
        #expect(refused.stdout.hasSuffix("\n403") && refused.stdout.contains("<Code>AccessDenied</Code>"), "\(refused)")
        #expect(refused.stdout.contains("expired"), "the answer says why: \(refused)")
        expectSuccess(server.stop())
    }

    @Test(.enabled(if: ServeClients.hasAWSCLI, awsMissing))
    func awscliS3AndS3API() throws {
        let sb = try Sandbox("serve-awscli")
        let server = try ServeProcess(sb, tls: true)
        let bucket = RemoteSession.uniqueName("awscli")
        func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let r = try server.aws(args)
            #expect(r.succeeded, "\(r)", sourceLocation: sourceLocation)
            return r.stdout
        }
        _ = try ok(["s3", "mb", "s3://\(bucket)"])
        #expect(try ok(["s3", "ls"]).contains(bucket))
        let kms = #"{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]}"#
        _ = try ok([
            "s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration", kms,
        ])
        let got = try ok([
            "s3api", "get-bucket-encryption", "--bucket", bucket, "--query",
            "ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm",
            "--output", "text",
        ])
        #expect(got.trimmingCharacters(in: .whitespacesAndNewlines) == "aws:kms", "\(got)")
        let location = try ok([
            "s3api", "get-bucket-location", "--bucket", bucket, "--query", "LocationConstraint", "--output", "text",
        ])
        #expect(location.trimmingCharacters(in: .whitespacesAndNewlines) == server.region, "\(location)")
        _ = try ok(["s3api", "head-bucket", "--bucket", bucket])
        _ = try ok(["s3api", "delete-bucket-encryption", "--bucket", bucket])
        let gone = try server.aws(["s3api", "get-bucket-encryption", "--bucket", bucket])
        #expect(gone.stderr.contains("ServerSideEncryptionConfigurationNotFoundError"), "\(gone)")
        let wrong = try server.aws(["s3", "ls"], secret: server.secretAccessKey + "x")
        #expect(!wrong.succeeded && wrong.stderr.contains("SignatureDoesNotMatch"), "\(wrong)")
        _ = try ok(["s3", "rb", "s3://\(bucket)"])
        #expect(try !ok(["s3", "ls"]).contains(bucket))
        expectSuccess(server.stop())
    }
}

/// Records one issue per failed step of a serve_sdk.py scenario (and one when it printed nothing usable).
func expectSteps(_ result: (json: [String: Any], run: ToolRun), sourceLocation: SourceLocation = #_sourceLocation) {
    let steps = result.json["steps"] as? [[String: Any]] ?? []
    #expect(!steps.isEmpty, "no steps ran: \(result.run)", sourceLocation: sourceLocation)
    for step in steps where step["ok"] as? Bool != true {
        Issue.record(
            "step '\(step["step"] ?? "?")' failed: \(step["detail"] ?? "")\n\(result.run.stderr.prefix(1500))",
            sourceLocation: sourceLocation)
    }
}
