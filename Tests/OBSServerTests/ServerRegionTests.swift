import Foundation
import OBSCore
import OBSCrypto
import OBSLocalBackend
import Testing

@testable import OBSServer

/// One region per server: what the ready line reports is the location a bucket created without one gets, whether
/// --region or $OBSCTL_REGION named it; an empty variable counts as unset.
@Suite struct ServerRegionTests {
    func runtime(region: String, environment extra: [String: String]) throws -> (ServerRuntime, String) {
        let dir = NSTemporaryDirectory() + "obsctl-region-tests-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var environment = [
            "OBSCTL_LOCAL_ROOT": dir, "HOME": dir, "XDG_CONFIG_HOME": dir + "/config",
            "OBSCTL_LOCAL_ROOT_KEY": Base64.encode((0..<32).map { UInt8($0) }),
            ServeCredentials.accessKeyVariable: "AKREGION", ServeCredentials.secretKeyVariable: "region-secret",
        ]
        environment.merge(extra) { _, new in new }
        let settings = ServeSettings(
            listen: ListenAddress(parsing: "127.0.0.1:0")!, kmsListen: nil, tls: .none, credentialsFile: nil,
            accessLogFile: dir + "/access.log", json: true, region: region)
        return (try ServerRuntime(settings: settings, environment: environment), dir)
    }

    @Test func theReportedRegionIsTheDefaultBucketLocation() async throws {
        for (region, variable) in [("eu-test-1", "other-1"), ("eu-test-1", "")] {
            let (server, dir) = try runtime(region: region, environment: [LocalBackend.regionVariable: variable])
            defer { try? FileManager.default.removeItem(atPath: dir) }
            #expect(server.backend.defaultLocation == region)
            #expect(server.readyLine(endpoint: "http://127.0.0.1:1", caBundle: nil, kmsEndpoint: nil).contains(region))
        }
    }

    @Test func anEmptyRegionVariableMeansLocal() {
        #expect(LocalBackend.defaultLocation(environment: [LocalBackend.regionVariable: ""]) == "local")
        #expect(LocalBackend.defaultLocation(environment: [:]) == "local")
        #expect(LocalBackend.defaultLocation(environment: [LocalBackend.regionVariable: "r-1"]) == "r-1")
    }
}
