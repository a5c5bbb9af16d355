import Foundation
import OBSCore
import OBSSigner
import Testing

@testable import OBSServer

/// Which operation a request is: subresources the store does not have are refused, never read as another one.
@Suite struct ServerDispatchTests {
    @Test func unsupportedSubresourcesAnswer501() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("disp")
        for (path, query) in [
            ("/disp", [("acl", String?.none)]), ("/disp", [("versioning", nil)]), ("/disp/k", [("tagging", nil)]),
            ("/disp", [("prefix", "a"), ("lifecycle", "")]),
        ] {
            let answer = try await f.send(f.request("GET", path, query: query))
            #expect(answer.status == 501, "\(path)?\(query): \(answer.text)")
            #expect(answer.text.contains("<Code>NotImplemented</Code>"))
        }
        // A parameter that merely contains such a word is an ordinary listing.
        let listing = try await f.send(f.request("GET", "/disp", query: [("prefix", "acl")]))
        #expect(listing.status == 200, "\(listing.text)")
    }
}
