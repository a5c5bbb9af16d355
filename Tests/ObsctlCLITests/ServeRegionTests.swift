import Foundation
import Testing

/// `obsctl serve` reports one region: --region, else a non-empty $OBSCTL_REGION, else "local".
@Suite struct ServeRegionTests {
    @Test func theRegionComesFromTheFlagThenTheVariable() throws {
        let cases: [([String], String?, String)] = [
            ([], "", "local"), ([], nil, "local"), ([], "env-region-1", "env-region-1"),
            (["--region", "flag-region-1"], "env-region-1", "flag-region-1"),
        ]
        for (arguments, variable, expected) in cases {
            let sb = try Sandbox("serve-region")
            let server = try ServeProcess(sb, arguments: arguments, env: ["OBSCTL_REGION": variable])
            #expect(server.ready["region"] as? String == expected, "\(arguments) \(variable ?? "unset")")
            server.stop()
        }
    }
}
