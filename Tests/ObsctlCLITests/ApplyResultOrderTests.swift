import OBSCore
import OBSTransfer
import Testing
@testable import ObsctlCLI

/// `bucket encryption apply` reports each object as it completes, so its skips and failures arrive in any order;
/// the JSON document lists them in the listing's order, entries the listing could not read first.
@Suite("apply result order")
struct ApplyResultOrderTests {
    @Test func skipsAndFailuresInListingOrder() throws {
        var result = ApplyResult(bucket: try BucketName("ord-b"), prefix: "", target: .obs, dryRun: false)
        for name in ["obs://ord-b/c", "obs://ord-b/a"] {
            result.skipped.append(TransferEvent.Skipped(item: name, reason: "r"))
        }
        for name in ["obs://ord-b/b", "obs://ord-b/unlisted", "obs://ord-b/a"] {
            result.failures.append(FailureShape(name, OBSError.localIO("x")))
        }
        result.sortItems(by: [ByteKey("obs://ord-b/a"): 0, ByteKey("obs://ord-b/b"): 1, ByteKey("obs://ord-b/c"): 2])
        #expect(result.skipped.map(\.item) == ["obs://ord-b/a", "obs://ord-b/c"])
        #expect(result.failures.map(\.item) == ["obs://ord-b/unlisted", "obs://ord-b/a", "obs://ord-b/b"])
    }
}
